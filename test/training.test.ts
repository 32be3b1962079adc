import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { cosine, OnnxEmbedder } from '../activities/model/onnxEmbedder';
import { readRunProgress } from '../cli/runProgress';
import type { TrainingProgress, TrainingSummary } from '../activities/training/runTrainingStage';
import { openHarness, pendingHeartbeat, sampleRunInput, type Harness } from './support/pipelineHarness';
import { stack } from './support/stack';
import { tinyTraining, writeLabeledFixture } from './support/training';

/** Committed checkpoint steps of a stage, read from the (local) artifact store. */
function committedCheckpointSteps(artifacts: string, stage: string): number[] {
  const root = path.join(artifacts, 'checkpoints', stage);
  if (!existsSync(root)) return [];
  const steps: number[] = [];
  for (const key of readdirSync(root))
    for (const step of readdirSync(path.join(root, key)))
      if (existsSync(path.join(root, key, step, 'checkpoint-manifest.json'))) steps.push(Number(step.replace('step-', '')));
  return steps.sort((a, b) => a - b);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function startGpuWorkerProcess(queue: string): ChildProcess {
  const child = spawn(process.execPath, ['dist/workers/gpu.js'], {
    cwd: stack.projectRoot,
    env: { ...process.env, GENQ_QUEUE_GPU: queue, GENQ_GPU_SHUTDOWN_GRACE_S: '5' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.resume();
  return child;
}

describe('training: TSDAE, MNRL and export on the gpu queue (CPU, MiniLM, tiny step counts)', function () {
  this.timeout(20 * 60_000);
  let h: Harness;
  let labeledCsv: string;
  before(async () => {
    h = await openHarness();
    labeledCsv = writeLabeledFixture(path.join(h.artifacts, 'labeled-fixture.csv'));
  });
  after(async () => h.close());

  it('takes the sample run to an exported model that onnxruntime-node reproduces (cosine >= 0.999)', async () => {
    const summary = await h.withWorkers(['cpu', 'llm', 'gpu'], async () => (await h.start({ ...sampleRunInput, ...tinyTraining() })).result());
    assert.ok(summary.artifacts.tsdaeModel && summary.artifacts.mnrlModel && summary.artifacts.modelPackage);
    const mnrl = summary.stages.mnrl!.summary as TrainingSummary;
    assert.equal(mnrl.steps, 6);
    assert.ok(Number.isFinite(mnrl.loss), `MNRL loss ${mnrl.loss}`);

    const folder = fileURLToPath(summary.artifacts.modelPackage.uri);
    const reference = JSON.parse(readFileSync(path.join(folder, 'parity-sample.json'), 'utf8')) as { texts: string[]; embeddings: number[][] };
    const embedder = await OnnxEmbedder.load(folder);
    try {
      const ours = await embedder.embed(reference.texts);
      assert.equal(ours.length, reference.texts.length);
      for (const [i, vector] of ours.entries()) {
        const c = cosine(vector, reference.embeddings[i]!);
        assert.ok(c >= 0.999, `text ${i}: cosine ${c} between onnxruntime-node and PyTorch`);
      }
    } finally {
      await embedder.close();
    }

    // The run goes on to evaluation and the promotion gate (the sample's held-out listings, SmolLM2's queries).
    assert.ok(summary.artifacts.report && summary.promotion, 'the sample run is evaluated and judged');
    const report = JSON.parse(readFileSync(fileURLToPath(summary.artifacts.report.uri), 'utf8')) as { metrics: Record<string, { ndcgAt10: number }> };
    for (const model of ['candidate', 'base', 'bm25']) assert.ok(Number.isFinite(report.metrics[model]?.ndcgAt10), `report has ${model}`);
    const { decision } = summary.promotion;
    assert.equal(decision.candidateNdcgAt10, report.metrics.candidate!.ndcgAt10);
    assert.equal(summary.promotion.promoted, decision.candidateNdcgAt10 > decision.opponentNdcgAt10 + decision.margin, summary.promotion.reason);
    assert.equal(summary.artifacts.index !== undefined, summary.promotion.promoted, 'an index exactly when promoted');
  });

  it('resumes MNRL from the newest uploaded checkpoint after its gpu worker is killed with SIGKILL', async () => {
    const interval = 4;
    const input = {
      labeledCsv,
      tsdae: { enabled: false },
      mnrl: { ...tinyTraining().mnrl, startFrom: 'base' as const, maxSteps: 24, checkpointEvery: interval, evalEvery: 0 },
      stopAfter: 'mnrl' as const,
    };
    const summary = await h.withWorkers(['cpu'], async () => {
      const handle = await h.start(input);
      const first = startGpuWorkerProcess(h.queues.gpu);
      // Kill once a checkpoint past step 0 is committed and the trainer has moved beyond it.
      const killedAfter = await waitFor('a committed MNRL checkpoint', () => committedCheckpointSteps(h.artifacts, 'mnrl').at(-1));
      await waitFor('a step past the checkpoint', async () => {
        const beat = await pendingHeartbeat<TrainingProgress>(handle);
        return beat && beat.step > killedAfter ? beat.step : undefined;
      });
      first.kill('SIGKILL');
      const newest = committedCheckpointSteps(h.artifacts, 'mnrl').at(-1)!;
      const second = startGpuWorkerProcess(h.queues.gpu);
      try {
        const result = await handle.result();
        return { result, newest };
      } finally {
        second.kill('SIGTERM');
      }
    });
    const mnrl = summary.result.stages.mnrl!.summary as TrainingSummary;
    assert.equal(mnrl.steps, 24);
    assert.ok(mnrl.resumedFromStep !== null && mnrl.resumedFromStep > 0, `resumed from ${mnrl.resumedFromStep}`);
    assert.equal(mnrl.resumedFromStep, summary.newest, 'the resume starts at the newest checkpoint uploaded before the kill');
    assert.ok(mnrl.firstReportedStep! > mnrl.resumedFromStep!, 'the resumed run goes on after its checkpoint, not from 0');
    assert.ok(mnrl.firstReportedStep! - mnrl.resumedFromStep! <= interval, 'at most one checkpoint interval is lost');
  });

  it('cancelling during TSDAE leaves a committed checkpoint and a cancelled run', async () => {
    const input = {
      labeledCsv,
      tsdae: { ...tinyTraining().tsdae, maxSteps: 2000, checkpointEvery: 100_000, seed: 7 },
      stopAfter: 'tsdae' as const,
    };
    const before = committedCheckpointSteps(h.artifacts, 'tsdae').length;
    const failure = await h.withWorkers(['cpu', 'gpu'], async () => {
      const handle = await h.start(input);
      await waitFor('two TSDAE steps', async () => {
        const beat = await pendingHeartbeat<TrainingProgress>(handle);
        return beat && beat.step >= 2 ? beat.step : undefined;
      });
      // What `genq run` and `genq status` show: the step from the heartbeat, not 0 of 2000.
      const shown = await readRunProgress(handle);
      assert.equal(shown.stage, 'tsdae');
      assert.equal(shown.total, 2000);
      assert.ok(shown.done >= 2 && shown.rate > 0 && shown.etaSeconds !== null, JSON.stringify(shown));
      assert.equal(shown.stages.find((s) => s.stage === 'tsdae')?.done, shown.done);
      await handle.cancel();
      return handle.result().then(() => null, (err: unknown) => err);
    });
    assert.ok(failure instanceof WorkflowFailedError, String(failure));
    assert.ok(failure.cause instanceof CancelledFailure, `cause: ${failure.cause}`);
    const after = committedCheckpointSteps(h.artifacts, 'tsdae');
    assert.ok(after.length > before, 'the SIGTERM checkpoint was uploaded before the run ended');
    assert.ok(after.at(-1)! >= 2);
  });

  it('fails at once, non-retryable, naming a base-model path that does not exist', async () => {
    const missing = path.join(h.artifacts, 'no-such-model');
    const input = { labeledCsv, tsdae: { enabled: false }, mnrl: { ...tinyTraining().mnrl, startFrom: 'base' as const, baseModel: missing }, stopAfter: 'mnrl' as const };
    const failure = await h.withWorkers(['cpu', 'gpu'], async () => (await h.start(input)).result().then(() => null, (err: unknown) => err));
    assert.ok(failure instanceof WorkflowFailedError);
    const cause = failure.cause?.cause ?? failure.cause;
    assert.ok(cause instanceof ApplicationFailure, String(cause));
    assert.equal(cause.nonRetryable, true);
    assert.ok(cause.message.includes(missing), cause.message);
  });
});
