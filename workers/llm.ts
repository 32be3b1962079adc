/** Worker for the `llm` task queue: runs next to Ollama and hosts query generation. */
import './quietRuntime';
import { runWorkerMain } from './runWorker';

runWorkerMain({ kind: 'llm', maxConcurrentActivityTaskExecutions: Number(process.env.GENQ_LLM_CONCURRENCY ?? 4) });
