/** Worker for the `gpu` task queue: training and export, one activity per GPU by default. */
import './quietRuntime';
import { runWorkerMain } from './runWorker';

runWorkerMain({
  kind: 'gpu',
  maxConcurrentActivityTaskExecutions: Number(process.env.GENQ_GPU_CONCURRENCY ?? 1),
  // Training gets time to write its checkpoint after SIGTERM before the worker gives up on it.
  shutdownGraceTime: Number(process.env.GENQ_GPU_SHUTDOWN_GRACE_S ?? 120) * 1000,
});
