/** The evaluate stage's input, its small summary (what the workflow sees) and report.json (everything). */
import type { ArtifactRef } from '../artifacts/types';
import type { RankingMetrics } from '../search/metrics';
import type { EvaluateSettingsInput } from '../../workflows/settings/evaluate';
import type { StudyReference } from './studyReference';

/** The rankers the report compares. "bm25" is the keyword baseline; the others are model packages. */
export type ModelRole = 'candidate' | 'base' | 'champion';
export type RankerName = ModelRole | 'bm25';

export interface EvaluateInput {
  /** Artifact store URI (s3://bucket/prefix or a folder); empty or absent: the worker's default. Every ref must be in it. */
  artifacts?: string;
  /** The chunks searched: chunks.jsonl (every chunk), or pairs.jsonl when the run imported a labelled CSV. */
  corpus: { file: ArtifactRef; format: 'chunks' | 'pairs' };
  /** pairs.heldout.jsonl: `{query, chunk, chunk_id, listing_id}` per line. */
  heldOutPairs: ArtifactRef;
  /** Model package FOLDER refs (genq-model.json, model.onnx, tokenizer). */
  models: { candidate: ArtifactRef; base: ArtifactRef; champion?: ArtifactRef; tsdae?: ArtifactRef };
  /** A labelled query set (JSONL `{"query", "relevant": [listing ids]}`), local path or s3:// URI; replaces the held-out queries for the metrics. */
  queriesFile?: string;
  /** The trainer's progress.jsonl of each training stage, for the loss curves. */
  lossCurves?: { tsdae?: ArtifactRef; mnrl?: ArtifactRef };
  settings: EvaluateSettingsInput;
  force?: boolean;
}

/** Share of generated queries whose source listing is in the top 100 / 200 / 250 (the study's "backwards search"). */
export interface BackwardsSearch {
  top100: number;
  top200: number;
  top250: number;
}

export interface SpreadStats {
  mean: number;
  median: number;
  /** Population standard deviation. */
  std: number;
}

/** Cosine between held-out chunks and their 60%-deleted copies, before (base model) and after TSDAE. */
export interface TsdaeEffect {
  chunks: number;
  before: SpreadStats;
  after: SpreadStats;
}

export interface EvaluateSummary {
  /** Queries the metrics were averaged over. */
  queries: number;
  /** Where they came from: the held-out generated queries or the user's file. */
  querySource: 'heldOut' | 'file';
  heldOutSha256: string;
  metrics: Record<string, RankingMetrics>;
  /** Per ranker, over the held-out generated queries. */
  backwards?: Record<string, BackwardsSearch>;
  tsdaeEffect?: TsdaeEffect;
}

export interface ModelIdentity {
  role: ModelRole | 'tsdae';
  uri: string;
  sha256: string;
  baseModel: string;
  pooling: string;
  dimensions: number;
  maxSeqLength: number;
}

export interface LossPoint {
  step: number;
  loss: number;
}

export interface Report extends EvaluateSummary {
  formatVersion: 1;
  createdAt: string;
  settings: unknown;
  counts: {
    corpusChunks: number;
    corpusListings: number;
    heldOutPairs: number;
    heldOutQueries: number;
    /** Backwards-search queries (held-out generated queries, capped by maxQueries). */
    backwardsQueries: number;
    /** Relevant listing ids in the evaluation set that the corpus does not hold (they can never be found). */
    relevantNotInCorpus: number;
  };
  inputs: { corpus: ArtifactRef & { format: string }; heldOutPairs: ArtifactRef; queriesFile?: ArtifactRef };
  models: ModelIdentity[];
  lossCurves: { tsdae?: LossPoint[]; mnrl?: LossPoint[] };
  /** The study the method follows, for comparison (see the seed data's README). */
  study: StudyReference;
  seconds: Record<string, number>;
}
