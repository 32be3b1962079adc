/** Records and summaries of the query stage. Field names follow the chunk stage's chunks.jsonl. */
import type { QueryRejection } from './validate';

/** A line of chunks.jsonl (written by the chunk stage). */
export interface ChunkRecord {
  chunk_id: string;
  listing_id: string;
  index: number;
  start?: number;
  end?: number;
  text: string;
  sha256: string;
}

/** A line of a shard's queries.jsonl. */
export interface QueryRecord {
  chunk_id: string;
  listing_id: string;
  sha256: string;
  queries: string[];
}

export interface RejectedReply {
  /** The model's answer as received. */
  raw: string;
  reasons: QueryRejection[];
}

/** A line of quarantine.jsonl: a chunk (or imported row) that yields no usable queries, and why. */
export type QuarantineRecord =
  | { source: 'generate'; chunk_id: string; listing_id: string; sha256: string; document: string; reasons: string[]; attempts: RejectedReply[] }
  | { source: 'import'; row: number; chunk_id: string; listing_id: string; document: string; reasons: string[]; raw: string[] };

export interface ShardRange {
  index: number;
  /** First chunk (0-based line of chunks.jsonl), inclusive. */
  start: number;
  /** Last chunk, exclusive. */
  end: number;
}

/** Type aliases, not interfaces, for the summaries: they must fit StageResult's Record<string, unknown>. */
export type ShardSummary = {
  shard: ShardRange;
  chunks: number;
  /** Chunks with queries in queries.jsonl. */
  withQueries: number;
  quarantined: number;
  queries: number;
  // Work done by this call; all zero when a committed shard was reused.
  llmCalls: number;
  /** Chunks answered from the per-chunk cache, or by an identical chunk of the same shard. */
  cacheHits: number;
  /** Chunks whose queries the LLM wrote in this call. */
  generated: number;
  /** Replies that failed validation (each was retried or ended in quarantine). */
  invalidReplies: number;
  /** Chunk position a retried attempt found in its last heartbeat; null on a first attempt. */
  resumedFrom: number | null;
  elapsedMs: number;
};

export type LabeledSummary = {
  /** Chunks (or imported rows) read. */
  chunks: number;
  labeledChunks: number;
  quarantined: number;
  pairs: number;
  trainPairs: number;
  heldOutPairs: number;
  listings: number;
  heldOutListings: number;
  queriesPerChunk: number;
};

export type ImportSummary = LabeledSummary & {
  /** Queries dropped, by reason (empty, preamble, duplicate...). */
  droppedQueries: Record<string, number>;
  /** Kept queries that lost list numbering or quotes. */
  cleanedQueries: number;
  /** Kept queries longer than maxQueryChars (kept: imported queries are the user's, only unusable ones go). */
  longQueries: number;
};
