/**
 * The evaluation set made from the held-out pairs: each distinct query text, relevant = the listings it was
 * generated from (unioned when several listings gave the same query), and the distinct held-out chunks (for
 * the TSDAE-effect measurement). A cap keeps a deterministic subset chosen by a hash of the text, not the
 * first N, so it does not lean towards the listings that happen to come first.
 */
import { sha256Hex } from '../artifacts/hashing';
import { keyOfUri } from '../artifacts/stageRunner';
import type { ArtifactStore } from '../artifacts/store';
import type { ArtifactRef } from '../artifacts/types';
import { jsonLines, textField } from './jsonLines';

export interface EvalQuery {
  text: string;
  relevant: Set<string>;
}

export interface HeldOutSet {
  pairs: number;
  /** Pairs whose query was empty (skipped). */
  emptyQueries: number;
  queries: EvalQuery[];
  /** Distinct held-out chunk texts, by chunk id. */
  chunks: Map<string, string>;
}

const queryKey = (text: string): string => text.trim().replace(/\s+/g, ' ');

export async function readHeldOutSet(store: ArtifactStore, ref: ArtifactRef): Promise<HeldOutSet> {
  const byText = new Map<string, EvalQuery>();
  const chunks = new Map<string, string>();
  let pairs = 0;
  let emptyQueries = 0;
  for await (const record of jsonLines(await store.openRead(keyOfUri(store, ref.uri)), ref.uri)) {
    pairs += 1;
    const listingId = textField(record, 'listing_id', ref.uri);
    const chunkId = textField(record, 'chunk_id', ref.uri);
    if (!chunks.has(chunkId)) chunks.set(chunkId, textField(record, 'chunk', ref.uri));
    const query = record.value.query;
    if (typeof query !== 'string' || query.trim() === '') {
      emptyQueries += 1;
      continue;
    }
    const key = queryKey(query);
    const existing = byText.get(key);
    if (existing) existing.relevant.add(listingId);
    else byText.set(key, { text: key, relevant: new Set([listingId]) });
  }
  return { pairs, emptyQueries, queries: [...byText.values()], chunks };
}

/** Order by a hash of `salt` + text: stable across runs and machines, unrelated to file order. */
export function hashOrder<T>(items: readonly T[], textOf: (item: T) => string, salt: string): T[] {
  return items
    .map((item) => ({ item, hash: sha256Hex(`${salt}:${textOf(item)}`) }))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
    .map(({ item }) => item);
}

/** At most `max` queries, the same ones every run for the same set. */
export function capQueries(queries: readonly EvalQuery[], max: number | undefined): EvalQuery[] {
  if (max === undefined || queries.length <= max) return [...queries];
  return hashOrder(queries, (q) => q.text, 'genq-eval-query').slice(0, max);
}
