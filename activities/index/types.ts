/**
 * The listing index's contract, shared by the index stage (which builds it), the server and the CLI (which
 * search it), and the evaluation. Results are listings, not chunks: a listing scores as its best chunk.
 */

/** The structured filters a property portal needs; every field is optional and they combine with AND. */
export interface ListingFilter {
  minPrice?: number;
  maxPrice?: number;
  minRooms?: number;
  /** Exact match, compared case- and accent-insensitively. */
  city?: string;
  /** Exact match, compared case- and accent-insensitively. */
  zone?: string;
  /** `venta` (sale) or `alquiler` (rent), as extract keeps them. */
  operation?: string;
}

export interface IndexHit {
  listingId: string;
  /** Cosine similarity of the query and the listing's best chunk (vectors are normalised). */
  score: number;
  chunkId: string;
  chunkText: string;
  /** The listing's structured fields, as extract kept them. */
  fields: Record<string, unknown>;
}

export interface SearchOptions {
  /** Listings to return. */
  k: number;
  filter?: ListingFilter;
}

/** An opened index, embedded or pgvector: both answer the same way. */
export interface ListingIndex {
  /** Which model's vectors it holds (the model package's digest), so answers can name the model version. */
  readonly modelVersion: string;
  /** Chunks in the index. */
  readonly size: number;
  search(queryVector: Float32Array, options: SearchOptions): Promise<IndexHit[]>;
  close(): Promise<void>;
}
