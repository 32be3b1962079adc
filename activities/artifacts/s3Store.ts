/**
 * Artifact store on S3 (@aws-sdk/client-s3 + lib-storage). Uploads stream from disk in parts; S3 makes an
 * object visible only when its upload completes, so readers never see a partial file. Credentials come from
 * the environment or a named profile (see activities/clients.ts), never from workflow input.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { hashFile, sha256Hex } from './hashing';
import { ArtifactNotFoundError, type ArtifactStore, type StoredObject, type VersionedText } from './store';

const isMissing = (err: unknown): boolean =>
  err instanceof NoSuchKey || err instanceof NotFound || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

export class S3ArtifactStore implements ArtifactStore {
  readonly rootUri: string;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly prefix: string,
    /** Local folder for downloaded copies, keyed by content hash. */
    private readonly cacheDir: string,
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.rootUri = `s3://${bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  private keyOf(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  uriOf(key: string): string {
    return `s3://${this.bucket}/${this.keyOf(key)}`;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async putFile(key: string, localPath: string): Promise<StoredObject> {
    const stored = await hashFile(localPath);
    await new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: this.keyOf(key), Body: createReadStream(localPath), Metadata: { sha256: stored.sha256 } },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
    }).done();
    return stored;
  }

  async putText(key: string, text: string): Promise<StoredObject> {
    const sha256 = sha256Hex(text);
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: text, Metadata: { sha256 } }));
    return { sha256, bytes: Buffer.byteLength(text) };
  }

  async getText(key: string): Promise<string | null> {
    try {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return (await got.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async getVersionedText(key: string): Promise<VersionedText | null> {
    try {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      if (!got.ETag) throw new Error(`S3 returned no ETag for ${this.uriOf(key)}: conditional writes need one`);
      return { text: (await got.Body?.transformToString('utf8')) ?? '', version: got.ETag };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async putTextIfUnchanged(key: string, text: string, version: string | null): Promise<boolean> {
    // S3 conditional writes (If-Match / If-None-Match, supported by AWS since 2024 and by versitygw): the
    // server compares and writes in one step, so two writers cannot both win.
    const condition = version === null ? { IfNoneMatch: '*' } : { IfMatch: version };
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: text, Metadata: { sha256: sha256Hex(text) }, ...condition }));
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // 412: the object changed; 409: a concurrent conditional write to the same key is in progress.
      if (status === 412 || status === 409) return false;
      throw err;
    }
  }

  async openRead(key: string): Promise<Readable> {
    try {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return got.Body as Readable;
    } catch (err) {
      if (isMissing(err)) throw new ArtifactNotFoundError(this.uriOf(key));
      throw err;
    }
  }

  async localPath(key: string, sha256?: string): Promise<string> {
    await mkdir(this.cacheDir, { recursive: true });
    if (sha256) {
      const cached = path.join(this.cacheDir, sha256);
      if (await stat(cached).then(() => true, () => false)) return cached;
    }
    const temp = path.join(this.cacheDir, `download-${process.pid}-${Math.random().toString(16).slice(2)}`);
    const hash = createHash('sha256');
    const tee = new PassThrough();
    tee.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(await this.openRead(key), tee, createWriteStream(temp));
    const actual = hash.digest('hex');
    if (sha256 && actual !== sha256) throw new Error(`artifact ${this.uriOf(key)} has sha256 ${actual}, expected ${sha256}: it changed after it was committed`);
    const final = path.join(this.cacheDir, actual);
    await rename(temp, final);
    return final;
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyOf(prefix), ContinuationToken: token }),
      );
      for (const obj of page.Contents ?? []) if (obj.Key) keys.push(obj.Key.slice(strip));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
  }
}
