import type { Command } from 'commander';
import { withClient } from '../withClient';
import type { PipelineSummary } from '../../workflows/genqPipeline';
import { printArtifacts, printSummary } from '../printSummary';
import { readRunProgress } from '../runProgress';

/** `genq status`, `genq artifacts` and `genq cancel`: one run, by id. */
export function registerInspect(program: Command): void {
  program
    .command('status <workflowId>')
    .description("a run's state, progress and (when finished) summary")
    .action((workflowId: string) =>
      withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe();
        console.log(`${workflowId}: ${description.status.name} (started ${description.startTime.toISOString()})`);
        if (description.status.name === 'RUNNING') {
          const p = await readRunProgress(handle);
          console.log(`  ${p.stage}: ${p.done}/${p.total} ${p.unit}, ${p.rate.toFixed(1)}/s, ETA ${p.etaSeconds === null ? '?' : `${Math.round(p.etaSeconds)}s`}`);
          for (const s of p.stages) console.log(`    ${s.stage.padEnd(9)} ${s.status}${s.status === 'running' && s.total > 0 ? ` ${s.done}/${s.total} ${s.unit}` : ''}`);
        } else if (description.status.name === 'COMPLETED') {
          printSummary((await handle.result()) as PipelineSummary);
        }
      }),
    );

  program
    .command('artifacts <workflowId>')
    .description("a finished run's artifacts (URI, size, rows)")
    .action((workflowId: string) =>
      withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const { status } = await handle.describe();
        if (status.name !== 'COMPLETED') throw new Error(`run ${workflowId} is ${status.name}; artifacts are listed once it completes`);
        printArtifacts((await handle.result()) as PipelineSummary);
      }),
    );

  program
    .command('cancel <workflowId>')
    .description('cancel a run (training stages save a checkpoint first)')
    .action((workflowId: string) =>
      withClient(async (client) => {
        await client.workflow.getHandle(workflowId).cancel();
        console.log(`cancellation requested for ${workflowId}`);
      }),
    );
}
