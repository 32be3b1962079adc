import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sha256Hex } from '../activities/artifacts/hashing';
import { LocalArtifactStore } from '../activities/artifacts/localStore';
import { openArtifactStore } from '../activities/artifacts/openStore';
import type { ArtifactStore } from '../activities/artifacts/store';
import type { ArtifactRef, StageResult } from '../activities/artifacts/types';
import { assembleLabeled, generateQueriesShard, importLabeledCsv, planQueryShards, type ShardSummary } from '../activities/queries';
import { fetchModelCommand } from '../activities/queries/ensureModel';
import { isHeldOut } from '../activities/queries/heldOut';
import { buildMessages, guessLanguage, replyJsonSchema } from '../activities/queries/prompt';
import type { QuarantineRecord, QueryRecord } from '../activities/queries/types';
import { checkQueries, cleanQuery, copiesChunk, validateReply } from '../activities/queries/validate';
import { querySettingsSchema, type QuerySettingsInput } from '../workflows/settings/queries';
import { stack, uniqueName } from './support/stack';
import { temporaryFolder } from './support/temporaryFolder';

const REFERENCE_CSV = '/work/shared/data/seed_genq/labeled.csv';

const FIXTURE_TEXTS = [
  ['zgz-1', 'Piso reformado de tres dormitorios en el centro de Zaragoza, con ascensor y calefacción central.'],
  ['zgz-1', 'Ático con terraza de 40 m² y vistas al Ebro, dos baños completos y plaza de garaje incluida.'],
  ['zgz-2', 'Apartamento luminoso cerca de la estación Delicias, ideal para estudiantes, amueblado y con aire acondicionado.'],
  ['zgz-3', 'Casa unifamiliar con jardín y piscina en Cuarte de Huerva, cuatro habitaciones y bodega.'],
  ['zgz-3', 'Estudio en alquiler junto a la universidad, cocina americana y gastos de comunidad incluidos.'],
  ['mlg-1', 'Bright two bedroom flat in Málaga with sea views, a large balcony and a communal pool.'],
] as const;

/** Writes fixture chunks in the chunk stage's chunks.jsonl format into `store`. */
async function fixtureChunks(store: ArtifactStore, texts: readonly (readonly [string, string])[] = FIXTURE_TEXTS): Promise<ArtifactRef> {
  const seen = new Map<string, number>();
  const lines = texts.map(([listing, text]) => {
    const index = seen.get(listing) ?? 0;
    seen.set(listing, index + 1);
    return JSON.stringify({ chunk_id: `${listing}#${index}`, listing_id: listing, index, start: 0, end: text.length, text, sha256: sha256Hex(text) });
  });
  const stored = await store.putText('fixtures/chunks.jsonl', `${lines.join('\n')}\n`);
  return { uri: store.uriOf('fixtures/chunks.jsonl'), ...stored, count: texts.length };
}

const readLines = async <T>(ref: ArtifactRef | undefined): Promise<T[]> => {
  assert.ok(ref, 'missing artifact');
  const text = await readFile(fileURLToPath(ref.uri), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
};

async function tempStore(): Promise<{ dir: string; store: LocalArtifactStore }> {
  const dir = temporaryFolder('genq-queries-test-');
  return { dir, store: new LocalArtifactStore(dir) };
}

/**
 * A misbehaving LLM: speaks just enough of Ollama's API (/api/tags, /api/chat) for the client, and answers
 * every chat with text that is not JSON ('garbage'), or never answers until the client hangs up ('hang').
 */
class GarbageOllamaStandIn {
  static readonly MODEL = 'garbage-model';
  static readonly ANSWER = 'Sure! Here are some queries: [piso con terraza, ático';
  chats = 0;
  abortedChats = 0;
  private readonly server: Server;

  constructor(private readonly mode: 'garbage' | 'hang') {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const part of req) body += String(part);
    if (req.url === '/api/tags') {
      const model = `${GarbageOllamaStandIn.MODEL}:latest`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: [{ name: model, model }] }));
      return;
    }
    if (req.url !== '/api/chat') {
      res.writeHead(404).end();
      return;
    }
    this.chats += 1;
    if (this.mode === 'hang') {
      res.on('close', () => (this.abortedChats += 1));
      return;
    }
    const stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
    const message = { role: 'assistant', content: GarbageOllamaStandIn.ANSWER };
    const done = { model: GarbageOllamaStandIn.MODEL, created_at: new Date().toISOString(), done: true, done_reason: 'stop' };
    res.writeHead(200, { 'content-type': stream ? 'application/x-ndjson' : 'application/json' });
    if (stream) res.end(`${JSON.stringify({ ...done, done: false, message })}\n${JSON.stringify({ ...done, message: { role: 'assistant', content: '' } })}\n`);
    else res.end(JSON.stringify({ ...done, message }));
  }
}

describe('queries: reply validation (pure)', () => {
  const rules = { count: 3, minChars: 8, maxChars: 60, chunk: 'Piso reformado de tres dormitorios en el centro de Zaragoza, con ascensor.' };
  const reply = (queries: unknown): string => JSON.stringify({ queries });

  it('repairs list numbering, quotes and markdown, and leaves numbers that are content', () => {
    assert.equal(cleanQuery('1. "Piso con terraza en Zaragoza"'), 'Piso con terraza en Zaragoza');
    assert.equal(cleanQuery('  2)  ático   céntrico '), 'ático céntrico');
    assert.equal(cleanQuery('- «casa con jardín»'), 'casa con jardín');
    assert.equal(cleanQuery('Consulta 3: piso barato'), 'piso barato');
    assert.equal(cleanQuery('1. **What is it?** More'), 'What is it? More');
    assert.equal(cleanQuery('3 habitaciones en Delicias'), '3 habitaciones en Delicias');
    assert.equal(cleanQuery('1.5 baños y garaje'), '1.5 baños y garaje');
    assert.equal(cleanQuery('Does it have a pool? (This question seeks to clarify...)'), 'Does it have a pool?');
  });

  it('accepts exactly N usable queries and returns them cleaned', () => {
    const verdict = validateReply(reply(['1. piso con ascensor', '"ático en el centro"', 'piso tres dormitorios Zaragoza']), rules);
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.queries, ['piso con ascensor', 'ático en el centro', 'piso tres dormitorios Zaragoza']);
    assert.equal(verdict.cleaned, 2);
  });

  it('keeps the first N usable queries when the reply has more', () => {
    const verdict = validateReply(reply(['piso con ascensor', 'ático en el centro', 'piso en Zaragoza', 'casa con jardín']), rules);
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.queries, ['piso con ascensor', 'ático en el centro', 'piso en Zaragoza']);
  });

  it('rejects too few queries with wrong-count', () => {
    const verdict = validateReply(reply(['piso con ascensor', 'ático en el centro']), rules);
    assert.equal(verdict.ok, false);
    assert.ok(!verdict.ok && verdict.reasons.some((r) => r.code === 'wrong-count' && r.detail === '2 usable queries, 3 needed'));
  });

  it('names invalid JSON, a cut-off reply and the wrong shape', () => {
    const code = (raw: string, doneReason?: string) => {
      const v = validateReply(raw, rules, doneReason);
      return v.ok ? 'ok' : v.reasons[0]!.code;
    };
    assert.equal(code('{"queries": ["piso'), 'invalid-json');
    assert.equal(code('{"queries": ["piso', 'length'), 'truncated');
    assert.equal(code('["piso con ascensor"]'), 'wrong-shape');
    assert.equal(code(reply([1, 2, 3])), 'wrong-shape');
  });

  it('rejects empty, too short, too long, preamble and commentary queries, each with its reason', () => {
    const verdict = validateReply(
      reply(['', 'piso', 'x'.repeat(61), 'Here are three queries:', 'This question aims to clarify the location.', 'piso con ascensor']),
      rules,
    );
    assert.equal(verdict.ok, false);
    const codes = !verdict.ok ? verdict.reasons.map((r) => [r.code, r.index]) : [];
    assert.deepEqual(codes, [
      ['empty', 0],
      ['too-short', 1],
      ['too-long', 2],
      ['preamble', 3],
      ['commentary', 4],
      ['wrong-count', undefined],
    ]);
  });

  it('rejects duplicates regardless of case, whitespace and punctuation', () => {
    const verdict = validateReply(reply(['Piso con ascensor', '  piso  CON ascensor? ', 'ático en el centro']), rules);
    assert.equal(verdict.ok, false);
    assert.ok(!verdict.ok && verdict.reasons.some((r) => r.code === 'duplicate' && r.index === 1));
  });

  it('rejects copies of the chunk but keeps short verbatim phrases people type', () => {
    const chunk = rules.chunk;
    assert.ok(copiesChunk(chunk, chunk));
    assert.ok(copiesChunk('piso reformado de tres dormitorios en el centro de Zaragoza', chunk));
    assert.ok(copiesChunk(`${chunk}?`, chunk));
    assert.ok(!copiesChunk('centro de Zaragoza', chunk));
    assert.ok(!copiesChunk('piso con ascensor', chunk));
  });

  it('import rules: no count or upper bound, at least one usable query', () => {
    const verdict = checkQueries(['', '1. What is near?', 'Here are five questions:'], { minChars: 8, chunk: 'x' });
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.queries, ['What is near?']);
    assert.deepEqual(verdict.dropped.map((d) => d.code), ['empty', 'preamble']);
  });
});

describe('queries: prompt and settings', () => {
  it('guesses the chunk language and asks for that language', () => {
    assert.equal(guessLanguage(FIXTURE_TEXTS[0][1]), 'es');
    assert.equal(guessLanguage(FIXTURE_TEXTS[5][1]), 'en');
    const [system, user] = buildMessages(FIXTURE_TEXTS[0][1], { count: 5, minChars: 8, maxChars: 120 });
    assert.match(system!.content, /exactly 5 different search queries/);
    assert.match(system!.content, /in Spanish/);
    assert.equal(user!.content, `Anuncio:\n${FIXTURE_TEXTS[0][1]}`);
  });

  it('passes a JSON schema that fixes the count and the lengths', () => {
    const schema = replyJsonSchema({ count: 4, minChars: 8, maxChars: 90 }) as { properties: { queries: Record<string, unknown> } };
    const queries = schema.properties.queries;
    assert.equal(queries.minItems, 4);
    assert.equal(queries.maxItems, 4);
    assert.deepEqual(queries.items, { type: 'string', minLength: 8, maxLength: 90 });
  });

  it('has the documented defaults and names a bad field', () => {
    const s = querySettingsSchema.parse({});
    assert.equal(s.model, 'llama3');
    assert.equal(s.queriesPerChunk, 5);
    assert.equal(s.ollamaHostEnv, 'OLLAMA_HOST_URL');
    assert.equal(s.allowPull, false);
    const bad = querySettingsSchema.safeParse({ minQueryChars: 50, maxQueryChars: 20 });
    assert.ok(!bad.success && bad.error.issues[0]!.path[0] === 'minQueryChars');
  });
});

describe('queries: shard plan and held-out split', () => {
  it('plans shards from the count, or by counting lines', async () => {
    const { dir, store } = await tempStore();
    try {
      const chunks = await fixtureChunks(store);
      const expected = [
        { index: 0, start: 0, end: 4 },
        { index: 1, start: 4, end: 6 },
      ];
      assert.deepEqual((await planQueryShards({ chunks, settings: { shardSize: 4 } })).shards, expected);
      const { count: _count, ...uncounted } = chunks;
      assert.deepEqual(await planQueryShards({ chunks: uncounted, settings: { shardSize: 4 } }), { total: 6, shards: expected });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds out whole listings, the same ones every time, near the share asked', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `listing-${i}`);
    const held = ids.filter((id) => isHeldOut(id, 0.1));
    assert.ok(held.length > 140 && held.length < 260, `${held.length} of 2000 held out`);
    assert.deepEqual(ids.filter((id) => isHeldOut(id, 0.1)), held);
    assert.equal(ids.filter((id) => isHeldOut(id, 0)).length, 0);
  });
});

describe('queries: a shard through the real Ollama and SmolLM2', function () {
  this.timeout(900_000);
  // Small N and short queries keep the 135M stand-in quick on a CPU; the code path is the one llama3 takes.
  const settings: QuerySettingsInput = { model: stack.ollama.testModel, queriesPerChunk: 3, maxQueryChars: 60, numPredict: 200, maxAttempts: 4, concurrency: 4 };
  const shard = { index: 0, start: 0, end: FIXTURE_TEXTS.length };
  let dir: string;
  let chunks: ArtifactRef;
  let first: StageResult<ShardSummary>;

  before(async () => {
    const temp = await tempStore();
    dir = temp.dir;
    chunks = await fixtureChunks(temp.store);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes exactly N valid queries for every chunk', async () => {
    first = await generateQueriesShard({ artifacts: dir, chunks, shard, settings });
    const { summary } = first;
    assert.equal(first.reused, false);
    assert.equal(summary.chunks, 6);
    assert.equal(summary.cacheHits, 0);
    assert.ok(summary.llmCalls >= 6, JSON.stringify(summary));
    const quarantined = await readLines<QuarantineRecord>(first.files['quarantine.jsonl']);
    assert.equal(summary.quarantined, 0, JSON.stringify(quarantined, null, 1));
    const records = await readLines<QueryRecord>(first.files['queries.jsonl']);
    assert.deepEqual(records.map((r) => r.chunk_id), ['zgz-1#0', 'zgz-1#1', 'zgz-2#0', 'zgz-3#0', 'zgz-3#1', 'mlg-1#0']);
    for (const [i, record] of records.entries()) {
      assert.equal(record.queries.length, 3);
      assert.equal(record.sha256, sha256Hex(FIXTURE_TEXTS[i]![1]));
      const verdict = checkQueries(record.queries, { count: 3, minChars: 8, maxChars: 60, chunk: FIXTURE_TEXTS[i]![1] });
      assert.ok(verdict.ok && verdict.queries.length === 3, JSON.stringify(record));
    }
  });

  it('reuses the committed shard on a second run: zero LLM calls', async () => {
    const again = await generateQueriesShard({ artifacts: dir, chunks, shard, settings });
    assert.equal(again.reused, true);
    assert.equal(again.key, first.key);
    assert.equal(again.summary.llmCalls, 0);
  });

  it('forced to recompute, answers every chunk from the per-chunk cache: zero LLM calls', async () => {
    const forced = await generateQueriesShard({ artifacts: dir, chunks, shard, settings, force: true });
    assert.equal(forced.reused, false);
    assert.equal(forced.summary.llmCalls, 0);
    assert.equal(forced.summary.cacheHits, 6);
    assert.equal(forced.files['queries.jsonl']!.sha256, first.files['queries.jsonl']!.sha256);
  });

  it('assembles labeled.csv and the pairs, split by listing', async () => {
    const assembled = await assembleLabeled({ artifacts: dir, chunks, shards: [first], settings });
    const csv = (await readFile(fileURLToPath(assembled.files['labeled.csv']!.uri), 'utf8')).split('\n');
    assert.equal(csv[0], 'id,document,query1,query2,query3');
    assert.equal(assembled.summary.labeledChunks, 6);
    assert.equal(assembled.summary.pairs, 18);
    const pairs = await readLines<{ query: string; chunk: string; chunk_id: string; listing_id: string }>(assembled.files['pairs.jsonl']);
    assert.equal(pairs.length, 18);
    assert.deepEqual(Object.keys(pairs[0]!).sort(), ['chunk', 'chunk_id', 'listing_id', 'query']);
    assert.equal(assembled.summary.trainPairs + assembled.summary.heldOutPairs, 18);
  });
});

describe('queries: a model missing from the server', function () {
  this.timeout(120_000);

  it('fails non-retryably, naming the model and the command that fetches it', async () => {
    const { dir, store } = await tempStore();
    try {
      const chunks = await fixtureChunks(store, FIXTURE_TEXTS.slice(0, 1));
      const settings = { model: 'genq-no-such-model', allowPull: false };
      await assert.rejects(generateQueriesShard({ artifacts: dir, chunks, shard: { index: 0, start: 0, end: 1 }, settings }), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure, String(err));
        assert.equal(err.nonRetryable, true);
        assert.equal(err.type, 'OllamaModelMissing');
        assert.match(err.message, /model "genq-no-such-model" is not on the Ollama server at http/);
        assert.match(err.message, /ollama pull genq-no-such-model/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the stack command for the test stand-in, which is registered rather than pulled', () => {
    assert.equal(fetchModelCommand(stack.ollama.testModel, stack.ollama.host), 'bash infra/stack.sh start ollama');
  });
});

describe('queries: garbageOllamaStandIn, a misbehaving LLM', function () {
  this.timeout(60_000);
  const HOST_ENV = 'GENQ_TEST_GARBAGE_OLLAMA_URL';
  const settings = { model: GarbageOllamaStandIn.MODEL, ollamaHostEnv: HOST_ENV, maxAttempts: 2 };
  let dir: string;
  let store: LocalArtifactStore;

  beforeEach(async () => ({ dir, store } = await tempStore()));
  afterEach(async () => {
    delete process.env[HOST_ENV];
    await rm(dir, { recursive: true, force: true });
  });

  it('retries a reply that is not JSON, then quarantines the chunk with the raw answers; the resume point is reported', async () => {
    const llm = new GarbageOllamaStandIn('garbage');
    process.env[HOST_ENV] = await llm.start();
    try {
      const chunks = await fixtureChunks(store, FIXTURE_TEXTS.slice(0, 2));
      const env = new MockActivityEnvironment({ heartbeatDetails: { position: 1 }, attempt: 2 });
      const beats: unknown[] = [];
      env.on('heartbeat', (d: unknown) => beats.push(d));
      const shard = { index: 0, start: 0, end: 2 };
      const result = (await env.run(generateQueriesShard, { artifacts: dir, chunks, shard, settings })) as StageResult<ShardSummary>;
      assert.deepEqual(
        { llm: llm.chats, calls: result.summary.llmCalls, invalid: result.summary.invalidReplies, quarantined: result.summary.quarantined },
        { llm: 4, calls: 4, invalid: 4, quarantined: 2 },
      );
      assert.equal(result.summary.resumedFrom, 1);
      assert.deepEqual(beats.at(-1), { position: 2, done: 2, total: 2 });
      const [record] = await readLines<QuarantineRecord & { source: 'generate' }>(result.files['quarantine.jsonl']);
      assert.equal(record!.chunk_id, 'zgz-1#0');
      assert.deepEqual(record!.reasons, ['invalid-json']);
      assert.deepEqual(record!.attempts.map((a) => a.raw), [GarbageOllamaStandIn.ANSWER, GarbageOllamaStandIn.ANSWER]);

      // The quarantine is cached: recomputing asks nothing, unless more attempts are now allowed.
      const forced = await generateQueriesShard({ artifacts: dir, chunks, shard, settings, force: true });
      assert.equal(forced.summary.llmCalls, 0);
      const moreAttempts = await generateQueriesShard({ artifacts: dir, chunks, shard, settings: { ...settings, maxAttempts: 3 } });
      assert.equal(moreAttempts.summary.llmCalls, 6);
    } finally {
      await llm.stop();
    }
  });

  it('asks once about identical chunks of a shard', async () => {
    const llm = new GarbageOllamaStandIn('garbage');
    process.env[HOST_ENV] = await llm.start();
    try {
      const text = 'Ven a verlo, no te arrepentirás: llámanos y concierta tu visita hoy mismo.';
      const chunks = await fixtureChunks(store, [['a', text], ['b', text], ['c', text]]);
      const { summary } = await generateQueriesShard({ artifacts: dir, chunks, shard: { index: 0, start: 0, end: 3 }, settings });
      assert.deepEqual(
        { llm: llm.chats, calls: summary.llmCalls, hits: summary.cacheHits, quarantined: summary.quarantined },
        { llm: 2, calls: 2, hits: 2, quarantined: 3 },
      );
    } finally {
      await llm.stop();
    }
  });

  it('works on the S3 store too: shard, per-chunk cache, assembly and an import from s3://', async () => {
    const llm = new GarbageOllamaStandIn('garbage');
    process.env[HOST_ENV] = await llm.start();
    const artifacts = `s3://${stack.s3.bucket}/${uniqueName('test-queries')}`;
    try {
      const s3Store = openArtifactStore(artifacts);
      const chunks = await fixtureChunks(s3Store, FIXTURE_TEXTS.slice(0, 2));
      const shard = { index: 0, start: 0, end: 2 };
      const first = await generateQueriesShard({ artifacts, chunks, shard, settings });
      assert.equal(first.summary.llmCalls, 4);
      const forced = await generateQueriesShard({ artifacts, chunks, shard, settings, force: true });
      assert.deepEqual([forced.summary.llmCalls, forced.summary.cacheHits], [0, 2]);
      const assembled = await assembleLabeled({ artifacts, chunks, shards: [forced], settings });
      assert.deepEqual([assembled.summary.chunks, assembled.summary.quarantined], [2, 2]);

      await s3Store.putText('in/labeled.csv', ',id,document,query1\n0,a1,Piso en el centro,1. piso céntrico con ascensor\n');
      const imported = await importLabeledCsv({ artifacts, path: s3Store.uriOf('in/labeled.csv'), settings: {} });
      assert.equal(imported.summary.pairs, 1);
      assert.match(imported.files['pairs.jsonl']!.uri, /^s3:\/\//);
    } finally {
      await llm.stop();
    }
  });

  it('on cancellation aborts the requests in flight and re-throws CancelledFailure', async () => {
    const llm = new GarbageOllamaStandIn('hang');
    process.env[HOST_ENV] = await llm.start();
    try {
      const chunks = await fixtureChunks(store);
      const env = new MockActivityEnvironment();
      const running = env.run(generateQueriesShard, { artifacts: dir, chunks, shard: { index: 0, start: 0, end: 6 }, settings: { ...settings, concurrency: 2 } });
      while (llm.chats < 2) await new Promise((r) => setTimeout(r, 20));
      env.cancel();
      await assert.rejects(running, CancelledFailure);
      for (let i = 0; i < 100 && llm.abortedChats < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
      assert.equal(llm.abortedChats, 2);
      assert.equal(llm.chats, 2, 'no chunk is started after the cancellation');
    } finally {
      await llm.stop();
    }
  });
});

describe('queries: importing an existing labelled CSV', function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(async () => ({ dir } = await tempStore()));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('handles the unnamed index column, numbering, preambles and empty cells, and quarantines rows with no usable query', async () => {
    const csv = [
      ',id,document,query1,query2,query3',
      '0,a1,"Piso con terraza en el centro, reformado","1. ¿Piso con terraza en el centro de Zaragoza?",2. ático céntrico con vistas,',
      '1,a1,y garaje,Here are three questions:,,',
      '2,b2,Chalet en Cuarte de Huerva,"3) ""casa con jardín y piscina""",casa con jardín y piscina,',
    ].join('\n');
    const file = path.join(dir, 'in.csv');
    await writeFile(file, csv);
    const result = await importLabeledCsv({ artifacts: path.join(dir, 'store'), path: file, settings: { heldOutShare: 0 } });
    assert.deepEqual(
      { rows: result.summary.chunks, labeled: result.summary.labeledChunks, quarantined: result.summary.quarantined, pairs: result.summary.pairs },
      { rows: 3, labeled: 2, quarantined: 1, pairs: 3 },
    );
    assert.deepEqual(result.summary.droppedQueries, { empty: 4, preamble: 1, duplicate: 1 });
    const labeled = await readFile(fileURLToPath(result.files['labeled.csv']!.uri), 'utf8');
    assert.equal(
      labeled,
      'id,document,query1,query2,query3\n' +
        'a1,"Piso con terraza en el centro, reformado",¿Piso con terraza en el centro de Zaragoza?,ático céntrico con vistas,\n' +
        'b2,Chalet en Cuarte de Huerva,casa con jardín y piscina,,\n',
    );
    const [bad] = await readLines<QuarantineRecord & { source: 'import' }>(result.files['quarantine.jsonl']);
    assert.deepEqual({ chunk: bad!.chunk_id, reasons: bad!.reasons }, { chunk: 'a1#1', reasons: ['no-usable-query', 'preamble', 'empty'] });
  });

  it('fails non-retryably on a CSV without the labelled columns', async () => {
    const file = path.join(dir, 'wrong.csv');
    await writeFile(file, 'id,text\n1,hola\n');
    await assert.rejects(importLabeledCsv({ artifacts: dir, path: file, settings: {} }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable && err.type === 'InvalidLabeledCsv');
      assert.match(err.message, /lacks id, document or query1\.\.queryN/);
      return true;
    });
  });

  it('imports the method\'s reference labeled.csv; the held-out split shares no listing with training', async function () {
    if (!existsSync(REFERENCE_CSV)) this.skip();
    const result = await importLabeledCsv({ artifacts: dir, path: REFERENCE_CSV, settings: {} });
    const s = result.summary;
    console.log(`      reference import: ${JSON.stringify(s)}`);
    assert.equal(s.chunks, 4253);
    assert.equal(s.labeledChunks + s.quarantined, 4253);
    assert.equal(s.droppedQueries.empty, 246);
    assert.ok(s.pairs > 15_000 && s.pairs < 21_019, `${s.pairs} pairs`);
    const header = (await readFile(fileURLToPath(result.files['labeled.csv']!.uri), 'utf8')).split('\n', 1)[0];
    assert.equal(header, 'id,document,query1,query2,query3,query4,query5');

    const train = await readLines<{ query: string; listing_id: string }>(result.files['pairs.train.jsonl']);
    const heldOut = await readLines<{ query: string; listing_id: string }>(result.files['pairs.heldout.jsonl']);
    assert.equal(train.length + heldOut.length, s.pairs);
    assert.ok(heldOut.length > 0);
    const trainListings = new Set(train.map((p) => p.listing_id));
    assert.deepEqual(heldOut.filter((p) => trainListings.has(p.listing_id)), []);
    for (const { query } of [...train, ...heldOut]) {
      assert.doesNotMatch(query, /^\s*\d{1,2}[.)]\s/, 'list numbering left in');
      assert.doesNotMatch(query, /^(here are|this question)/i);
      assert.ok(query.trim().length >= 8);
    }
    const quarantined = await readLines<QuarantineRecord>(result.files['quarantine.jsonl']);
    assert.ok(quarantined.every((q) => q.reasons[0] === 'no-usable-query'));

    const again = await importLabeledCsv({ artifacts: dir, path: REFERENCE_CSV, settings: {} });
    assert.equal(again.reused, true);
  });
});
