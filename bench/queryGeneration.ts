/**
 * Benchmark: query generation on one Ollama server and the same chunks (default 100, first ~100-character
 * segment of each listing in ../shared/data/listings_zaragoza). Printed, not asserted.
 *
 *   node dist/bench/queryGeneration.js [--chunks N] [--model M] [--sweep 1,2,4,8] [--listings file.jsonl]
 *
 * (a) baseline "sequential": the method's loop, one chat call per chunk, one after another (same prompt and
 *     format as the pipeline, no validation or retries);
 * (b) the pipeline's generateQueriesShard with the default settings (only the model is overridden);
 * (c) the same activity sweeping `concurrency`, to find the best throughput on this server.
 * Every pipeline run uses a fresh temporary artifact store, so the per-chunk cache starts empty.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Ollama } from 'ollama';
import { sha256Hex } from '../activities/artifacts/hashing';
import { LocalArtifactStore } from '../activities/artifacts/localStore';
import type { ArtifactRef } from '../activities/artifacts/types';
import { generateQueriesShard } from '../activities/queries';
import { resolveOllamaHost } from '../activities/queries/ollamaChat';
import { buildMessages, replyJsonSchema } from '../activities/queries/prompt';
import { loadStackSettings } from '../infra/stackSettings';
import { querySettingsSchema, type QuerySettings } from '../workflows/settings/queries';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** The first segment (<= 100 characters, cut between words) of each listing's description. */
async function loadChunks(file: string, count: number): Promise<string[]> {
  const chunks: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const text = (JSON.parse(line) as { description?: string }).description?.replace(/\s+/g, ' ').trim() ?? '';
    if (text.length < 40) continue;
    const cut = text.length <= 100 ? text.length : text.lastIndexOf(' ', 100);
    chunks.push(text.slice(0, cut > 0 ? cut : 100));
    if (chunks.length === count) break;
  }
  if (chunks.length < count) throw new Error(`${file} has only ${chunks.length} usable descriptions, ${count} asked`);
  return chunks;
}

async function sequential(settings: QuerySettings, chunks: string[]): Promise<number> {
  const client = new Ollama({ host: resolveOllamaHost(settings) });
  const prompt = { count: settings.queriesPerChunk, minChars: settings.minQueryChars, maxChars: settings.maxQueryChars };
  const started = performance.now();
  for (const chunk of chunks) {
    // Streamed like the pipeline's calls: Node's fetch gives up on response headers after 300 s, which a
    // busy shared server can exceed with a non-streamed reply.
    const reply = await client.chat({
      model: settings.model,
      messages: buildMessages(chunk, prompt),
      format: replyJsonSchema(prompt),
      stream: true,
      options: { temperature: settings.temperature, num_predict: settings.numPredict },
    });
    for await (const _ of reply);
  }
  return chunks.length / ((performance.now() - started) / 1000);
}

async function pipeline(settings: QuerySettings, chunks: string[], label: string): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'genq-bench-queries-'));
  try {
    const store = new LocalArtifactStore(dir);
    const lines = chunks.map((text, i) => JSON.stringify({ chunk_id: `b${i}#0`, listing_id: `b${i}`, index: 0, start: 0, end: text.length, text, sha256: sha256Hex(text) }));
    const stored = await store.putText('bench/chunks.jsonl', `${lines.join('\n')}\n`);
    const ref: ArtifactRef = { uri: store.uriOf('bench/chunks.jsonl'), ...stored, count: chunks.length };
    const started = performance.now();
    const { summary } = await generateQueriesShard({ artifacts: dir, chunks: ref, shard: { index: 0, start: 0, end: chunks.length }, settings });
    const rate = chunks.length / ((performance.now() - started) / 1000);
    console.log(
      `  ${label}: ${rate.toFixed(3)} chunks/s (llm calls ${summary.llmCalls}, invalid replies ${summary.invalidReplies}, ` +
        `quarantined ${summary.quarantined}, cache hits ${summary.cacheHits})`,
    );
    return rate;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(): Promise<void> {
  const count = Number(option('chunks') ?? 100);
  const sweep = (option('sweep') ?? '1,2,4,8').split(',').map(Number);
  const model = option('model') ?? loadStackSettings().ollama.testModel;
  const listings = option('listings') ?? path.resolve(loadStackSettings().projectRoot, '..', 'shared', 'data', 'listings_zaragoza', 'listings.jsonl');
  const defaults = querySettingsSchema.parse({ model });
  const chunks = await loadChunks(listings, count);
  console.log(`query generation on ${resolveOllamaHost(defaults)}, model ${model}, ${count} chunks; defaults ${JSON.stringify(defaults)}`);

  await sequential(defaults, chunks.slice(0, 1)); // loads the model, so no run pays for it
  const baseline = await sequential(defaults, chunks);
  console.log(`  sequential (one chat call per chunk): ${baseline.toFixed(3)} chunks/s`);
  const byDefault = await pipeline(defaults, chunks, `pipeline, default settings (concurrency ${defaults.concurrency})`);
  const swept: [number, number][] = [];
  for (const concurrency of sweep) swept.push([concurrency, await pipeline({ ...defaults, concurrency }, chunks, `pipeline, concurrency ${concurrency}`)]);
  const [bestConcurrency, best] = swept.reduce((a, b) => (b[1] > a[1] ? b : a));
  console.log(`  best: concurrency ${bestConcurrency}`);
  console.log(`bench query-generation: chunks_per_s=${byDefault.toFixed(3)} chunks/s baseline=${baseline.toFixed(3)} ratio=${(byDefault / baseline).toFixed(2)}`);
  console.log(`bench query-generation: default_vs_best=${byDefault.toFixed(3)} ratio baseline=${best.toFixed(3)} ratio=${(byDefault / best).toFixed(2)}`);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
