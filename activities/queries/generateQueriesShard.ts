/**
 * Stage 3, generateQueries, one shard (an activity on the llm queue): asks Ollama for search queries about a
 * slice of chunks.jsonl with bounded concurrency, validates each reply (retrying invalid ones), caches every
 * finished chunk, and commits `queries.jsonl` and `quarantine.jsonl` with the stage protocol.
 *
 * Resume: every finished chunk is in the per-chunk cache at once, so a retried attempt (worker killed,
 * timeout) re-reads those from the cache and asks the LLM only about the rest; the heartbeat carries the
 * position reached, reported back as `resumedFrom`.
 */
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import pLimit from 'p-limit';
import { querySettingsSchema, type QuerySettings, type QuerySettingsInput } from '../../workflows/settings/queries';
import { sha256Hex } from '../artifacts/hashing';
import { openArtifactStore } from '../artifacts/openStore';
import { runStage } from '../artifacts/stageRunner';
import type { ArtifactRef, StageResult } from '../artifacts/types';
import { LineWriter } from '../extract/lineWriter';
import { parseStageSettings } from '../extract/settings';
import { cancellationSignal, cancelledFailure, heartbeat, lastHeartbeat } from '../activityContext';
import { askUntilValid } from './askUntilValid';
import { readChunkSlice } from './chunkSource';
import { ensureModel } from './ensureModel';
import { makeAbortableOllama, queryAsker, resolveOllamaHost } from './ollamaChat';
import { QueryCache, generationOptions, isUsable, type CachedAnswer } from './queryCache';
import type { ChunkRecord, QuarantineRecord, QueryRecord, ShardRange, ShardSummary } from './types';
import { reasonCodes } from './validate';

/** Bump when the shard's files change for the same input. */
export const QUERIES_STAGE_VERSION = 1;
/** Cache look-ups in flight: store round trips, not LLM work, so more than the LLM concurrency. */
const LOOKUP_CONCURRENCY = 16;
/** Heartbeats also while replies are slow, so a live worker is never taken for a dead one. */
const HEARTBEAT_EVERY_MS = 5000;

export interface GenerateQueriesShardInput {
  /** Artifact store URI (s3://bucket/prefix or a folder); empty: the worker's default. Also holds the cache. */
  artifacts: string;
  /** `chunks.jsonl` from the chunk stage. */
  chunks: ArtifactRef;
  shard: ShardRange;
  settings: QuerySettingsInput;
  force?: boolean;
}

export interface ShardProgress {
  /** Chunks [shard.start, position) are all finished. */
  position: number;
  done: number;
  total: number;
}

type ShardWork = Pick<ShardSummary, 'shard' | 'llmCalls' | 'cacheHits' | 'generated' | 'invalidReplies' | 'resumedFrom'>;

const NO_WORK = { llmCalls: 0, cacheHits: 0, generated: 0, invalidReplies: 0, resumedFrom: null } satisfies Partial<ShardWork>;

function checkShard(shard: ShardRange): void {
  const ok = [shard.index, shard.start, shard.end].every(Number.isInteger) && shard.start >= 0 && shard.end >= shard.start;
  if (!ok) throw ApplicationFailure.nonRetryable(`invalid shard ${JSON.stringify(shard)}: need integers with 0 <= start <= end`, 'InvalidShard');
}

export async function generateQueriesShard(input: GenerateQueriesShardInput): Promise<StageResult<ShardSummary>> {
  const started = Date.now();
  const settings = parseStageSettings(querySettingsSchema, input.settings, 'queries');
  checkShard(input.shard);
  const store = openArtifactStore(input.artifacts || undefined);
  const spec = {
    stage: 'queries',
    stageVersion: QUERIES_STAGE_VERSION,
    settings: { ...generationOptions(settings), maxAttempts: settings.maxAttempts, start: input.shard.start, end: input.shard.end },
    inputs: { chunks: input.chunks },
  };
  const cache = new QueryCache(store, generationOptions(settings));
  const result = await runStage<ShardSummary>(store, spec, { force: input.force }, (workDir) =>
    produceShard(workDir, input, settings, cache, started),
  );
  if (!result.reused) return result;
  return { ...result, summary: { ...result.summary, shard: input.shard, ...NO_WORK, elapsedMs: Date.now() - started } };
}

async function produceShard(workDir: string, input: GenerateQueriesShardInput, settings: QuerySettings, cache: QueryCache, started: number) {
  const { shard } = input;
  const chunks = await readChunkSlice(input.chunks, shard.start, shard.end);
  if (chunks.length !== shard.end - shard.start) {
    const message = `shard ${shard.index} covers chunks ${shard.start}-${shard.end}, but ${input.chunks.uri} ends at ${shard.start + chunks.length}; plan the shards from the same chunks.jsonl`;
    throw ApplicationFailure.nonRetryable(message, 'InvalidShard');
  }
  const resumedFrom = lastHeartbeat<Partial<ShardProgress>>()?.position ?? null;
  await cache.describe();

  // `stop` ends all work on cancellation or on the first failure; it also aborts requests in flight.
  const cancelled = cancellationSignal();
  const stop = new AbortController();
  const onCancel = (): void => stop.abort(cancelled.reason);
  cancelled.addEventListener('abort', onCancel, { once: true });
  const host = resolveOllamaHost(settings);
  const client = makeAbortableOllama(host, stop.signal);
  const ask = queryAsker(client, settings);
  let modelReady: Promise<void> | undefined;
  const ensureModelOnce = (): Promise<void> =>
    (modelReady ??= ensureModel(client, {
      model: settings.model,
      host,
      allowPull: settings.allowPull,
      onProgress: (percent, status) => heartbeat({ pulling: settings.model, percent, status }),
    }));

  const counters = { llmCalls: 0, cacheHits: 0, generated: 0, invalidReplies: 0 };
  const answers: (CachedAnswer | undefined)[] = new Array(chunks.length);
  let done = 0;
  let watermark = 0;
  const progress = (): ShardProgress => ({ position: shard.start + watermark, done, total: chunks.length });
  const beat = setInterval(() => heartbeat(progress()), HEARTBEAT_EVERY_MS);
  const llm = pLimit(settings.concurrency);
  const lookup = pLimit(LOOKUP_CONCURRENCY);

  // One answer per distinct text: listings repeat boilerplate, and identical chunks share an LLM call.
  const byText = new Map<string, Promise<CachedAnswer>>();
  const answerText = async (textSha: string, text: string): Promise<CachedAnswer> => {
    const cached = await lookup(() => cache.get(textSha));
    if (isUsable(cached, settings.maxAttempts)) {
      counters.cacheHits += 1;
      return cached;
    }
    const asked = await llm(async () => {
      if (stop.signal.aborted) throw stop.signal.reason;
      await ensureModelOnce();
      return askUntilValid(text, ask, settings);
    });
    await cache.put(textSha, asked.answer);
    counters.llmCalls += asked.llmCalls;
    counters.invalidReplies += asked.invalidReplies;
    if (asked.answer.status === 'ok') counters.generated += 1;
    return asked.answer;
  };
  const answerOne = async (chunk: ChunkRecord, i: number): Promise<void> => {
    if (stop.signal.aborted) return;
    const textSha = sha256Hex(chunk.text);
    const shared = byText.get(textSha);
    if (shared) counters.cacheHits += 1;
    const answer = shared ?? answerText(textSha, chunk.text);
    byText.set(textSha, answer);
    answers[i] = await answer;
    done += 1;
    while (watermark < answers.length && answers[watermark] !== undefined) watermark += 1;
    heartbeat(progress());
  };

  try {
    const settled = await Promise.allSettled(
      chunks.map((chunk, i) =>
        answerOne(chunk, i).catch((err: unknown) => {
          if (!stop.signal.aborted) stop.abort(err);
          throw err;
        }),
      ),
    );
    if (cancelled.aborted) throw cancelledFailure(cancelled);
    if (settled.some((s) => s.status === 'rejected')) throw stop.signal.reason;
  } finally {
    clearInterval(beat);
    cancelled.removeEventListener('abort', onCancel);
  }
  return writeShard(workDir, chunks, answers as CachedAnswer[], { ...counters, shard, resumedFrom, started });
}

async function writeShard(
  workDir: string,
  chunks: ChunkRecord[],
  answers: CachedAnswer[],
  work: ShardWork & { started: number },
) {
  const queriesPath = path.join(workDir, 'queries.jsonl');
  const quarantinePath = path.join(workDir, 'quarantine.jsonl');
  const queries = LineWriter.open(queriesPath);
  const quarantine = LineWriter.open(quarantinePath);
  let queryCount = 0;
  try {
    for (const [i, chunk] of chunks.entries()) {
      const answer = answers[i]!;
      const sha256 = sha256Hex(chunk.text);
      const base = { chunk_id: chunk.chunk_id, listing_id: chunk.listing_id, sha256 };
      if (answer.status === 'ok') {
        queryCount += answer.queries.length;
        if (queries.push(JSON.stringify({ ...base, queries: answer.queries } satisfies QueryRecord))) await queries.flush();
      } else {
        const reasons = reasonCodes(answer.attempts.flatMap((a) => a.reasons));
        const record: QuarantineRecord = { source: 'generate', ...base, document: chunk.text, reasons, attempts: answer.attempts };
        if (quarantine.push(JSON.stringify(record))) await quarantine.flush();
      }
    }
    await queries.close();
    await quarantine.close();
  } catch (err) {
    queries.destroy();
    quarantine.destroy();
    throw err;
  }
  const { started, ...counters } = work;
  const summary: ShardSummary = {
    ...counters,
    chunks: chunks.length,
    withQueries: queries.count,
    quarantined: quarantine.count,
    queries: queryCount,
    elapsedMs: Date.now() - started,
  };
  return {
    files: { 'queries.jsonl': { path: queriesPath, count: queries.count }, 'quarantine.jsonl': { path: quarantinePath, count: quarantine.count } },
    summary,
  };
}
