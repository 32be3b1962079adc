/**
 * The listing index in PostgreSQL with pgvector, opened from a folder's meta.json. A search takes the nearest
 * chunks through the HNSW index (iterative scan, so a filter does not starve it), keeps each listing's best
 * chunk, and asks for more chunks when they crowd into fewer than k listings; it answers as the embedded index does.
 */
import type { Pool } from 'pg';
import type { PgvectorIndexMeta } from './indexMeta';
import { checkListingFilter, operationKey, placeKey } from './listingFilter';
import { describeUrl, openPool, pgvectorUrl, quoteIdent, vectorLiteral } from './pgvectorTables';
import { checkSearchInput } from './searchInput';
import type { IndexHit, ListingFilter, ListingIndex, SearchOptions } from './types';

/** pgvector's upper bound for hnsw.ef_search. */
const MAX_EF_SEARCH = 1000;

interface Row {
  listing_id: string;
  chunk_id: string;
  text: string;
  distance: number;
  fields: Record<string, unknown>;
  found: string;
}

function whereClause(filter: ListingFilter | undefined, params: unknown[]): string {
  const conditions: string[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (filter?.minPrice !== undefined) add('price >= ?', filter.minPrice);
  if (filter?.maxPrice !== undefined) add('price <= ?', filter.maxPrice);
  if (filter?.minRooms !== undefined) add('rooms >= ?', filter.minRooms);
  if (filter?.city !== undefined) add('city_key = ?', placeKey(filter.city));
  if (filter?.zone !== undefined) add('zone_key = ?', placeKey(filter.zone));
  if (filter?.operation !== undefined) add('operation = ?', operationKey(filter.operation));
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

export class PgvectorListingIndex implements ListingIndex {
  private constructor(
    readonly meta: PgvectorIndexMeta,
    private readonly pool: Pool,
  ) {}

  static async open(folder: string, meta: PgvectorIndexMeta): Promise<PgvectorListingIndex> {
    const url = pgvectorUrl(meta.urlEnv);
    const pool = openPool(url);
    try {
      // Session settings for every pooled connection: iterative scans keep filtered HNSW searches filling up.
      pool.on('connect', (client) => {
        client.query(`SET hnsw.iterative_scan = relaxed_order`).catch(() => undefined);
      });
      const check = await pool
        .query<{ dims: number | null }>(
          `SELECT (SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'embedding') AS dims,
                  to_regclass($2) IS NOT NULL AS has_listings`,
          [quoteIdent(meta.chunksTable), quoteIdent(meta.listingsTable)],
        )
        .catch((err: Error) => {
          throw new Error(`listing index ${folder}: cannot query the pgvector server ${describeUrl(url)} (${err.message}); start it or set ${meta.urlEnv}`);
        });
      const { dims, has_listings: hasListings } = check.rows[0] as { dims: number | null; has_listings: boolean };
      if (dims === null || !hasListings) {
        throw new Error(`listing index ${folder}: tables ${meta.chunksTable}/${meta.listingsTable} are not on ${describeUrl(url)}; rebuild the index with backend pgvector against this server`);
      }
      if (dims !== meta.dimensions) throw new Error(`listing index ${folder}: ${meta.chunksTable}.embedding has ${dims} dimensions, meta.json says ${meta.dimensions}; rebuild the index`);
      return new PgvectorListingIndex(meta, pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  get modelVersion(): string {
    return this.meta.modelVersion;
  }

  get size(): number {
    return this.meta.chunks;
  }

  async search(queryVector: Float32Array, options: SearchOptions): Promise<IndexHit[]> {
    checkSearchInput(queryVector, options, this.meta.dimensions, this.meta.modelVersion);
    checkListingFilter(options.filter);
    const { k } = options;
    const n = this.meta.chunks;
    const chunksPerListing = Math.max(1, Math.ceil(n / Math.max(1, this.meta.listings)));
    let want = Math.min(Math.max(n, 1), Math.max(k * chunksPerListing * 2, k + 10));
    const client = await this.pool.connect();
    try {
      for (;;) {
        const params: unknown[] = [vectorLiteral(queryVector)];
        const where = whereClause(options.filter, params);
        params.push(want, k);
        const wantParam = `$${params.length - 1}`;
        const kParam = `$${params.length}`;
        await client.query(`SELECT set_config('hnsw.ef_search', $1, false)`, [String(Math.min(MAX_EF_SEARCH, Math.max(this.meta.hnsw.efSearch, want)))]);
        const { rows } = await client.query<Row>(
          `WITH nearest AS MATERIALIZED (
             SELECT row_no, listing_id, listing_row, chunk_id, text, embedding <=> $1::vector AS distance
             FROM ${quoteIdent(this.meta.chunksTable)} ${where}
             ORDER BY embedding <=> $1::vector
             LIMIT ${wantParam}
           ), best AS (
             SELECT DISTINCT ON (listing_row) listing_id, listing_row, chunk_id, text, distance
             FROM nearest ORDER BY listing_row, distance, row_no
           )
           SELECT b.listing_id, b.chunk_id, b.text, b.distance, l.fields, (SELECT count(*) FROM nearest) AS found
           FROM best b JOIN ${quoteIdent(this.meta.listingsTable)} l ON l.row_no = b.listing_row
           ORDER BY b.distance, b.listing_row
           LIMIT ${kParam}`,
          params,
        );
        const found = rows.length ? Number(rows[0]!.found) : 0;
        if (rows.length >= k || found < want || want >= n) {
          return rows.map((r) => ({ listingId: r.listing_id, score: 1 - r.distance, chunkId: r.chunk_id, chunkText: r.text, fields: r.fields }));
        }
        want = Math.min(n, want * 4);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
