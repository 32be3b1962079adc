/**
 * Stage 3, the assembly (cpu queue): joins the shards' queries with the chunk texts into the method's
 * `labeled.csv`, the (query, chunk) pairs and their held-out split, and merges the shards' quarantines.
 * Shards cover chunks.jsonl in order, so the join is one streaming pass over both: memory stays flat.
 */
import { ApplicationFailure } from '@temporalio/common';
import { querySettingsSchema, type QuerySettingsInput } from '../../workflows/settings/queries';
import { openArtifactStore } from '../artifacts/openStore';
import { runStage } from '../artifacts/stageRunner';
import type { ArtifactRef, StageResult } from '../artifacts/types';
import { parseStageSettings } from '../extract/settings';
import { heartbeat } from '../activityContext';
import { jsonlLines, parseChunk } from './chunkSource';
import { LabeledOutputs } from './labeledOutputs';
import type { LabeledSummary, QueryRecord, ShardRange } from './types';

export const ASSEMBLE_STAGE_VERSION = 1;

export interface AssembleLabeledInput {
  artifacts: string;
  chunks: ArtifactRef;
  /** The generateQueriesShard results, in any order; together they must cover chunks.jsonl. */
  shards: StageResult[];
  settings: QuerySettingsInput;
  force?: boolean;
}

interface ShardFiles {
  range: ShardRange;
  queries: ArtifactRef;
  quarantine: ArtifactRef;
}

const mismatch = (message: string): ApplicationFailure =>
  ApplicationFailure.nonRetryable(`assemble: ${message}; pass every shard result of the same chunks.jsonl and settings`, 'ShardsMismatch');

function shardFiles(shards: StageResult[]): ShardFiles[] {
  const files = shards.map((s) => {
    const range = (s.summary as { shard?: ShardRange }).shard;
    const queries = s.files['queries.jsonl'];
    const quarantine = s.files['quarantine.jsonl'];
    if (!range || !queries || !quarantine) throw mismatch(`stage result ${s.key} is not a query shard`);
    return { range, queries, quarantine };
  });
  files.sort((a, b) => a.range.start - b.range.start);
  let next = 0;
  for (const f of files) {
    if (f.range.start !== next) throw mismatch(`shards leave a gap or overlap at chunk ${next} (next shard starts at ${f.range.start})`);
    next = f.range.end;
  }
  return files;
}

export async function assembleLabeled(input: AssembleLabeledInput): Promise<StageResult<LabeledSummary>> {
  const settings = parseStageSettings(querySettingsSchema, input.settings, 'queries');
  const shards = shardFiles(input.shards);
  const store = openArtifactStore(input.artifacts || undefined);
  const inputs: Record<string, ArtifactRef> = { chunks: input.chunks };
  for (const s of shards) {
    const name = `shard-${String(s.range.start).padStart(9, '0')}`;
    inputs[`${name}.queries`] = s.queries;
    inputs[`${name}.quarantine`] = s.quarantine;
  }
  const spec = {
    stage: 'assemble',
    stageVersion: ASSEMBLE_STAGE_VERSION,
    settings: { queriesPerChunk: settings.queriesPerChunk, heldOutShare: settings.heldOutShare },
    inputs,
  };
  return runStage<LabeledSummary>(store, spec, { force: input.force }, async (workDir) => {
    const out = new LabeledOutputs(workDir, settings.queriesPerChunk, settings.heldOutShare);
    const chunks = jsonlLines(input.chunks)[Symbol.asyncIterator]();
    let read = 0;
    try {
      for (const shard of shards) {
        const queries = jsonlLines(shard.queries)[Symbol.asyncIterator]();
        const nextQueries = async (): Promise<QueryRecord | undefined> => {
          const r = await queries.next();
          return r.done ? undefined : (JSON.parse(r.value.line) as QueryRecord);
        };
        try {
          let pending = await nextQueries();
          for (let position = shard.range.start; position < shard.range.end; position += 1) {
            const c = await chunks.next();
            if (c.done) throw mismatch(`chunks.jsonl has ${read} chunks, the shards cover ${shards.at(-1)!.range.end}`);
            const chunk = parseChunk(c.value.line, position, input.chunks.uri);
            read += 1;
            if (pending?.chunk_id === chunk.chunk_id) {
              await out.add({ chunk_id: chunk.chunk_id, listing_id: chunk.listing_id, document: chunk.text, queries: pending.queries });
              pending = await nextQueries();
            }
          }
          if (pending) throw mismatch(`shard at chunk ${shard.range.start} has queries for ${pending.chunk_id}, which is not among its chunks`);
        } finally {
          await queries.return?.(undefined);
        }
        for await (const { line } of jsonlLines(shard.quarantine)) await out.quarantine(line);
        heartbeat({ position: shard.range.end });
      }
      if (!(await chunks.next()).done) throw mismatch(`the shards cover ${read} chunks, chunks.jsonl has more`);
      return await out.close(read);
    } catch (err) {
      out.destroy();
      throw err;
    } finally {
      await chunks.return?.(undefined);
    }
  });
}
