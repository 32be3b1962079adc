/**
 * genqPipeline: the GenQ method as a durable workflow. It validates its plain-JSON input, then runs each
 * stage as an activity on the task queue of the hardware it needs, handing artifacts over by reference.
 * Every stage is content-addressed, so a re-run reuses what is finished and redoes only what changed.
 */
import { ApplicationFailure, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { ArtifactRef, StageResult } from '../activities/artifacts/types';
import { dataStageOptions, gpuStageOptions, quickOptions, withHeartbeat } from './activityOptions';
import { evaluateIndexPromote, type EvaluatedArtifacts, type PromotionSummary } from './evaluateAndPromote';
import { generateQueriesBatch, type QueryShard } from './generateQueriesBatch';
import { progressQuery, ProgressTracker, shardDoneSignal } from './progress';
import { describeInputIssues, pipelineInputSchema, type ForceableStage, type PipelineSettings } from './settings/pipeline';

/** Shards per child workflow: keeps each history small (a few events per shard). */
const SHARDS_PER_BATCH = 50;
const STAGES = ['extract', 'chunk', 'queries', 'assemble', 'tsdae', 'mnrl', 'export', 'evaluate', 'index', 'promote'] as const;
type Stage = (typeof STAGES)[number];

export interface PipelineSummary {
  stages: Partial<Record<Stage, { key: string; reused: boolean; manifestUri: string; summary: unknown }>>;
  queryShards: { total: number; reused: number; llmCalls: number; cacheHits: number };
  artifacts: {
    listings?: ArtifactRef;
    quarantine?: ArtifactRef;
    chunksCsv?: ArtifactRef;
    chunks?: ArtifactRef;
    labeledCsv: ArtifactRef;
    pairs: ArtifactRef;
    trainPairs: ArtifactRef;
    heldOutPairs: ArtifactRef;
    tsdaeModel?: ArtifactRef;
    mnrlModel?: ArtifactRef;
    /** The exported model package (ONNX graph, tokenizer, genq-model.json). */
    modelPackage?: ArtifactRef;
  } & EvaluatedArtifacts;
  /** Whether the model became its index's champion, and why (both nDCG@10 numbers). */
  promotion?: PromotionSummary;
}

export function parsePipelineInput(raw: unknown): PipelineSettings {
  const parsed = pipelineInputSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid pipeline input: ${describeInputIssues(parsed.error)}`, 'InvalidPipelineInput');
  }
  return parsed.data;
}

const brief = (r: StageResult<unknown>) => ({ key: r.key, reused: r.reused, manifestUri: r.manifestUri, summary: r.summary });

function requireFile(result: StageResult<unknown>, name: string): ArtifactRef {
  const ref = result.files[name];
  if (!ref) throw ApplicationFailure.nonRetryable(`stage ${result.stage} did not produce ${name}`, 'MissingArtifact');
  return ref;
}

export async function genqPipeline(rawInput: unknown): Promise<PipelineSummary> {
  const input = parsePipelineInput(rawInput);
  const progress = new ProgressTracker(STAGES);
  setHandler(progressQuery, () => progress.snapshot());
  setHandler(shardDoneSignal, ({ chunks }) => progress.advance('queries', chunks));

  const cpu = proxyActivities<typeof activities>({ ...withHeartbeat(dataStageOptions, input.heartbeatTimeoutSeconds), taskQueue: input.taskQueues.cpu });
  const cpuQuick = proxyActivities<typeof activities>({ ...quickOptions, taskQueue: input.taskQueues.cpu });
  const forced = (stage: ForceableStage) => input.force.includes(stage);
  const summary: PipelineSummary['stages'] = {};

  if (input.labeledCsv) {
    for (const stage of ['extract', 'chunk', 'queries'] as const) progress.finish(stage, 'skipped', 0);
    progress.start('assemble', 0, 'rows');
    const imported = await cpu.importLabeledCsv({ artifacts: input.artifacts, path: input.labeledCsv, settings: input.queries, force: forced('assemble') });
    progress.finish('assemble', imported.reused ? 'reused' : 'done', requireFile(imported, 'pairs.jsonl').count);
    summary.assemble = brief(imported);
    const labeled = labeledArtifacts(imported);
    const corpus = { chunks: requireFile(imported, 'chunks.jsonl'), listings: requireFile(imported, 'listings.jsonl') };
    const trained = input.stopAfter === 'assemble' ? { artifacts: {} } : await trainAndRelease(input, progress, summary, labeled, corpus);
    return {
      stages: summary,
      queryShards: { total: 0, reused: 0, llmCalls: 0, cacheHits: 0 },
      artifacts: { ...corpus, ...labeled, ...trained.artifacts },
      ...(trained.promotion ? { promotion: trained.promotion } : {}),
    };
  }

  progress.start('extract', 0, 'listings');
  const extracted = await cpu.extractListings({ artifacts: input.artifacts, settings: input.extract!, force: forced('extract') });
  const listings = requireFile(extracted, 'listings.jsonl');
  progress.finish('extract', extracted.reused ? 'reused' : 'done', listings.count);
  summary.extract = brief(extracted);

  progress.start('chunk', listings.count ?? 0, 'listings');
  const chunked = await cpu.chunkListings({ artifacts: input.artifacts, settings: input.chunk, listings, force: forced('chunk') });
  const chunks = requireFile(chunked, 'chunks.jsonl');
  progress.finish('chunk', chunked.reused ? 'reused' : 'done', listings.count);
  summary.chunk = brief(chunked);

  const plan = await cpuQuick.planQueryShards({ chunks, settings: input.queries });
  progress.start('queries', plan.total, 'chunks');
  const shardResults = await runQueryBatches(input, chunks, plan.shards);
  progress.finish('queries', shardResults.every((r) => r.reused) ? 'reused' : 'done', plan.total);

  progress.start('assemble', plan.total, 'chunks');
  const assembled = await cpu.assembleLabeled({ artifacts: input.artifacts, chunks, shards: shardResults, settings: input.queries, force: forced('assemble') });
  progress.finish('assemble', assembled.reused ? 'reused' : 'done', plan.total);
  summary.assemble = brief(assembled);

  const labeled = labeledArtifacts(assembled);
  const trained = input.stopAfter === 'assemble' ? { artifacts: {} } : await trainAndRelease(input, progress, summary, labeled, { chunks, listings });
  const shardSummaries = shardResults.map((r) => r.summary as { llmCalls?: number; cacheHits?: number });
  return {
    stages: summary,
    queryShards: {
      total: shardResults.length,
      reused: shardResults.filter((r) => r.reused).length,
      llmCalls: shardSummaries.reduce((n, s) => n + (s.llmCalls ?? 0), 0),
      cacheHits: shardSummaries.reduce((n, s) => n + (s.cacheHits ?? 0), 0),
    },
    artifacts: {
      listings,
      quarantine: extracted.files['quarantine.jsonl'],
      chunksCsv: chunked.files['chunks.csv'],
      chunks,
      ...labeled,
      ...trained.artifacts,
    },
    ...(trained.promotion ? { promotion: trained.promotion } : {}),
  };
}

type Released = { artifacts: Partial<PipelineSummary['artifacts']>; promotion?: PromotionSummary };

/**
 * Stages 4-6 on the gpu queue: TSDAE (optional), MNRL from its output or from the base model, export; then
 * evaluation, index and promotion (stages 7-9) unless the run stops earlier.
 */
async function trainAndRelease(
  input: PipelineSettings,
  progress: ProgressTracker,
  summary: PipelineSummary['stages'],
  labeled: ReturnType<typeof labeledArtifacts>,
  corpus: { chunks: ArtifactRef; listings: ArtifactRef },
): Promise<Released> {
  const texts = { file: corpus.chunks, field: 'text' };
  const gpu = proxyActivities<typeof activities>({ ...withHeartbeat(gpuStageOptions, input.heartbeatTimeoutSeconds), taskQueue: input.taskQueues.gpu });
  const forced = (stage: ForceableStage) => input.force.includes(stage);
  const out: Partial<PipelineSummary['artifacts']> = {};
  const lossCurves: { tsdae?: ArtifactRef; mnrl?: ArtifactRef } = {};

  let startModel: { name: string } | { folder: ArtifactRef } = { name: input.mnrl.baseModel };
  if (input.tsdae.enabled) {
    progress.start('tsdae', input.tsdae.maxSteps ?? 0, 'steps');
    const tsdae = await gpu.trainTsdae({ artifacts: input.artifacts, settings: input.tsdae, sentences: texts.file, textField: texts.field, force: forced('tsdae') });
    progress.finish('tsdae', tsdae.reused ? 'reused' : 'done', tsdae.summary.steps);
    summary.tsdae = brief(tsdae);
    out.tsdaeModel = tsdae.model;
    lossCurves.tsdae = tsdae.files['progress.jsonl'];
    if (input.mnrl.startFrom === 'tsdae') startModel = { folder: tsdae.model };
  } else progress.finish('tsdae', 'skipped', 0);
  if (input.stopAfter === 'tsdae') return { artifacts: out };

  progress.start('mnrl', input.mnrl.maxSteps ?? 0, 'steps');
  const mnrl = await gpu.trainMnrl({
    artifacts: input.artifacts,
    settings: input.mnrl,
    model: startModel,
    trainPairs: labeled.trainPairs,
    heldOutPairs: (labeled.heldOutPairs.count ?? 0) > 0 ? labeled.heldOutPairs : undefined,
    force: forced('mnrl'),
  });
  progress.finish('mnrl', mnrl.reused ? 'reused' : 'done', mnrl.summary.steps);
  summary.mnrl = brief(mnrl);
  out.mnrlModel = mnrl.model;
  lossCurves.mnrl = mnrl.files['progress.jsonl'];
  if (input.stopAfter === 'mnrl') return { artifacts: out };

  progress.start('export', 1, 'packages');
  const exported = await gpu.exportModel({ artifacts: input.artifacts, settings: input.export, model: { folder: mnrl.model }, texts: texts.file, textField: texts.field, force: forced('export') });
  progress.finish('export', exported.reused ? 'reused' : 'done', 1);
  summary.export = brief(exported);
  out.modelPackage = exported.model;
  if (input.stopAfter === 'export') return { artifacts: out };

  const released = await evaluateIndexPromote(
    input,
    progress,
    (stage, result) => (summary[stage] = brief(result)),
    { ...corpus, heldOutPairs: labeled.heldOutPairs, texts },
    { modelPackage: exported.model, ...(out.tsdaeModel ? { tsdaeModel: out.tsdaeModel } : {}), lossCurves },
  );
  return { artifacts: { ...out, ...released.artifacts }, ...(released.promotion ? { promotion: released.promotion } : {}) };
}

function labeledArtifacts(result: StageResult<unknown>) {
  return {
    labeledCsv: requireFile(result, 'labeled.csv'),
    pairs: requireFile(result, 'pairs.jsonl'),
    trainPairs: requireFile(result, 'pairs.train.jsonl'),
    heldOutPairs: requireFile(result, 'pairs.heldout.jsonl'),
  };
}

async function runQueryBatches(input: PipelineSettings, chunks: ArtifactRef, shards: QueryShard[]): Promise<StageResult[]> {
  const batches: QueryShard[][] = [];
  for (let i = 0; i < shards.length; i += SHARDS_PER_BATCH) batches.push(shards.slice(i, i + SHARDS_PER_BATCH));
  const { workflowId } = workflowInfo();
  // Batches run one after another: the concurrency towards Ollama is parallelShards x the shard's own.
  const results: StageResult[][] = [];
  for (const [i, batch] of batches.entries()) {
    results.push(
      await executeChild(generateQueriesBatch, {
        workflowId: `${workflowId}/queries-${i}`,
        taskQueue: input.taskQueues.cpu,
        args: [
          {
            parentWorkflowId: workflowId,
            artifacts: input.artifacts,
            chunks,
            shards: batch,
            settings: input.queries,
            force: input.force.includes('queries'),
            llmTaskQueue: input.taskQueues.llm,
            parallelShards: input.queries.parallelShards,
            heartbeatTimeoutSeconds: input.heartbeatTimeoutSeconds,
          },
        ],
      }),
    );
  }
  return results.flat();
}
