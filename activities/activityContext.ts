/**
 * The Temporal activity context, guarded: activities also run outside a worker (tests, the
 * benchmark), where heartbeats go nowhere and nothing cancels them.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';

function current(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function heartbeat(details?: unknown): void {
  current()?.heartbeat(details);
}

/** What the previous attempt of this activity last heartbeated, if any. */
export function lastHeartbeat<T>(): T | undefined {
  return current()?.info.heartbeatDetails as T | undefined;
}

/** Aborted when the activity is cancelled; never aborted outside an activity. */
export function cancellationSignal(): AbortSignal {
  return current()?.cancellationSignal ?? new AbortController().signal;
}

/** The failure to re-throw once a cancelled activity has cleaned up. */
export function cancelledFailure(signal: AbortSignal): CancelledFailure {
  return signal.reason instanceof CancelledFailure ? signal.reason : new CancelledFailure(String(signal.reason ?? 'cancelled'));
}
