import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { temporalConnection } from '../temporal.config';
import { createWorker } from '../workers/runWorker';
import { smokeProgressQuery, smokeWorkflow } from '../workflows';
import { stack, uniqueName } from './support/stack';

describe('temporal: a workflow on the real dev server and a real worker', () => {
  it('runs the smoke workflow, and its result, history and progress query read back', async () => {
    const taskQueue = uniqueName('test-smoke');
    const { worker, connection: workerConnection } = await createWorker({ kind: 'cpu', taskQueue, shutdownGraceTime: '1s' });
    const connection = await Connection.connect({ address: temporalConnection.address });
    try {
      const client = new Client({ connection, namespace: temporalConnection.namespace });
      const workflowId = uniqueName('smoke');
      const { results, progress } = await worker.runUntil(async () => {
        const handle = await client.workflow.start(smokeWorkflow, {
          taskQueue,
          workflowId,
          args: [{ ollamaModel: stack.ollama.testModel }],
        });
        const results = await handle.result();
        return { results, progress: await handle.query(smokeProgressQuery) };
      });

      assert.deepEqual(results.map((r) => r.service), ['s3', 'postgres', 'ollama']);
      assert.ok(results.every((r) => r.ok));
      assert.match(results[1]!.detail, /PostgreSQL \d+/);
      assert.deepEqual(progress, { stage: 'done', done: 3, total: 3 });

      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const EventType = temporal.api.enums.v1.EventType;
      const types = (history.events ?? []).map((e) => e.eventType);
      const count = (type: temporal.api.enums.v1.EventType): number => types.filter((t) => t === type).length;
      assert.equal(count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 3, `history: ${types.join(', ')}`);
      assert.equal(count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 3);
      assert.equal(types.at(-1), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    } finally {
      await connection.close();
      await workerConnection.close();
    }
  });
});
