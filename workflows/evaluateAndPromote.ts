/**
 * Stages 7-9 of genqPipeline: evaluate the exported model against the base model, BM25 and the index's current
 * champion on the held-out queries; if it wins by the margin, build its listing index and make it the champion.
 * Deterministic workflow code: the decisions are pure functions of activity results.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { ArtifactRef, StageResult } from '../activities/artifacts/types';
import { decidePromotion, type GateDecision } from '../activities/promote/gate';
import { dataStageOptions, gpuStageOptions, quickOptions, withHeartbeat } from './activityOptions';
import type { ProgressTracker } from './progress';
import type { PipelineSettings } from './settings/pipeline';

export interface Trained {
  modelPackage: ArtifactRef;
  /** The TSDAE model folder (not packaged), when TSDAE ran. */
  tsdaeModel?: ArtifactRef;
  lossCurves: { tsdae?: ArtifactRef; mnrl?: ArtifactRef };
}

export interface Corpus {
  chunks: ArtifactRef;
  listings: ArtifactRef;
  heldOutPairs: ArtifactRef;
  /** Texts for the export's parity check. */
  texts: { file: ArtifactRef; field: string };
}

export interface PromotionSummary {
  indexName: string;
  promoted: boolean;
  reason: string;
  decision: GateDecision;
  /** The champion after this run (this run's model when promoted). */
  championModelVersion: string | null;
}

export interface EvaluatedArtifacts {
  basePackage?: ArtifactRef;
  tsdaePackage?: ArtifactRef;
  report?: ArtifactRef;
  reportHtml?: ArtifactRef;
  index?: ArtifactRef;
}

export async function evaluateIndexPromote(
  input: PipelineSettings,
  progress: ProgressTracker,
  record: (stage: 'evaluate' | 'index', result: StageResult<unknown>) => void,
  corpus: Corpus,
  trained: Trained,
): Promise<{ artifacts: EvaluatedArtifacts; promotion?: PromotionSummary }> {
  const gpu = proxyActivities<typeof activities>({ ...withHeartbeat(gpuStageOptions, input.heartbeatTimeoutSeconds), taskQueue: input.taskQueues.gpu });
  const cpu = proxyActivities<typeof activities>({ ...withHeartbeat(dataStageOptions, input.heartbeatTimeoutSeconds), taskQueue: input.taskQueues.cpu });
  const cpuQuick = proxyActivities<typeof activities>({ ...quickOptions, taskQueue: input.taskQueues.cpu });
  const forced = (stage: 'evaluate' | 'index') => input.force.includes(stage);
  const indexName = input.promote.indexName;
  const artifacts: EvaluatedArtifacts = {};

  progress.start('evaluate', 0, 'models');
  // The base model and the TSDAE model are packaged like the fine-tuned one, so all are measured the same way.
  const baseModel = input.mnrl.startFrom === 'tsdae' && input.tsdae.enabled ? input.tsdae.baseModel : input.mnrl.baseModel;
  const exportOf = (model: { name: string } | { folder: ArtifactRef }, pooling: 'cls' | 'mean') =>
    gpu.exportModel({ artifacts: input.artifacts, settings: { ...input.export, quantize: false }, model, pooling, texts: corpus.texts.file, textField: corpus.texts.field });
  const base = await exportOf({ name: baseModel }, input.mnrl.pooling);
  artifacts.basePackage = base.model;
  if (trained.tsdaeModel) artifacts.tsdaePackage = (await exportOf({ folder: trained.tsdaeModel }, input.tsdae.pooling)).model;
  const champion = await cpuQuick.currentChampion({ artifacts: input.artifacts, indexName });
  const { queriesFile, ...evaluateSettings } = input.evaluate;

  const evaluation = await cpu.evaluateModels({
    artifacts: input.artifacts,
    corpus: { file: corpus.chunks, format: 'chunks' },
    heldOutPairs: corpus.heldOutPairs,
    models: {
      candidate: trained.modelPackage,
      base: base.model,
      ...(champion ? { champion: champion.modelPackage } : {}),
      ...(artifacts.tsdaePackage ? { tsdae: artifacts.tsdaePackage } : {}),
    },
    ...(queriesFile ? { queriesFile } : {}),
    lossCurves: trained.lossCurves,
    settings: evaluateSettings,
    force: forced('evaluate'),
  });
  record('evaluate', evaluation);
  artifacts.report = evaluation.files['report.json'];
  artifacts.reportHtml = evaluation.files['report.html'];
  const metrics = evaluation.summary.metrics;
  progress.finish('evaluate', evaluation.reused ? 'reused' : 'done', Object.keys(metrics).length);
  if (input.stopAfter === 'evaluate') return { artifacts };

  const decision = decidePromotion({
    candidateNdcgAt10: metrics.candidate?.ndcgAt10 ?? 0,
    championNdcgAt10: champion ? (metrics.champion?.ndcgAt10 ?? 0) : null,
    baseNdcgAt10: metrics.base?.ndcgAt10 ?? 0,
    margin: input.promote.margin,
    queries: evaluation.summary.queries,
    candidateIsChampion: champion?.modelVersion === trained.modelPackage.sha256,
  });
  if (!decision.promote) {
    progress.finish('index', 'skipped', 0);
    progress.finish('promote', 'skipped', 0);
    return { artifacts, promotion: { indexName, promoted: false, reason: decision.reason, decision, championModelVersion: champion?.modelVersion ?? null } };
  }

  // The index is built before the pointer moves, so a champion always has its index.
  progress.start('index', corpus.chunks.count ?? 0, 'chunks');
  const indexed = await cpu.buildListingIndex({
    artifacts: input.artifacts,
    indexName,
    model: trained.modelPackage,
    chunks: corpus.chunks,
    listings: corpus.listings,
    settings: input.index,
    force: forced('index'),
  });
  record('index', indexed);
  artifacts.index = indexed.index;
  progress.finish('index', indexed.reused ? 'reused' : 'done', corpus.chunks.count ?? 0);
  if (input.stopAfter === 'index') return { artifacts };

  progress.start('promote', 1, 'pointer');
  const outcome = await cpuQuick.promoteModel({
    artifacts: input.artifacts,
    indexName,
    modelPackage: trained.modelPackage,
    index: indexed.index,
    ndcgAt10: decision.candidateNdcgAt10,
    heldOutSha256: evaluation.summary.heldOutSha256,
    runId: workflowInfo().workflowId,
    decision,
    evaluatedChampion: champion,
  });
  progress.finish('promote', outcome.promoted ? 'done' : 'skipped', 1);
  return {
    artifacts,
    promotion: { indexName, promoted: outcome.promoted, reason: outcome.reason, decision, championModelVersion: outcome.champion?.modelVersion ?? null },
  };
}
