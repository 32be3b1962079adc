import assert from 'node:assert/strict';
import { LocalArtifactStore } from '../activities/artifacts/localStore';
import type { ArtifactRef } from '../activities/artifacts/types';
import { readChampion, setChampion, type Champion } from '../activities/promote/champion';
import { decidePromotion } from '../activities/promote/gate';
import { promoteModel } from '../activities/promote/promoteActivities';
import { readChampionHistory, rollbackChampion } from '../activities/promote/rollback';
import { temporaryFolder } from './support/temporaryFolder';

const ref = (name: string): ArtifactRef => ({ uri: `file:///models/${name}`, sha256: `${name}`.padEnd(64, '0'), bytes: 1 });

function champion(name: string, ndcg: number): Champion {
  return {
    indexName: 'pisos',
    modelPackage: ref(name),
    index: ref(`${name}-index`),
    modelVersion: ref(name).sha256,
    ndcgAt10: ndcg,
    heldOutSha256: 'h',
    runId: `run-${name}`,
    promotedAt: new Date().toISOString(),
  };
}

describe('promote: the champion/challenger gate', () => {
  it('promotes a first model only when it beats the base model by the margin', () => {
    const win = decidePromotion({ candidateNdcgAt10: 0.62, championNdcgAt10: null, baseNdcgAt10: 0.6, margin: 0.01, queries: 40 });
    assert.equal(win.promote, true);
    assert.equal(win.opponent, 'base');
    const narrow = decidePromotion({ candidateNdcgAt10: 0.605, championNdcgAt10: null, baseNdcgAt10: 0.6, margin: 0.01, queries: 40 });
    assert.equal(narrow.promote, false);
    assert.match(narrow.reason, /not promoted: nDCG@10 0\.6050 against the base's 0\.6000 \(margin 0\.01\)/);
  });

  it('measures a challenger against the champion, not the base model', () => {
    const decision = decidePromotion({ candidateNdcgAt10: 0.7, championNdcgAt10: 0.72, baseNdcgAt10: 0.5, margin: 0, queries: 40 });
    assert.equal(decision.promote, false);
    assert.equal(decision.opponent, 'champion');
    assert.equal(decision.opponentNdcgAt10, 0.72);
    assert.equal(decidePromotion({ candidateNdcgAt10: 0.73, championNdcgAt10: 0.72, baseNdcgAt10: 0.5, margin: 0, queries: 40 }).promote, true);
  });

  it('does not promote the champion\'s own model again, whatever the margin', () => {
    const decision = decidePromotion({ candidateNdcgAt10: 0.7, championNdcgAt10: 0.7, baseNdcgAt10: 0.5, margin: -1, queries: 40, candidateIsChampion: true });
    assert.equal(decision.promote, false);
    assert.match(decision.reason, /already the champion/);
  });

  it('never promotes on an empty held-out set, and says what to do', () => {
    const decision = decidePromotion({ candidateNdcgAt10: 0, championNdcgAt10: null, baseNdcgAt10: 0, margin: -1, queries: 0 });
    assert.equal(decision.promote, false);
    assert.match(decision.reason, /heldOutShare/);
  });
});

describe('promote: the champion pointer, its history and rollback', () => {
  let store: LocalArtifactStore;
  let root: string;
  beforeEach(() => {
    root = temporaryFolder('genq-champions-');
    store = new LocalArtifactStore(root);
  });

  const promoteInput = (name: string, evaluatedChampion: Champion | null) => ({
    artifacts: root,
    indexName: 'pisos',
    modelPackage: ref(name),
    index: ref(`${name}-index`),
    ndcgAt10: 0.7,
    heldOutSha256: 'h',
    runId: `run-${name}`,
    decision: decidePromotion({ candidateNdcgAt10: 0.7, championNdcgAt10: evaluatedChampion ? 0.6 : null, baseNdcgAt10: 0.5, margin: 0, queries: 10 }),
    evaluatedChampion,
  });

  it('promotes, records history, and rolls back one champion at a time', async () => {
    const first = await promoteModel(promoteInput('a', null));
    assert.equal(first.promoted, true);
    const second = await promoteModel(promoteInput('b', first.champion));
    assert.equal(second.promoted, true);
    assert.equal((await readChampion(store, 'pisos'))?.modelVersion, ref('b').sha256);

    const back = await rollbackChampion(store, 'pisos');
    assert.equal(back.champion.modelVersion, ref('a').sha256);
    assert.equal((await readChampion(store, 'pisos'))?.runId, 'run-a');
    await assert.rejects(rollbackChampion(store, 'pisos'), /was its first; there is no earlier champion/);
    assert.deepEqual((await readChampionHistory(store, 'pisos')).map((e) => e.action), ['promote', 'promote', 'rollback']);
  });

  it('does not overwrite a champion promoted by another run during evaluation', async () => {
    await setChampion(store, champion('other', 0.8), { action: 'promote', previous: null, reason: 'another run' });
    const outcome = await promoteModel(promoteInput('late', null));
    assert.equal(outcome.promoted, false);
    assert.match(outcome.reason, /another run promoted model/);
    assert.equal((await readChampion(store, 'pisos'))?.runId, 'run-other');
  });

  it('of racing promotions from the same champion, exactly one wins; the others are told and change nothing', async () => {
    // All five read "no champion", then write: without the store's compare-and-swap every one would "win".
    const outcomes = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((name) => promoteModel(promoteInput(name, null))));
    const winners = outcomes.filter((o) => o.promoted);
    assert.equal(winners.length, 1, outcomes.map((o) => o.reason).join(' | '));
    const current = await readChampion(store, 'pisos');
    assert.equal(current?.runId, winners[0]!.champion!.runId);
    for (const lost of outcomes.filter((o) => !o.promoted)) {
      assert.match(lost.reason, /another run promoted model .* (at the same moment|while this one was evaluated)/);
      assert.equal(lost.champion?.runId, current?.runId, 'a loser reports the champion that won');
    }
  });

  it('refuses a rollback when the index has no champion, and bad index names', async () => {
    await assert.rejects(rollbackChampion(store, 'pisos'), /index pisos has no champion/);
    await assert.rejects(rollbackChampion(store, 'Pisos Madrid'), /index name "Pisos Madrid": use 1-63 lower-case letters/);
  });
});
