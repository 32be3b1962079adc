import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { makeS3Client } from '../activities/clients';
import { stack, uniqueName } from './support/stack';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function readAll(s3: S3Client, key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: stack.s3.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('s3: @aws-sdk/client-s3 against the local versitygw', () => {
  const bucket = stack.s3.bucket;
  let s3: S3Client;
  let prefix: string;
  before(() => {
    s3 = makeS3Client();
    prefix = `${uniqueName('test-s3')}/`;
  });
  after(() => s3.destroy());

  it('puts, gets, lists and deletes an object', async () => {
    const key = `${prefix}hello.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hola, piso luminoso' }));
    assert.equal((await readAll(s3, key)).toString('utf8'), 'hola, piso luminoso');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), [key]);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    assert.equal(after.KeyCount, 0);
  });

  it('answers 404 to a head of a missing key', async () => {
    await assert.rejects(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}missing` })),
      (err: unknown) => err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404,
    );
  });

  it('stores a 12 MB multipart upload (lib-storage) byte for byte', async () => {
    const key = `${prefix}multipart.bin`;
    const body = randomBytes(12 * 1024 * 1024);
    const parts: number[] = [];
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: body }, partSize: 5 * 1024 * 1024 });
    upload.on('httpUploadProgress', (p) => parts.push(p.part ?? 0));
    await upload.done();
    assert.ok(new Set(parts).size >= 3, `expected 3 parts, saw ${JSON.stringify(parts)}`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.ContentLength, body.length);
    assert.match(head.ETag ?? '', /-3"?$/, 'a multipart ETag ends in -<parts>');
    assert.equal(sha256(await readAll(s3, key)), sha256(body));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });

  it('stores a streamed upload of unknown length exactly as sent', async () => {
    const key = `${prefix}streamed.bin`;
    const chunks = Array.from({ length: 40 }, () => randomBytes(150_000));
    const sent = Buffer.concat(chunks);
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: Readable.from(chunks) } });
    await upload.done();
    const stored = await readAll(s3, key);
    assert.equal(stored.length, sent.length);
    assert.equal(sha256(stored), sha256(sent));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });
});
