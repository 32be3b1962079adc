/** Runs genqPipeline in tests: in-process cpu and llm workers on queues of their own, a temporary artifact folder. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporalConnection } from '../../temporal.config';
import { withInProcessWorkers } from '../../workers/runWorker';
import { genqPipeline } from '../../workflows';
import type { PipelineInput } from '../../workflows/settings/pipeline';
import { stack, uniqueName } from './stack';
import { temporaryFolder } from './temporaryFolder';

export interface Harness {
  client: Client;
  queues: { cpu: string; llm: string; gpu: string };
  artifacts: string;
  /** Starts a run and returns its handle; the caller awaits while `withWorkers` keeps the workers up. */
  start(input: Partial<PipelineInput>, workflowId?: string): Promise<WorkflowHandle<typeof genqPipeline>>;
  /** Runs `work` while an in-process worker serves each queue named in `kinds`. */
  withWorkers<T>(kinds: Array<'cpu' | 'llm' | 'gpu'>, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One artifact folder per test process: later suites reuse what earlier ones computed (content keys). */
let sharedArtifacts: string | undefined;


export async function openHarness(options: { artifacts?: string } = {}): Promise<Harness> {
  const connection = await Connection.connect({ address: temporalConnection.address });
  const client = new Client({ connection, namespace: temporalConnection.namespace });
  const queues = { cpu: uniqueName('t-cpu'), llm: uniqueName('t-llm'), gpu: uniqueName('t-gpu') };
  sharedArtifacts ??= temporaryFolder('genq-artifacts-');
  const artifacts = options.artifacts ?? sharedArtifacts;
  return {
    client,
    queues,
    artifacts,
    start: (input, workflowId) =>
      client.workflow.start(genqPipeline, {
        taskQueue: queues.cpu,
        workflowId: workflowId ?? uniqueName('pipeline'),
        args: [{ artifacts, taskQueues: queues, heartbeatTimeoutSeconds: 10, ...input }],
      }),
    withWorkers: (kinds, work) =>
      withInProcessWorkers(
        kinds.map((kind) => ({ kind, taskQueue: queues[kind], hostWorkflows: kind === 'cpu', shutdownGraceTime: '2s' })),
        work,
      ),
    close: () => connection.close(),
  };
}

export const sampleListings = path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl');

/**
 * The sample run the pipeline and training suites share: the first three sample listings (one long: 16
 * chunks), shards of 6, through the real SmolLM2 stand-in.
 */
export const sampleRunInput = {
  extract: { source: { kind: 'jsonl' as const, path: sampleListings }, limit: 3 },
  queries: { model: stack.ollama.testModel, shardSize: 6 },
};

/** The heartbeat details of the workflow's running activity, if any (decoded JSON). */
export async function pendingHeartbeat<T>(handle: WorkflowHandle): Promise<T | undefined> {
  const described = await handle.describe();
  const payload = described.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<T>(payload) : undefined;
}

export async function readArtifactText(uri: string): Promise<string> {
  return readFile(fileURLToPath(uri), 'utf8');
}

export const jsonLines = <T>(text: string): T[] => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
