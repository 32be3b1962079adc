/**
 * Builds a listing index from a model package and the chunk and extract stages' files: embeds every chunk
 * text with the package (exactly as the queries will be embedded), then writes an embedded folder or loads
 * PostgreSQL with pgvector (the folder then holds only meta.json).
 */
import { OnnxEmbedder } from '../model/onnxEmbedder';
import { indexSettingsSchema, type IndexSettings, type IndexSettingsInput } from '../../workflows/settings/index';
import { chunkListingRows, readChunkRows, readListingRows } from './indexRows';
import { modelFolderDigest } from './modelVersion';
import { writeEmbeddedIndex } from './writeEmbeddedIndex';
import { writePgvectorIndex } from './writePgvectorIndex';

export interface BuildIndexFolderOptions {
  /** An exported model package (genq-model.json, ONNX graph, tokenizer). */
  modelFolder: string;
  /** chunks.jsonl from the chunk stage. */
  chunksFile: string;
  /** listings.jsonl from the extract stage. */
  listingsFile: string;
  /** Folder to write (created if missing). */
  outFolder: string;
  settings?: Partial<IndexSettings> | IndexSettingsInput;
  /** Names the pgvector tables (with the model version). @default 'listings' */
  indexName?: string;
  /** What answers name as the model version. @default the digest of the package folder's files (as folderRef computes it) */
  modelVersion?: string;
  /** Work done / total: chunks embedded, then graph points added or rows loaded. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between embedding batches when aborted. */
  signal?: AbortSignal;
}

export interface BuiltIndex {
  chunks: number;
  listings: number;
  kind: 'exact' | 'hnsw' | 'pgvector';
  dimensions: number;
  modelVersion: string;
}

/** Texts per progress report: a few embedding batches. */
const REPORT_EVERY_BATCHES = 8;

export async function buildIndexFolder(options: BuildIndexFolderOptions): Promise<BuiltIndex> {
  const parsed = indexSettingsSchema.safeParse(options.settings ?? {});
  if (!parsed.success) throw new Error(`index settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const settings = parsed.data;
  const listings = await readListingRows(options.listingsFile);
  const chunks = await readChunkRows(options.chunksFile);
  // Before the slow part: chunks of listings that are not in the listings file mean mismatched inputs.
  chunkListingRows(chunks, listings);
  const modelVersion = options.modelVersion ?? (await modelFolderDigest(options.modelFolder));

  const embedder = await OnnxEmbedder.load(options.modelFolder, { batchSize: settings.batchSize });
  const dimensions = embedder.dimensions;
  const n = chunks.length;
  const kind = settings.backend === 'pgvector' ? 'pgvector' : n > settings.exactLimit ? 'hnsw' : 'exact';
  const total = n + (kind === 'hnsw' ? n : kind === 'pgvector' ? listings.length + n : 0);
  const vectors = new Float32Array(n * dimensions);
  try {
    const step = settings.batchSize * REPORT_EVERY_BATCHES;
    for (let start = 0; start < n; start += step) {
      options.signal?.throwIfAborted();
      const batch = await embedder.embed(chunks.slice(start, start + step).map((c) => c.text));
      batch.forEach((vector, i) => {
        if (vector.length !== dimensions) {
          throw new Error(`model package ${options.modelFolder}: an embedding has ${vector.length} dimensions, genq-model.json says ${dimensions}; re-export the model`);
        }
        vectors.set(vector, (start + i) * dimensions);
      });
      options.onProgress?.(Math.min(n, start + step), total);
    }
  } finally {
    await embedder.close();
  }

  const later = (done: number): void => options.onProgress?.(n + done, total);
  if (settings.backend === 'pgvector') {
    await writePgvectorIndex({
      outFolder: options.outFolder,
      indexName: options.indexName ?? 'listings',
      modelVersion,
      dimensions,
      vectors,
      chunks,
      listings,
      settings,
      onProgress: later,
    });
  } else {
    await writeEmbeddedIndex({ outFolder: options.outFolder, modelVersion, dimensions, vectors, chunks, listings, settings, onProgress: later });
  }
  return { chunks: n, listings: listings.length, kind, dimensions, modelVersion };
}
