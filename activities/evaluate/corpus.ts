/**
 * The searched corpus: every chunk with its listing. From chunks.jsonl (`chunk_id, listing_id, text`), or, for a
 * run that imported a labelled CSV and so has no chunks.jsonl, the distinct chunks of pairs.jsonl
 * (`chunk_id, listing_id, chunk`). Listings are numbered in order of first appearance so rankers can work
 * on dense integer arrays.
 */
import { keyOfUri } from '../artifacts/stageRunner';
import type { ArtifactStore } from '../artifacts/store';
import type { ArtifactRef } from '../artifacts/types';
import { evaluateFailure } from './failures';
import { jsonLines, textField } from './jsonLines';

export interface Corpus {
  texts: string[];
  chunkIds: string[];
  /** listingOfChunk[c]: the index in `listingIds` of chunk c's listing. */
  listingOfChunk: Uint32Array;
  listingIds: string[];
  listingIndex: Map<string, number>;
}

export async function readCorpus(store: ArtifactStore, file: ArtifactRef, format: 'chunks' | 'pairs'): Promise<Corpus> {
  const textKey = format === 'chunks' ? 'text' : 'chunk';
  const texts: string[] = [];
  const chunkIds: string[] = [];
  const listingOf: number[] = [];
  const listingIds: string[] = [];
  const listingIndex = new Map<string, number>();
  const seenChunks = new Set<string>();
  for await (const record of jsonLines(await store.openRead(keyOfUri(store, file.uri)), file.uri)) {
    const chunkId = textField(record, 'chunk_id', file.uri);
    // pairs.jsonl repeats a chunk once per query; chunks.jsonl has each once (a repeat there is kept out too).
    if (seenChunks.has(chunkId)) continue;
    seenChunks.add(chunkId);
    const listingId = textField(record, 'listing_id', file.uri);
    let listing = listingIndex.get(listingId);
    if (listing === undefined) {
      listing = listingIds.length;
      listingIds.push(listingId);
      listingIndex.set(listingId, listing);
    }
    chunkIds.push(chunkId);
    texts.push(textField(record, textKey, file.uri));
    listingOf.push(listing);
  }
  if (texts.length === 0) throw evaluateFailure('InvalidEvaluationInput', `corpus ${file.uri} holds no chunks; evaluation needs the chunks to search`);
  return { texts, chunkIds, listingOfChunk: Uint32Array.from(listingOf), listingIds, listingIndex };
}
