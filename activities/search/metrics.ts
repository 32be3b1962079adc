/**
 * Binary-relevance ranking metrics (a listing is relevant or not), as information-retrieval evaluations
 * define them. A ranking is a list of ids, best first; an id that appears again later in the list counts
 * once, at its first position (the repeat is dropped and takes no rank), so a ranking cannot score twice
 * for one relevant listing. With no relevant ids every metric is 0.
 */

/** The first `k` distinct ids of `ranked`, in order. */
function distinctTop(ranked: readonly string[], k: number): string[] {
  const seen = new Set<string>();
  const top: string[] = [];
  for (const id of ranked) {
    if (top.length >= k) break;
    if (seen.has(id)) continue;
    seen.add(id);
    top.push(id);
  }
  return top;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`metrics: k must be a positive integer, got ${k}`);
}

/** nDCG@k: DCG = Σ rel_i / log2(i + 1) over ranks i = 1..k, divided by the ideal DCG over min(|relevant|, k) ranks. */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  let dcg = 0;
  distinctTop(ranked, k).forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(relevant.size, k); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/** MRR@k (one query's reciprocal rank): 1 / the rank of the first relevant id within the top k, else 0. */
export function mrrAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK(k);
  const rank = distinctTop(ranked, k).findIndex((id) => relevant.has(id));
  return rank === -1 ? 0 : 1 / (rank + 1);
}

/** Recall@k: |relevant ∩ top k| / |relevant|. */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  return distinctTop(ranked, k).filter((id) => relevant.has(id)).length / relevant.size;
}

export interface RankingMetrics {
  ndcgAt10: number;
  mrrAt10: number;
  recallAt10: number;
  recallAt100: number;
}

export interface JudgedRanking {
  ranked: readonly string[];
  relevant: ReadonlySet<string>;
}

/** The four report metrics, each averaged over the queries. Throws on an empty list: a mean of nothing is no score. */
export function meanMetrics(rankings: readonly JudgedRanking[]): RankingMetrics {
  if (rankings.length === 0) throw new Error('metrics: no rankings to average (the evaluation set has no queries)');
  const sum: RankingMetrics = { ndcgAt10: 0, mrrAt10: 0, recallAt10: 0, recallAt100: 0 };
  for (const { ranked, relevant } of rankings) {
    sum.ndcgAt10 += ndcgAtK(ranked, relevant, 10);
    sum.mrrAt10 += mrrAtK(ranked, relevant, 10);
    sum.recallAt10 += recallAtK(ranked, relevant, 10);
    sum.recallAt100 += recallAtK(ranked, relevant, 100);
  }
  const n = rankings.length;
  return { ndcgAt10: sum.ndcgAt10 / n, mrrAt10: sum.mrrAt10 / n, recallAt10: sum.recallAt10 / n, recallAt100: sum.recallAt100 / n };
}
