import assert from 'node:assert/strict';
import { meanMetrics, mrrAtK, ndcgAtK, recallAtK } from '../activities/search/metrics';

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-4, `${what}: ${actual}, expected ${expected}`);

describe('ranking metrics (binary relevance), against hand-computed values', () => {
  it('relevant at ranks 2 and 4 of four', () => {
    const ranked = ['a', 'b', 'c', 'd'];
    const relevant = new Set(['b', 'd']);
    // DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161; ideal over min(2, 10) = 2 ranks: 1 + 0.63093 = 1.63093
    close(ndcgAtK(ranked, relevant, 10), 1.06161 / 1.63093, 'nDCG@10'); // 0.65092
    // top 2 = a, b: DCG = 0.63093, ideal over 2 ranks 1.63093
    close(ndcgAtK(ranked, relevant, 2), 0.63093 / 1.63093, 'nDCG@2'); // 0.38685
    assert.equal(mrrAtK(ranked, relevant, 10), 1 / 2); // first relevant at rank 2
    assert.equal(recallAtK(ranked, relevant, 10), 1); // both found
    assert.equal(recallAtK(ranked, relevant, 2), 1 / 2); // only b in the top 2
  });

  it('a perfect ranking scores 1 on every metric', () => {
    const relevant = new Set(['x', 'y']);
    assert.equal(ndcgAtK(['x', 'y', 'z'], relevant, 10), 1);
    assert.equal(mrrAtK(['x', 'y', 'z'], relevant, 10), 1);
    assert.equal(recallAtK(['x', 'y', 'z'], relevant, 10), 1);
  });

  it('no relevant id in the top k scores 0', () => {
    const relevant = new Set(['c']);
    for (const metric of [ndcgAtK, mrrAtK, recallAtK]) {
      assert.equal(metric(['a', 'b', 'c'], relevant, 2), 0, metric.name); // c is at rank 3, outside k = 2
      assert.equal(metric(['a', 'b'], new Set(['z']), 10), 0, metric.name); // never ranked
      assert.equal(metric(['a', 'b'], new Set(), 10), 0, `${metric.name} with no relevant ids`);
    }
  });

  it('k larger than the list: the ideal still counts min(|relevant|, k) ranks', () => {
    const relevant = new Set(['r', 's', 't']);
    const ranked = ['x', 'r'];
    // DCG = 1/log2(3) = 0.63093; ideal over 3 ranks = 1 + 0.63093 + 1/log2(4) = 2.13093
    close(ndcgAtK(ranked, relevant, 10), 0.63093 / 2.13093, 'nDCG@10'); // 0.29608
    assert.equal(mrrAtK(ranked, relevant, 10), 1 / 2);
    close(recallAtK(ranked, relevant, 10), 1 / 3, 'recall@10');
  });

  it('a duplicate in the ranking counts once and takes no rank', () => {
    const relevant = new Set(['r', 's']);
    // distinct top 3 of [r, r, r] is [r]: DCG = 1, ideal over 2 ranks = 1.63093
    close(ndcgAtK(['r', 'r', 'r'], relevant, 3), 1 / 1.63093, 'nDCG'); // 0.61315, not above 1
    assert.equal(recallAtK(['r', 'r', 'r'], relevant, 3), 1 / 2); // not 3/2
    // [a, a, r]: the repeated a is dropped, so r is at rank 2 and inside k = 2
    assert.equal(mrrAtK(['a', 'a', 'r'], relevant, 2), 1 / 2);
    close(ndcgAtK(['a', 'a', 'r'], relevant, 2), 0.63093 / 1.63093, 'nDCG@2 with a repeat');
  });

  it('rejects a k that is not a positive integer', () => {
    assert.throws(() => ndcgAtK(['a'], new Set(['a']), 0), /k must be a positive integer, got 0/);
    assert.throws(() => recallAtK(['a'], new Set(['a']), 2.5), /got 2.5/);
  });

  it('meanMetrics averages the four report metrics over queries', () => {
    const fillers = Array.from({ length: 11 }, (_, i) => `f${i}`);
    const means = meanMetrics([
      { ranked: ['a', 'b'], relevant: new Set(['a']) }, // 1, 1, 1, 1
      { ranked: [...fillers, 'a'], relevant: new Set(['a']) }, // a at rank 12: 0, 0, 0, and 1 at @100
    ]);
    assert.deepEqual(means, { ndcgAt10: 0.5, mrrAt10: 0.5, recallAt10: 0.5, recallAt100: 1 });
    const second = meanMetrics([
      { ranked: ['a', 'b'], relevant: new Set(['a']) },
      { ranked: ['b', 'a'], relevant: new Set(['a']) }, // nDCG 1/log2(3) = 0.63093, MRR 1/2
    ]);
    close(second.ndcgAt10, (1 + 0.63093) / 2, 'mean nDCG@10'); // 0.81546
    assert.equal(second.mrrAt10, 0.75);
    assert.equal(second.recallAt10, 1);
  });

  it('meanMetrics refuses an empty list instead of reporting zeros', () => {
    assert.throws(() => meanMetrics([]), /no rankings to average/);
  });
});
