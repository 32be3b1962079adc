import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { stack } from './support/stack';
import { temporaryFolder } from './support/temporaryFolder';

/**
 * Runs infra/stack.sh against a second, private stack (own state folder, own ports) so the stack the other
 * suites use is never touched. The binaries are shared (GENQ_HOME).
 */
describe('stack: infra/stack.sh start/stop', function () {
  const stateDir = temporaryFolder('genq-stack-test-');
  chmodSync(stateDir, 0o755); // PostgreSQL runs as its own user and must reach its data folder.
  const ports = { GENQ_TEMPORAL_PORT: 17233, GENQ_TEMPORAL_UI_PORT: 18233, GENQ_S3_PORT: 17070, GENQ_PG_PORT: 56432, GENQ_OLLAMA_PORT: 21435 };
  const env = { ...process.env, GENQ_HOME: stack.genqHome, GENQ_STATE_DIR: stateDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  const script = path.join(stack.projectRoot, 'infra', 'stack.sh');
  const run = (...args: string[]) => {
    const result = spawnSync('bash', [script, ...args], { env, encoding: 'utf8', timeout: 150_000 });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };
  const pidOf = (service: string): number => Number(readFileSync(path.join(stateDir, 'run', `${service}.pid`), 'utf8'));
  const isAlive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const services = ['temporal', 's3', 'postgres'];
  let pids: number[] = [];

  after(() => {
    run('stop');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts temporal, s3 and postgres, each healthy with a PID file and a log', () => {
    const { code, out } = run('start', ...services);
    assert.equal(code, 0, out);
    for (const s of services) assert.match(out, new RegExp(`${s}: up on 127\\.0\\.0\\.1:\\d+ \\(pid \\d+, log .*${s}\\.log\\)`));
    pids = services.map(pidOf);
    assert.ok(pids.every(isAlive));
  });

  it('treats a second start as a no-op: same processes, "already running"', () => {
    const { code, out } = run('start', ...services);
    assert.equal(code, 0, out);
    for (const s of services) assert.match(out, new RegExp(`${s}: already running`));
    assert.deepEqual(services.map(pidOf), pids);
  });

  it('reports a taken port with the service name, the port and its log', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.GENQ_OLLAMA_PORT, '127.0.0.1', resolve));
    try {
      const { code, out } = run('start', 'ollama');
      assert.notEqual(code, 0);
      assert.match(out, /ollama: port 21435 on 127\.0\.0\.1 is already taken/);
      assert.match(out, new RegExp(`Log: ${stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/logs/ollama\\.log`));
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('stops every service and leaves no process or listening port behind', async () => {
    const { code, out } = run('stop');
    assert.equal(code, 0, out);
    // Each service ran in its own process group: nothing of any group may survive.
    for (const pid of pids) {
      assert.equal(isAlive(pid), false, `pid ${pid} survived stop`);
      const group = spawnSync('pgrep', ['-g', String(pid)], { encoding: 'utf8' });
      assert.equal(group.stdout.trim(), '', `process group ${pid} still has ${group.stdout}`);
    }
    for (const port of [ports.GENQ_TEMPORAL_PORT, ports.GENQ_TEMPORAL_UI_PORT, ports.GENQ_S3_PORT, ports.GENQ_PG_PORT]) {
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
      });
    }
  });
});
