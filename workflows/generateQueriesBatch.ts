/**
 * A child workflow that generates queries for a batch of shards. The parent splits 100,000 chunks into a few
 * such batches, so no single history grows with the number of chunks; each finished shard is signalled to
 * the parent for its progress bar.
 */
import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { ArtifactRef, StageResult } from '../activities/artifacts/types';
import { llmStageOptions, withHeartbeat } from './activityOptions';
import { shardDoneSignal } from './progress';
import type { QuerySettings } from './settings/queries';

export interface QueryShard {
  index: number;
  start: number;
  end: number;
}

export interface GenerateQueriesBatchInput {
  parentWorkflowId: string;
  artifacts: string;
  chunks: ArtifactRef;
  shards: QueryShard[];
  settings: QuerySettings;
  force: boolean;
  llmTaskQueue: string;
  /** Shards in flight at once; each shard has its own concurrency towards Ollama. */
  parallelShards: number;
  heartbeatTimeoutSeconds: number;
}

export async function generateQueriesBatch(input: GenerateQueriesBatchInput): Promise<StageResult[]> {
  const { generateQueriesShard } = proxyActivities<typeof activities>({
    ...withHeartbeat(llmStageOptions, input.heartbeatTimeoutSeconds),
    taskQueue: input.llmTaskQueue,
  });
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  const results: StageResult[] = new Array(input.shards.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < input.shards.length) {
      const position = next++;
      const shard = input.shards[position]!;
      results[position] = await generateQueriesShard({
        artifacts: input.artifacts,
        chunks: input.chunks,
        shard,
        settings: input.settings,
        force: input.force,
      });
      await parent.signal(shardDoneSignal, { chunks: shard.end - shard.start });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, input.parallelShards) }, lane));
  return results;
}
