/**
 * The smoke workflow: one activity per service of the stack, in order, with a `progress` query, so that a
 * fresh install can prove client, server, worker and services all work together.
 */
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { ServiceCheck } from '../activities';

const { checkS3, checkPostgres, checkOllama } = proxyActivities<typeof activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
});

export interface SmokeInput {
  /** Ollama model to ask for one short reply. */
  ollamaModel: string;
}

export interface SmokeProgress {
  stage: string;
  done: number;
  total: number;
}

export const smokeProgressQuery = defineQuery<SmokeProgress>('progress');

export async function smokeWorkflow(input: SmokeInput): Promise<ServiceCheck[]> {
  const steps: Array<[string, () => Promise<ServiceCheck>]> = [
    ['s3', () => checkS3()],
    ['postgres', () => checkPostgres()],
    ['ollama', () => checkOllama(input.ollamaModel)],
  ];
  const progress: SmokeProgress = { stage: 'starting', done: 0, total: steps.length };
  setHandler(smokeProgressQuery, () => progress);
  const results: ServiceCheck[] = [];
  for (const [stage, run] of steps) {
    progress.stage = stage;
    results.push(await run());
    progress.done += 1;
  }
  progress.stage = 'done';
  return results;
}
