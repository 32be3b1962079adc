/** Default task-queue names: one per kind of hardware. temporal.config.ts applies environment overrides. */
import { z } from 'zod';

export const defaultTaskQueues = { cpu: 'genq-cpu', llm: 'genq-llm', gpu: 'genq-gpu' } as const;

export const taskQueuesSchema = z
  .object({
    cpu: z.string().min(1).default(defaultTaskQueues.cpu).describe('Queue of the data stages (extract, chunk, assemble, evaluate).'),
    llm: z.string().min(1).default(defaultTaskQueues.llm).describe('Queue of the workers next to Ollama (query generation).'),
    gpu: z.string().min(1).default(defaultTaskQueues.gpu).describe('Queue of the training workers (TSDAE, MNRL, export).'),
  })
  .describe('Task queues the stages run on; the defaults match the workers in workers/.');
