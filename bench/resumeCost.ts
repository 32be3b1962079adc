/**
 * Benchmark: what a kill and resume costs our trainer's MNRL stage, against the same run uninterrupted.
 * Printed, not asserted.
 *
 *   npm run bench -- resume-cost [--steps N] [--checkpoint-every K] [--kill-at S] [--signal KILL|TERM]
 *       [--base-model PATH_OR_ID] [--pairs pairs.jsonl] [--threads T] [--keep]
 *
 * (1) baseline: `python -m genq_trainer mnrl` for N steps (default 20) with checkpoint_every K (default 5),
 *     uninterrupted; wall time from spawn to exit.
 * (2) the same config in a fresh output folder, killed (SIGKILL by default, like a pre-empted machine; with
 *     --signal TERM the trainer checkpoints and exits 75) as soon as its progress line for step S arrives
 *     (default: half way through the interval after the middle of the run, 12 for N=20, K=5); then the same
 *     config again with `resume_from` = the newest complete checkpoint folder (manifest.json present) in
 *     checkpoint_dir, to the end. Wall time = killed process + resumed process, spawn to exit each.
 * Steps lost = the last step the killed run reported (progress lines, every step) minus the newest
 * checkpoint's step: the steps the resumed run has to do again; the bound is one interval (K).
 * Everything runs at fp32 on the CPU, on a seeded sample of N x 32 training pairs of the reference data
 * (../shared/data/seed_genq/labeled.csv through the project's importLabeledCsv), or of --pairs.
 * The wall-time ratio includes a second process start (Python, torch, model load, checkpoint restore): at
 * these tiny sizes that fixed cost dominates; in a real run of thousands of steps it is amortised.
 */
import { readdir, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import {
  defaultBaseModel,
  fixed,
  importReferencePairs,
  inScratchDir,
  intOption,
  lastEvent,
  ratio,
  runBench,
  runPython,
  samplePairs,
  stringOption,
  writeJson,
  type PythonRun,
} from './lib/trainerBench';

const NAME = 'resume-cost';
const BATCH = 32;
const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');

/** The newest checkpoint folder that is complete (manifest.json, written last), with its step. */
async function newestCheckpoint(dir: string): Promise<{ path: string; step: number } | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const steps = names
    .map((name) => ({ name, match: /^step-(\d+)$/.exec(name) }))
    .filter((e): e is { name: string; match: RegExpExecArray } => e.match !== null)
    .map((e) => ({ path: path.join(dir, e.name), step: Number(e.match[1]) }))
    .sort((a, b) => b.step - a.step);
  for (const candidate of steps) {
    if (await stat(path.join(candidate.path, 'manifest.json')).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

const progressSteps = (run: PythonRun): number[] => run.events.filter((e) => e.type === 'progress').map((e) => Number(e.step));
const lastProgress = (run: PythonRun): Record<string, unknown> | undefined => [...run.events].reverse().find((e) => e.type === 'progress');

async function run(): Promise<void> {
  const steps = intOption('steps', 20, 2);
  const every = intOption('checkpoint-every', 5);
  const defaultKillAt = Math.min(steps - 1, Math.floor(steps / 2 / every) * every + Math.max(1, Math.floor(every / 2)));
  const killAt = intOption('kill-at', defaultKillAt);
  const signal = (stringOption('signal') ?? 'KILL').toUpperCase();
  if (signal !== 'KILL' && signal !== 'TERM') throw new Error(`--signal must be KILL or TERM, got ${signal}`);
  if (killAt >= steps) throw new Error(`--kill-at ${killAt} must be below --steps ${steps}`);
  const threadsRaw = stringOption('threads');
  const threads = threadsRaw === undefined ? null : intOption('threads', 1);
  await inScratchDir('resume-cost', async (dir) => {
    const log = path.join(dir, 'bench.log');
    const baseModel = stringOption('base-model') ?? (await defaultBaseModel(log));
    const pairsOption = stringOption('pairs');
    const source = pairsOption ? path.resolve(pairsOption) : (await importReferencePairs(dir)).train;
    const trainFile = path.join(dir, 'pairs.bench.jsonl');
    const sampled = await samplePairs(source, trainFile, steps * BATCH, 42);
    console.log(
      `resume cost: base model ${baseModel}, ${steps} steps of ${BATCH} on ${sampled} pairs (${pairsOption ?? 'reference data, training side'}), ` +
        `checkpoint every ${every}, SIG${signal} after step ${killAt}, fp32 on CPU, threads ${threads ?? `torch default (OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? 'unset'})`}; logs ${log}`,
    );

    const config = (name: string, resumeFrom: string | null = null): Record<string, unknown> => ({
      base_model: baseModel,
      pooling: 'mean',
      train_file: trainFile,
      output_dir: path.join(dir, name),
      checkpoint_dir: path.join(dir, `${name}.checkpoints`),
      batch_size: BATCH,
      max_steps: steps,
      warmup_ratio: 0.1,
      checkpoint_every: every,
      keep_checkpoints: 2,
      progress_every: 1,
      device: 'cpu',
      precision: 'fp32',
      cpu_threads: threads,
      seed: 42,
      resume_from: resumeFrom,
    });
    const mnrl = async (name: string, settings: Record<string, unknown>, onEvent?: Parameters<typeof runPython>[0]['onEvent']): Promise<PythonRun> => {
      const configPath = path.join(dir, `${name}.json`);
      await writeJson(configPath, settings);
      return runPython({ args: ['-m', 'genq_trainer', 'mnrl', '--config', configPath], logPath: log, onEvent });
    };

    // (1) uninterrupted
    console.log(`  load average before the uninterrupted run: ${load()}`);
    const whole = await mnrl('uninterrupted', config('uninterrupted'));
    const wholeDone = lastEvent(whole, 'done', 'the uninterrupted run').metrics as { loss: number; elapsed_s: number };
    console.log(`  uninterrupted: exit ${whole.code}, ${fixed(whole.wallS, 1)} s (training loop ${fixed(wholeDone.elapsed_s, 1)} s), final loss ${fixed(wholeDone.loss, 6)}`);

    // (2) killed part way, then resumed from the newest checkpoint
    console.log(`  load average before the interrupted run: ${load()}`);
    let sentAt: number | undefined;
    const killed = await mnrl('interrupted', config('interrupted'), (event, child) => {
      if (sentAt === undefined && event.type === 'progress' && Number(event.step) >= killAt) {
        sentAt = Number(event.step);
        child.kill(`SIG${signal}` as NodeJS.Signals);
      }
    });
    if (sentAt === undefined) throw new Error(`the run ended (exit ${killed.code}) before step ${killAt}: ${killed.stderrTail}`);
    const reached = Math.max(...progressSteps(killed));
    const killedLoop = Number(lastProgress(killed)?.elapsed_s ?? NaN);
    const checkpoint = await newestCheckpoint(path.join(dir, 'interrupted.checkpoints'));
    if (!checkpoint) throw new Error(`no complete checkpoint in ${path.join(dir, 'interrupted.checkpoints')} after step ${reached}`);
    const lost = reached - checkpoint.step;
    console.log(
      `  interrupted: SIG${signal} sent after the progress line of step ${sentAt}; last step reported ${reached}; ` +
        `exit ${killed.code ?? killed.signal}, ${fixed(killed.wallS, 1)} s (training loop ${fixed(killedLoop, 1)} s); newest checkpoint ${path.basename(checkpoint.path)} (step ${checkpoint.step})`,
    );

    console.log(`  load average before the resumed run: ${load()}`);
    const resumed = await mnrl('interrupted', config('interrupted', checkpoint.path));
    const resumedDone = lastEvent(resumed, 'done', 'the resumed run').metrics as { loss: number; elapsed_s: number; steps: number };
    const resumedSteps = progressSteps(resumed);
    console.log(
      `  resumed: exit ${resumed.code}, steps ${resumedSteps[0]}..${resumedSteps.at(-1)}, ${fixed(resumed.wallS, 1)} s (training loop ${fixed(resumedDone.elapsed_s, 1)} s), ` +
        `final loss ${fixed(resumedDone.loss, 6)} (uninterrupted ${fixed(wholeDone.loss, 6)}: ${resumedDone.loss === wholeDone.loss ? 'identical' : 'differs'})`,
    );
    if (resumedSteps[0] !== checkpoint.step + 1) console.log(`  WARNING: the resumed run began at step ${resumedSteps[0]}, not ${checkpoint.step + 1}`);

    const interruptedWall = killed.wallS + resumed.wallS;
    const loops = killedLoop + resumedDone.elapsed_s;
    console.log(
      `  training-loop time only (process starts excluded): interrupted+resumed ${fixed(loops, 1)} s vs uninterrupted ${fixed(wholeDone.elapsed_s, 1)} s, ratio ${ratio(loops, wholeDone.elapsed_s)}`,
    );
    console.log(`bench ${NAME}: steps_lost=${lost} steps baseline=${every} ratio=${ratio(lost, every)}`);
    console.log(`bench ${NAME}: wall_time=${fixed(interruptedWall, 1)} s baseline=${fixed(whole.wallS, 1)} ratio=${ratio(interruptedWall, whole.wallS)}`);
  });
}

runBench(run);
