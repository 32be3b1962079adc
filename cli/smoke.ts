/**
 * `npm run demo` (for now): runs the smoke workflow on the local stack with an in-process cpu worker and
 * prints each service check, the workflow's history length and where to see it in the Temporal UI.
 */
import '../workers/quietRuntime';
import { Client, Connection } from '@temporalio/client';
import { loadStackSettings } from '../infra/stackSettings';
import { taskQueues, temporalConnection } from '../temporal.config';
import { createWorker } from '../workers/runWorker';
import { smokeWorkflow } from '../workflows';

async function run(): Promise<void> {
  const settings = loadStackSettings();
  const { worker, connection: workerConnection } = await createWorker({ kind: 'cpu' });
  const connection = await Connection.connect({ address: temporalConnection.address });
  try {
    const client = new Client({ connection, namespace: temporalConnection.namespace });
    const workflowId = `genq-smoke-${Date.now()}`;
    const results = await worker.runUntil(async () => {
      const handle = await client.workflow.start(smokeWorkflow, {
        taskQueue: taskQueues.cpu,
        workflowId,
        args: [{ ollamaModel: process.env.GENQ_OLLAMA_MODEL ?? settings.ollama.testModel }],
      });
      console.log(`smoke workflow ${workflowId} started on '${taskQueues.cpu}'`);
      return handle.result();
    });
    for (const check of results) console.log(`  ${check.ok ? 'ok ' : 'BAD'} ${check.service.padEnd(9)} ${check.millis} ms  ${check.detail}`);
    console.log(`see it in the Temporal UI: ${temporalConnection.uiUrl}/namespaces/${temporalConnection.namespace}/workflows/${workflowId}`);
  } finally {
    await connection.close();
    await workerConnection.close();
  }
}

run().catch((err: unknown) => {
  console.error('genq smoke failed:', err);
  process.exit(1);
});
