/** The chunk stage's two output formats, one line per chunk. */
import { hash } from 'node:crypto';
import type { TextChunk } from './chunkText';

/** The header of the method's chunks.csv (its reference file also has an unnamed index column; ours does not). */
export const CHUNKS_CSV_COLUMNS = ['id', 'document'] as const;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 field: quoted (inner quotes doubled) only when it holds a quote, comma or line break, as
 * csv-stringify does by default. Written out because this runs once per chunk, millions of times: measured
 * here, csv-stringify's sync API costs ~1.1 µs a row (~4 s of a million-listing run), this ~0.1 µs. The
 * tests read chunks.csv back with csv-parse.
 */
export const csvField = (value: string): string => (NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** One chunks.csv row: `id,document`, with id = the listing id. */
export const csvRow = (listingId: string, text: string): string => `${csvField(listingId)},${csvField(text)}`;

export const chunkId = (listingId: string, index: number): string => `${listingId}#${index}`;

/**
 * One chunks.jsonl line (`listingIdJson` is JSON.stringify(listing id)): {chunk_id, listing_id, index, start, end, text, sha256}. Written with a template
 * rather than JSON.stringify of an object: same JSON, about three times faster for millions of chunks.
 * `sha256` is of the chunk text (UTF-8): query generation caches its answers by it.
 */
export function chunkJsonLine(listingIdJson: string, chunk: TextChunk): string {
  // The chunk id's JSON is the listing id's JSON with `#index` before its closing quote: no second escape pass.
  const chunkIdJson = `${listingIdJson.slice(0, -1)}#${chunk.index}"`;
  return (
    `{"chunk_id":${chunkIdJson},"listing_id":${listingIdJson},"index":${chunk.index},` +
    `"start":${chunk.start},"end":${chunk.end},"text":${JSON.stringify(chunk.text)},"sha256":"${hash('sha256', chunk.text, 'hex')}"}`
  );
}
