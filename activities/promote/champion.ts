/**
 * The champion of an index name: the model (and its built index) that answers searches for that name. It is
 * one small JSON object in the artifact store, `champions/<index>/current.json`, replaced in one write (S3
 * PUT and a local rename are both atomic), so a reader sees the old champion or the new one, never half.
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
  const text = await store.getText(championKey(checkIndexName(indexName)));
  return text === null ? null : (JSON.parse(text) as Champion);
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
 * sees the old champion or the new one; a crash between the two writes leaves a history entry and the old champion.
 */
export async function setChampion(store: ArtifactStore, champion: Champion, change: Omit<ChampionChange, 'champion' | 'at'>): Promise<ChampionChange> {
  const indexName = checkIndexName(champion.indexName);
  const at = new Date().toISOString();
  const entry: ChampionChange = { ...change, at, champion };
  await store.putText(`${championHistoryPrefix(indexName)}${at.replace(/[:.]/g, '-')}-${change.action}-${champion.modelVersion.slice(0, 12)}.json`, `${JSON.stringify(entry, null, 2)}\n`);
  await store.putText(championKey(indexName), `${JSON.stringify(champion, null, 2)}\n`);
  return entry;
}
