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

  /**
   * One Float32Array per text, in order. Texts are batched by token length (as sentence-transformers'
   * encode does), so a batch pads to its own longest text, not to the longest of a random mix.
   */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const ids = this.encode(texts);
    const order = ids.map((_, i) => i).sort((a, b) => ids[b]!.length - ids[a]!.length);
    const out = new Array<Float32Array>(texts.length);
    for (let i = 0; i < order.length; i += this.batchSize) {
      const batch = order.slice(i, i + this.batchSize);
      const vectors = await this.embedBatch(batch.map((index) => ids[index]!));
      batch.forEach((index, j) => (out[index] = vectors[j]!));
    }
    return out;
  }

  /**
   * Token ids as the Python tokenizer makes them. transformers.js truncates by cutting the closing special
   * token ([SEP], </s>) off long texts; Hugging Face keeps it, so we truncate ourselves: the first
   * max_seq_length - 1 tokens, then the closing token.
   */
  private encode(texts: string[]): bigint[][] {
    const limit = this.description.max_seq_length;
    return texts.map((text) => {
      const full = this.tokenizer.encode(text);
      return (full.length > limit ? [...full.slice(0, limit - 1), full[full.length - 1]!] : full).map(BigInt);
    });
  }

  private async embedBatch(ids: bigint[][]): Promise<Float32Array[]> {
    const sequence = Math.max(...ids.map((row) => row.length));
    const count = ids.length;
    const pad = BigInt(this.tokenizer.pad_token_id ?? 0);
    const inputIds = new BigInt64Array(count * sequence).fill(pad);
    const mask = new BigInt64Array(count * sequence);
    ids.forEach((row, b) => {
      inputIds.set(row, b * sequence);
      mask.fill(1n, b * sequence, b * sequence + row.length);
    });
    const available: Record<string, BigInt64Array> = {
      input_ids: inputIds,
      attention_mask: mask,
      token_type_ids: new BigInt64Array(count * sequence),
    };
    const feeds: Record<string, Tensor> = {};
    for (const name of this.description.inputs) {
      const data = available[name];
      if (!data) throw new Error(`the graph needs an input named ${name}, which GenQ does not know how to make`);
      feeds[name] = new Tensor('int64', data, [count, sequence]);
    }
    const result = await this.session.run(feeds);
    const hidden = result[this.description.output];
    if (!hidden) throw new Error(`the graph has no output ${this.description.output}`);
    const [batch, , width] = hidden.dims as [number, number, number];
    const data = hidden.data as Float32Array;
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
