/**
 * Splits a byte stream into text lines, a batch per chunk read (a generator step per line would cost more
 * than parsing the line). Bytes are decoded as UTF-8 across chunk boundaries; invalid sequences become
 * U+FFFD, which the row checks then quarantine as invalid UTF-8.
 */
import { StringDecoder } from 'node:string_decoder';

export interface LineBatch {
  /** Line number of `lines[0]` (1-based). */
  firstLine: number;
  /** Lines without their '\n' or '\r\n'. */
  lines: string[];
}

export async function* splitLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 1;
  let first = true;
  const take = (text: string, final: boolean): LineBatch | null => {
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push(text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (final && rest !== '') {
      lines.push(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
      rest = '';
    }
    if (lines.length === 0) return null;
    if (first) {
      first = false;
      if (lines[0]!.charCodeAt(0) === 0xfeff) lines[0] = lines[0]!.slice(1); // a byte-order mark is not content
    }
    const batch = { firstLine: lineNo, lines };
    lineNo += lines.length;
    return batch;
  };
  for await (const chunk of chunks) {
    const batch = take(rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk)), false);
    if (batch) yield batch;
  }
  const last = take(rest + decoder.end(), true);
  if (last) yield last;
}
