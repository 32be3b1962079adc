import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArtifactStore } from '../activities/artifacts/openStore';
import { readChampion, type Champion } from '../activities/promote/champion';
import { rollbackChampion } from '../activities/promote/rollback';
import type { PipelineSummary } from '../workflows/genqPipeline';
import type { PipelineInput } from '../workflows/settings/pipeline';
import { openHarness, readArtifactText, type Harness } from './support/pipelineHarness';
import { stack, uniqueName } from './support/stack';
import { tinyTraining, writeLabeledFixture } from './support/training';

interface ReportJson {
  metrics: Record<string, { ndcgAt10: number; mrrAt10: number; recallAt10: number; recallAt100: number }>;
}

describe('release: evaluate, index and promote at the end of a run (labelled fixture, tiny training)', function () {
  this.timeout(30 * 60_000);
  let h: Harness;
  let labeledCsv: string;
  const indexName = uniqueName('pisos').toLowerCase();
  let first: PipelineSummary;
  let firstChampion: Champion | null;

  before(async () => {
    h = await openHarness();
    labeledCsv = writeLabeledFixture(path.join(h.artifacts, 'labeled-release.csv'));
  });
  after(async () => h.close());

  let firstRunId = '';
  const run = (input: Partial<PipelineInput>): Promise<PipelineSummary> =>
    h.withWorkers(['cpu', 'gpu'], async () => {
      const handle = await h.start({ labeledCsv, ...tinyTraining(), ...input });
      firstRunId ||= handle.workflowId;
      return handle.result();
    });

  it('reports the model against the base model and BM25, builds its index and makes it the first champion', async () => {
    first = await run({ promote: { indexName, margin: -1 } });
    const { report, reportHtml, index, modelPackage, basePackage, tsdaePackage } = first.artifacts;
    assert.ok(report && reportHtml && index && modelPackage && basePackage && tsdaePackage, 'evaluate, index and the packaged base/TSDAE models are artifacts');
    const metrics = (JSON.parse(await readArtifactText(report.uri)) as ReportJson).metrics;
    for (const model of ['candidate', 'base', 'bm25']) {
      const m = metrics[model];
      assert.ok(m, `report has ${model}`);
      for (const value of [m.ndcgAt10, m.mrrAt10, m.recallAt10, m.recallAt100]) assert.ok(value >= 0 && value <= 1, `${model}: ${value}`);
      assert.ok(m.recallAt100 >= m.recallAt10);
    }
    assert.ok(metrics.candidate!.ndcgAt10 > 0.1, `the fine-tuned model finds held-out listings: nDCG@10 ${metrics.candidate!.ndcgAt10}`);
    assert.match(await readArtifactText(reportHtml.uri), /<svg/);
    const printed = execFileSync(process.execPath, ['dist/cli/genq.js', 'report', firstRunId], { cwd: stack.projectRoot, encoding: 'utf8' });
    assert.match(printed, new RegExp(`candidate\\s+${metrics.candidate!.ndcgAt10.toFixed(4)}`), `genq report prints the candidate's nDCG@10:\n${printed}`);
    assert.match(printed, /report\.html\s+file:\/\//);

    assert.equal(first.promotion?.promoted, true, first.promotion?.reason);
    assert.equal(first.promotion?.decision.opponent, 'base');
    const champion = await readChampion(openArtifactStore(h.artifacts), indexName);
    assert.equal(champion?.modelVersion, modelPackage.sha256);
    assert.deepEqual(champion?.index, index);
    firstChampion = champion;
    assert.ok(existsSync(fileURLToPath(index.uri)), 'the champion\'s index is committed');
  });

  it("does not promote the champion's own model again: a re-run is measured against it and kept out", async () => {
    const again = await run({ promote: { indexName } });
    assert.equal(again.stages.mnrl?.reused, true, 'training is reused; only evaluation (now with a champion) runs again');
    assert.equal(again.promotion?.promoted, false);
    assert.equal(again.promotion?.decision.opponent, 'champion');
    // The same model against itself: equal scores on the same queries, and it is not promoted over itself.
    assert.equal(again.promotion?.decision.candidateNdcgAt10, again.promotion?.decision.opponentNdcgAt10);
    assert.match(again.promotion!.reason, /not promoted: this model is already the champion/);
    assert.equal(again.artifacts.index, undefined, 'no index is built for a model that is not promoted');
    assert.deepEqual(await readChampion(openArtifactStore(h.artifacts), indexName), firstChampion, 'the pointer did not move');
  });

  it('keeps the champion when a different model does not beat it by the margin; promotes it when it does; rollback restores the first', async () => {
    const challenger = tinyTraining({ mnrl: { seed: 7 } });
    // No nDCG@10 can beat another by a whole point: the gate must say no, with both numbers.
    const gated = await run({ ...challenger, promote: { indexName, margin: 1 } });
    assert.equal(gated.promotion?.promoted, false);
    assert.equal(gated.promotion?.decision.opponent, 'champion');
    assert.match(gated.promotion!.reason, /not promoted: nDCG@10 \d\.\d{4} against the champion's \d\.\d{4} \(margin 1\)/);
    assert.deepEqual(await readChampion(openArtifactStore(h.artifacts), indexName), firstChampion, 'the pointer did not move');

    const second = await run({ ...challenger, promote: { indexName, margin: -1 } });
    assert.equal(second.stages.mnrl?.reused, true);
    assert.equal(second.promotion?.promoted, true, second.promotion?.reason);
    assert.notEqual(second.artifacts.modelPackage?.sha256, first.artifacts.modelPackage?.sha256);
    const store = openArtifactStore(h.artifacts);
    assert.equal((await readChampion(store, indexName))?.modelVersion, second.artifacts.modelPackage?.sha256);
    const change = await rollbackChampion(store, indexName);
    assert.equal(change.champion.modelVersion, first.artifacts.modelPackage?.sha256);
    assert.equal((await readChampion(store, indexName))?.modelVersion, first.artifacts.modelPackage?.sha256);
  });
});
