/**
 * Spawns the Python trainer (`python -m genq_trainer <stage> --config <file>`) and relays its protocol
 * events. stderr goes to a log file and its tail is kept for error messages.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadStackSettings } from '../../infra/stackSettings';
import { parseTrainerLine, type TrainerEvent } from './protocol';

export type TrainerCommand = 'tsdae' | 'mnrl' | 'export';

export interface TrainerRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

export interface SpawnTrainerOptions {
  command: TrainerCommand;
  configPath: string;
  logPath: string;
  onEvent: (event: TrainerEvent) => void | Promise<void>;
  /** When aborted, the trainer gets SIGTERM: it saves a checkpoint and exits 75. */
  signal?: AbortSignal;
}

/** The Python that runs the trainer: GENQ_PYTHON, else the venv infra/setup.sh made. */
export function trainerPython(): string {
  return process.env.GENQ_PYTHON ?? path.join(loadStackSettings().genqHome, 'venv', 'bin', 'python');
}

export async function runTrainer(options: SpawnTrainerOptions): Promise<TrainerRun> {
  const settings = loadStackSettings();
  const child = spawn(trainerPython(), ['-m', 'genq_trainer', options.command, '--config', options.configPath], {
    cwd: settings.projectRoot,
    env: {
      ...process.env,
      PYTHONPATH: [path.join(settings.projectRoot, 'trainer'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      PYTHONUNBUFFERED: '1',
      // The trainer exits by itself when this process dies (even by SIGKILL), so no orphan keeps a GPU busy.
      GENQ_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
  });
  const onAbort = (): void => {
    child.kill('SIGTERM');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  // Events are handled one at a time, in order: a checkpoint upload finishes before the next event is seen.
  let chain: Promise<void> = Promise.resolve();
  let handlerError: unknown = null;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const event = parseTrainerLine(line);
    if (!event) {
      log.write(`[stdout] ${line}\n`);
      return;
    }
    chain = chain.then(() => options.onEvent(event)).catch((err: unknown) => {
      handlerError ??= err;
    });
  });

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  options.signal?.removeEventListener('abort', onAbort);
  await chain;
  await new Promise<void>((resolve) => log.end(resolve));
  if (handlerError) throw handlerError;
  return { exitCode, signal, stderrTail };
}
