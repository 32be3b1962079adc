/**
 * How a trainer's ending becomes an activity outcome: bad config or data and out-of-memory are not retried
 * (a retry cannot fix them); a crash or a pre-emption is, and resumes from the newest checkpoint.
 */
import { ApplicationFailure } from '@temporalio/common';
import { trainerExitCodes, type ErrorEvent } from './protocol';
import type { TrainerRun } from './trainerProcess';

export function failureOf(stage: string, run: TrainerRun, lastError: ErrorEvent | null, logPath: string): Error {
  const said = lastError ? `${lastError.message}${lastError.advice ? ` (${lastError.advice})` : ''}` : run.stderrTail.trim().split('\n').slice(-3).join(' | ');
  switch (run.exitCode) {
    case trainerExitCodes.badConfigOrData:
      return ApplicationFailure.nonRetryable(`${stage}: ${said}`, 'TrainerConfigError');
    case trainerExitCodes.outOfMemory:
      return ApplicationFailure.nonRetryable(
        `${stage}: out of memory: ${said}. Lower batchSize or maxSeqLength, or set cached: true (GradCache) for MNRL.`,
        'TrainerOutOfMemory',
      );
    case trainerExitCodes.preempted:
      return ApplicationFailure.retryable(`${stage}: the trainer was stopped after saving a checkpoint; the retry resumes from it`, 'TrainerPreempted');
    default:
      return ApplicationFailure.retryable(
        `${stage}: the trainer failed (exit ${run.exitCode ?? run.signal}): ${said}. Log: ${logPath}`,
        'TrainerCrashed',
      );
  }
}
