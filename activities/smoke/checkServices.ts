/**
 * Smoke activities: each touches one real service of the stack and returns a short summary, so that a
 * workflow run proves the whole chain (client → server → worker → service) works end to end.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { loadStackSettings } from '../../infra/stackSettings';
import { makeOllamaClient, makeS3Client } from '../clients';

export interface ServiceCheck {
  service: string;
  ok: boolean;
  detail: string;
  millis: number;
}

async function timed(service: string, check: () => Promise<string>): Promise<ServiceCheck> {
  const started = Date.now();
  const detail = await check();
  return { service, ok: true, detail, millis: Date.now() - started };
}

export async function checkS3(): Promise<ServiceCheck> {
  return timed('s3', async () => {
    const settings = loadStackSettings();
    const s3 = makeS3Client(settings);
    const key = `smoke/${Date.now()}-${Math.random().toString(16).slice(2)}.txt`;
    const body = 'GenQ smoke check';
    try {
      await s3.send(new PutObjectCommand({ Bucket: settings.s3.bucket, Key: key, Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: settings.s3.bucket, Key: key }));
      const text = await got.Body?.transformToString();
      if (text !== body) throw new Error(`S3 returned ${JSON.stringify(text)} for ${key}, expected ${JSON.stringify(body)}`);
      await s3.send(new DeleteObjectCommand({ Bucket: settings.s3.bucket, Key: key }));
      return `put/get/delete s3://${settings.s3.bucket}/${key}`;
    } finally {
      s3.destroy();
    }
  });
}

export async function checkPostgres(): Promise<ServiceCheck> {
  return timed('postgres', async () => {
    const client = new Client({ connectionString: loadStackSettings().postgres.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string }>('select version() as version');
      return rows[0]?.version.split(' on ')[0] ?? 'unknown version';
    } finally {
      await client.end();
    }
  });
}

export async function checkOllama(model: string): Promise<ServiceCheck> {
  return timed('ollama', async () => {
    const ollama = makeOllamaClient();
    const reply = await ollama.generate({ model, prompt: 'Say hola.', options: { num_predict: 8, temperature: 0 } });
    return `${model} answered ${JSON.stringify((reply.response ?? "").trim().slice(0, 40))}`;
  });
}
