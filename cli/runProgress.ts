/**
 * A run's progress as the CLI shows it. The workflow knows a training stage's step count but not its
 * position (that lives in the activity's heartbeats, which workflow code cannot read), so the running
 * training activity's last heartbeat fills in the step, the rate and the ETA.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TrainingProgress } from '../activities/training/runTrainingStage';
import { progressQuery, type PipelineProgress } from '../workflows/progress';

type PendingActivities = NonNullable<Awaited<ReturnType<WorkflowHandle['describe']>>['raw']['pendingActivities']>;

function isTrainingProgress(value: unknown): value is TrainingProgress {
  return typeof value === 'object' && value !== null && typeof (value as { step?: unknown }).step === 'number';
}

/** The newest training heartbeat among the pending activities, if one is running. */
export function trainingHeartbeat(pending: PendingActivities): TrainingProgress | undefined {
  for (const activity of pending) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    const details: unknown = defaultPayloadConverter.fromPayload(payload);
    if (isTrainingProgress(details)) return details;
  }
  return undefined;
}

/** `progress` with the running training stage's step, rate and ETA taken from its heartbeat. */
export function withTrainingStep(progress: PipelineProgress, heartbeat: TrainingProgress | undefined): PipelineProgress {
  if (!heartbeat || progress.unit !== 'steps') return progress;
  const total = heartbeat.totalSteps ?? progress.total;
  const rate = heartbeat.stepsPerSecond ?? 0;
  const etaSeconds = rate > 0 && total > 0 ? Math.max(total - heartbeat.step, 0) / rate : null;
  const stages = progress.stages.map((s) => (s.stage === progress.stage ? { ...s, done: heartbeat.step, total } : s));
  return { ...progress, done: heartbeat.step, total, rate, etaSeconds, stages };
}

export async function readRunProgress(handle: WorkflowHandle): Promise<PipelineProgress> {
  const [progress, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
  return withTrainingStep(progress, trainingHeartbeat(description.raw.pendingActivities ?? []));
}
