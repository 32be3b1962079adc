/** Worker for the `cpu` task queue: hosts the workflows and the data activities (extract, chunk, evaluate). */
import './quietRuntime';
import { runWorkerMain } from './runWorker';

runWorkerMain({ kind: 'cpu', maxConcurrentActivityTaskExecutions: Number(process.env.GENQ_CPU_CONCURRENCY ?? 4) });
