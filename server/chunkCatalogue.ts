/**
 * The chunk texts and listing fields of an index, in memory: hybrid search ranks the chunk texts with BM25,
 * and has to filter and show listings that the dense side did not return. An embedded index holds them in
 * its folder; a pgvector index in its two tables, read once when the champion loads.
 */
import path from 'node:path';
import { EMBEDDED_FILES, type PgvectorIndexMeta } from '../activities/index/indexMeta';
import { readChunkRows, readListingRows, type ChunkRow } from '../activities/index/indexRows';
import { openPool, pgvectorUrl, quoteIdent } from '../activities/index/pgvectorTables';

export class ChunkCatalogue {
  private readonly chunkById = new Map<string, ChunkRow>();

  private constructor(
    readonly chunks: ChunkRow[],
    private readonly fieldsById: Map<string, Record<string, unknown>>,
  ) {
    for (const chunk of chunks) this.chunkById.set(chunk.chunk_id, chunk);
  }

  static async load(indexFolder: string): Promise<ChunkCatalogue> {
    const chunks = await readChunkRows(path.join(indexFolder, EMBEDDED_FILES.chunks));
    const listings = await readListingRows(path.join(indexFolder, EMBEDDED_FILES.listings));
    return new ChunkCatalogue(chunks, new Map(listings.map((listing) => [listing.id, listing.fields])));
  }

  static async loadFromPgvector(meta: PgvectorIndexMeta): Promise<ChunkCatalogue> {
    const pool = openPool(pgvectorUrl(meta.urlEnv), 1);
    try {
      const chunks = await pool.query<ChunkRow>(`SELECT chunk_id, listing_id, text FROM ${quoteIdent(meta.chunksTable)} ORDER BY row_no`);
      const listings = await pool.query<{ id: string; fields: Record<string, unknown> }>(`SELECT id, fields FROM ${quoteIdent(meta.listingsTable)}`);
      return new ChunkCatalogue(chunks.rows, new Map(listings.rows.map((listing) => [listing.id, listing.fields])));
    } finally {
      await pool.end();
    }
  }

  chunk(chunkId: string): ChunkRow | undefined {
    return this.chunkById.get(chunkId);
  }

  fieldsOf(listingId: string): Record<string, unknown> {
    return this.fieldsById.get(listingId) ?? {};
  }
}
