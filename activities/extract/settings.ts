/** Validates a stage's settings inside the activity too: tests, benchmarks and code may call it without the workflow. */
import type { z } from 'zod';
import { extractFailure } from './failures';

export function parseStageSettings<S extends z.ZodType>(schema: S, raw: unknown, field: string): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${[field, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
  throw extractFailure('InvalidSettings', `invalid settings: ${issues}`);
}
