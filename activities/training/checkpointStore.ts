/**
 * Training checkpoints in the artifact store: `<prefix>/step-<00000123>/...` with a manifest written last, so
 * a checkpoint cut off mid-upload is never restored. Only the newest K are kept.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { ArtifactStore } from '../artifacts/store';

export interface StoredCheckpoint {
  step: number;
  /** Store key of the checkpoint's folder. */
  key: string;
  uri: string;
}

interface CheckpointManifest {
  step: number;
  files: string[];
  createdAt: string;
}

const stepFolder = (prefix: string, step: number): string => `${prefix}/step-${String(step).padStart(9, '0')}`;

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full, base)));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

export async function uploadCheckpoint(store: ArtifactStore, prefix: string, step: number, localDir: string): Promise<StoredCheckpoint> {
  const key = stepFolder(prefix, step);
  const files = (await filesUnder(localDir)).filter((f) => f !== 'manifest.json');
  for (const file of files) await store.putFile(`${key}/${file}`, path.join(localDir, file));
  const manifest: CheckpointManifest = { step, files, createdAt: new Date().toISOString() };
  await store.putText(`${key}/checkpoint-manifest.json`, JSON.stringify(manifest));
  return { step, key, uri: store.uriOf(key) };
}

/** Committed checkpoints, oldest first. */
export async function listCheckpoints(store: ArtifactStore, prefix: string): Promise<StoredCheckpoint[]> {
  const found: StoredCheckpoint[] = [];
  for (const key of await store.list(`${prefix}/`)) {
    const match = /\/step-(\d+)\/checkpoint-manifest\.json$/.exec(key);
    if (match) {
      const folder = key.slice(0, -'/checkpoint-manifest.json'.length);
      found.push({ step: Number(match[1]), key: folder, uri: store.uriOf(folder) });
    }
  }
  return found.sort((a, b) => a.step - b.step);
}

export async function latestCheckpoint(store: ArtifactStore, prefix: string): Promise<StoredCheckpoint | null> {
  return (await listCheckpoints(store, prefix)).at(-1) ?? null;
}

export async function downloadCheckpoint(store: ArtifactStore, checkpoint: StoredCheckpoint, localDir: string): Promise<string> {
  const text = await store.getText(`${checkpoint.key}/checkpoint-manifest.json`);
  if (text === null) throw new Error(`checkpoint ${checkpoint.uri} has no manifest; it was never committed`);
  const manifest = JSON.parse(text) as CheckpointManifest;
  for (const file of manifest.files) {
    const target = path.join(localDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await pipeline(await store.openRead(`${checkpoint.key}/${file}`), createWriteStream(target));
  }
  return localDir;
}

/** Deletes all but the newest `keep` checkpoints. */
export async function pruneCheckpoints(store: ArtifactStore, prefix: string, keep: number): Promise<void> {
  const all = await listCheckpoints(store, prefix);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    // Manifest first: a half-deleted checkpoint must never look restorable.
    await store.delete(`${old.key}/checkpoint-manifest.json`);
    for (const key of await store.list(`${old.key}/`)) await store.delete(key);
  }
}
