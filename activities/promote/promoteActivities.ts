/** The promote stage's activities (cpu queue): read the champion before evaluation, and the guarded pointer update. */
import { openArtifactStore } from '../artifacts/openStore';
import type { ArtifactRef } from '../artifacts/types';
import { ChampionChangedError, readChampion, readChampionState, setChampion, type Champion } from './champion';
import type { GateDecision } from './gate';

export async function currentChampion(input: { artifacts: string; indexName: string }): Promise<Champion | null> {
  return readChampion(openArtifactStore(input.artifacts || undefined), input.indexName);
}

export interface PromoteModelInput {
  artifacts: string;
  indexName: string;
  modelPackage: ArtifactRef;
  index: ArtifactRef;
  ndcgAt10: number;
  heldOutSha256: string;
  runId: string;
  decision: GateDecision;
  /** The champion the candidate was evaluated against (null: none); if another run promoted since, this one must not overwrite it. */
  evaluatedChampion: Champion | null;
}

export interface PromoteOutcome {
  promoted: boolean;
  reason: string;
  champion: Champion | null;
}

export async function promoteModel(input: PromoteModelInput): Promise<PromoteOutcome> {
  const store = openArtifactStore(input.artifacts || undefined);
  const state = await readChampionState(store, input.indexName);
  const now = state.champion;
  if (!input.decision.promote) return { promoted: false, reason: input.decision.reason, champion: now };
  const unchanged = (now?.modelVersion ?? null) === (input.evaluatedChampion?.modelVersion ?? null) && (now?.promotedAt ?? null) === (input.evaluatedChampion?.promotedAt ?? null);
  if (!unchanged) {
    return {
      promoted: false,
      reason: `not promoted: another run promoted model ${now?.modelVersion.slice(0, 12) ?? '(none)'} to ${input.indexName} while this one was evaluated; re-run to compare against it`,
      champion: now,
    };
  }
  const champion: Champion = {
    indexName: input.indexName,
    modelPackage: input.modelPackage,
    index: input.index,
    modelVersion: input.modelPackage.sha256,
    ndcgAt10: input.ndcgAt10,
    heldOutSha256: input.heldOutSha256,
    runId: input.runId,
    promotedAt: new Date().toISOString(),
  };
  try {
    await setChampion(store, champion, { action: 'promote', previous: now, reason: input.decision.reason }, state);
  } catch (err) {
    if (!(err instanceof ChampionChangedError)) throw err;
    const winner = await readChampion(store, input.indexName);
    return {
      promoted: false,
      reason: `not promoted: another run promoted model ${winner?.modelVersion.slice(0, 12) ?? '(none)'} to ${input.indexName} at the same moment; re-run to compare against it`,
      champion: winner,
    };
  }
  return { promoted: true, reason: input.decision.reason, champion };
}
