/**
 * Counts the requests using a resource so it can be retired without dropping any: once retired, it is closed
 * when the last request using it finishes (at once when none is).
 */
export class InFlight {
  private count = 0;
  private retired = false;
  private closing: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  constructor(private readonly closeResource: () => Promise<void>) {}

  get active(): number {
    return this.count;
  }

  /** Runs `work` while counted; a retired resource is refused (the caller should have taken the new one). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.retired) throw new Error('this champion was retired; take the current one');
    this.count += 1;
    try {
      return await work();
    } finally {
      this.count -= 1;
      if (this.count === 0) this.drained?.();
    }
  }

  /** Refuses new work, waits for the running work, then closes the resource. Idempotent. */
  retire(): Promise<void> {
    if (this.closing) return this.closing;
    this.retired = true;
    this.closing = (async () => {
      if (this.count > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      await this.closeResource();
    })();
    return this.closing;
  }
}
