/**
 * An index folder's `meta.json`: what the folder holds and how to open it. Embedded folders hold the vectors,
 * rows and (above exactLimit) an HNSW graph next to it; a pgvector folder holds only this file, naming the
 * tables and the environment variable with the server's URL (never the URL itself).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const INDEX_FORMAT_VERSION = 1;

/** The files of an embedded index folder. */
export const EMBEDDED_FILES = {
  meta: 'meta.json',
  /** chunks × dimensions little-endian float32, each row L2-normalised, in chunk row order. */
  vectors: 'vectors.f32',
  /** One little-endian uint32 per chunk row: the row of its listing in listings.jsonl. */
  chunkListing: 'chunk-listing.u32',
  /** One `{chunk_id, listing_id, text}` per line, in chunk row order. */
  chunks: 'chunks.jsonl',
  /** One `{id, fields}` per line, in listing row order. */
  listings: 'listings.jsonl',
  /** hnswlib graph over the chunk rows (labels are chunk rows), only when kind is hnsw. */
  hnsw: 'hnsw.bin',
} as const;

const hnswParams = z.object({ m: z.number().int(), efConstruction: z.number().int(), efSearch: z.number().int() });

const common = {
  format_version: z.literal(INDEX_FORMAT_VERSION),
  modelVersion: z.string().min(1),
  dimensions: z.number().int().positive(),
  chunks: z.number().int().min(0),
  listings: z.number().int().min(0),
  createdAt: z.string(),
};

export const embeddedMetaSchema = z.object({
  ...common,
  backend: z.literal('embedded'),
  kind: z.enum(['exact', 'hnsw']),
  /** hnswlib space: inner product on normalised vectors, so distance = 1 - cosine. */
  space: z.literal('ip'),
  hnsw: hnswParams.nullable(),
});

export const pgvectorMetaSchema = z.object({
  ...common,
  backend: z.literal('pgvector'),
  kind: z.literal('pgvector'),
  urlEnv: z.string().min(1),
  listingsTable: z.string().min(1),
  chunksTable: z.string().min(1),
  hnsw: hnswParams,
});

export const indexMetaSchema = z.discriminatedUnion('backend', [embeddedMetaSchema, pgvectorMetaSchema]);
export type EmbeddedIndexMeta = z.infer<typeof embeddedMetaSchema>;
export type PgvectorIndexMeta = z.infer<typeof pgvectorMetaSchema>;
export type IndexMeta = z.infer<typeof indexMetaSchema>;

export async function writeIndexMeta(folder: string, meta: IndexMeta): Promise<void> {
  await writeFile(path.join(folder, EMBEDDED_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
}

export async function readIndexMeta(folder: string): Promise<IndexMeta> {
  const file = path.join(folder, EMBEDDED_FILES.meta);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new Error(`listing index ${folder}: no ${EMBEDDED_FILES.meta} there, so it is not a built index; build it with the index stage (buildListingIndex) or buildIndexFolder`);
    }
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message}); rebuild the index`);
  }
  const parsed = indexMetaSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}; rebuild the index with this version of GenQ`);
  }
  return parsed.data;
}
