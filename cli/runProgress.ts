/**
 * A run's progress as the CLI shows it. The workflow counts finished stages, shards and training runs, but
 * not the position inside a running activity: that lives in the activity's heartbeats, which workflow code
 * cannot read. So the CLI reads them: the training activity's step (with its rate and ETA), and the chunks
 * finished so far by each query shard running under the run's child workflows.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ShardProgress } from '../activities/queries/generateQueriesShard';
import type { TrainingProgress } from '../activities/training/runTrainingStage';
import { progressQuery, type PipelineProgress } from '../workflows/progress';

type Description = Awaited<ReturnType<WorkflowHandle['describe']>>;
type PendingActivities = NonNullable<Description['raw']['pendingActivities']>;

function heartbeats(pending: PendingActivities): unknown[] {
  return pending.flatMap((activity) => {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload(payload)] : [];
  });
}

const isTrainingProgress = (value: unknown): value is TrainingProgress =>
  typeof value === 'object' && value !== null && typeof (value as { step?: unknown }).step === 'number';

const isShardProgress = (value: unknown): value is ShardProgress =>
  typeof value === 'object' && value !== null && typeof (value as { done?: unknown }).done === 'number' && typeof (value as { position?: unknown }).position === 'number';

/** The newest training heartbeat among the pending activities, if one is running. */
export function trainingHeartbeat(pending: PendingActivities): TrainingProgress | undefined {
  return heartbeats(pending).find(isTrainingProgress);
}

/** `progress` with the running training stage's step, rate and ETA taken from its heartbeat. */
export function withTrainingStep(progress: PipelineProgress, heartbeat: TrainingProgress | undefined): PipelineProgress {
  if (!heartbeat || progress.unit !== 'steps') return progress;
  const total = heartbeat.totalSteps ?? progress.total;
  const rate = heartbeat.stepsPerSecond ?? 0;
  const etaSeconds = rate > 0 && total > 0 ? Math.max(total - heartbeat.step, 0) / rate : null;
  return withDone(progress, heartbeat.step, total, rate, etaSeconds);
}

/** `progress` of the queries stage with the chunks that running shards have finished (not yet signalled). */
export function withRunningShards(progress: PipelineProgress, shards: ShardProgress[]): PipelineProgress {
  if (progress.stage !== 'queries' || shards.length === 0) return progress;
  // A shard that finished between the query and the describe is counted twice for a moment: clamp.
  const done = Math.min(progress.done + shards.reduce((sum, shard) => sum + shard.done, 0), progress.total);
  const stage = progress.stages.find((s) => s.stage === 'queries');
  const elapsed = stage?.startedAt ? Math.max((Date.now() - stage.startedAt) / 1000, 1e-3) : 0;
  const rate = elapsed > 0 ? done / elapsed : progress.rate;
  const etaSeconds = rate > 0 && progress.total > 0 ? Math.max(progress.total - done, 0) / rate : null;
  return withDone(progress, done, progress.total, rate, etaSeconds);
}

function withDone(progress: PipelineProgress, done: number, total: number, rate: number, etaSeconds: number | null): PipelineProgress {
  const stages = progress.stages.map((s) => (s.stage === progress.stage ? { ...s, done, total } : s));
  return { ...progress, done, total, rate, etaSeconds, stages };
}

/** Heartbeats of the query shards running in the run's child workflows (one describe per child). */
async function runningShards(handle: WorkflowHandle, description: Description): Promise<ShardProgress[]> {
  const children = description.raw.pendingChildren ?? [];
  const described = await Promise.all(
    children.map((child) =>
      child.workflowId
        ? handle.client.getHandle(child.workflowId, child.runId ?? undefined).describe().catch(() => null)
        : Promise.resolve(null),
    ),
  );
  return described.flatMap((d) => (d ? heartbeats(d.raw.pendingActivities ?? []).filter(isShardProgress) : []));
}

export async function readRunProgress(handle: WorkflowHandle): Promise<PipelineProgress> {
  const [progress, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
  if (progress.stage === 'queries') return withRunningShards(progress, await runningShards(handle, description));
  return withTrainingStep(progress, trainingHeartbeat(description.raw.pendingActivities ?? []));
}
