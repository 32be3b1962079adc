/**
 * A file source (JSONL, CSV, SQLite) on local disk or S3. Its sha256 is the stage's input hash, so a changed
 * file is re-extracted and an unchanged one reused. The file is hashed in a first pass (the key must be known
 * before deciding to reuse), then read in a second; the second pass fails, retryably, if the file changed in
 * between (local: size and mtime; S3: the ETag, sent as If-Match).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { hashFile } from '../artifacts/hashing';
import type { ArtifactRef } from '../artifacts/types';
import { makeS3Client } from '../clients';
import { extractFailure } from './failures';

export interface SourceFile {
  /** What the stage records as its input: where the file is, its sha256 and size. */
  ref: ArtifactRef;
  /** Opens the bytes for reading. */
  open(): Promise<Readable>;
  /** Local path, when the file is on local disk (SQLite needs one). */
  localPath?: string;
  /** Fails (retryably) when the file changed since it was hashed. Call after reading it all. */
  checkUnchanged(): Promise<void>;
  close(): void;
}

/** Small reads on purpose: a 64 KB buffer dies young, while 1 MB ones outlive a few scavenges and pile up as RSS. */
const READ_CHUNK = 1 << 16;

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const [bucket, ...rest] = uri.slice('s3://'.length).split('/');
  const key = rest.join('/');
  if (!bucket || !key) throw extractFailure('InvalidSettings', `extract.source.path ${uri}: an S3 source must be s3://<bucket>/<key>`);
  return { bucket, key };
}

export async function openSourceFile(pathOrUri: string): Promise<SourceFile> {
  return pathOrUri.startsWith('s3://') ? openS3File(pathOrUri) : openLocalFile(pathOrUri);
}

async function openLocalFile(given: string): Promise<SourceFile> {
  const full = path.resolve(given.startsWith('file://') ? fileURLToPath(given) : given);
  const before = await stat(full).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw extractFailure('SourceNotFound', `extract.source.path ${given}: no such file on this worker (resolved to ${full})`);
    throw err;
  });
  if (!before.isFile()) throw extractFailure('SourceNotFound', `extract.source.path ${given}: ${full} is not a file`);
  const { sha256, bytes } = await hashFile(full);
  return {
    ref: { uri: pathToFileURL(full).href, sha256, bytes },
    localPath: full,
    open: async () => createReadStream(full, { highWaterMark: READ_CHUNK }),
    checkUnchanged: async () => {
      const after = await stat(full);
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        throw new Error(`extract: source file ${full} changed while it was being read; the retry reads it again`);
      }
    },
    close: () => undefined,
  };
}

const httpStatus = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

async function openS3File(uri: string): Promise<SourceFile> {
  const { bucket, key } = parseS3Uri(uri);
  const s3: S3Client = makeS3Client();
  const get = async (ifMatch?: string) => {
    try {
      return await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(ifMatch ? { IfMatch: ifMatch } : {}) }));
    } catch (err) {
      const status = httpStatus(err);
      if (status === 404) throw extractFailure('SourceNotFound', `extract.source.path ${uri}: no such S3 object`);
      if (status === 412) throw new Error(`extract: S3 source ${uri} changed while it was being read; the retry reads it again`);
      throw err;
    }
  };
  try {
    const first = await get();
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of first.Body as Readable) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    const etag = first.ETag;
    return {
      ref: { uri, sha256: hash.digest('hex'), bytes },
      open: async () => (await get(etag)).Body as Readable,
      checkUnchanged: async () => undefined, // If-Match on the second GET already guarantees the same object
      close: () => s3.destroy(),
    };
  } catch (err) {
    s3.destroy();
    throw err;
  }
}
