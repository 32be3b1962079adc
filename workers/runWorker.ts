/**
 * The one shape of every GenQ worker: connect, host the activities of one task queue (and the workflows on
 * the cpu queue), run until SIGINT/SIGTERM, then drain in-flight activities for a grace period and close.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { taskQueues, temporalConnection, type TaskQueueKind } from '../temporal.config';
import * as activities from '../activities';
import { removeOrphanedWorkFolders } from '../activities/artifacts/workFolders';

export interface RunWorkerOptions {
  kind: TaskQueueKind;
  /** Overrides the queue name from temporal.config.ts (tests use unique queues). */
  taskQueue?: string;
  /** How many activities run at once on this worker (e.g. one per GPU). */
  maxConcurrentActivityTaskExecutions?: number;
  /** Host workflows too; the cpu worker does by default. */
  hostWorkflows?: boolean;
  /** Time in-flight activities get to finish after a shutdown signal. @default '30s' */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

export async function createWorker(options: RunWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: temporalConnection.address });
  try {
    const hostWorkflows = options.hostWorkflows ?? options.kind === 'cpu';
    const worker = await Worker.create({
      connection,
      namespace: temporalConnection.namespace,
      taskQueue: options.taskQueue ?? taskQueues[options.kind],
      activities,
      ...(hostWorkflows ? { workflowsPath: require.resolve('../workflows') } : {}),
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
      shutdownGraceTime: options.shutdownGraceTime ?? '30s',
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** Runs `work` while an in-process worker serves each of `workers` (tests, benchmarks); they stop and close when it ends. */
export async function withInProcessWorkers<T>(workers: RunWorkerOptions[], work: () => Promise<T>): Promise<T> {
  const started = await Promise.all(workers.map((options) => createWorker(options)));
  try {
    let run: () => Promise<T> = work;
    for (const { worker } of started) {
      const inner = run;
      run = () => worker.runUntil(inner);
    }
    return await run();
  } finally {
    await Promise.all(started.map(({ connection }) => connection.close()));
  }
}

/** Entry point used by workers/<kind>.ts: exits non-zero with the error printed when the worker fails. */
export function runWorkerMain(options: RunWorkerOptions): void {
  const run = async (): Promise<void> => {
    const removed = await removeOrphanedWorkFolders();
    if (removed.length > 0) console.error(`genq worker: removed ${removed.length} work folder(s) left by killed workers: ${removed.join(', ')}`);
    const { worker, connection } = await createWorker(options);
    console.error(`genq worker: ${options.kind} queue '${options.taskQueue ?? taskQueues[options.kind]}' on ${temporalConnection.address}`);
    try {
      await worker.run();
    } finally {
      await connection.close();
    }
  };
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('genq worker failed:', err);
      process.exit(1);
    },
  );
}
