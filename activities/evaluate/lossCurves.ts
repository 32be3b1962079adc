/**
 * Training loss curves from a training stage's progress.jsonl: the trainer's progress events as the bridge
 * logged them, `{"type":"progress","step":3,"total_steps":10,"loss":1.23,...}`. Other events (eval) and
 * progress lines without a finite loss are skipped; a resumed run's repeated steps keep the latest value.
 */
import { keyOfUri } from '../artifacts/stageRunner';
import type { ArtifactStore } from '../artifacts/store';
import type { ArtifactRef } from '../artifacts/types';
import { jsonLines } from './jsonLines';
import type { LossPoint } from './types';

export async function readLossCurve(store: ArtifactStore, ref: ArtifactRef): Promise<LossPoint[]> {
  const byStep = new Map<number, number>();
  for await (const { value } of jsonLines(await store.openRead(keyOfUri(store, ref.uri)), ref.uri)) {
    if (value.type !== 'progress' || typeof value.step !== 'number' || typeof value.loss !== 'number' || !Number.isFinite(value.loss)) continue;
    byStep.set(value.step, value.loss);
  }
  return [...byStep.entries()].sort(([a], [b]) => a - b).map(([step, loss]) => ({ step, loss }));
}
