/**
 * Progress reporting for the streaming stages. Inside an activity it heartbeats (at most once a second, so a
 * million rows do not mean a million heartbeats) and surfaces cancellation; called from tests or benchmarks,
 * outside any activity context, it does nothing.
 */
import { Context } from '@temporalio/activity';

export class StageHeartbeat {
  private readonly context: Context | undefined;
  private lastBeat = 0;

  constructor(private readonly intervalMs = 1000) {
    try {
      this.context = Context.current();
    } catch {
      this.context = undefined; // not running as an activity
    }
  }

  /** Heartbeats `details` when the interval has passed; throws the cancellation once the activity is cancelled. */
  beat(details: unknown): void {
    if (!this.context) return;
    const signal = this.context.cancellationSignal;
    if (signal.aborted) throw signal.reason ?? new Error('activity cancelled');
    const now = Date.now();
    if (now - this.lastBeat < this.intervalMs) return;
    this.lastBeat = now;
    this.context.heartbeat(details);
  }

  /** Heartbeats now, whatever the interval (e.g. the final count). */
  beatNow(details: unknown): void {
    this.lastBeat = 0;
    this.beat(details);
  }
}
