/**
 * Embeds texts with an exported model package through onnxruntime-node, exactly as training did: the
 * package's own tokenizer (truncation to max_seq_length, padding), the transformer graph, then the stated
 * pooling and normalisation (the graph holds only the transformer).
 */
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { readModelPackage, type ModelPackage } from './modelPackage';

// Never reach for a model hub at run time: the package folder holds everything.
env.allowRemoteModels = false;

export interface EmbedderOptions {
  /** Use the int8 graph when the package has one. */
  int8?: boolean;
  /** Texts per graph run. @default 32 */
  batchSize?: number;
  /** onnxruntime intra-op threads. @default onnxruntime's choice */
  threads?: number;
}

export class OnnxEmbedder {
  private constructor(
    readonly description: ModelPackage,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly session: InferenceSession,
    private readonly batchSize: number,
  ) {}

  static async load(folder: string, options: EmbedderOptions = {}): Promise<OnnxEmbedder> {
    const description = await readModelPackage(folder);
    const graph = options.int8 ? description.onnx_int8 : description.onnx;
    if (!graph) throw new Error(`${folder}: the package has no int8 graph; export it with quantize: true`);
    env.localModelPath = path.dirname(path.resolve(folder));
    const tokenizer = await AutoTokenizer.from_pretrained(path.basename(path.resolve(folder)), { local_files_only: true });
    const session = await InferenceSession.create(path.join(folder, graph), {
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      graphOptimizationLevel: 'all',
    });
    return new OnnxEmbedder(description, tokenizer, session, options.batchSize ?? 32);
  }

  get dimensions(): number {
    return this.description.dimensions;
  }

  /** One Float32Array per text, in order. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) out.push(...(await this.embedBatch(texts.slice(i, i + this.batchSize))));
    return out;
  }

  private async embedBatch(texts: string[]): Promise<Float32Array[]> {
    // The tokenizer's tensors are transformers.js's own type; only their data and dims are used.
    const encoded = this.tokenizer(texts, { padding: true, truncation: true, max_length: this.description.max_seq_length }) as unknown as Record<
      string,
      { data: BigInt64Array; dims: number[] }
    >;
    const feeds: Record<string, Tensor> = {};
    for (const name of this.description.inputs) {
      const tensor = encoded[name];
      if (!tensor) throw new Error(`the tokenizer gave no ${name}, which the graph needs`);
      feeds[name] = new Tensor('int64', tensor.data, tensor.dims);
    }
    const result = await this.session.run(feeds);
    const hidden = result[this.description.output];
    if (!hidden) throw new Error(`the graph has no output ${this.description.output}`);
    const [batch, sequence, width] = hidden.dims as [number, number, number];
    const data = hidden.data as Float32Array;
    const mask = encoded.attention_mask!.data;
    const vectors: Float32Array[] = [];
    for (let b = 0; b < batch; b++) {
      const vector = new Float32Array(width);
      if (this.description.pooling === 'cls') {
        vector.set(data.subarray(b * sequence * width, b * sequence * width + width));
      } else {
        let tokens = 0;
        for (let t = 0; t < sequence; t++) {
          if (mask[b * sequence + t] === 0n) continue;
          tokens += 1;
          const offset = (b * sequence + t) * width;
          for (let d = 0; d < width; d++) vector[d]! += data[offset + d]!;
        }
        for (let d = 0; d < width; d++) vector[d]! /= Math.max(tokens, 1e-9);
      }
      if (this.description.normalize) normalizeInPlace(vector);
      vectors.push(vector);
    }
    return vectors;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

export function normalizeInPlace(vector: Float32Array): void {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1e-12;
  for (let d = 0; d < vector.length; d++) vector[d]! /= norm;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / (Math.sqrt(na * nb) || 1e-12);
}
