/** Mean, median and (population) standard deviation of a sample. */
import type { SpreadStats } from './types';

export function spreadStats(values: readonly number[]): SpreadStats {
  if (values.length === 0) throw new Error('spreadStats: no values');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, median, std: Math.sqrt(variance) };
}
