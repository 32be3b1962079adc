/** Prints a finished run's stages and artifacts as a short table. */
import type { PipelineSummary } from '../workflows/genqPipeline';

export function printSummary(summary: PipelineSummary): void {
  for (const [stage, s] of Object.entries(summary.stages)) {
    console.log(`  ${stage.padEnd(9)} ${s.reused ? 'reused  ' : 'computed'}  ${s.key}`);
  }
  if (summary.queryShards.total > 0) {
    const q = summary.queryShards;
    console.log(`  queries   ${q.total} shards (${q.reused} reused), ${q.llmCalls} LLM calls, ${q.cacheHits} cache hits`);
  }
  if (summary.promotion) {
    const p = summary.promotion;
    console.log(`  promote   index ${p.indexName}: ${p.reason}`);
  }
  printArtifacts(summary);
}

export function printArtifacts(summary: PipelineSummary): void {
  for (const [name, ref] of Object.entries(summary.artifacts)) {
    if (!ref) continue;
    const count = ref.count === undefined ? '' : `${ref.count} rows, `;
    console.log(`  ${name.padEnd(13)} ${ref.uri}  (${count}${ref.bytes} bytes)`);
  }
}
