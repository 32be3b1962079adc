import type { Command } from 'commander';
import { openArtifactStore } from '../../activities/artifacts/openStore';
import { rollbackChampion } from '../../activities/promote/rollback';

/** `genq rollback <index>`: the previous champion answers searches again (servers pick it up on their next poll). */
export function registerRollback(program: Command): void {
  program
    .command('rollback <index>')
    .description('restore the champion that the current one replaced, for an index name')
    .option('--artifacts <uri>', 'artifact store (s3://bucket/prefix or a folder); default GENQ_ARTIFACTS, else .genq/artifacts')
    .action(async (indexName: string, options: { artifacts?: string }) => {
      const store = openArtifactStore(options.artifacts);
      const change = await rollbackChampion(store, indexName);
      console.log(`${indexName}: model ${change.champion.modelVersion.slice(0, 12)} (run ${change.champion.runId}, nDCG@10 ${change.champion.ndcgAt10.toFixed(4)}) is the champion again`);
      console.log(`  ${change.reason}`);
    });
}
