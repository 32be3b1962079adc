/** Keeps the Temporal SDK's own log at WARN (its INFO lines drown test and CLI output); GENQ_LOG_LEVEL overrides. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const level = (process.env.GENQ_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
Runtime.install({ logger: new DefaultLogger(level) });
