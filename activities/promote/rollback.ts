/**
 * `genq rollback <index>`: restores the champion that the current one replaced. The history says which: the
 * promotion that installed the current champion recorded its predecessor. Rolling back twice walks further back.
 */
import type { ArtifactStore } from '../artifacts/store';
import { checkIndexName, championHistoryPrefix, readChampionState, setChampion, type Champion, type ChampionChange } from './champion';

const sameChampion = (a: Champion, b: Champion): boolean =>
  a.modelVersion === b.modelVersion && a.runId === b.runId && a.promotedAt === b.promotedAt;

export async function readChampionHistory(store: ArtifactStore, indexName: string): Promise<ChampionChange[]> {
  const keys = (await store.list(championHistoryPrefix(checkIndexName(indexName)))).filter((key) => key.endsWith('.json')).sort();
  const entries: ChampionChange[] = [];
  for (const key of keys) {
    const text = await store.getText(key);
    if (text !== null) entries.push(JSON.parse(text) as ChampionChange);
  }
  return entries;
}

export async function rollbackChampion(store: ArtifactStore, indexName: string): Promise<ChampionChange> {
  const state = await readChampionState(store, indexName);
  const current = state.champion;
  if (!current) throw new Error(`index ${indexName} has no champion in ${store.rootUri}: nothing to roll back`);
  const history = await readChampionHistory(store, indexName);
  const installed = history.reverse().find((entry) => entry.action === 'promote' && sameChampion(entry.champion, current));
  const previous = installed?.previous ?? null;
  if (!previous) {
    throw new Error(`index ${indexName}: the champion (model ${current.modelVersion.slice(0, 12)}, run ${current.runId}) was its first; there is no earlier champion to roll back to`);
  }
  return setChampion(store, previous, { action: 'rollback', previous: current, reason: `rolled back from model ${current.modelVersion.slice(0, 12)} (run ${current.runId})` }, state);
}
