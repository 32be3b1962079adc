/**
 * Champions to search with, built the way the pipeline builds them: the sample listings extracted and chunked
 * by the real stages, all-MiniLM-L6-v2 exported as a model package by the trainer, an embedded index built
 * with buildIndexFolder, all committed to an artifact store (a local folder under the system temp dir), then
 * made current for an index name with setChampion.
 *
 * Two model packages, so a reload is visible in answers: A (the model's own 256-token limit, exact index) and
 * B (the same weights exported with a 128-token limit, so a different package digest; its index an HNSW graph).
 * P is A's package with a pgvector index.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalArtifactStore } from '../../activities/artifacts/localStore';
import { runStage } from '../../activities/artifacts/stageRunner';
import type { ArtifactRef } from '../../activities/artifacts/types';
import { chunkListings } from '../../activities/chunk';
import { extractListings } from '../../activities/extract/extractListings';
import { buildIndexFolder } from '../../activities/index/buildIndexFolder';
import { readChampion, setChampion, type Champion } from '../../activities/promote/champion';
import { folderRef, materializeFile, materializeFolder } from '../../activities/training/folders';
import { exportModel } from '../../activities/training/trainingActivities';
import type { IndexSettingsInput } from '../../workflows/settings/index';
import { stack, uniqueName } from './stack';
import { miniLmPath } from './training';

export type FixtureModel = 'A' | 'B' | 'P';

export interface SearchFixture {
  /** The store's folder (what --artifacts takes). */
  artifacts: string;
  store: LocalArtifactStore;
  listings: ArtifactRef;
  chunks: ArtifactRef;
  /** Makes model A or B (with its index) the champion of `indexName`; returns the champion written. */
  promote(indexName: string, model: FixtureModel): Promise<Champion>;
  /** A fresh index name no other test uses. */
  indexName(prefix?: string): string;
}

const MODELS: Record<FixtureModel, { maxSeqLength?: number; index: IndexSettingsInput }> = {
  A: { index: {} },
  B: { maxSeqLength: 128, index: { exactLimit: 0, hnsw: { m: 8, efConstruction: 64, efSearch: 64 } } },
  // A's package (the same export, reused), its index in the stack's pgvector server.
  P: { index: { backend: 'pgvector' } },
};

let shared: Promise<SearchFixture> | null = null;

/** One fixture per process: the export and the indexes are built once and shared by every suite that asks. */
export function searchFixture(): Promise<SearchFixture> {
  shared ??= buildFixture();
  return shared;
}

async function buildFixture(): Promise<SearchFixture> {
  const artifacts = await mkdtemp(path.join(tmpdir(), 'genq-search-fixture-'));
  // Shared by every suite in the process, so no suite may delete it: it goes when the process does.
  process.once('exit', () => rmSync(artifacts, { recursive: true, force: true }));
  const store = new LocalArtifactStore(artifacts);
  const extracted = await extractListings({ artifacts, settings: { source: { kind: 'jsonl', path: path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl') } } });
  const listings = extracted.files['listings.jsonl']!;
  const chunked = await chunkListings({ artifacts, settings: {}, listings });
  const chunks = chunked.files['chunks.jsonl']!;

  const built = new Map<FixtureModel, Promise<{ modelPackage: ArtifactRef; index: ArtifactRef }>>();
  const build = (model: FixtureModel) => {
    let job = built.get(model);
    if (!job) {
      job = buildModelAndIndex(store, artifacts, model, listings, chunks);
      built.set(model, job);
    }
    return job;
  };

  return {
    artifacts,
    store,
    listings,
    chunks,
    indexName: (prefix = 'test-search') => uniqueName(prefix),
    async promote(indexName, model) {
      const { modelPackage, index } = await build(model);
      const champion: Champion = {
        indexName,
        modelPackage,
        index,
        modelVersion: modelPackage.sha256,
        ndcgAt10: 0,
        heldOutSha256: '',
        runId: `search-fixture-${model}`,
        promotedAt: new Date().toISOString(),
      };
      await setChampion(store, champion, { action: 'promote', previous: await readChampion(store, indexName), reason: `test fixture: model ${model}` });
      return champion;
    },
  };
}

async function buildModelAndIndex(store: LocalArtifactStore, artifacts: string, model: FixtureModel, listings: ArtifactRef, chunks: ArtifactRef) {
  const { maxSeqLength, index: indexSettings } = MODELS[model];
  const exported = await exportModel({
    artifacts,
    settings: { normalize: true, quantize: false, ...(maxSeqLength ? { maxSeqLength } : {}) },
    model: { name: miniLmPath() },
    pooling: 'mean',
  });
  const modelFolder = await materializeFolder(store, exported.model, path.join(artifacts, 'cache'));
  const spec = { stage: 'search-fixture-index', stageVersion: 1, settings: indexSettings, inputs: { model: exported.model, listings, chunks } };
  const indexed = await runStage(store, spec, {}, async (workDir) => {
    const outFolder = path.join(workDir, 'index');
    const summary = await buildIndexFolder({
      modelFolder,
      chunksFile: await materializeFile(store, chunks),
      listingsFile: await materializeFile(store, listings),
      outFolder,
      settings: indexSettings,
      indexName: 'search-fixture',
    });
    const files = Object.fromEntries((await readdir(outFolder)).map((name) => [`index/${name}`, { path: path.join(outFolder, name) }]));
    return { files, summary };
  });
  return { modelPackage: exported.model, index: folderRef(indexed, 'index') };
}
