/**
 * The rows an index holds besides vectors: chunks (in vector order) and listings (id and structured fields),
 * read from the chunk and extract stages' JSONL files with errors that name the file, line and field.
 */
import { createReadStream } from 'node:fs';
import { splitLines } from '../extract/lines';

export interface ChunkRow {
  chunk_id: string;
  listing_id: string;
  text: string;
}

export interface ListingRow {
  id: string;
  fields: Record<string, unknown>;
}

async function* jsonLines(file: string, what: string): AsyncGenerator<{ value: Record<string, unknown>; line: number }> {
  let stream;
  try {
    stream = createReadStream(file);
    for await (const { firstLine, lines } of splitLines(stream)) {
      for (const [i, text] of lines.entries()) {
        if (text.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (err) {
          throw new Error(`${what} ${file}, line ${firstLine + i}: not JSON (${(err as Error).message})`);
        }
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} ${file}, line ${firstLine + i}: expected a JSON object`);
        yield { value: value as Record<string, unknown>, line: firstLine + i };
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${what} ${file}: file not found`);
    throw err;
  }
}

const stringField = (value: Record<string, unknown>, key: string, where: string): string => {
  const got = value[key];
  if (typeof got !== 'string' || got === '') throw new Error(`${where}: field "${key}" must be a non-empty string, got ${JSON.stringify(got)}`);
  return got;
};

/** listings.jsonl lines `{id, text, fields}`; only id and fields are kept. */
export async function readListingRows(file: string): Promise<ListingRow[]> {
  const rows: ListingRow[] = [];
  const seen = new Set<string>();
  for await (const { value, line } of jsonLines(file, 'listings')) {
    const where = `listings ${file}, line ${line}`;
    const id = stringField(value, 'id', where);
    if (seen.has(id)) throw new Error(`${where}: listing id ${JSON.stringify(id)} appears twice`);
    seen.add(id);
    const fields = value.fields ?? {};
    if (typeof fields !== 'object' || Array.isArray(fields)) throw new Error(`${where}: field "fields" must be an object`);
    rows.push({ id, fields: fields as Record<string, unknown> });
  }
  return rows;
}

/** chunks.jsonl lines `{chunk_id, listing_id, text, ...}`. */
export async function readChunkRows(file: string): Promise<ChunkRow[]> {
  const rows: ChunkRow[] = [];
  for await (const { value, line } of jsonLines(file, 'chunks')) {
    const where = `chunks ${file}, line ${line}`;
    rows.push({ chunk_id: stringField(value, 'chunk_id', where), listing_id: stringField(value, 'listing_id', where), text: stringField(value, 'text', where) });
  }
  return rows;
}

/** Each chunk's listing row; a chunk whose listing is missing is an error (the two files are from different runs). */
export function chunkListingRows(chunks: readonly ChunkRow[], listings: readonly ListingRow[]): Uint32Array {
  const rowOf = new Map<string, number>();
  listings.forEach((listing, row) => rowOf.set(listing.id, row));
  const out = new Uint32Array(chunks.length);
  chunks.forEach((chunk, i) => {
    const row = rowOf.get(chunk.listing_id);
    if (row === undefined) {
      throw new Error(`chunk ${chunk.chunk_id}: its listing ${JSON.stringify(chunk.listing_id)} is not in the listings file; give the listings and chunks of the same run`);
    }
    out[i] = row;
  });
  return out;
}

/** What every index writer gets: the embedded chunks, their rows and the listings' fields. */
export interface IndexRowsInput {
  outFolder: string;
  modelVersion: string;
  dimensions: number;
  /** chunks.length × dimensions, row-major. */
  vectors: Float32Array;
  chunks: readonly ChunkRow[];
  listings: readonly ListingRow[];
  onProgress?: (done: number, total: number) => void;
}
