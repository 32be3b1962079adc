/**
 * Reading chunks.jsonl (and other committed JSONL artifacts) by reference: streamed, a slice at a time, so a
 * shard never loads the whole file.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Readable } from 'node:stream';
import { openArtifactStore } from '../artifacts/openStore';
import { ArtifactNotFoundError } from '../artifacts/store';
import type { ArtifactRef } from '../artifacts/types';
import { splitLines } from '../extract/lines';
import type { ChunkRecord } from './types';

/** Opens an artifact from its URI alone (file:// or s3://bucket/key), whichever store holds it. */
export async function openRef(ref: ArtifactRef): Promise<Readable> {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref.uri);
  const store = s3 ? openArtifactStore(`s3://${s3[1]}`) : openArtifactStore(ref.uri.replace(/\/[^/]*$/, ''));
  const key = s3 ? s3[2]! : decodeURIComponent(ref.uri.slice(ref.uri.lastIndexOf('/') + 1));
  try {
    return await store.openRead(key);
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) {
      throw ApplicationFailure.nonRetryable(`${err.message}: the artifact was deleted after it was committed; re-run its stage with force`, 'ArtifactNotFound');
    }
    throw err;
  }
}

/** Non-empty lines of a JSONL artifact, each with its 0-based position among them. */
export async function* jsonlLines(ref: ArtifactRef): AsyncGenerator<{ position: number; line: string }> {
  const stream = await openRef(ref);
  let position = 0;
  try {
    for await (const batch of splitLines(stream)) {
      for (const line of batch.lines) {
        if (line.trim() === '') continue;
        yield { position, line };
        position += 1;
      }
    }
  } finally {
    stream.destroy();
  }
}

export async function countLines(ref: ArtifactRef): Promise<number> {
  let count = 0;
  for await (const _ of jsonlLines(ref)) count += 1;
  return count;
}

export function parseChunk(line: string, position: number, uri: string): ChunkRecord {
  let record: Partial<ChunkRecord>;
  try {
    record = JSON.parse(line) as Partial<ChunkRecord>;
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`${uri} line ${position + 1} is not JSON (${(err as Error).message}); re-run the chunk stage`, 'InvalidChunks');
  }
  if (typeof record.chunk_id !== 'string' || typeof record.listing_id !== 'string' || typeof record.text !== 'string') {
    throw ApplicationFailure.nonRetryable(
      `${uri} line ${position + 1} lacks chunk_id, listing_id or text (strings); give the chunks.jsonl written by the chunk stage`,
      'InvalidChunks',
    );
  }
  return record as ChunkRecord;
}

/** Chunks [start, end) of a chunks.jsonl; stops reading at `end`. */
export async function readChunkSlice(ref: ArtifactRef, start: number, end: number): Promise<ChunkRecord[]> {
  const chunks: ChunkRecord[] = [];
  for await (const { position, line } of jsonlLines(ref)) {
    if (position >= end) break;
    if (position >= start) chunks.push(parseChunk(line, position, ref.uri));
  }
  return chunks;
}
