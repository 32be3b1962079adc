/**
 * Model folders in the artifact store: a stage's files under one name prefix (`model/...`). A folder is
 * referenced by the digest of its files' hashes, and materialised on a worker as a local folder.
 */
import { mkdir } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { canonicalJson, sha256Hex } from '../artifacts/hashing';
import { LocalArtifactStore } from '../artifacts/localStore';
import { keyOfUri } from '../artifacts/stageRunner';
import type { ArtifactStore } from '../artifacts/store';
import type { ArtifactRef, StageResult } from '../artifacts/types';

/** A folder ref: `uri` is the folder, `sha256` the digest of (name, sha256) of every file in it. */
export function folderRef(result: StageResult<unknown>, folder: string): ArtifactRef {
  const prefix = `${folder.replace(/\/+$/, '')}/`;
  const files = Object.entries(result.files).filter(([name]) => name.startsWith(prefix));
  if (files.length === 0) throw new Error(`stage ${result.stage} has no files under ${prefix}`);
  const digest = sha256Hex(canonicalJson(Object.fromEntries(files.map(([name, ref]) => [name.slice(prefix.length), ref.sha256]))));
  const anyUri = files[0]![1].uri;
  return {
    uri: anyUri.slice(0, anyUri.lastIndexOf(`/${files[0]![0]}`)) + `/${folder.replace(/\/+$/, '')}`,
    sha256: digest,
    bytes: files.reduce((n, [, ref]) => n + ref.bytes, 0),
    count: files.length,
  };
}

/** A local folder with the files under `ref` (the folder itself for a local store, a downloaded copy for S3). */
export async function materializeFolder(store: ArtifactStore, ref: ArtifactRef, cacheRoot: string): Promise<string> {
  const key = keyOfUri(store, ref.uri);
  if (store instanceof LocalArtifactStore) return path.join(store.rootDir, key);
  const target = path.join(cacheRoot, `folder-${ref.sha256}`);
  for (const objectKey of await store.list(`${key}/`)) {
    const file = path.join(target, objectKey.slice(key.length + 1));
    await mkdir(path.dirname(file), { recursive: true });
    await pipeline(await store.openRead(objectKey), createWriteStream(file));
  }
  return target;
}

/** A local path for a committed file artifact. */
export async function materializeFile(store: ArtifactStore, ref: ArtifactRef): Promise<string> {
  return store.localPath(keyOfUri(store, ref.uri), ref.sha256);
}
