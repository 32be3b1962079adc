import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openHarness, sampleRunInput, type Harness } from './support/pipelineHarness';
import { stack } from './support/stack';
import { temporaryFolder } from './support/temporaryFolder';
import { readRunProgress } from '../cli/runProgress';

/**
 * Chunks answered so far: one cache entry per chunk (cache/queries/<key>/<xx>/<sha>.json). With `usable`,
 * only good answers count: a chunk quarantined after fewer than maxAttempts replies may be asked again.
 */
function cachedAnswers(artifacts: string, usable = false): number {
  const root = path.join(artifacts, 'cache', 'queries');
  if (!existsSync(root)) return 0;
  let n = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (/^[0-9a-f]{64}\.json$/.test(entry.name)) {
        if (!usable) n += 1;
        else if ((JSON.parse(readFileSync(path.join(dir, entry.name), 'utf8')) as { status?: string }).status === 'ok') n += 1;
      }
    }
  };
  walk(root);
  return n;
}

function startLlmWorkerProcess(queue: string): ChildProcess {
  const child = spawn(process.execPath, ['dist/workers/llm.js'], {
    cwd: stack.projectRoot,
    env: { ...process.env, GENQ_QUEUE_LLM: queue },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.resume();
  return child;
}

describe('pipeline: an llm worker killed with SIGKILL during query generation', function () {
  this.timeout(20 * 60_000);
  let h: Harness;
  before(async () => {
    // A private artifact folder: the cache starts empty, so every cache entry below was written by this run.
    h = await openHarness({ artifacts: temporaryFolder('genq-crash-') });
  });
  after(async () => h.close());

  it('completes after a restart, and no chunk finished before the kill is asked again', async () => {
    const input = { ...sampleRunInput, queries: { ...sampleRunInput.queries, shardSize: 16, concurrency: 2 }, stopAfter: 'assemble' as const };
    const { summary, answeredBeforeKill, shown } = await h.withWorkers(['cpu'], async () => {
      const handle = await h.start(input);
      const first = startLlmWorkerProcess(h.queues.llm);
      const deadline = Date.now() + 10 * 60_000;
      while (cachedAnswers(h.artifacts, true) < 3) {
        if (Date.now() > deadline) throw new Error('no chunk was answered within 10 minutes');
        await new Promise((r) => setTimeout(r, 200));
      }
      // What `genq run` shows meanwhile: the running shard's finished chunks, before the shard itself ends.
      let shown = await readRunProgress(handle);
      while (shown.done === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        shown = await readRunProgress(handle);
      }
      first.kill('SIGKILL');
      const answeredBeforeKill = cachedAnswers(h.artifacts, true);
      const second = startLlmWorkerProcess(h.queues.llm);
      try {
        return { summary: await handle.result(), answeredBeforeKill, shown };
      } finally {
        second.kill('SIGTERM');
      }
    });
    assert.equal(summary.queryShards.total, 1);
    assert.equal(shown.stage, 'queries');
    assert.ok(shown.done >= 1 && shown.done < shown.total && shown.total === summary.artifacts.chunks!.count, `shown while the shard ran: ${JSON.stringify(shown)}`);
    assert.ok(answeredBeforeKill >= 3 && answeredBeforeKill < summary.artifacts.chunks!.count!, `answered before the kill: ${answeredBeforeKill}`);
    // The retried shard took every chunk answered before the kill from the cache instead of asking again.
    assert.ok(summary.queryShards.cacheHits >= answeredBeforeKill, `cache hits ${summary.queryShards.cacheHits} < ${answeredBeforeKill} answered before the kill`);
    assert.equal(cachedAnswers(h.artifacts), summary.artifacts.chunks!.count!, 'every chunk answered exactly once');
  });
});
