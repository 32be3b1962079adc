/**
 * The pipeline's input: plain JSON, so a run can start from the Temporal UI, a schedule, the CLI or code.
 * One schema serves all of them; `npm run schema` writes its JSON Schema to schemas/pipeline-input.schema.json.
 */
import { z } from 'zod';
import { chunkSettingsSchema } from './chunk';
import { extractSettingsSchema } from './extract';
import { querySettingsSchema } from './queries';
import { taskQueuesSchema } from './taskQueues';
import { exportSettingsSchema, mnrlSettingsSchema, tsdaeSettingsSchema } from './training';

export const forceableStages = ['extract', 'chunk', 'queries', 'assemble', 'tsdae', 'mnrl', 'export'] as const;
export type ForceableStage = (typeof forceableStages)[number];

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
    stopAfter: z
      .enum(forceableStages)
      .default('export')
      .describe("The last stage to run: 'assemble' stops with the labelled pairs (the data half), 'export' goes on to a model package."),
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
