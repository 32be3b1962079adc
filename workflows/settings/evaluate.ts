/**
 * Settings of the evaluate stage: which held-out queries to rank, and the study's TSDAE-effect measurement.
 * Pure (imports only zod) so workflow code can validate inputs with it.
 */
import { z } from 'zod';

export const evaluateSettingsSchema = z
  .object({
    maxQueries: z
      .int()
      .min(1)
      .optional()
      .describe('Cap on the held-out queries ranked (chosen by a hash of the query text, so the same ones every run). Default: all of them.'),
    noiseSeed: z.int().default(13).describe('Seed of the word deletion in the TSDAE-effect measurement, so the noisy copies are the same every run. Default 13.'),
    tsdaeEffectSample: z
      .int()
      .min(1)
      .default(500)
      .describe('Held-out chunks compared with their 60%-deleted copies for the TSDAE effect (only when a TSDAE model is given). Default 500.'),
    batchSize: z.int().min(1).max(4096).default(32).describe('Texts per onnxruntime run when embedding chunks and queries. Default 32.'),
  })
  .strict()
  .describe('Evaluate: nDCG@10, MRR@10, Recall@10/100 of the fine-tuned model, the base model, the champion and BM25 on held-out queries; backwards search; the TSDAE effect.');

/** Settings after validation, every default filled in. */
export type EvaluateSettings = z.output<typeof evaluateSettingsSchema>;
/** Settings as a user writes them: defaults may be left out. */
export type EvaluateSettingsInput = z.input<typeof evaluateSettingsSchema>;
