/**
 * The pipeline's input: plain JSON, so a run can start from the Temporal UI, a schedule, the CLI or code.
 * One schema serves all of them; `npm run schema` writes its JSON Schema to schemas/pipeline-input.schema.json.
 */
import { z } from 'zod';
import { chunkSettingsSchema } from './chunk';
import { evaluateSettingsSchema } from './evaluate';
import { extractSettingsSchema } from './extract';
import { indexSettingsSchema } from './index';
import { promoteSettingsSchema } from './promote';
import { querySettingsSchema } from './queries';
import { taskQueuesSchema } from './taskQueues';
import { exportSettingsSchema, mnrlSettingsSchema, tsdaeSettingsSchema } from './training';

export const forceableStages = ['extract', 'chunk', 'queries', 'assemble', 'tsdae', 'mnrl', 'export', 'evaluate', 'index'] as const;
export type ForceableStage = (typeof forceableStages)[number];
/** Where a run may stop: any stage, up to 'promote' (the whole method). */
export const lastStages = [...forceableStages, 'promote'] as const;

export const pipelineInputSchema = z
  .object({
    artifacts: z
      .string()
      .default('')
      .describe('Artifact store: s3://bucket/prefix, or a folder on the workers. Empty: the workers\' default (GENQ_ARTIFACTS, else .genq/artifacts).'),
    extract: extractSettingsSchema.optional().describe('Where the listings come from. Required unless labeledCsv is given.'),
    labeledCsv: z
      .string()
      .min(1)
      .optional()
      .describe('Start from an existing labelled CSV (id,document,query1..query5; local path or s3://) instead of extracting and generating.'),
    chunk: chunkSettingsSchema.prefault({}),
    queries: querySettingsSchema.prefault({}),
    tsdae: tsdaeSettingsSchema.prefault({}),
    mnrl: mnrlSettingsSchema.prefault({}),
    export: exportSettingsSchema.prefault({}),
    evaluate: evaluateSettingsSchema
      .extend({
        queriesFile: z
          .string()
          .min(1)
          .optional()
          .describe('Also rank your own labelled queries: JSONL lines {"query": "...", "relevant": ["listing id", ...]} (a path on the cpu workers or s3://).'),
      })
      .prefault({})
      .describe(evaluateSettingsSchema.description ?? 'Evaluate: the model against the base model, the champion and BM25 on held-out queries.'),
    index: indexSettingsSchema.prefault({}),
    promote: promoteSettingsSchema.prefault({}),
    stopAfter: z
      .enum(lastStages)
      .default('promote')
      .describe(
        "The last stage to run: 'assemble' stops with the labelled pairs (the data half), 'export' with a model package, 'evaluate' with its report; 'promote' (the default) runs the whole method: the model is indexed and becomes the champion if it wins.",
      ),
    force: z.array(z.enum(forceableStages)).default([]).describe('Stages to recompute even when a finished output with the same key exists.'),
    taskQueues: taskQueuesSchema.prefault({}),
    heartbeatTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .default(60)
      .describe('How long a long stage may go without a heartbeat before its worker is presumed dead and the stage moves on to another.'),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (!input.extract && !input.labeledCsv) {
      ctx.addIssue({ code: 'custom', path: ['extract'], message: 'give either extract (a listings source) or labeledCsv (an existing labelled CSV)' });
    }
    if (input.extract && input.labeledCsv) {
      ctx.addIssue({ code: 'custom', path: ['labeledCsv'], message: 'give extract or labeledCsv, not both' });
    }
  });

export type PipelineInput = z.input<typeof pipelineInputSchema>;
export type PipelineSettings = z.output<typeof pipelineInputSchema>;

/** Every problem with an input, each with the path of the field it concerns. */
export function describeInputIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`).join('; ');
}
