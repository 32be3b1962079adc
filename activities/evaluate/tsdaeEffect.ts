/**
 * The study's TSDAE measurement: cosine between held-out chunks and their copies with 60% of words deleted,
 * with the base model ("before") and the TSDAE model ("after"). A model that learned the domain maps a text
 * and its damaged copy closer together.
 */
import type { OnnxEmbedder } from '../model/onnxEmbedder';
import { embedMatrix, rowDot } from './embedMatrix';
import { hashOrder } from './heldOutSet';
import { spreadStats } from './spreadStats';
import type { SpreadStats, TsdaeEffect } from './types';
import { noisyCopy } from './wordDeletion';

/** The study's (and TSDAE's) deletion ratio. */
export const TSDAE_DELETION_RATIO = 0.6;

/** Up to `size` held-out chunk texts, chosen by hash so the same ones are measured every run. */
export function sampleChunks(chunks: Iterable<string>, size: number): string[] {
  return hashOrder([...new Set(chunks)], (text) => text, 'genq-tsdae-effect').slice(0, size);
}

export async function cosineToNoisy(embedder: OnnxEmbedder, texts: readonly string[], seed: number, batchSize: number, onBatch: (done: number) => void): Promise<number[]> {
  const clean = await embedMatrix(embedder, texts, batchSize, onBatch);
  const noisy = await embedMatrix(embedder, texts.map((text) => noisyCopy(text, TSDAE_DELETION_RATIO, seed)), batchSize, onBatch);
  return texts.map((_, i) => rowDot(clean.matrix, i, noisy.matrix, i, clean.dims));
}

export function tsdaeEffectOf(before: readonly number[], after: readonly number[]): TsdaeEffect {
  const stats: [SpreadStats, SpreadStats] = [spreadStats(before), spreadStats(after)];
  return { chunks: before.length, before: stats[0], after: stats[1] };
}
