/**
 * The trainer bridge: one pipeline stage run by the Python trainer. It writes the trainer's config, spawns
 * it, relays its progress as heartbeats, uploads every checkpoint to the artifact store as soon as it is
 * written (keeping the newest K), and on a retry restores the newest checkpoint and resumes there. A
 * cancellation sends SIGTERM: the trainer saves a checkpoint, which is uploaded before the activity ends as
 * cancelled. The output is committed like any stage (content key, manifest last).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { loadStackSettings } from '../../infra/stackSettings';
import { openArtifactStore } from '../artifacts/openStore';
import { runStage, type StageSpec } from '../artifacts/stageRunner';
import type { ArtifactStore } from '../artifacts/store';
import type { StageResult } from '../artifacts/types';
import { cancellationSignal, cancelledFailure, heartbeat, lastHeartbeat } from '../activityContext';
import { downloadCheckpoint, latestCheckpoint, pruneCheckpoints, uploadCheckpoint, type StoredCheckpoint } from './checkpointStore';
import { failureOf } from './failures';
import type { ErrorEvent, TrainerEvent } from './protocol';
import { runTrainer, type TrainerCommand } from './trainerProcess';

export interface TrainingProgress {
  step: number;
  totalSteps?: number;
  loss?: number | null;
  perSecond?: number;
  /** Optimizer steps per second of this attempt, for progress bars and ETAs. */
  stepsPerSecond?: number;
  checkpoint?: StoredCheckpoint;
}

export interface TrainingSummary {
  steps: number;
  loss: number | null;
  /** The checkpoint step this attempt resumed from (null: started from scratch). */
  resumedFromStep: number | null;
  /** The first step this attempt reported, to show how much a resume lost. */
  firstReportedStep: number | null;
  checkpointsUploaded: number;
  perSecond: number | null;
  metrics: Record<string, unknown>;
  elapsedSeconds: number;
}

export interface TrainingStageOptions {
  command: TrainerCommand;
  artifacts: string;
  force?: boolean;
  spec: StageSpec;
  keepCheckpoints: number;
  /** Builds the trainer config once input files are local; `outputDir` and `checkpointDir` are set by the bridge. */
  buildConfig: (store: ArtifactStore, paths: { outputDir: string; checkpointDir: string; resumeFrom?: string }) => Promise<Record<string, unknown>>;
}

/** Heartbeats while the trainer lives, so a slow step (or a long checkpoint upload) never looks like a dead worker. */
const KEEPALIVE_MS = 5000;

export async function runTrainingStage(options: TrainingStageOptions): Promise<StageResult<TrainingSummary>> {
  const store = openArtifactStore(options.artifacts || undefined);
  const settings = loadStackSettings();
  return runStage<TrainingSummary>(store, options.spec, { force: options.force }, async (workDir, key) => {
    const checkpointPrefix = `checkpoints/${options.spec.stage}/${key}`;
    const started = Date.now();
    const outputDir = path.join(workDir, 'model');
    const checkpointDir = path.join(workDir, 'checkpoints');
    const progressLog = path.join(workDir, 'progress.jsonl');
    const trainerLog = path.join(settings.genqHome, 'logs', `trainer-${options.spec.stage}-${key}.log`);
    await mkdir(path.dirname(trainerLog), { recursive: true });
    await mkdir(checkpointDir, { recursive: true });

    // Resume: the newest checkpoint the previous attempt reported, else the newest committed one.
    const previous = lastHeartbeat<TrainingProgress>();
    const resumeFrom = previous?.checkpoint ?? (await latestCheckpoint(store, checkpointPrefix));
    let resumeDir: string | undefined;
    if (resumeFrom) {
      resumeDir = await downloadCheckpoint(store, resumeFrom, path.join(workDir, `resume-${resumeFrom.step}`));
      heartbeat({ step: resumeFrom.step, checkpoint: resumeFrom } satisfies TrainingProgress);
    }

    const config = await options.buildConfig(store, { outputDir, checkpointDir, resumeFrom: resumeDir });
    const configPath = path.join(workDir, 'config.json');
    await writeFile(configPath, JSON.stringify(config, null, 2));

    let latest: TrainingProgress = { step: resumeFrom?.step ?? 0, ...(resumeFrom ? { checkpoint: resumeFrom } : {}) };
    let firstReportedStep: number | null = null;
    let lastError: ErrorEvent | null = null;
    let done: Extract<TrainerEvent, { type: 'done' }> | null = null;
    let uploaded = 0;

    const onEvent = async (event: TrainerEvent): Promise<void> => {
      switch (event.type) {
        case 'progress': {
          firstReportedStep ??= event.step;
          const perSecond = typeof event.pairs_or_sentences_per_s === 'number' ? event.pairs_or_sentences_per_s : undefined;
          const elapsed = typeof event.elapsed_s === 'number' ? event.elapsed_s : 0;
          const stepsPerSecond = elapsed > 0 ? (event.step - (resumeFrom?.step ?? 0)) / elapsed : undefined;
          latest = { ...latest, step: event.step, totalSteps: event.total_steps, loss: event.loss ?? null, perSecond, stepsPerSecond };
          appendFileSync(progressLog, `${JSON.stringify(event)}\n`);
          heartbeat(latest);
          break;
        }
        case 'eval':
          appendFileSync(progressLog, `${JSON.stringify(event)}\n`);
          break;
        case 'checkpoint': {
          const stored = await uploadCheckpoint(store, checkpointPrefix, event.step, event.path);
          await pruneCheckpoints(store, checkpointPrefix, options.keepCheckpoints);
          uploaded += 1;
          latest = { ...latest, checkpoint: stored };
          heartbeat(latest);
          break;
        }
        case 'done':
          done = event;
          break;
        case 'error':
          lastError = event;
          break;
      }
    };

    const signal = cancellationSignal();
    const keepAlive = setInterval(() => heartbeat(latest), KEEPALIVE_MS);
    let run;
    try {
      run = await runTrainer({ command: options.command, configPath, logPath: trainerLog, onEvent, signal });
    } finally {
      clearInterval(keepAlive);
    }
    if (signal.aborted) throw cancelledFailure(signal);
    if (run.exitCode !== 0 || !done) throw failureOf(options.spec.stage, run, lastError, trainerLog);

    const finished = done as Extract<TrainerEvent, { type: 'done' }>;
    const metrics = (finished.metrics ?? {}) as Record<string, unknown>;
    const files: Record<string, { path: string }> = {};
    for (const name of await filesUnder(outputDir)) files[`model/${name}`] = { path: path.join(outputDir, name) };
    if (Object.keys(files).length === 0) throw ApplicationFailure.nonRetryable(`${options.spec.stage}: the trainer reported done but wrote no files`, 'TrainerOutputMissing');
    if (await exists(progressLog)) files['progress.jsonl'] = { path: progressLog };
    return {
      files,
      summary: {
        steps: latest.step,
        loss: latest.loss ?? (typeof metrics.loss === 'number' ? metrics.loss : null),
        resumedFromStep: resumeFrom?.step ?? null,
        firstReportedStep,
        checkpointsUploaded: uploaded,
        perSecond: typeof metrics.pairs_or_sentences_per_s === 'number' ? metrics.pairs_or_sentences_per_s : (latest.perSecond ?? null),
        metrics,
        elapsedSeconds: (Date.now() - started) / 1000,
      },
    };
  });
}

async function exists(file: string): Promise<boolean> {
  return readdir(path.dirname(file)).then((names) => names.includes(path.basename(file)), () => false);
}

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full, base)));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}
