import type { Command } from 'commander';
import { withClient } from '../withClient';
import { createPipelineSchedule, listPipelineSchedules } from '../../client/schedules';
import { readRunConfig } from '../readConfig';

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('scheduled retraining runs (Temporal Schedules, overlap: skip)');

  schedule
    .command('create <scheduleId>')
    .description('start the pipeline with a fixed config on a timetable')
    .requiredOption('-c, --config <file>', 'run settings (JSON)')
    .option('--cron <expression>', "cron expression, e.g. '0 3 * * *'")
    .option('--every <interval>', "interval, e.g. '24h'")
    .action((scheduleId: string, opts: { config: string; cron?: string; every?: string }) =>
      withClient(async (client) => {
        await createPipelineSchedule(client, { scheduleId, input: readRunConfig(opts.config), cron: opts.cron, every: opts.every });
        console.log(`schedule ${scheduleId} created`);
      }),
    );

  schedule
    .command('list')
    .description('every schedule with its next run')
    .action(() =>
      withClient(async (client) => {
        const schedules = await listPipelineSchedules(client);
        if (schedules.length === 0) console.log('no schedules');
        for (const s of schedules) {
          const next = s.info.nextActionTimes[0]?.toISOString() ?? '-';
          console.log(`${s.scheduleId.padEnd(30)} ${s.state.paused ? 'paused ' : 'active '} next ${next}`);
        }
      }),
    );

  for (const [verb, description] of [
    ['pause', 'stop starting runs (running ones go on)'],
    ['unpause', 'start runs again'],
    ['delete', 'remove the schedule (runs it started go on)'],
  ] as const) {
    schedule
      .command(`${verb} <scheduleId>`)
      .description(description)
      .action((scheduleId: string) =>
        withClient(async (client) => {
          const handle = client.schedule.getHandle(scheduleId);
          if (verb === 'pause') await handle.pause('paused from genq CLI');
          else if (verb === 'unpause') await handle.unpause('unpaused from genq CLI');
          else await handle.delete();
          console.log(`schedule ${scheduleId}: ${verb}d`);
        }),
      );
  }
}
