/**
 * Stage 'index' (an activity on the cpu queue): embeds every chunk with the promoted model package and builds
 * the listing index, committed under `index/` in the stage's folder (the whole embedded index, or pgvector's
 * meta.json). Its key covers the settings, the index name and the three inputs' hashes, so a re-run reuses it.
 */
import path from 'node:path';
import { readdir } from 'node:fs/promises';
import { loadStackSettings } from '../../infra/stackSettings';
import { indexSettingsSchema, type IndexSettingsInput } from '../../workflows/settings/index';
import { cancellationSignal, cancelledFailure, heartbeat } from '../activityContext';
import { openArtifactStore } from '../artifacts/openStore';
import { runStage, type ProducedFile } from '../artifacts/stageRunner';
import type { ArtifactRef, StageResult } from '../artifacts/types';
import { folderRef, materializeFile, materializeFolder } from '../training/folders';
import { buildIndexFolder } from './buildIndexFolder';
import { openIndexFolder } from './openIndex';

/** Bump when the stage writes something different for the same inputs, so old outputs are not reused. */
export const INDEX_STAGE_VERSION = 2; // 2: English operation names stored as venta/alquiler

export interface BuildListingIndexInput {
  /** Artifact store URI; empty or missing: the worker's default. */
  artifacts?: string;
  /** The index's name (lower-case letters, digits, dashes): names the pgvector tables and the champion. */
  indexName: string;
  /** The model package folder (a folder ref, as the export stage returns it). */
  model: ArtifactRef;
  /** chunks.jsonl from the chunk stage. */
  chunks: ArtifactRef;
  /** listings.jsonl from the extract stage. */
  listings: ArtifactRef;
  settings: IndexSettingsInput;
  force?: boolean;
}

export interface IndexSummary {
  indexName: string;
  backend: 'embedded' | 'pgvector';
  kind: 'exact' | 'hnsw' | 'pgvector';
  chunks: number;
  listings: number;
  dimensions: number;
  /** The model package's digest (the model ref's sha256). */
  modelVersion: string;
}

export type ListingIndexStageResult = StageResult<IndexSummary> & { index: ArtifactRef };

const INDEX_FOLDER = 'index';

function throttledHeartbeat(intervalMs = 1000): (details: unknown) => void {
  let last = 0;
  return (details) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    heartbeat(details);
  };
}

async function filesOf(folder: string): Promise<Record<string, ProducedFile>> {
  const files: Record<string, ProducedFile> = {};
  for (const name of (await readdir(folder)).sort()) files[`${INDEX_FOLDER}/${name}`] = { path: path.join(folder, name) };
  return files;
}

export async function buildListingIndex(input: BuildListingIndexInput): Promise<ListingIndexStageResult> {
  const parsed = indexSettingsSchema.safeParse(input.settings ?? {});
  if (!parsed.success) throw new Error(`index settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const settings = parsed.data;
  const store = openArtifactStore(input.artifacts || undefined);
  const cacheRoot = path.join(loadStackSettings().genqHome, 'cache', 'models');
  const signal = cancellationSignal();
  const beat = throttledHeartbeat();

  const run = (force: boolean) =>
    runStage<IndexSummary>(
      store,
      { stage: 'index', stageVersion: INDEX_STAGE_VERSION, settings: { ...settings, indexName: input.indexName }, inputs: { model: input.model, chunks: input.chunks, listings: input.listings } },
      { force },
      async (workDir) => {
        const outFolder = path.join(workDir, INDEX_FOLDER);
        let built;
        try {
          built = await buildIndexFolder({
            modelFolder: await materializeFolder(store, input.model, cacheRoot),
            chunksFile: await materializeFile(store, input.chunks),
            listingsFile: await materializeFile(store, input.listings),
            outFolder,
            settings,
            indexName: input.indexName,
            modelVersion: input.model.sha256,
            onProgress: (done, total) => beat({ done, total }),
            signal,
          });
        } catch (err) {
          if (signal.aborted) throw cancelledFailure(signal);
          throw err;
        }
        heartbeat({ done: built.chunks, total: built.chunks });
        const summary: IndexSummary = { indexName: input.indexName, backend: settings.backend, ...built };
        return { files: await filesOf(outFolder), summary };
      },
    );

  let result = await run(input.force ?? false);
  if (result.reused && settings.backend === 'pgvector' && !(await pgvectorTablesPresent(store, result))) {
    // The committed meta.json names tables the server no longer has (a fresh server): load them again.
    result = await run(true);
  }
  return { ...result, index: folderRef(result, INDEX_FOLDER) };
}

async function pgvectorTablesPresent(store: ReturnType<typeof openArtifactStore>, result: StageResult<IndexSummary>): Promise<boolean> {
  const folder = await materializeFolder(store, folderRef(result, INDEX_FOLDER), path.join(loadStackSettings().genqHome, 'cache', 'models'));
  try {
    const index = await openIndexFolder(folder);
    await index.close();
    return true;
  } catch (err) {
    if (/are not on/.test((err as Error).message)) return false;
    throw err;
  }
}
