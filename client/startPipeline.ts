/**
 * Starting GenQ from code. The input is the same plain JSON the Temporal UI and schedules use; it is
 * validated here first so mistakes surface before anything starts, and again inside the workflow.
 *
 * @example
 *   const client = await connectClient();
 *   const handle = await startPipeline(client, { extract: { source: { kind: 'jsonl', path: 'sample/spanish-listings.jsonl' } } });
 *   const summary = await handle.result();
 *   console.log(summary.artifacts.labeledCsv.uri);
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { taskQueues } from '../temporal.config';
import { genqPipeline, parsePipelineInput } from '../workflows/genqPipeline';
import type { PipelineInput } from '../workflows/settings/pipeline';

export interface StartPipelineOptions {
  /** Workflow id; default `genq-<timestamp>`. Starting a second run with a running id fails. */
  workflowId?: string;
}

/** The input with the task queues this process is configured for (environment overrides included). */
export function withConfiguredQueues(input: PipelineInput): PipelineInput {
  return { ...input, taskQueues: { ...taskQueues, ...input.taskQueues } };
}

export async function startPipeline(
  client: Client,
  input: PipelineInput,
  options: StartPipelineOptions = {},
): Promise<WorkflowHandle<typeof genqPipeline>> {
  const prepared = withConfiguredQueues(input);
  parsePipelineInput(prepared); // throws ApplicationFailure naming the field
  return client.workflow.start(genqPipeline, {
    taskQueue: taskQueues.cpu,
    workflowId: options.workflowId ?? `genq-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    args: [prepared],
  });
}
