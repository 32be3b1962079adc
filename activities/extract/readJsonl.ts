/** JSONL reader: one JSON object per line; blank lines are skipped; a line that is not an object is yielded with its parse error. */
import type { Readable } from 'node:stream';
import { splitLines } from './lines';
import type { RawRow } from './types';

export async function* readJsonl(stream: Readable): AsyncGenerator<RawRow> {
  let rowNumber = 0;
  for await (const { firstLine, lines } of splitLines(stream)) {
    for (let i = 0; i < lines.length; i += 1) {
      const text = lines[i]!;
      if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
      rowNumber += 1;
      const line = firstLine + i;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        yield { value: text, rowNumber, line, parseError: `not valid JSON: ${(err as Error).message}` };
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { value: text, rowNumber, line, parseError: 'not a JSON object' };
        continue;
      }
      yield { value, rowNumber, line };
    }
  }
}
