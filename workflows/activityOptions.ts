/**
 * Timeouts and retry policies of the pipeline's activities, declared once. Long stages heartbeat: a worker
 * that dies is noticed within the heartbeat timeout and the stage resumes elsewhere from its last heartbeat.
 */
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';

export const dataStageOptions: ActivityOptions = {
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5 },
};

export const llmStageOptions: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  // Generous: a slow LLM reply delays a heartbeat; a dead worker is still noticed within a minute.
  heartbeatTimeout: '60 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
};

/** Training: hours long; a pre-empted or crashed trainer is retried and resumes from its newest checkpoint. */
export const gpuStageOptions: ActivityOptions = {
  startToCloseTimeout: '48 hours',
  // A cancelled run waits for the trainer's last checkpoint to be uploaded before it ends.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '10s',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['TrainerConfigError', 'TrainerOutOfMemory', 'TrainerOutputMissing'],
  },
};

/** The same options with the run's heartbeat timeout (a setting: short in tests, longer on busy machines). */
export function withHeartbeat(options: ActivityOptions, heartbeatTimeoutSeconds: number): ActivityOptions {
  return { ...options, heartbeatTimeout: heartbeatTimeoutSeconds * 1000 };
}

export const quickOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 5 },
};
