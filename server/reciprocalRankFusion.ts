/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each ranking gives an item 1 / (k + rank),
 * rank counted from 1, and the sums order the fused list. It needs no score calibration between BM25 and
 * cosine, which is why hybrid search uses it. k = 60 is the paper's constant.
 */
export const RRF_K = 60;

export interface FusedItem {
  id: string;
  score: number;
  /** The item's 1-based rank in each input ranking (absent where it was not ranked). */
  ranks: (number | null)[];
}

/** Fuses rankings of ids (best first). Ties keep the order of first appearance, so the result is deterministic. */
export function reciprocalRankFusion(rankings: string[][], k = RRF_K): FusedItem[] {
  const fused = new Map<string, FusedItem>();
  rankings.forEach((ranking, which) => {
    ranking.forEach((id, position) => {
      let item = fused.get(id);
      if (!item) {
        item = { id, score: 0, ranks: rankings.map(() => null) };
        fused.set(id, item);
      }
      // A ranking that lists an id twice counts its best rank only.
      if (item.ranks[which] !== null) return;
      item.ranks[which] = position + 1;
      item.score += 1 / (k + position + 1);
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
