/**
 * Texts to one row-major Float32Array (row i = text i), embedded in batches through a model package, each row
 * L2-normalised so a dot product is the cosine (packages normally normalise already; one that does not still
 * ranks by cosine here). Reports progress after every batch.
 */
import { normalizeInPlace, type OnnxEmbedder } from '../model/onnxEmbedder';

export interface EmbeddedTexts {
  matrix: Float32Array;
  rows: number;
  dims: number;
}

export async function embedMatrix(embedder: OnnxEmbedder, texts: readonly string[], batchSize: number, onBatch: (done: number) => void): Promise<EmbeddedTexts> {
  const dims = embedder.dimensions;
  const matrix = new Float32Array(texts.length * dims);
  for (let start = 0; start < texts.length; start += batchSize) {
    const vectors = await embedder.embed(texts.slice(start, start + batchSize) as string[]);
    vectors.forEach((vector, i) => {
      if (vector.length !== dims) throw new Error(`the model package says ${dims} dimensions but its graph gave ${vector.length}`);
      if (!embedder.description.normalize) normalizeInPlace(vector);
      matrix.set(vector, (start + i) * dims);
    });
    onBatch(Math.min(start + batchSize, texts.length));
  }
  return { matrix, rows: texts.length, dims };
}

/** Dot product of row `a` of `x` and row `b` of `y` (both with `dims` columns). */
export function rowDot(x: Float32Array, a: number, y: Float32Array, b: number, dims: number): number {
  let dot = 0;
  const oa = a * dims;
  const ob = b * dims;
  for (let d = 0; d < dims; d++) dot += x[oa + d]! * y[ob + d]!;
  return dot;
}
