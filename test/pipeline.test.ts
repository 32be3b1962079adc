import assert from 'node:assert/strict';
import path from 'node:path';
import { stack } from './support/stack';
import { existsSync } from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'csv-parse/sync';
import type { PipelineSummary } from '../workflows';
import { jsonLines, openHarness, readArtifactText, sampleRunInput, type Harness } from './support/pipelineHarness';

const referenceLabeledCsv = path.resolve(stack.projectRoot, '..', 'shared', 'data', 'seed_genq', 'labeled.csv');

describe('pipeline: genqPipeline on the real stack (extract → chunk → queries → labeled)', function () {
  // SmolLM2 on 2 CPU cores answers a chunk in seconds: the run takes the sample's first three listings (one of
  // them long: 16 chunks in all) in shards of 6, so fan-out, reuse and the cache are all exercised.
  this.timeout(15 * 60_000);
  let h: Harness;
  let first: PipelineSummary;
  const input = { ...sampleRunInput, stopAfter: 'assemble' as const };

  before(async () => {
    h = await openHarness();
  });
  after(async () => h.close());

  it('runs the sample end to end through Ollama and SmolLM2 to labeled.csv and pairs.jsonl, five queries per chunk', async () => {
    first = await h.withWorkers(['cpu', 'llm'], async () => (await h.start(input)).result());
    const listings = first.artifacts.listings!;
    const chunks = first.artifacts.chunks!;
    assert.equal(listings.count, 3);
    assert.ok(chunks.count! > listings.count!, 'long descriptions are split into several chunks');

    const rows = parse(await readArtifactText(first.artifacts.labeledCsv.uri), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]!), ['id', 'document', 'query1', 'query2', 'query3', 'query4', 'query5']);
    assert.ok(rows.length >= chunks.count! * 0.9, `${rows.length} labelled rows for ${chunks.count} chunks`);
    for (const row of rows) for (let i = 1; i <= 5; i++) assert.ok(row[`query${i}`]!.trim().length > 0, `row ${row.id} query${i} is empty`);

    const pairs = jsonLines<{ query: string; chunk: string; chunk_id: string; listing_id: string }>(await readArtifactText(first.artifacts.pairs.uri));
    assert.equal(pairs.length, rows.length * 5);
    const train = jsonLines<{ listing_id: string }>(await readArtifactText(first.artifacts.trainPairs.uri));
    const heldOut = jsonLines<{ listing_id: string }>(await readArtifactText(first.artifacts.heldOutPairs.uri));
    assert.equal(train.length + heldOut.length, pairs.length);
    const heldOutListings = new Set(heldOut.map((p) => p.listing_id));
    assert.ok(heldOutListings.size > 0);
    assert.ok(train.every((p) => !heldOutListings.has(p.listing_id)), 'the held-out split is by listing');
    assert.equal(first.queryShards.total, Math.ceil(chunks.count! / 6));
    assert.ok(first.queryShards.llmCalls >= chunks.count!, 'every chunk was asked once the first time');
  });

  it('reuses every stage on the same input: nothing recomputed, zero LLM calls', async () => {
    const again = await h.withWorkers(['cpu', 'llm'], async () => (await h.start(input)).result());
    for (const [stage, s] of Object.entries(again.stages)) assert.equal(s.reused, true, `${stage} was recomputed`);
    assert.equal(again.queryShards.llmCalls, 0);
    assert.equal(again.queryShards.reused, again.queryShards.total);
    assert.equal(again.artifacts.labeledCsv.sha256, first.artifacts.labeledCsv.sha256);
  });

  it('recomputes a forced stage from the per-chunk cache without asking the LLM', async () => {
    const forced = await h.withWorkers(['cpu', 'llm'], async () => (await h.start({ ...input, force: ['queries'] })).result());
    assert.equal(forced.stages.extract!.reused, true);
    assert.equal(forced.queryShards.reused, 0);
    assert.equal(forced.queryShards.llmCalls, 0);
    assert.ok(forced.queryShards.cacheHits >= first.artifacts.chunks!.count!);
  });

  it('starts from an existing labelled CSV (the reference data) instead of generating', async () => {
    assert.ok(existsSync(referenceLabeledCsv), `the method's reference data is expected at ${referenceLabeledCsv} (../shared beside the clone)`);
    const summary = await h.withWorkers(['cpu'], async () => (await h.start({ labeledCsv: referenceLabeledCsv, stopAfter: 'assemble' })).result());
    assert.equal(summary.stages.extract, undefined);
    assert.ok(summary.artifacts.pairs.count! > 15_000, `${summary.artifacts.pairs.count} pairs imported`);
  });

  it('rejects a bad input at once, non-retryable, naming the field', async () => {
    const handle = await h.start({ extract: { source: { kind: 'ftp' } } } as never);
    const failure = await h.withWorkers(['cpu'], () => handle.result().then(() => null, (err: unknown) => err));
    assert.ok(failure instanceof WorkflowFailedError);
    assert.ok(failure.cause instanceof ApplicationFailure);
    assert.equal(failure.cause.nonRetryable, true);
    assert.match(failure.cause.message, /extract\.source/);
  });
});
