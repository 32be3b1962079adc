/**
 * One champion, loaded and ready to answer: its model package's embedder (the query is embedded exactly as
 * training embedded text), its listing index, and for hybrid search a BM25 index over the index's chunk texts.
 * Requests run through `inFlight`, so a replaced champion is closed only after its last request.
 */
import type { ArtifactStore } from '../activities/artifacts/store';
import { readIndexMeta } from '../activities/index/indexMeta';
import { openIndexFolder } from '../activities/index/openIndex';
import type { ListingIndex } from '../activities/index/types';
import { OnnxEmbedder } from '../activities/model/onnxEmbedder';
import type { Champion } from '../activities/promote/champion';
import { Bm25Index } from '../activities/search/bm25';
import { materializeFolder } from '../activities/training/folders';
import { ChunkCatalogue } from './chunkCatalogue';
import { InFlight } from './inFlight';

/** What decides whether a new pointer needs a reload: the model and the index, not the promotion's metadata. */
export const championIdentity = (champion: Champion): string => `${champion.modelPackage.sha256}/${champion.index.sha256}`;

export class LoadedChampion {
  readonly loadedAt = new Date();
  readonly inFlight: InFlight;

  private constructor(
    readonly champion: Champion,
    readonly embedder: OnnxEmbedder,
    readonly index: ListingIndex,
    readonly keyword: { bm25: Bm25Index; catalogue: ChunkCatalogue },
  ) {
    this.inFlight = new InFlight(() => this.close());
  }

  static async load(store: ArtifactStore, champion: Champion, cacheRoot: string): Promise<LoadedChampion> {
    const modelFolder = await materializeFolder(store, champion.modelPackage, cacheRoot);
    const indexFolder = await materializeFolder(store, champion.index, cacheRoot);
    const meta = await readIndexMeta(indexFolder);
    const embedder = await OnnxEmbedder.load(modelFolder);
    let index: ListingIndex | null = null;
    try {
      index = await openIndexFolder(indexFolder);
      // Vectors of another model would answer with nonsense, not an error: refuse them here.
      if (index.modelVersion !== champion.modelVersion) {
        throw new Error(`the index holds vectors of model ${index.modelVersion.slice(0, 12)}, not of the champion's model ${champion.modelVersion.slice(0, 12)}; rebuild the index with the champion's model`);
      }
      const catalogue = meta.backend === 'embedded' ? await ChunkCatalogue.load(indexFolder) : await ChunkCatalogue.loadFromPgvector(meta);
      const keyword = { catalogue, bm25: Bm25Index.build(catalogue.chunks.map((chunk) => ({ id: chunk.chunk_id, text: chunk.text }))) };
      return new LoadedChampion(champion, embedder, index, keyword);
    } catch (err) {
      await Promise.allSettled([embedder.close(), index?.close()]);
      throw new Error(`cannot load the champion of ${champion.indexName} (model ${champion.modelVersion.slice(0, 12)}, index ${champion.index.uri}): ${(err as Error).message}`);
    }
  }

  get modelVersion(): string {
    return this.champion.modelVersion;
  }

  private async close(): Promise<void> {
    await Promise.allSettled([this.embedder.close(), this.index.close()]);
  }
}
