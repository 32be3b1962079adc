/**
 * The `progress` query's answer and the bookkeeping behind it. Workflow time (Date.now() inside a workflow is
 * deterministic) gives the rate and the ETA of the running stage.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type StageStatus = 'pending' | 'running' | 'done' | 'reused' | 'skipped' | 'failed';

export interface StageProgress {
  stage: string;
  status: StageStatus;
  done: number;
  total: number;
  unit: string;
  startedAt?: number;
  finishedAt?: number;
}

export interface PipelineProgress {
  /** The stage running now, or 'done' / 'failed'. */
  stage: string;
  done: number;
  total: number;
  unit: string;
  /** Units per second over the running stage so far. */
  rate: number;
  /** Seconds left at that rate; null while unknown. */
  etaSeconds: number | null;
  stages: StageProgress[];
}

export const progressQuery = defineQuery<PipelineProgress>('progress');
/** Children (query-generation batches) report each finished shard to the parent. */
export const shardDoneSignal = defineSignal<[{ chunks: number }]>('shardDone');

export class ProgressTracker {
  private readonly stages: StageProgress[];
  private current: string | null = null;

  constructor(stageNames: readonly string[]) {
    this.stages = stageNames.map((stage) => ({ stage, status: 'pending', done: 0, total: 0, unit: 'items' }));
  }

  private find(stage: string): StageProgress {
    const found = this.stages.find((s) => s.stage === stage);
    if (!found) throw new Error(`unknown stage ${stage}`);
    return found;
  }

  start(stage: string, total = 0, unit = 'items'): void {
    Object.assign(this.find(stage), { status: 'running', total, unit, done: 0, startedAt: Date.now() });
    this.current = stage;
  }

  setTotal(stage: string, total: number, unit?: string): void {
    const s = this.find(stage);
    s.total = total;
    if (unit) s.unit = unit;
  }

  advance(stage: string, by: number): void {
    this.find(stage).done += by;
  }

  finish(stage: string, status: Extract<StageStatus, 'done' | 'reused' | 'skipped'>, count?: number): void {
    const s = this.find(stage);
    s.status = status;
    s.finishedAt = Date.now();
    if (count !== undefined) {
      s.done = count;
      s.total = Math.max(s.total, count);
    } else s.done = s.total;
    if (this.current === stage) this.current = null;
  }

  fail(stage: string): void {
    this.find(stage).status = 'failed';
  }

  snapshot(): PipelineProgress {
    const running = this.current ? this.find(this.current) : null;
    if (!running) {
      const failed = this.stages.some((s) => s.status === 'failed');
      const finished = this.stages.every((s) => s.status !== 'pending' && s.status !== 'running');
      return { stage: failed ? 'failed' : finished ? 'done' : 'starting', done: 0, total: 0, unit: 'items', rate: 0, etaSeconds: null, stages: this.stages };
    }
    const elapsed = Math.max((Date.now() - (running.startedAt ?? Date.now())) / 1000, 1e-3);
    const rate = running.done / elapsed;
    const etaSeconds = rate > 0 && running.total > 0 ? Math.max(running.total - running.done, 0) / rate : null;
    return { stage: running.stage, done: running.done, total: running.total, unit: running.unit, rate, etaSeconds, stages: this.stages };
  }
}
