/**
 * The gpu queue's activities: TSDAE, MNRL and export, each a trainer-bridge stage whose content key covers
 * its settings and the hashes of its inputs (so a re-run with the same data and settings is reused).
 */
import path from 'node:path';
import { loadStackSettings } from '../../infra/stackSettings';
import type { ArtifactRef, StageResult } from '../artifacts/types';
import type { ExportSettings, MnrlSettings, TsdaeSettings } from '../../workflows/settings/training';
import { folderRef, materializeFile, materializeFolder } from './folders';
import { runTrainingStage, type TrainingSummary } from './runTrainingStage';

/** A training stage's result with a reference to the model folder it committed (the next stage's input). */
export type ModelStageResult = StageResult<TrainingSummary> & { model: ArtifactRef };

const withModelRef = (result: StageResult<TrainingSummary>): ModelStageResult => ({ ...result, model: folderRef(result, 'model') });

/** Bump when the bridge changes what a stage writes. */
const TRAINING_STAGE_VERSION = 1;

/** A model is a Hugging Face id / local path (string) or a folder committed by an earlier stage. */
export type ModelSource = { name: string } | { folder: ArtifactRef };

const cacheRoot = (): string => path.join(loadStackSettings().genqHome, 'cache', 'models');

function common(s: TsdaeSettings | MnrlSettings) {
  return {
    epochs: s.epochs,
    max_steps: s.maxSteps ?? null,
    max_seq_length: s.maxSeqLength,
    seed: s.seed,
    precision: s.precision,
    checkpoint_every: s.checkpointEvery,
    // The bridge uploads each checkpoint and prunes the store; locally only the newest is needed.
    keep_checkpoints: 1,
    progress_every: s.progressEvery,
  };
}

export interface TrainTsdaeInput {
  artifacts: string;
  force?: boolean;
  settings: TsdaeSettings;
  /** JSONL whose `textField` holds the chunk texts. */
  sentences: ArtifactRef;
  textField: string;
}

export async function trainTsdae(input: TrainTsdaeInput): Promise<ModelStageResult> {
  const { settings } = input;
  return withModelRef(await runTrainingStage({
    command: 'tsdae',
    artifacts: input.artifacts,
    force: input.force,
    keepCheckpoints: settings.keepCheckpoints,
    spec: { stage: 'tsdae', stageVersion: TRAINING_STAGE_VERSION, settings: { ...settings, textField: input.textField }, inputs: { sentences: input.sentences } },
    buildConfig: async (store, paths) => ({
      base_model: settings.baseModel,
      pooling: settings.pooling,
      train_file: await materializeFile(store, input.sentences),
      text_field: input.textField,
      output_dir: paths.outputDir,
      checkpoint_dir: paths.checkpointDir,
      ...(paths.resumeFrom ? { resume_from: paths.resumeFrom } : {}),
      batch_size: settings.batchSize,
      learning_rate: settings.learningRate,
      deletion_ratio: settings.deletionRatio,
      ...common(settings),
    }),
  }));
}

export interface TrainMnrlInput {
  artifacts: string;
  force?: boolean;
  settings: MnrlSettings;
  model: ModelSource;
  trainPairs: ArtifactRef;
  heldOutPairs?: ArtifactRef;
}

export async function trainMnrl(input: TrainMnrlInput): Promise<ModelStageResult> {
  const { settings } = input;
  const inputs: Record<string, ArtifactRef> = { trainPairs: input.trainPairs };
  if (input.heldOutPairs) inputs.heldOutPairs = input.heldOutPairs;
  if ('folder' in input.model) inputs.model = input.model.folder;
  return withModelRef(await runTrainingStage({
    command: 'mnrl',
    artifacts: input.artifacts,
    force: input.force,
    keepCheckpoints: settings.keepCheckpoints,
    spec: { stage: 'mnrl', stageVersion: TRAINING_STAGE_VERSION, settings: { ...settings, model: 'name' in input.model ? input.model.name : 'folder' }, inputs },
    buildConfig: async (store, paths) => ({
      base_model: 'name' in input.model ? input.model.name : await materializeFolder(store, input.model.folder, cacheRoot()),
      pooling: settings.pooling,
      train_file: await materializeFile(store, input.trainPairs),
      ...(input.heldOutPairs ? { eval_file: await materializeFile(store, input.heldOutPairs), eval_every: settings.evalEvery } : {}),
      output_dir: paths.outputDir,
      checkpoint_dir: paths.checkpointDir,
      ...(paths.resumeFrom ? { resume_from: paths.resumeFrom } : {}),
      batch_size: settings.batchSize,
      learning_rate: settings.learningRate,
      warmup_ratio: settings.warmupRatio,
      scale: settings.scale,
      cached: settings.cached,
      mini_batch_size: settings.miniBatchSize,
      pair_encoding: settings.pairEncoding,
      group_by_length: settings.groupByLength,
      ...common(settings),
    }),
  }));
}

export interface ExportModelInput {
  artifacts: string;
  force?: boolean;
  settings: ExportSettings;
  /** A trained model folder, or the base model by name (to evaluate it against the fine-tuned one). */
  model: ModelSource;
  /** cls or mean: needed for a plain transformers model, which states no pooling of its own. */
  pooling?: 'cls' | 'mean';
  /** JSONL of texts for the parity check (chunks). */
  texts?: ArtifactRef;
  textField?: string;
}

export async function exportModel(input: ExportModelInput): Promise<ModelStageResult> {
  const { settings } = input;
  const inputs: Record<string, ArtifactRef> = {};
  if ('folder' in input.model) inputs.model = input.model.folder;
  if (input.texts) inputs.texts = input.texts;
  return withModelRef(await runTrainingStage({
    command: 'export',
    artifacts: input.artifacts,
    force: input.force,
    keepCheckpoints: 1,
    spec: {
      stage: 'export',
      stageVersion: TRAINING_STAGE_VERSION,
      settings: { ...settings, textField: input.textField, ...('name' in input.model ? { model: input.model.name, pooling: input.pooling } : {}) },
      inputs,
    },
    buildConfig: async (store, paths) => ({
      model_path: 'name' in input.model ? input.model.name : await materializeFolder(store, input.model.folder, cacheRoot()),
      ...('name' in input.model && input.pooling ? { pooling: input.pooling } : {}),
      output_dir: paths.outputDir,
      normalize: settings.normalize,
      quantize: settings.quantize,
      ...(settings.maxSeqLength ? { max_seq_length: settings.maxSeqLength } : {}),
      ...(input.texts ? { texts_file: await materializeFile(store, input.texts), text_field: input.textField ?? 'text' } : {}),
    }),
  }));
}
