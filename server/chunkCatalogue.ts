/**
 * The chunk texts and listing fields of an embedded index folder, in memory: hybrid search ranks the chunk
 * texts with BM25, and has to filter and show listings that the dense side did not return.
 */
import path from 'node:path';
import { EMBEDDED_FILES } from '../activities/index/indexMeta';
import { readChunkRows, readListingRows, type ChunkRow } from '../activities/index/indexRows';

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

  chunk(chunkId: string): ChunkRow | undefined {
    return this.chunkById.get(chunkId);
  }

  fieldsOf(listingId: string): Record<string, unknown> {
    return this.fieldsById.get(listingId) ?? {};
  }
}
