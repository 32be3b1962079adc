/**
 * The study's "backwards search": the share of generated queries whose source listing (any of them, when the
 * same query came from several) is among the top 100, 200 and 250 results.
 */
import type { BackwardsSearch } from './types';

export const BACKWARDS_DEPTHS = [100, 200, 250] as const;
export const RANKING_DEPTH = 250;

/** `rankings[q]`: listing indices best first; `sources[q]`: the query's source listing indices. */
export function backwardsSearch(rankings: readonly Int32Array[], sources: readonly ReadonlySet<number>[]): BackwardsSearch {
  const hits = [0, 0, 0];
  rankings.forEach((ranking, q) => {
    const rank = ranking.findIndex((listing) => sources[q]!.has(listing));
    if (rank === -1) return;
    BACKWARDS_DEPTHS.forEach((depth, d) => {
      if (rank < depth) hits[d]! += 1;
    });
  });
  const share = (n: number): number => (rankings.length === 0 ? 0 : n / rankings.length);
  return { top100: share(hits[0]!), top200: share(hits[1]!), top250: share(hits[2]!) };
}
