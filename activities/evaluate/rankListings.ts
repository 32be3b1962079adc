/**
 * Listing rankings from chunk scores: a listing scores its best chunk's score. Dense: dot products of each
 * query with every chunk vector. BM25: MiniSearch's chunk hits, walked best first. Rankings are listing
 * indices into the corpus's `listingIds`, best first, at most `k` long.
 */
import { Bm25Index } from '../search/bm25';
import type { Corpus } from './corpus';
import { rowDot, type EmbeddedTexts } from './embedMatrix';
import { topK } from './topK';

export function rankListingsDense(corpus: Corpus, chunks: EmbeddedTexts, queries: EmbeddedTexts, k: number, onQuery: (done: number) => void): Int32Array[] {
  if (chunks.dims !== queries.dims) throw new Error(`chunk vectors have ${chunks.dims} dimensions, query vectors ${queries.dims}`);
  const best = new Float32Array(corpus.listingIds.length);
  const rankings: Int32Array[] = [];
  for (let q = 0; q < queries.rows; q++) {
    best.fill(-Infinity);
    for (let c = 0; c < chunks.rows; c++) {
      const score = rowDot(queries.matrix, q, chunks.matrix, c, chunks.dims);
      const listing = corpus.listingOfChunk[c]!;
      if (score > best[listing]!) best[listing] = score;
    }
    rankings.push(topK(best, k));
    onQuery(q + 1);
  }
  return rankings;
}

export function buildBm25(corpus: Corpus): Bm25Index {
  return Bm25Index.build(corpus.texts.map((text, c) => ({ id: String(c), text })));
}

/** Listings that share no term with a query are absent, so a BM25 ranking may be shorter than k. */
export function rankListingsBm25(corpus: Corpus, index: Bm25Index, queries: readonly string[], k: number, onQuery: (done: number) => void): Int32Array[] {
  return queries.map((query, q) => {
    const ranking: number[] = [];
    const seen = new Set<number>();
    for (const hit of index.search(query, Number.MAX_SAFE_INTEGER)) {
      const listing = corpus.listingOfChunk[Number(hit.id)]!;
      if (seen.has(listing)) continue;
      seen.add(listing);
      ranking.push(listing);
      if (ranking.length >= k) break;
    }
    onQuery(q + 1);
    return Int32Array.from(ranking);
  });
}
