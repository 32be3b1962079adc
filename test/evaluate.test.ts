import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArtifactStore } from '../activities/artifacts/openStore';
import { runStage } from '../activities/artifacts/stageRunner';
import type { ArtifactStore } from '../activities/artifacts/store';
import type { ArtifactRef, StageResult } from '../activities/artifacts/types';
import { chunkText } from '../activities/chunk/chunkText';
import { chunkJsonLine } from '../activities/chunk/outputLines';
import { evaluateModels } from '../activities/evaluate/evaluateModels';
import { capQueries, type EvalQuery } from '../activities/evaluate/heldOutSet';
import { groupedBarChart } from '../activities/evaluate/svgCharts';
import type { EvaluateInput, EvaluateSummary, Report } from '../activities/evaluate/types';
import { noisyCopy } from '../activities/evaluate/wordDeletion';
import { seededRandom } from '../activities/seededRandom';
import { meanMetrics } from '../activities/search/metrics';
import { exportModel } from '../activities/training/trainingActivities';
import { folderRef } from '../activities/training/folders';
import { chunkSettingsSchema } from '../workflows/settings/chunk';
import { exportSettingsSchema } from '../workflows/settings/training';
import { stack, uniqueName } from './support/stack';
import { miniLmPath } from './support/training';
import { temporaryFolder } from './support/temporaryFolder';

interface SampleListing {
  id: string;
  description: string;
  city: string;
  zone: string;
  operation: string;
  property_type: string;
}

const listings: SampleListing[] = readFileSync(path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as SampleListing);

/** Written by hand for a few held-out listings: searches a person would type, not field templates. */
const HAND_WRITTEN: Record<string, string[]> = {
  'gq-0001': ['piso con balcones cerca del metro Iglesia'],
  'gq-0013': ['casa con jardín y garaje para dos coches en Sarrià'],
  'gq-0022': ['apartamento en una casa patio con naranjos en Santa Cruz'],
  'gq-0034': ['villa con vistas al mar en Marbella'],
  'gq-0040': ['chalet con jardín y un magnolio en Neguri'],
  'gq-0046': ['casa cerca del paseo marítimo en Pedregalejo'],
};

/** The corpus (chunks.jsonl, the chunk stage's own chunking and line format) and held-out pairs for every third listing. */
function fixtureLines(): { chunks: string; heldOut: string; evalQueries: EvalQuery[] } {
  const settings = chunkSettingsSchema.parse({});
  const chunkLines: string[] = [];
  const pairLines: string[] = [];
  const expected = new Map<string, Set<string>>();
  listings.forEach((listing, i) => {
    const chunks = chunkText(listing.description, settings);
    for (const chunk of chunks) chunkLines.push(chunkJsonLine(JSON.stringify(listing.id), chunk));
    if (i % 3 !== 0) return;
    const deal = listing.operation === 'alquiler' ? 'alquiler' : 'venta';
    // The second template repeats across listings ("alquiler de piso en Madrid"): its relevant set is their union.
    const queries = [`${listing.property_type} en ${listing.zone}`, `${deal} de ${listing.property_type} en ${listing.city}`, ...(HAND_WRITTEN[listing.id] ?? [])];
    for (const query of queries) {
      pairLines.push(JSON.stringify({ query, chunk: chunks[0]!.text, chunk_id: `${listing.id}#0`, listing_id: listing.id }));
      expected.set(query, (expected.get(query) ?? new Set()).add(listing.id));
    }
  });
  pairLines.push(JSON.stringify({ query: '', chunk: 'x', chunk_id: 'gq-0001#0', listing_id: 'gq-0001' })); // empty queries are skipped
  return {
    chunks: `${chunkLines.join('\n')}\n`,
    heldOut: `${pairLines.join('\n')}\n`,
    evalQueries: [...expected].map(([text, relevant]) => ({ text, relevant })),
  };
}

const LOSS_FIXTURE = [
  { type: 'progress', step: 1, total_steps: 4, loss: 3.1, pairs_or_sentences_per_s: 12 },
  { type: 'progress', step: 2, total_steps: 4, loss: 2.4, pairs_or_sentences_per_s: 12 },
  { type: 'eval', step: 2, metrics: { ndcg_at_10: 0.5 } },
  { type: 'progress', step: 3, total_steps: 4, loss: null },
  { type: 'progress', step: 4, total_steps: 4, loss: 1.7, pairs_or_sentences_per_s: 12 },
];

async function put(store: ArtifactStore, key: string, text: string): Promise<ArtifactRef> {
  const stored = await store.putText(key, text);
  return { uri: store.uriOf(key), ...stored };
}

/** A copy of a local model package folder committed into `store` (as a stage would commit it), as a folder ref. */
async function commitPackage(store: ArtifactStore, folder: string): Promise<ArtifactRef> {
  const result = await runStage(store, { stage: 'test-package-copy', stageVersion: 1, settings: {}, inputs: {} }, {}, async () => ({
    files: Object.fromEntries(readdirSync(folder).map((name) => [`model/${name}`, { path: path.join(folder, name) }])),
    summary: {},
  }));
  return folderRef(result, 'model');
}

/** Expected metrics of a random ranking of every listing (seeded), the floor any ranker must clear. */
function randomBaseline(queries: EvalQuery[]) {
  const random = seededRandom(99);
  return meanMetrics(
    queries.map((q) => {
      const ids = listings.map((l) => l.id);
      for (let i = ids.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      }
      return { ranked: ids, relevant: q.relevant };
    }),
  );
}

describe('evaluate: metrics of model packages and BM25 on held-out queries, the report and genq report', function () {
  this.timeout(10 * 60_000);
  const fixture = fixtureLines();
  const artifacts = temporaryFolder('genq-evaluate-');
  const store = openArtifactStore(artifacts);
  let input: EvaluateInput;
  let first: StageResult<EvaluateSummary>;
  let report: Report;

  before(async () => {
    // all-MiniLM-L6-v2 exported by the trainer, as the pipeline packages its base model.
    const exported = await exportModel({ artifacts, settings: exportSettingsSchema.parse({ maxSeqLength: 128 }), model: { name: miniLmPath() } });
    input = {
      artifacts,
      corpus: { file: await put(store, 'fixtures/chunks.jsonl', fixture.chunks), format: 'chunks' },
      heldOutPairs: await put(store, 'fixtures/pairs.heldout.jsonl', fixture.heldOut),
      models: { candidate: exported.model, base: exported.model, tsdae: exported.model },
      lossCurves: {
        tsdae: await put(store, 'fixtures/tsdae-progress.jsonl', LOSS_FIXTURE.map((e) => JSON.stringify(e)).join('\n')),
        mnrl: await put(store, 'fixtures/mnrl-progress.jsonl', LOSS_FIXTURE.map((e) => JSON.stringify(e)).join('\n')),
      },
      settings: { batchSize: 16 },
    };
    first = await evaluateModels(input);
    report = JSON.parse(readFileSync(fileURLToPath(first.files['report.json']!.uri), 'utf8')) as Report;
  });

  it('ranks every distinct held-out query (relevant ids unioned) and reports the four metrics per ranker, in range', () => {
    assert.equal(first.reused, false);
    assert.equal(first.summary.queries, fixture.evalQueries.length);
    assert.equal(first.summary.querySource, 'heldOut');
    assert.equal(first.summary.heldOutSha256, input.heldOutPairs.sha256);
    assert.deepEqual(Object.keys(first.summary.metrics), ['candidate', 'base', 'bm25']);
    for (const [ranker, metrics] of Object.entries(first.summary.metrics)) {
      for (const [name, value] of Object.entries(metrics)) assert.ok(value >= 0 && value <= 1, `${ranker} ${name} = ${value}`);
      assert.ok(metrics.recallAt100 >= metrics.recallAt10, `${ranker}: recall@100 below recall@10`);
    }
    assert.equal(report.counts.heldOutQueries, fixture.evalQueries.length);
    assert.equal(report.counts.corpusListings, listings.length);
    assert.equal(report.counts.relevantNotInCorpus, 0);
    assert.ok(JSON.stringify(first.summary).length < 2000, 'the summary that goes through workflow history stays small');
  });

  it('BM25 and the model beat a random ranking by a wide margin', () => {
    const random = randomBaseline(fixture.evalQueries);
    const { bm25, candidate } = first.summary.metrics;
    assert.ok(bm25!.ndcgAt10 > random.ndcgAt10 + 0.2, `BM25 nDCG@10 ${bm25!.ndcgAt10} against random ${random.ndcgAt10}`);
    assert.ok(candidate!.ndcgAt10 > random.ndcgAt10 + 0.2, `MiniLM nDCG@10 ${candidate!.ndcgAt10} against random ${random.ndcgAt10}`);
    assert.ok(bm25!.mrrAt10 > random.mrrAt10, 'BM25 MRR@10 above random');
  });

  it('the same package as candidate and base gives equal metrics, backwards search and (before = after) TSDAE effect', () => {
    assert.deepEqual(first.summary.metrics.candidate, first.summary.metrics.base);
    assert.deepEqual(first.summary.backwards!.candidate, first.summary.backwards!.base);
    const effect = first.summary.tsdaeEffect!;
    assert.deepEqual(effect.before, effect.after);
    assert.equal(effect.chunks, new Set(fixture.evalQueries.flatMap((q) => [...q.relevant])).size);
    assert.ok(effect.before.mean > 0.2 && effect.before.mean < 1, `mean cosine to the 60%-deleted copy ${effect.before.mean}`);
    assert.ok(effect.before.std > 0, 'the copies differ, so the cosines spread');
  });

  it('backwards search: a dense ranking holds all 68 listings, so every source is in the top 100; shares grow with depth', () => {
    for (const [ranker, b] of Object.entries(first.summary.backwards!)) {
      assert.ok(b.top100 <= b.top200 && b.top200 <= b.top250, `${ranker}: ${JSON.stringify(b)}`);
    }
    assert.deepEqual(first.summary.backwards!.candidate, { top100: 1, top200: 1, top250: 1 });
    // BM25 leaves out listings sharing no term with the query, so its share can stay below 1.
    assert.ok(first.summary.backwards!.bm25!.top250 > 0.5);
  });

  it('report.html is self-contained: inline SVG bars and loss curves, the numbers, no external resource', () => {
    const html = readFileSync(fileURLToPath(first.files['report.html']!.uri), 'utf8');
    assert.ok((html.match(/<svg /g) ?? []).length >= 4, 'metric bars, backwards bars and two loss curves');
    assert.ok(html.includes(first.summary.metrics.candidate!.ndcgAt10.toFixed(4)), 'the candidate nDCG@10 is in the table');
    assert.ok(html.includes(first.summary.metrics.bm25!.recallAt100.toFixed(4)), 'the BM25 Recall@100 is in the table');
    assert.ok(html.includes('TSDAE training loss') && html.includes('MNRL training loss'));
    assert.ok(html.includes('46.9%'), "the study's backwards-search numbers are shown for comparison");
    assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'nothing is loaded from elsewhere');
    // Loss curves keep progress events with a finite loss only (not eval lines, not a null loss).
    assert.deepEqual(report.lossCurves.mnrl, [{ step: 1, loss: 3.1 }, { step: 2, loss: 2.4 }, { step: 4, loss: 1.7 }]);
    assert.equal(report.models.length, 3);
    assert.equal(report.models[0]!.dimensions, 384);
  });

  it('chart labels are escaped', () => {
    const svg = groupedBarChart('<t>', ['<g>'], [{ name: 'a&b"', values: [0.5] }]);
    assert.ok(svg.includes('&lt;g&gt;') && svg.includes('a&amp;b&quot;') && svg.includes('&lt;t&gt;'));
    assert.ok(!svg.includes('<g>') && !svg.includes('<t>'));
  });

  it('a re-run with the same inputs and settings is reused; another setting is not', async () => {
    const again = await evaluateModels(input);
    assert.equal(again.reused, true);
    assert.equal(again.manifestUri, first.manifestUri);
    assert.deepEqual(again.summary, first.summary);
    const capped = await evaluateModels({ ...input, models: { candidate: input.models.candidate, base: input.models.base }, settings: { batchSize: 16, maxQueries: 5 } });
    assert.equal(capped.reused, false);
    assert.equal(capped.summary.queries, 5);
    assert.equal(capped.summary.tsdaeEffect, undefined, 'no TSDAE model, no TSDAE effect');
  });

  it('maxQueries picks the same queries every time by hash, not the first N', () => {
    const a = capQueries(fixture.evalQueries, 5).map((q) => q.text);
    const b = capQueries([...fixture.evalQueries].reverse(), 5).map((q) => q.text);
    assert.deepEqual(a, b, 'the file order does not change the choice');
    assert.notDeepEqual(a, fixture.evalQueries.slice(0, 5).map((q) => q.text));
  });

  it('the word deletion keeps at least one word and is reproducible from its seed', () => {
    const text = 'piso luminoso con terraza cerca del metro';
    assert.equal(noisyCopy(text, 0.6, 13), noisyCopy(text, 0.6, 13));
    assert.notEqual(noisyCopy(text, 0.6, 13), text);
    for (let seed = 0; seed < 50; seed++) assert.ok(noisyCopy('ático', 0.99, seed) === 'ático');
  });

  it('a user query file replaces the held-out queries for the metrics; backwards search stays on the generated ones', async () => {
    const file = path.join(artifacts, 'my-queries.jsonl');
    writeFileSync(
      file,
      [
        { query: 'ático con terraza y vistas al Retiro', relevant: ['gq-0003'] },
        { query: 'estudio en Lavapiés con altillo', relevant: ['gq-0002'] },
        { query: 'piso con balcones cerca del metro Iglesia', relevant: ['gq-0001'] },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
    );
    const result = await evaluateModels({ ...input, models: { candidate: input.models.candidate, base: input.models.base }, queriesFile: file });
    assert.equal(result.summary.querySource, 'file');
    assert.equal(result.summary.queries, 3);
    assert.ok(result.summary.metrics.bm25!.mrrAt10 > 0.5, `BM25 finds these distinctive listings: ${JSON.stringify(result.summary.metrics.bm25)}`);
    assert.ok(result.summary.backwards, 'backwards search still measured on the held-out generated queries');
  });

  it('a bad user query file fails naming the file, the line and the field', async () => {
    const write = (name: string, lines: string[]): string => {
      const file = path.join(artifacts, name);
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    };
    const good = JSON.stringify({ query: 'piso en Madrid', relevant: ['gq-0001'] });
    const cases: [string, RegExp][] = [
      [write('bad-relevant.jsonl', [good, good, JSON.stringify({ query: 'casa', relevant: [] })]), /bad-relevant\.jsonl line 3: field "relevant" must be a non-empty array/],
      [write('bad-json.jsonl', [good, '{"query": "piso", relevant: ["x"]}']), /bad-json\.jsonl line 2: not valid JSON/],
      [write('bad-query.jsonl', [JSON.stringify({ text: 'piso', relevant: ['gq-0001'] })]), /bad-query\.jsonl line 1: field "query" must be a non-empty string/],
      [write('bad-id.jsonl', [JSON.stringify({ query: 'piso', relevant: ['gq-0001', null] })]), /bad-id\.jsonl line 1: field "relevant\[1\]"/],
      [path.join(artifacts, 'missing.jsonl'), /queriesFile .*missing\.jsonl: no such file/],
    ];
    for (const [file, message] of cases) {
      await assert.rejects(evaluateModels({ ...input, queriesFile: file }), (err: Error) => {
        assert.match(err.message, message);
        return true;
      });
    }
    await assert.rejects(
      evaluateModels({ ...input, queriesFile: write('unknown-ids.jsonl', [JSON.stringify({ query: 'piso', relevant: ['listing-that-does-not-exist'] })]) }),
      /none of the relevant listing ids .* is in the corpus/,
    );
  });

  it('genq report <report.json> prints the aligned table and where report.html is; an unknown run id is a clear error', () => {
    const jsonPath = fileURLToPath(first.files['report.json']!.uri);
    const run = spawnSync(process.execPath, ['dist/cli/genq.js', 'report', jsonPath], { cwd: stack.projectRoot, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const table = run.stdout.split('\n');
    const header = table.find((l) => l.startsWith('model') && l.includes('nDCG@10'))!;
    const candidate = table.find((l) => l.startsWith('candidate'))!;
    assert.ok(header && candidate, run.stdout);
    assert.ok(candidate.includes(first.summary.metrics.candidate!.ndcgAt10.toFixed(4)));
    assert.equal(candidate.length, header.length, 'columns are aligned');
    assert.match(run.stdout, /Backwards search/);
    assert.match(run.stdout, /TSDAE effect/);
    assert.ok(run.stdout.includes(`report.html  ${fileURLToPath(first.files['report.html']!.uri)}`), 'says where report.html is');

    const unknown = spawnSync(process.execPath, ['dist/cli/genq.js', 'report', uniqueName('no-such-run')], { cwd: stack.projectRoot, encoding: 'utf8' });
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /no run with id no-such-run/);
  });

  it('works the same against the S3 store', async () => {
    const s3 = openArtifactStore(`s3://${stack.s3.bucket}/${uniqueName('test-evaluate')}`);
    const model = await commitPackage(s3, fileURLToPath(input.models.candidate.uri));
    const result = await evaluateModels({
      artifacts: s3.rootUri,
      corpus: { file: await put(s3, 'fixtures/chunks.jsonl', fixture.chunks), format: 'chunks' },
      heldOutPairs: await put(s3, 'fixtures/pairs.heldout.jsonl', fixture.heldOut),
      models: { candidate: model, base: model },
      settings: { batchSize: 16 },
    });
    assert.ok(result.files['report.html']!.uri.startsWith('s3://'));
    assert.deepEqual(result.summary.metrics, first.summary.metrics, 'same data, same numbers, whichever store');
    const cli = spawnSync(process.execPath, ['dist/cli/genq.js', 'report', result.files['report.json']!.uri], { cwd: stack.projectRoot, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /candidate/);
  });
});
