import type { Command } from 'commander';
import { connectClient } from '../../client/connect';
import { startPipeline } from '../../client/startPipeline';
import { temporalConnection } from '../../temporal.config';
import { followRun } from '../followProgress';
import { printSummary } from '../printSummary';
import { readRunConfig } from '../readConfig';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start a pipeline run and follow its progress (Ctrl-C detaches)')
    .requiredOption('-c, --config <file>', 'run settings (JSON; schema: schemas/pipeline-input.schema.json)')
    .option('--id <workflowId>', 'workflow id (default genq-<timestamp>)')
    .option('--detach', 'print the run id and return at once')
    .action(async (opts: { config: string; id?: string; detach?: boolean }) => {
      const client = await connectClient();
      try {
        const handle = await startPipeline(client, readRunConfig(opts.config), { workflowId: opts.id });
        console.log(`run ${handle.workflowId} started (${temporalConnection.uiUrl}/namespaces/${temporalConnection.namespace}/workflows/${handle.workflowId})`);
        if (opts.detach) return;
        const summary = await followRun(client, handle.workflowId);
        if (summary) {
          printSummary(summary);
          console.log(`labeled.csv: ${summary.artifacts.labeledCsv.uri}`);
          if (summary.artifacts.modelPackage) console.log(`model package: ${summary.artifacts.modelPackage.uri}`);
        }
      } finally {
        await client.connection.close();
      }
    });
}
