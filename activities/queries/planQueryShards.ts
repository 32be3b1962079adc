/** Splits chunks.jsonl into shards of `shardSize` chunks: the units the workflow fans out to llm workers. */
import { querySettingsSchema, type QuerySettingsInput } from '../../workflows/settings/queries';
import type { ArtifactRef } from '../artifacts/types';
import { parseStageSettings } from '../extract/settings';
import { countLines } from './chunkSource';
import type { ShardRange } from './types';

export interface QueryShardPlan {
  total: number;
  shards: ShardRange[];
}

export function planShards(total: number, shardSize: number): ShardRange[] {
  const shards: ShardRange[] = [];
  for (let start = 0; start < total; start += shardSize) shards.push({ index: shards.length, start, end: Math.min(total, start + shardSize) });
  return shards;
}

export async function planQueryShards(input: { chunks: ArtifactRef; settings: QuerySettingsInput }): Promise<QueryShardPlan> {
  const settings = parseStageSettings(querySettingsSchema, input.settings, 'queries');
  // The chunk stage records the count; counting the lines is the fallback for a hand-made reference.
  const total = input.chunks.count ?? (await countLines(input.chunks));
  return { total, shards: planShards(total, settings.shardSize) };
}
