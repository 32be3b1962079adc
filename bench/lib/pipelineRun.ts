/**
 * Runs genqPipeline for a benchmark: in-process cpu, llm and gpu workers on queues of their own, against the
 * stack's Temporal, so a bench needs no workers running and never competes with other runs' queues.
 */
import { Client, Connection } from '@temporalio/client';
import { temporalConnection } from '../../temporal.config';
import { withInProcessWorkers } from '../../workers/runWorker';
import { genqPipeline, type PipelineSummary } from '../../workflows/genqPipeline';
import type { PipelineInput } from '../../workflows/settings/pipeline';

export type RunPipeline = (label: string, input: Partial<PipelineInput>) => Promise<PipelineSummary>;

/** Calls `work` with a function that runs the pipeline on `artifacts` and returns its summary. */
export async function withPipelineWorkers<T>(bench: string, artifacts: string, work: (run: RunPipeline) => Promise<T>): Promise<T> {
  const suffix = Date.now().toString(36);
  const queues = { cpu: `bench-cpu-${suffix}`, llm: `bench-llm-${suffix}`, gpu: `bench-gpu-${suffix}` };
  const connection = await Connection.connect({ address: temporalConnection.address });
  const client = new Client({ connection, namespace: temporalConnection.namespace });
  const run: RunPipeline = async (label, input) => {
    const started = Date.now();
    const handle = await client.workflow.start(genqPipeline, {
      taskQueue: queues.cpu,
      workflowId: `bench-${bench}-${label}-${suffix}`,
      // Generous heartbeats: a 2-core machine running SmolLM2 and training at once stalls for minutes.
      args: [{ artifacts, taskQueues: queues, heartbeatTimeoutSeconds: 300, ...input }],
    });
    const summary = await handle.result();
    console.error(`${bench}: run ${label} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return summary;
  };
  try {
    return await withInProcessWorkers(
      (['cpu', 'llm', 'gpu'] as const).map((kind) => ({ kind, taskQueue: queues[kind], shutdownGraceTime: '2s' })),
      () => work(run),
    );
  } finally {
    await connection.close();
  }
}
