/** Opens a built index folder as a ListingIndex: embedded or pgvector, as its meta.json says. */
import { EmbeddedListingIndex, type EmbeddedSearchOptions } from './embeddedIndex';
import { readIndexMeta } from './indexMeta';
import { PgvectorListingIndex } from './pgvectorIndex';
import type { ListingIndex } from './types';

export type OpenIndexOptions = EmbeddedSearchOptions;

export async function openIndexFolder(folder: string, options: OpenIndexOptions = {}): Promise<ListingIndex> {
  const meta = await readIndexMeta(folder);
  return meta.backend === 'embedded' ? EmbeddedListingIndex.open(folder, meta, options) : PgvectorListingIndex.open(folder, meta);
}
