/**
 * Loads an index into PostgreSQL with pgvector: a listings table (typed filter columns plus every field as
 * jsonb) and a chunks table (text, embedding vector(d), and the listing's filter columns copied in, so an
 * HNSW index scan can filter in place with pgvector's iterative scans). Everything happens in one
 * transaction: a failed load leaves the previous tables as they were. The folder gets only meta.json.
 */
import { mkdir } from 'node:fs/promises';
import type { IndexSettings } from '../../workflows/settings/index';
import { INDEX_FORMAT_VERSION, writeIndexMeta, type PgvectorIndexMeta } from './indexMeta';
import { chunkListingRows, type IndexRowsInput } from './indexRows';
import { numericField, operationKey, placeKey } from './listingFilter';
import { describeUrl, openPool, pgvectorTableNames, pgvectorUrl, quoteIdent, vectorLiteral } from './pgvectorTables';

/** pgvector's cosine distance normalises on its own; onProgress counts rows loaded (listings, then chunks). */
export interface PgvectorIndexInput extends IndexRowsInput {
  indexName: string;
  settings: Pick<IndexSettings, 'hnsw' | 'pgvector'>;
}

/** Rows per INSERT … SELECT FROM unnest(...): one round trip each, a few MB of vector text. */
const BATCH = 500;

interface FilterColumns {
  price: number | null;
  rooms: number | null;
  city: string | null;
  zone: string | null;
  operation: string | null;
}

function filterColumns(fields: Record<string, unknown>): FilterColumns {
  const num = (v: unknown): number | null => {
    const n = numericField(v);
    return Number.isFinite(n) ? n : null;
  };
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    price: num(fields.price),
    rooms: num(fields.rooms),
    city: text(fields.city),
    zone: text(fields.zone),
    operation: typeof fields.operation === 'string' ? operationKey(fields.operation) : null,
  };
}

const placeKeyOrNull = (value: string | null): string | null => (value === null ? null : placeKey(value));

export async function writePgvectorIndex(input: PgvectorIndexInput): Promise<PgvectorIndexMeta> {
  const { dimensions, vectors, chunks, listings, settings } = input;
  if (vectors.length !== chunks.length * dimensions) {
    throw new Error(`pgvector index: ${vectors.length} vector values for ${chunks.length} chunks of ${dimensions} dimensions`);
  }
  if (dimensions > 2000) throw new Error(`pgvector index: ${dimensions} dimensions; pgvector's HNSW index takes at most 2000 for vector columns`);
  const chunkListing = chunkListingRows(chunks, listings);
  const tables = pgvectorTableNames(input.indexName, input.modelVersion);
  const url = pgvectorUrl(settings.pgvector.urlEnv);
  const L = quoteIdent(tables.listings);
  const C = quoteIdent(tables.chunks);
  const total = listings.length + chunks.length;
  const pool = openPool(url, 1);
  const client = await pool.connect().catch((err: Error) => {
    throw new Error(`pgvector index: cannot connect to ${describeUrl(url)} (${err.message}); start it (infra/stack.sh start pgvector) or set ${settings.pgvector.urlEnv}`);
  });
  try {
    await client.query('BEGIN');
    await client.query('CREATE EXTENSION IF NOT EXISTS vector').catch((err: Error) => {
      throw new Error(`pgvector index: the server at ${describeUrl(url)} has no usable vector extension (${err.message}); install pgvector there`);
    });
    await client.query(`DROP TABLE IF EXISTS ${C}, ${L}`);
    await client.query(`CREATE TABLE ${L} (
      row_no integer PRIMARY KEY,
      id text NOT NULL UNIQUE,
      price double precision,
      rooms double precision,
      city text,
      zone text,
      operation text,
      city_key text,
      zone_key text,
      fields jsonb NOT NULL)`);
    await client.query(`CREATE TABLE ${C} (
      row_no integer PRIMARY KEY,
      chunk_id text NOT NULL,
      listing_id text NOT NULL REFERENCES ${L} (id),
      listing_row integer NOT NULL,
      text text NOT NULL,
      price double precision,
      rooms double precision,
      city_key text,
      zone_key text,
      operation text,
      embedding vector(${dimensions}) NOT NULL)`);

    const columns = listings.map((l) => filterColumns(l.fields));
    for (let start = 0; start < listings.length; start += BATCH) {
      const rows = listings.slice(start, start + BATCH);
      const cols = columns.slice(start, start + BATCH);
      await client.query(
        `INSERT INTO ${L} (row_no, id, price, rooms, city, zone, operation, city_key, zone_key, fields)
         SELECT * FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[])`,
        [
          rows.map((_, i) => start + i),
          rows.map((r) => r.id),
          cols.map((c) => c.price),
          cols.map((c) => c.rooms),
          cols.map((c) => c.city),
          cols.map((c) => c.zone),
          cols.map((c) => c.operation),
          cols.map((c) => placeKeyOrNull(c.city)),
          cols.map((c) => placeKeyOrNull(c.zone)),
          rows.map((r) => JSON.stringify(r.fields)),
        ],
      );
      input.onProgress?.(start + rows.length, total);
    }
    for (let start = 0; start < chunks.length; start += BATCH) {
      const rows = chunks.slice(start, start + BATCH);
      const listingCols = rows.map((_, i) => columns[chunkListing[start + i]!]!);
      await client.query(
        `INSERT INTO ${C} (row_no, chunk_id, listing_id, listing_row, text, price, rooms, city_key, zone_key, operation, embedding)
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::text[], $10::text[], $11::vector[])`,
        [
          rows.map((_, i) => start + i),
          rows.map((r) => r.chunk_id),
          rows.map((r) => r.listing_id),
          rows.map((_, i) => chunkListing[start + i]!),
          rows.map((r) => r.text),
          listingCols.map((c) => c.price),
          listingCols.map((c) => c.rooms),
          listingCols.map((c) => placeKeyOrNull(c.city)),
          listingCols.map((c) => placeKeyOrNull(c.zone)),
          listingCols.map((c) => c.operation),
          rows.map((_, i) => vectorLiteral(vectors.subarray((start + i) * dimensions, (start + i + 1) * dimensions))),
        ],
      );
      input.onProgress?.(listings.length + start + rows.length, total);
    }
    // The graph is built once the rows are in (much faster than maintaining it row by row).
    await client.query(`SET LOCAL maintenance_work_mem = '1GB'`);
    await client.query(
      `CREATE INDEX ${quoteIdent(tables.hnswIndex)} ON ${C} USING hnsw (embedding vector_cosine_ops) WITH (m = ${settings.hnsw.m}, ef_construction = ${settings.hnsw.efConstruction})`,
    );
    await client.query(`CREATE INDEX ON ${C} (listing_id)`);
    await client.query('COMMIT');
    await client.query(`ANALYZE ${L}, ${C}`);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
    await pool.end();
  }

  await mkdir(input.outFolder, { recursive: true });
  const meta: PgvectorIndexMeta = {
    format_version: INDEX_FORMAT_VERSION,
    backend: 'pgvector',
    kind: 'pgvector',
    modelVersion: input.modelVersion,
    dimensions,
    chunks: chunks.length,
    listings: listings.length,
    urlEnv: settings.pgvector.urlEnv,
    listingsTable: tables.listings,
    chunksTable: tables.chunks,
    hnsw: { ...settings.hnsw },
    createdAt: new Date().toISOString(),
  };
  await writeIndexMeta(input.outFolder, meta);
  return meta;
}
