import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { pipelineInputSchema } from '../workflows/settings/pipeline';
import { stack } from './support/stack';

describe('schema: the committed JSON Schema of the pipeline input', () => {
  it('matches the zod schema the workflow validates with (run npm run schema after changing settings)', () => {
    const committed = JSON.parse(readFileSync(path.join(stack.projectRoot, 'schemas', 'pipeline-input.schema.json'), 'utf8')) as Record<string, unknown>;
    const generated = { ...z.toJSONSchema(pipelineInputSchema, { io: 'input' }), title: 'GenQ pipeline input (genqPipeline)' };
    assert.deepEqual(committed, JSON.parse(JSON.stringify(generated)));
  });

  it('documents every top-level field', () => {
    const generated = z.toJSONSchema(pipelineInputSchema, { io: 'input' }) as { properties: Record<string, { description?: string }> };
    for (const [field, schema] of Object.entries(generated.properties)) assert.ok(schema.description, `${field} has no description`);
  });
});
