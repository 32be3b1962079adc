/**
 * Where GenQ's Temporal parts meet: the connection, the task-queue names, and the timeouts and retry
 * policies of each kind of activity. Every value can be overridden from the environment, so workers,
 * clients and deployments agree without string literals repeated across files.
 */
import type { RetryPolicy } from '@temporalio/common';
import { loadStackSettings } from './infra/stackSettings';
import { defaultTaskQueues } from './workflows/settings/taskQueues';

const env = process.env;
const stack = loadStackSettings(env);

export const temporalConnection = {
  address: stack.temporal.address,
  namespace: stack.temporal.namespace,
  uiUrl: stack.temporal.uiUrl,
};

/** One task queue per kind of hardware: `cpu` for data work, `llm` next to Ollama, `gpu` for training. */
export const taskQueues = {
  cpu: env.GENQ_QUEUE_CPU ?? defaultTaskQueues.cpu,
  llm: env.GENQ_QUEUE_LLM ?? defaultTaskQueues.llm,
  gpu: env.GENQ_QUEUE_GPU ?? defaultTaskQueues.gpu,
} as const;
export type TaskQueueKind = keyof typeof taskQueues;

const seconds = (key: string, fallback: number): string => `${Number(env[key] ?? fallback)}s`;

/** Short, idempotent service calls (health checks, small reads). */
export const quickActivity = {
  startToCloseTimeout: seconds('GENQ_QUICK_TIMEOUT_S', 60),
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: Number(env.GENQ_QUICK_MAX_ATTEMPTS ?? 5),
  } satisfies RetryPolicy,
};

/** Long stages (extract, generate, train) heartbeat; a missed heartbeat hands the work to another worker. */
export const longActivity = {
  startToCloseTimeout: seconds('GENQ_LONG_TIMEOUT_S', 24 * 3600),
  heartbeatTimeout: seconds('GENQ_HEARTBEAT_TIMEOUT_S', 60),
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    maximumAttempts: Number(env.GENQ_LONG_MAX_ATTEMPTS ?? 10),
  } satisfies RetryPolicy,
};
