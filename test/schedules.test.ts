import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { connectClient } from '../client/connect';
import { stack, uniqueName } from './support/stack';

const genq = (...args: string[]) => {
  const run = spawnSync(process.execPath, [path.join(stack.projectRoot, 'dist', 'cli', 'genq.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
};

describe('schedules: genq schedule create|list|pause|unpause|delete on the real Temporal server', () => {
  const id = uniqueName('retrain');
  const config = path.join(tmpdir(), `${id}.json`);
  before(() => writeFileSync(config, JSON.stringify({ extract: { source: { kind: 'jsonl', path: 'sample/spanish-listings.jsonl' } }, stopAfter: 'assemble' })));

  it('creates a daily schedule with overlap SKIP and the validated input, then pauses, unpauses and deletes it', async () => {
    assert.equal(genq('schedule', 'create', id, '--config', config, '--cron', '0 3 * * *').code, 0);
    const client = await connectClient();
    try {
      const described = await client.schedule.getHandle(id).describe();
      assert.equal(described.policies.overlap, ScheduleOverlapPolicy.SKIP);
      assert.equal(described.action.type, 'startWorkflow');
      assert.match(genq('schedule', 'list').out, new RegExp(`${id}\\s+active`));
      assert.equal(genq('schedule', 'pause', id).code, 0);
      assert.equal((await client.schedule.getHandle(id).describe()).state.paused, true);
      assert.equal(genq('schedule', 'unpause', id).code, 0);
      assert.equal((await client.schedule.getHandle(id).describe()).state.paused, false);
      assert.equal(genq('schedule', 'delete', id).code, 0);
      await assert.rejects(client.schedule.getHandle(id).describe());
    } finally {
      await client.connection.close();
    }
  });

  it('refuses a schedule whose config is invalid, naming the field, and creates nothing', () => {
    const bad = path.join(tmpdir(), `${id}-bad.json`);
    writeFileSync(bad, JSON.stringify({ extract: { source: { kind: 'jsonl' } } }));
    const { code, out } = genq('schedule', 'create', `${id}-bad`, '--config', bad, '--every', '24h');
    assert.notEqual(code, 0);
    assert.match(out, /extract\.source\.path/);
  });
});
