/** Reads a committed report.json by URI (s3://, file://) or local path, for the CLI and tools. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { makeS3Client } from '../clients';
import { parseS3Uri } from '../extract/sourceFile';
import type { Report } from './types';

async function readTextAt(uriOrPath: string): Promise<string> {
  if (uriOrPath.startsWith('s3://')) {
    const { bucket, key } = parseS3Uri(uriOrPath);
    const s3 = makeS3Client();
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const parts: Buffer[] = [];
      for await (const part of object.Body as Readable) parts.push(part as Buffer);
      return Buffer.concat(parts).toString('utf8');
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) throw new Error(`${uriOrPath}: no such report in S3`);
      throw err;
    } finally {
      s3.destroy();
    }
  }
  const file = uriOrPath.startsWith('file://') ? fileURLToPath(uriOrPath) : path.resolve(uriOrPath);
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${file}: no such report file` : `${file}: ${err.message}`);
  });
}

export async function readReportJson(uriOrPath: string): Promise<Report> {
  const text = await readTextAt(uriOrPath);
  let report: Partial<Report>;
  try {
    report = JSON.parse(text) as Partial<Report>;
  } catch (err) {
    throw new Error(`${uriOrPath}: not JSON (${(err as Error).message}); give the report.json an evaluate stage wrote`);
  }
  if (report.formatVersion !== 1 || typeof report.metrics !== 'object' || report.metrics === null) {
    throw new Error(`${uriOrPath}: not a GenQ evaluation report (formatVersion 1 with metrics); give the report.json an evaluate stage wrote`);
  }
  return report as Report;
}

/** report.html sits beside report.json in the stage's folder. */
export function htmlBeside(jsonUriOrPath: string): string {
  return jsonUriOrPath.replace(/report\.json$/, 'report.html');
}
