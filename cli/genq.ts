#!/usr/bin/env node
/** The `genq` command: start, follow, inspect and schedule GenQ pipeline runs. */
import '../workers/quietRuntime';
import { Command } from 'commander';
import { registerInspect } from './commands/inspect';
import { registerReport } from './commands/report';
import { registerRollback } from './commands/rollback';
import { registerRun } from './commands/run';
import { registerSchedule } from './commands/schedule';
import { registerSearch } from './commands/search';
import { registerServe } from './commands/serve';

const program = new Command();
program.name('genq').description('GenQ: domain-specific semantic search for property listings').showHelpAfterError();
registerRun(program);
registerInspect(program);
registerReport(program);
registerSchedule(program);
registerServe(program);
registerSearch(program);
registerRollback(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`genq: ${(err as Error).message}`);
  process.exit(1);
});
