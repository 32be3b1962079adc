/** Writes the pipeline input's JSON Schema (for the Temporal UI, editors and other languages). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { findProjectRoot } from '../infra/stackSettings';
import { pipelineInputSchema } from '../workflows/settings/pipeline';

const target = path.join(findProjectRoot(), 'schemas', 'pipeline-input.schema.json');
const schema = { ...z.toJSONSchema(pipelineInputSchema, { io: 'input' }), title: 'GenQ pipeline input (genqPipeline)' };
mkdirSync(path.dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${target}`);
