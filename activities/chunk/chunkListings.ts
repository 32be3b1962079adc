/**
 * Stage 2, chunk (an activity on the cpu queue): streams `listings.jsonl` from the store, cleans and chunks each
 * description (see chunkText), and streams out the method's `chunks.csv` (`id,document`, id = listing id) and
 * `chunks.jsonl` (with chunk ids, offsets into the cleaned text and text hashes).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { openArtifactStore } from '../artifacts/openStore';
import { keyOfUri, runStage } from '../artifacts/stageRunner';
import type { ArtifactRef, StageResult } from '../artifacts/types';
import { chunkSettingsSchema, type ChunkSettingsInput } from '../../workflows/settings/chunk';
import { StageHeartbeat } from '../extract/heartbeat';
import { splitLines } from '../extract/lines';
import { LineWriter } from '../extract/lineWriter';
import { parseStageSettings } from '../extract/settings';
import { extractFailure } from '../extract/failures';
import type { Listing } from '../extract/types';
import { splitCleaned } from './chunkText';
import { cleanText } from './cleanText';
import { CHUNKS_CSV_COLUMNS, chunkJsonLine, csvRow } from './outputLines';

/** Bump when the stage writes something different for the same input, so old outputs are not reused. */
export const CHUNK_STAGE_VERSION = 1;

export interface ChunkInput {
  /** Artifact store URI (s3://bucket/prefix or a folder); empty: the worker's default. The listings must be in it. */
  artifacts: string;
  force?: boolean;
  settings: ChunkSettingsInput;
  /** `listings.jsonl` from the extract stage. */
  listings: ArtifactRef;
}

export interface ChunkSummary {
  listings: number;
  chunks: number;
  /** Listings longer than maxChars, split into segments. */
  splitListings: number;
  /** Listings whose text was empty once HTML and whitespace were cleaned (they yield no chunk). */
  emptyAfterCleaning: number;
}

/** Passes the bytes through while hashing them, then checks them against the committed hash. */
async function* verified(stream: Readable, ref: ArtifactRef): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    yield chunk as Buffer;
  }
  const actual = hash.digest('hex');
  if (actual !== ref.sha256) throw new Error(`chunk: ${ref.uri} has sha256 ${actual}, expected ${ref.sha256}: it changed after it was committed`);
}

export async function chunkListings(input: ChunkInput): Promise<StageResult<ChunkSummary>> {
  const settings = parseStageSettings(chunkSettingsSchema, input.settings, 'chunk');
  const store = openArtifactStore(input.artifacts || undefined);
  let listingsKey: string;
  try {
    listingsKey = keyOfUri(store, input.listings.uri);
  } catch (err) {
    throw extractFailure('InvalidSettings', `chunk: ${(err as Error).message}; give the artifacts store the listings were extracted into`);
  }
  const spec = { stage: 'chunk', stageVersion: CHUNK_STAGE_VERSION, settings, inputs: { listings: input.listings } };
  return runStage<ChunkSummary>(store, spec, { force: input.force }, async (workDir) => {
    const csvPath = path.join(workDir, 'chunks.csv');
    const jsonlPath = path.join(workDir, 'chunks.jsonl');
    const csv = LineWriter.open(csvPath);
    const jsonl = LineWriter.open(jsonlPath);
    const heartbeat = new StageHeartbeat();
    const summary: ChunkSummary = { listings: 0, chunks: 0, splitListings: 0, emptyAfterCleaning: 0 };
    try {
      csv.push(CHUNKS_CSV_COLUMNS.join(','));
      for await (const { lines } of splitLines(verified(await store.openRead(listingsKey), input.listings))) {
        for (const line of lines) {
          if (line.length === 0) continue;
          const listing = JSON.parse(line) as Listing;
          summary.listings += 1;
          const cleaned = cleanText(listing.text, settings.stripHtml);
          const chunks = splitCleaned(cleaned, settings.maxChars, settings.segmentChars);
          if (chunks.length === 0) summary.emptyAfterCleaning += 1;
          if (cleaned.length > settings.maxChars) summary.splitListings += 1;
          const idJson = JSON.stringify(listing.id);
          let csvFull = false;
          let jsonlFull = false;
          for (const chunk of chunks) {
            csvFull = csv.push(csvRow(listing.id, chunk.text));
            jsonlFull = jsonl.push(chunkJsonLine(idJson, chunk));
          }
          summary.chunks += chunks.length;
          if (csvFull) await csv.flush();
          if (jsonlFull) await jsonl.flush();
        }
        heartbeat.beat({ listings: summary.listings });
      }
      await csv.close();
      await jsonl.close();
    } catch (err) {
      csv.destroy();
      jsonl.destroy();
      throw err;
    }
    heartbeat.beatNow({ listings: summary.listings });
    return {
      files: { 'chunks.csv': { path: csvPath, count: summary.chunks }, 'chunks.jsonl': { path: jsonlPath, count: summary.chunks } },
      summary,
    };
  });
}
