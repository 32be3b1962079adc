/**
 * Answers one search with one loaded champion. Dense: the query's embedding against the listing index (a
 * listing scores as its best chunk). Hybrid: the dense and BM25 listing rankings fused by reciprocal rank
 * fusion; BM25's side is filtered here with the same rule, since it does not go through the index.
 */
import type { IndexHit } from '../activities/index/types';
import { matchesListingFilter } from './listingFilter';
import type { LoadedChampion } from './loadedChampion';
import { reciprocalRankFusion } from './reciprocalRankFusion';
import type { SearchMode, SearchRequest } from './searchRequest';

export interface SearchResult extends IndexHit {
  /** Hybrid only: the listing's 1-based rank on each side (null where that side did not rank it). */
  ranks?: { dense: number | null; bm25: number | null };
}

export interface SearchAnswer {
  modelVersion: string;
  indexName: string;
  mode: SearchMode;
  tookMs: number;
  results: SearchResult[];
}

/** Listings each side contributes to the fusion: deep enough that a listing ranked low on one side can still win. */
export const HYBRID_DEPTH = 100;

export async function searchChampion(loaded: LoadedChampion, request: SearchRequest): Promise<SearchAnswer> {
  const started = performance.now();
  const [queryVector] = await loaded.embedder.embed([request.q]);
  const results = request.mode === 'hybrid' ? await hybridSearch(loaded, request, queryVector!) : await loaded.index.search(queryVector!, { k: request.k, filter: request.filter });
  return {
    modelVersion: loaded.modelVersion,
    indexName: loaded.champion.indexName,
    mode: request.mode,
    tookMs: Math.round((performance.now() - started) * 10) / 10,
    results,
  };
}

async function hybridSearch(loaded: LoadedChampion, request: SearchRequest, queryVector: Float32Array): Promise<SearchResult[]> {
  const { bm25, catalogue } = loaded.keyword;
  const dense = await loaded.index.search(queryVector, { k: Math.max(request.k, HYBRID_DEPTH), filter: request.filter });

  // BM25 ranks chunks; a listing takes its best chunk's rank, as on the dense side.
  const keywordBest = new Map<string, string>();
  for (const hit of bm25.search(request.q, bm25.size)) {
    const chunk = catalogue.chunk(hit.id);
    if (!chunk || keywordBest.has(chunk.listing_id)) continue;
    if (!matchesListingFilter(catalogue.fieldsOf(chunk.listing_id), request.filter)) continue;
    keywordBest.set(chunk.listing_id, chunk.chunk_id);
    if (keywordBest.size >= Math.max(request.k, HYBRID_DEPTH)) break;
  }

  const denseById = new Map(dense.map((hit) => [hit.listingId, hit]));
  const fused = reciprocalRankFusion([dense.map((hit) => hit.listingId), [...keywordBest.keys()]]);
  return fused.slice(0, request.k).map((item) => {
    const denseHit = denseById.get(item.id);
    // Show the chunk the model matched when it ranked the listing; otherwise the one BM25 matched.
    const chunk = denseHit ? { chunkId: denseHit.chunkId, chunkText: denseHit.chunkText } : { chunkId: keywordBest.get(item.id)!, chunkText: catalogue.chunk(keywordBest.get(item.id)!)!.text };
    return {
      listingId: item.id,
      score: item.score,
      ...chunk,
      fields: denseHit?.fields ?? catalogue.fieldsOf(item.id),
      ranks: { dense: item.ranks[0] ?? null, bm25: item.ranks[1] ?? null },
    };
  });
}
