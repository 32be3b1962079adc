/**
 * Buffered line output with back-pressure. Writing one line at a time to a file stream costs a call and a
 * buffer per line; collecting lines and writing them in blocks keeps a million-row stage fast, and awaiting
 * 'drain' keeps memory flat when the disk is slower than the producer.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

/**
 * Block size. 64 K characters, not megabytes: a joined string over ~128 KB lands in V8's large-object space and
 * is freed only by a full GC, so 1 MB blocks (and their buffers) piled up to ~100 MB of RSS in the 1M benchmark.
 */
const FLUSH_CHARS = 1 << 16;
/**
 * Bytes the file stream may queue before write() asks us to wait. Node's default (16 KB) is smaller than one
 * flush, so every flush would wait for the disk; a few MB lets writing overlap the next batch's work.
 */
const QUEUE_BYTES = 4 << 20;

export class LineWriter {
  private parts: string[] = [];
  private chars = 0;
  private failure: Error | undefined;
  /** Lines written so far. */
  count = 0;

  private constructor(private readonly stream: WriteStream) {
    stream.on('error', (err) => {
      this.failure = err;
    });
  }

  static open(path: string): LineWriter {
    return new LineWriter(createWriteStream(path, { highWaterMark: QUEUE_BYTES }));
  }

  /** Buffers one line (without its newline). Returns true when the caller should `await flush()`. */
  push(line: string): boolean {
    this.parts.push(line);
    this.chars += line.length + 1;
    this.count += 1;
    return this.chars >= FLUSH_CHARS;
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.parts.length === 0) return;
    const text = `${this.parts.join('\n')}\n`;
    this.parts = [];
    this.chars = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
  }

  /** Closes without caring about the contents (on an error path). */
  destroy(): void {
    this.stream.destroy();
  }
}
