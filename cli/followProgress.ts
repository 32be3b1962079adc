/**
 * Follows a run: a live progress bar fed by the workflow's `progress` query until it ends. Ctrl-C detaches
 * (the run goes on); `genq cancel <id>` stops it.
 */
import { SingleBar, Presets } from 'cli-progress';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { PipelineProgress } from '../workflows/progress';
import { readRunProgress } from './runProgress';
import type { PipelineSummary } from '../workflows/genqPipeline';

const formatEta = (seconds: number | null): string =>
  seconds === null ? '?' : seconds < 90 ? `${Math.round(seconds)}s` : `${Math.round(seconds / 60)}m`;

export async function followRun(client: Client, workflowId: string): Promise<PipelineSummary | null> {
  const handle = client.workflow.getHandle(workflowId);
  const bar = new SingleBar(
    { format: '{stage} |{bar}| {value}/{total} {unit} · {rate}/s · ETA {remaining}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 10_000 },
    Presets.shades_classic,
  );
  let detached = false;
  const onSigint = (): void => {
    detached = true;
  };
  process.once('SIGINT', onSigint);
  bar.start(1, 0, { stage: 'starting', unit: '', rate: '0', remaining: '?' });
  const resultPromise = handle.result().then(
    (summary) => ({ summary, error: null as unknown }),
    (error: unknown) => ({ summary: null, error }),
  );
  let outcome: { summary: PipelineSummary | null; error: unknown } | null = null;
  try {
    while (!detached && outcome === null) {
      try {
        const p: PipelineProgress = await readRunProgress(handle);
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.done, { stage: p.stage.padEnd(8), unit: p.unit, rate: p.rate.toFixed(1), remaining: formatEta(p.etaSeconds) });
      } catch {
        // No worker has answered yet, or the run just ended: the result below tells which.
      }
      outcome = await Promise.race([resultPromise, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
    }
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSigint);
  }
  if (detached) {
    console.log(`detached; the run goes on. Follow it with: genq status ${workflowId}   stop it with: genq cancel ${workflowId}`);
    return null;
  }
  if (outcome?.error) {
    const err = outcome.error;
    const cause = err instanceof WorkflowFailedError && err.cause ? err.cause.message : (err as Error).message;
    throw new Error(`run ${workflowId} failed: ${cause}`);
  }
  return outcome?.summary ?? null;
}
