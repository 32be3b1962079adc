/**
 * The champion of an index name: the model (and its built index) that answers searches for that name. It is
 * one small JSON object in the artifact store, `champions/<index>/current.json`, replaced in one write (S3
 * PUT and a local rename are both atomic), so a reader sees the old champion or the new one, never half;
 * promotions and rollbacks write it conditionally, so of two that race, one wins and the other is told.
 * Every promotion and rollback is also recorded under `champions/<index>/history/`.
 */
import type { ArtifactRef } from '../artifacts/types';
import type { ArtifactStore } from '../artifacts/store';

export interface Champion {
  indexName: string;
  /** The model package folder (ONNX graph, tokenizer, genq-model.json). */
  modelPackage: ArtifactRef;
  /** The built listing index folder (embedded) or its description (pgvector). */
  index: ArtifactRef;
  /** The model package's digest: what answers name as the model version. */
  modelVersion: string;
  /** nDCG@10 on the held-out set it was promoted on, and that set's digest. */
  ndcgAt10: number;
  heldOutSha256: string;
  /** The workflow run that promoted it. */
  runId: string;
  promotedAt: string;
}

export const championKey = (indexName: string): string => `champions/${indexName}/current.json`;
export const championHistoryPrefix = (indexName: string): string => `champions/${indexName}/history/`;

const INDEX_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function checkIndexName(indexName: string): string {
  if (!INDEX_NAME.test(indexName)) {
    throw new Error(`index name "${indexName}": use 1-63 lower-case letters, digits and dashes, starting with a letter or digit`);
  }
  return indexName;
}

export async function readChampion(store: ArtifactStore, indexName: string): Promise<Champion | null> {
  return (await readChampionState(store, indexName)).champion;
}

/** The champion and the pointer's version, which a conditional `setChampion` must still find. */
export interface ChampionState {
  champion: Champion | null;
  version: string | null;
}

export async function readChampionState(store: ArtifactStore, indexName: string): Promise<ChampionState> {
  const read = await store.getVersionedText(championKey(checkIndexName(indexName)));
  return read === null ? { champion: null, version: null } : { champion: JSON.parse(read.text) as Champion, version: read.version };
}

export class ChampionChangedError extends Error {
  constructor(readonly indexName: string) {
    super(`the champion of ${indexName} was changed by someone else at the same moment; nothing was written`);
    this.name = 'ChampionChangedError';
  }
}

export interface ChampionChange {
  action: 'promote' | 'rollback';
  at: string;
  champion: Champion;
  /** The champion it replaced, if any. */
  previous: Champion | null;
  reason: string;
}

/**
 * Makes `champion` current: the history entry first, then the pointer in one write. A reader of the pointer
 * sees the old champion or the new one; a crash between the two writes leaves a history entry and the old
 * champion (rollback matches entries to the current champion, so such an entry is never followed). With
 * `basedOn`, the pointer is written only if it is still the one read then (a compare-and-swap in the store);
 * otherwise ChampionChangedError.
 */
export async function setChampion(
  store: ArtifactStore,
  champion: Champion,
  change: Omit<ChampionChange, 'champion' | 'at'>,
  basedOn?: ChampionState,
): Promise<ChampionChange> {
  const indexName = checkIndexName(champion.indexName);
  const at = new Date().toISOString();
  const entry: ChampionChange = { ...change, at, champion };
  await store.putText(`${championHistoryPrefix(indexName)}${at.replace(/[:.]/g, '-')}-${change.action}-${champion.modelVersion.slice(0, 12)}.json`, `${JSON.stringify(entry, null, 2)}\n`);
  const pointer = `${JSON.stringify(champion, null, 2)}\n`;
  if (basedOn === undefined) await store.putText(championKey(indexName), pointer);
  else if (!(await store.putTextIfUnchanged(championKey(indexName), pointer, basedOn.version))) throw new ChampionChangedError(indexName);
  return entry;
}
