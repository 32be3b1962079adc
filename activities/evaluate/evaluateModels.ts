/**
 * The evaluate stage (cpu queue): ranks the corpus's listings for held-out queries with the fine-tuned model
 * ("candidate"), the base model, the current champion (when there is one) and BM25, and reports nDCG@10,
 * MRR@10, Recall@10/100, the study's backwards search and (given a TSDAE model) the TSDAE effect, as
 * report.json and a self-contained report.html. Committed like any stage: content key over the settings and
 * every input's hash, manifest last, so an unchanged re-run is reused.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadStackSettings } from '../../infra/stackSettings';
import { evaluateSettingsSchema, type EvaluateSettings } from '../../workflows/settings/evaluate';
import { openArtifactStore } from '../artifacts/openStore';
import { keyOfUri, runStage } from '../artifacts/stageRunner';
import type { ArtifactStore } from '../artifacts/store';
import type { ArtifactRef, StageResult } from '../artifacts/types';
import { StageHeartbeat } from '../extract/heartbeat';
import { parseStageSettings } from '../extract/settings';
import { OnnxEmbedder } from '../model/onnxEmbedder';
import { meanMetrics, type RankingMetrics } from '../search/metrics';
import { materializeFolder } from '../training/folders';
import { backwardsSearch, RANKING_DEPTH } from './backwardsSearch';
import { readCorpus, type Corpus } from './corpus';
import { embedMatrix } from './embedMatrix';
import { evaluateFailure } from './failures';
import { capQueries, readHeldOutSet, type EvalQuery } from './heldOutSet';
import { readLossCurve } from './lossCurves';
import { buildBm25, rankListingsBm25, rankListingsDense } from './rankListings';
import { renderReportHtml } from './reportHtml';
import { STUDY_REFERENCE } from './studyReference';
import { cosineToNoisy, sampleChunks, tsdaeEffectOf } from './tsdaeEffect';
import type { BackwardsSearch, EvaluateInput, EvaluateSummary, ModelIdentity, ModelRole, Report } from './types';
import { identifyQueriesFile, readUserQueries } from './userQueries';

/** Bump when the stage writes something different for the same inputs. */
export const EVALUATE_STAGE_VERSION = 1;

const cacheRoot = (): string => path.join(loadStackSettings().genqHome, 'cache', 'models');

/** Checks that a ref lives in the stage's store, naming the input field when it does not. */
function requireInStore(store: ArtifactStore, ref: ArtifactRef | undefined, field: string): void {
  if (!ref) return;
  try {
    keyOfUri(store, ref.uri);
  } catch (err) {
    throw evaluateFailure('InvalidEvaluationInput', `${field}: ${(err as Error).message}; give the artifacts store the run wrote to`);
  }
}

/** The queries every ranker answers: the evaluation set and the held-out generated ones, each text once. */
class QueryTexts {
  readonly texts: string[] = [];
  private readonly index = new Map<string, number>();
  add(queries: readonly EvalQuery[]): number[] {
    return queries.map((q) => {
      let at = this.index.get(q.text);
      if (at === undefined) {
        at = this.texts.length;
        this.texts.push(q.text);
        this.index.set(q.text, at);
      }
      return at;
    });
  }
}

interface Scored {
  metrics: RankingMetrics;
  backwards?: BackwardsSearch;
}

export async function evaluateModels(input: EvaluateInput): Promise<StageResult<EvaluateSummary>> {
  const settings: EvaluateSettings = parseStageSettings(evaluateSettingsSchema, input.settings, 'evaluate');
  const store = openArtifactStore(input.artifacts || undefined);
  requireInStore(store, input.corpus.file, 'corpus.file');
  requireInStore(store, input.heldOutPairs, 'heldOutPairs');
  for (const [role, ref] of Object.entries(input.models)) requireInStore(store, ref, `models.${role}`);
  for (const [stage, ref] of Object.entries(input.lossCurves ?? {})) requireInStore(store, ref, `lossCurves.${stage}`);

  const queriesFileRef = input.queriesFile ? await identifyQueriesFile(input.queriesFile) : undefined;
  const inputs: Record<string, ArtifactRef> = { corpus: input.corpus.file, heldOutPairs: input.heldOutPairs };
  for (const [role, ref] of Object.entries(input.models)) if (ref) inputs[`model.${role}`] = ref;
  for (const [stage, ref] of Object.entries(input.lossCurves ?? {})) if (ref) inputs[`loss.${stage}`] = ref;
  if (queriesFileRef) inputs.queriesFile = queriesFileRef;
  const spec = { stage: 'evaluate', stageVersion: EVALUATE_STAGE_VERSION, settings: { ...settings, corpusFormat: input.corpus.format }, inputs };

  return runStage<EvaluateSummary>(store, spec, { force: input.force }, async (workDir) => {
    const beat = new StageHeartbeat();
    const seconds: Record<string, number> = {};
    const timed = async <T>(phase: string, work: () => Promise<T> | T): Promise<T> => {
      const started = Date.now();
      beat.beatNow({ phase });
      try {
        return await work();
      } finally {
        seconds[phase] = (seconds[phase] ?? 0) + (Date.now() - started) / 1000;
      }
    };

    const corpus = await timed('read corpus', () => readCorpus(store, input.corpus.file, input.corpus.format));
    const heldOut = await timed('read held-out pairs', () => readHeldOutSet(store, input.heldOutPairs));
    const generated = capQueries(heldOut.queries, settings.maxQueries);
    let evalSet = generated;
    if (input.queriesFile) {
      const user = await timed('read queries file', () => readUserQueries(input.queriesFile!));
      if (user.ref.sha256 !== queriesFileRef!.sha256) throw new Error(`evaluate: queriesFile ${input.queriesFile} changed while the stage ran; the retry reads it again`);
      evalSet = user.queries;
    }
    if (evalSet.length === 0) {
      throw evaluateFailure('EmptyEvaluationSet', `the held-out pairs ${input.heldOutPairs.uri} hold no queries; raise queries.heldOutShare or give evaluate.queriesFile`);
    }
    const relevantNotInCorpus = evalSet.reduce((n, q) => n + [...q.relevant].filter((id) => !corpus.listingIndex.has(id)).length, 0);
    if (evalSet.every((q) => [...q.relevant].every((id) => !corpus.listingIndex.has(id)))) {
      throw evaluateFailure('EmptyEvaluationSet', `none of the relevant listing ids (e.g. ${[...evalSet[0]!.relevant][0]}) is in the corpus ${input.corpus.file.uri}; relevant ids must be listing ids as extract wrote them`);
    }

    const texts = new QueryTexts();
    const evalRows = texts.add(evalSet);
    const generatedRows = texts.add(generated);
    const generatedSources = generated.map((q) => new Set([...q.relevant].flatMap((id) => corpus.listingIndex.get(id) ?? [])));
    const score = (rankings: Int32Array[]): Scored => ({
      metrics: meanMetrics(evalSet.map((q, i) => ({ ranked: Array.from(rankings[evalRows[i]!]!, (l) => corpus.listingIds[l]!), relevant: q.relevant }))),
      ...(generated.length > 0 ? { backwards: backwardsSearch(generatedRows.map((row) => rankings[row]!), generatedSources) } : {}),
    });

    const results: Record<string, Scored> = {};
    const models: ModelIdentity[] = [];
    const tsdaeSample = input.models.tsdae ? sampleChunks(heldOut.chunks.values(), settings.tsdaeEffectSample) : [];
    let tsdaeBefore: number[] | undefined;
    const roles: ModelRole[] = ['candidate', 'base', ...(input.models.champion ? (['champion'] as const) : [])];
    for (const role of roles) {
      const ref = input.models[role]!;
      const embedder = await timed(`load ${role}`, async () => OnnxEmbedder.load(await materializeFolder(store, ref, cacheRoot()), { batchSize: settings.batchSize }));
      try {
        models.push(identityOf(role, ref, embedder));
        results[role] = await timed(`rank ${role}`, async () => rankWithModel(role, embedder, corpus, texts.texts, settings.batchSize, beat)).then(score);
        if (role === 'base' && tsdaeSample.length > 0) {
          tsdaeBefore = await timed('tsdae effect', () =>
            cosineToNoisy(embedder, tsdaeSample, settings.noiseSeed, settings.batchSize, (done) => beat.beat({ phase: 'tsdae effect (base)', done, total: tsdaeSample.length * 2 })),
          );
        }
      } finally {
        await embedder.close();
      }
    }

    let tsdaeEffect: EvaluateSummary['tsdaeEffect'];
    if (input.models.tsdae && tsdaeBefore) {
      const ref = input.models.tsdae;
      const embedder = await timed('load tsdae', async () => OnnxEmbedder.load(await materializeFolder(store, ref, cacheRoot()), { batchSize: settings.batchSize }));
      try {
        models.push(identityOf('tsdae', ref, embedder));
        const after = await timed('tsdae effect', () =>
          cosineToNoisy(embedder, tsdaeSample, settings.noiseSeed, settings.batchSize, (done) => beat.beat({ phase: 'tsdae effect (tsdae)', done, total: tsdaeSample.length * 2 })),
        );
        tsdaeEffect = tsdaeEffectOf(tsdaeBefore, after);
      } finally {
        await embedder.close();
      }
    }

    results.bm25 = await timed('rank bm25', () => {
      const index = buildBm25(corpus);
      return score(rankListingsBm25(corpus, index, texts.texts, RANKING_DEPTH, (done) => beat.beat({ phase: 'rank bm25', done, total: texts.texts.length })));
    });

    const lossCurves: Report['lossCurves'] = {};
    for (const stage of ['tsdae', 'mnrl'] as const) {
      const ref = input.lossCurves?.[stage];
      if (ref) lossCurves[stage] = await timed('read loss curves', () => readLossCurve(store, ref));
    }

    const summary: EvaluateSummary = {
      queries: evalSet.length,
      querySource: input.queriesFile ? 'file' : 'heldOut',
      heldOutSha256: input.heldOutPairs.sha256,
      metrics: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.metrics])),
      ...(generated.length > 0 ? { backwards: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.backwards!])) } : {}),
      ...(tsdaeEffect ? { tsdaeEffect } : {}),
    };
    const report: Report = {
      formatVersion: 1,
      createdAt: new Date().toISOString(),
      ...summary,
      settings: spec.settings,
      counts: {
        corpusChunks: corpus.texts.length,
        corpusListings: corpus.listingIds.length,
        heldOutPairs: heldOut.pairs,
        heldOutQueries: heldOut.queries.length,
        backwardsQueries: generated.length,
        relevantNotInCorpus,
      },
      inputs: {
        corpus: { ...input.corpus.file, format: input.corpus.format },
        heldOutPairs: input.heldOutPairs,
        ...(queriesFileRef ? { queriesFile: queriesFileRef } : {}),
      },
      models,
      lossCurves,
      study: STUDY_REFERENCE,
      seconds,
    };
    const jsonPath = path.join(workDir, 'report.json');
    const htmlPath = path.join(workDir, 'report.html');
    await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(htmlPath, renderReportHtml(report));
    beat.beatNow({ phase: 'done' });
    return { files: { 'report.json': { path: jsonPath }, 'report.html': { path: htmlPath } }, summary };
  });
}

function identityOf(role: ModelIdentity['role'], ref: ArtifactRef, embedder: OnnxEmbedder): ModelIdentity {
  const d = embedder.description;
  return { role, uri: ref.uri, sha256: ref.sha256, baseModel: d.base_model, pooling: d.pooling, dimensions: d.dimensions, maxSeqLength: d.max_seq_length };
}

/** Embeds every chunk and query once with one model and ranks listings for each query. */
async function rankWithModel(role: string, embedder: OnnxEmbedder, corpus: Corpus, queries: readonly string[], batchSize: number, beat: StageHeartbeat): Promise<Int32Array[]> {
  const chunks = await embedMatrix(embedder, corpus.texts, batchSize, (done) => beat.beat({ phase: `embed chunks (${role})`, done, total: corpus.texts.length }));
  const queryVectors = await embedMatrix(embedder, queries, batchSize, (done) => beat.beat({ phase: `embed queries (${role})`, done, total: queries.length }));
  return rankListingsDense(corpus, chunks, queryVectors, RANKING_DEPTH, (done) => beat.beat({ phase: `rank (${role})`, done, total: queries.length }));
}
