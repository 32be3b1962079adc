/** The evaluate stage's expected failures: non-retryable, each naming the file, line or field to fix. */
import { ApplicationFailure } from '@temporalio/common';

export type EvaluateFailureType = 'InvalidEvaluationInput' | 'InvalidQueriesFile' | 'EmptyEvaluationSet';

export function evaluateFailure(type: EvaluateFailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message: `evaluate: ${message}`, nonRetryable: true });
}
