/**
 * Runs one pipeline stage with GenQ's commit protocol: the output key is a hash of (stage, stage version,
 * settings, input hashes); a stage whose manifest exists is reused; otherwise the stage writes its files into
 * a private work folder, they are uploaded, and `manifest.json` is written last, so a half-written stage is
 * never taken for a finished one.
 */
import { rm } from 'node:fs/promises';
import { canonicalJson, sha256Hex } from './hashing';
import type { ArtifactStore } from './store';
import type { ArtifactRef, StageManifest, StageResult } from './types';
import { makeWorkFolder } from './workFolders';

export interface StageSpec {
  stage: string;
  /** Bump when the stage's code changes what it writes, so old outputs are not reused. */
  stageVersion: number;
  settings: unknown;
  inputs: Record<string, ArtifactRef>;
}

export interface ProducedFile {
  path: string;
  count?: number;
}

export interface Produced<Summary> {
  files: Record<string, ProducedFile>;
  summary: Summary;
}

export function stageKey(spec: StageSpec): string {
  const inputs = Object.fromEntries(Object.entries(spec.inputs).map(([name, ref]) => [name, ref.sha256]));
  return sha256Hex(canonicalJson({ stage: spec.stage, version: spec.stageVersion, settings: spec.settings, inputs })).slice(0, 24);
}

export const stagePrefix = (stage: string, key: string): string => `stages/${stage}/${key}`;

export async function readStageManifest<Summary>(store: ArtifactStore, stage: string, key: string): Promise<StageManifest<Summary> | null> {
  const text = await store.getText(`${stagePrefix(stage, key)}/manifest.json`);
  return text === null ? null : (JSON.parse(text) as StageManifest<Summary>);
}

function resultOf<Summary>(store: ArtifactStore, manifest: StageManifest<Summary>, reused: boolean): StageResult<Summary> {
  return {
    stage: manifest.stage,
    key: manifest.key,
    reused,
    manifestUri: store.uriOf(`${stagePrefix(manifest.stage, manifest.key)}/manifest.json`),
    files: manifest.files,
    summary: manifest.summary,
  };
}

export async function runStage<Summary>(
  store: ArtifactStore,
  spec: StageSpec,
  options: { force?: boolean },
  produce: (workDir: string, key: string) => Promise<Produced<Summary>>,
): Promise<StageResult<Summary>> {
  const key = stageKey(spec);
  const prefix = stagePrefix(spec.stage, key);
  const existing = await readStageManifest<Summary>(store, spec.stage, key);
  if (existing && !options.force) return resultOf(store, existing, true);
  // A forced re-run first withdraws the old manifest: until the new one lands, the stage is unfinished.
  if (existing) await store.delete(`${prefix}/manifest.json`);

  const started = Date.now();
  const workDir = await makeWorkFolder(spec.stage);
  try {
    const produced = await produce(workDir, key);
    const files: Record<string, ArtifactRef> = {};
    for (const [name, file] of Object.entries(produced.files)) {
      const stored = await store.putFile(`${prefix}/${name}`, file.path);
      files[name] = { uri: store.uriOf(`${prefix}/${name}`), ...stored, ...(file.count === undefined ? {} : { count: file.count }) };
    }
    const manifest: StageManifest<Summary> = {
      stage: spec.stage,
      stageVersion: spec.stageVersion,
      key,
      settings: spec.settings,
      inputs: spec.inputs,
      files,
      summary: produced.summary,
      createdAt: new Date().toISOString(),
      millis: Date.now() - started,
    };
    await store.putText(`${prefix}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    return resultOf(store, manifest, false);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The store key of a committed artifact, from its URI (the inverse of `store.uriOf`). */
export function keyOfUri(store: ArtifactStore, uri: string): string {
  const root = store.rootUri.replace(/\/+$/, '');
  if (!uri.startsWith(`${root}/`)) throw new Error(`artifact ${uri} is not in the store at ${store.rootUri}`);
  return decodeURIComponent(uri.slice(root.length + 1));
}
