/**
 * Retraining on a timetable: Temporal Schedules that start genqPipeline with a fixed input. A run still going
 * when the next is due is not doubled (overlap policy SKIP).
 */
import { ScheduleOverlapPolicy, type Client, type ScheduleSummary } from '@temporalio/client';
import { taskQueues } from '../temporal.config';
import { genqPipeline, parsePipelineInput } from '../workflows/genqPipeline';
import type { PipelineInput } from '../workflows/settings/pipeline';
import { withConfiguredQueues } from './startPipeline';

export interface CreateScheduleOptions {
  scheduleId: string;
  input: PipelineInput;
  /** Cron expression, e.g. '0 3 * * *' (03:00 UTC daily). */
  cron?: string;
  /** Interval, e.g. '24h'. */
  every?: string;
  note?: string;
}

export async function createPipelineSchedule(client: Client, options: CreateScheduleOptions): Promise<void> {
  if (!options.cron === !options.every) throw new Error('give exactly one of cron or every');
  const input = withConfiguredQueues(options.input);
  parsePipelineInput(input);
  await client.schedule.create({
    scheduleId: options.scheduleId,
    spec: options.cron ? { cronExpressions: [options.cron] } : { intervals: [{ every: options.every as `${number}h` }] },
    action: {
      type: 'startWorkflow',
      workflowType: genqPipeline,
      workflowId: `${options.scheduleId}-run`,
      taskQueue: taskQueues.cpu,
      args: [input],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    state: { note: options.note ?? 'GenQ retraining' },
  });
}

export async function listPipelineSchedules(client: Client): Promise<ScheduleSummary[]> {
  const found: ScheduleSummary[] = [];
  for await (const schedule of client.schedule.list()) found.push(schedule);
  return found;
}
