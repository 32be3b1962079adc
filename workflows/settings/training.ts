/**
 * Settings of the training stages (gpu queue): TSDAE domain adaptation, the MNRL fine-tune and the export.
 * The trainer's own defaults are the method's; these are the ones a pipeline user sets. Pure zod: the
 * workflow imports it.
 */
import { z } from 'zod';

const precision = z.enum(['auto', 'fp32', 'bf16', 'fp16']).default('auto').describe('auto: bf16 (or fp16) autocast on a GPU, fp32 on CPU.');
const checkpointing = {
  checkpointEvery: z.int().min(1).default(500).describe('Steps between checkpoints; a crash or pre-emption loses at most this many.'),
  keepCheckpoints: z.int().min(1).max(20).default(2).describe('Newest checkpoints kept in the artifact store.'),
  progressEvery: z.int().min(1).default(10).describe('Steps between progress reports (heartbeats).'),
};
const schedule = {
  epochs: z.int().min(1).default(1).describe('Passes over the data (ignored when maxSteps is set).'),
  maxSteps: z.int().min(1).optional().describe('Total optimizer steps; overrides epochs.'),
  maxSeqLength: z.int().min(8).max(8192).default(256).describe('Tokens per text; longer texts are truncated.'),
  seed: z.int().default(42).describe('Seed of the data order, the noise and new weights.'),
  precision,
};

export const tsdaeSettingsSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Run TSDAE before MNRL (the method). The study it follows found GenQ alone better on its data: try both.'),
    baseModel: z.string().min(1).default('bert-base-uncased').describe('Hugging Face id (from the local cache) or a model folder on the gpu workers.'),
    pooling: z.enum(['cls', 'mean']).default('cls').describe('TSDAE uses the CLS vector (the paper).'),
    batchSize: z.int().min(1).default(8),
    learningRate: z.number().positive().default(3e-5).describe('Constant, as in the paper.'),
    deletionRatio: z.number().gt(0).lt(1).default(0.6).describe('Share of words deleted from each input (at least one kept).'),
    ...schedule,
    ...checkpointing,
  })
  .strict()
  .describe('Stage 4, TSDAE: domain-adaptive pre-training on the chunk texts (denoising auto-encoder, tied decoder).');

export const mnrlSettingsSchema = z
  .object({
    startFrom: z.enum(['tsdae', 'base']).default('tsdae').describe("'tsdae': fine-tune the TSDAE output (the method); 'base': fine-tune baseModel directly (the reference code)."),
    baseModel: z.string().min(1).default('bert-base-uncased').describe("The model used when startFrom is 'base' or TSDAE is disabled."),
    pooling: z.enum(['cls', 'mean']).default('mean'),
    batchSize: z.int().min(2).default(32).describe('Pairs per step: every other chunk in the batch is a negative.'),
    learningRate: z.number().positive().default(2e-5),
    warmupRatio: z.number().min(0).max(1).default(0.1),
    scale: z.number().positive().default(20).describe('Inverse temperature of the cosine similarities.'),
    cached: z.boolean().default(false).describe('GradCache: large batches on small GPUs.'),
    miniBatchSize: z.int().min(1).default(32).describe('With cached: texts embedded at once.'),
    groupByLength: z
      .boolean()
      .default(true)
      .describe('Batches of pairs whose chunks have similar lengths (sorted within windows of 16 batches, batch order shuffled): much less padding, the same pairs per epoch.'),
    pairEncoding: z
      .enum(['auto', 'joint', 'separate'])
      .default('auto')
      .describe("'joint': queries and chunks in one padded pass (fewer kernel launches); 'separate': a pass each (fewer FLOPs); 'auto': separate on CPU, joint on a GPU."),
    evalEvery: z.int().min(0).default(500).describe('Steps between evaluations on the held-out pairs (0: at the end only).'),
    ...schedule,
    ...checkpointing,
  })
  .strict()
  .describe('Stage 5, MNRL: fine-tune on the (query, chunk) pairs with Multiple Negatives Ranking Loss.');

export const exportSettingsSchema = z
  .object({
    normalize: z.boolean().default(true).describe('L2-normalise embeddings (cosine = dot product).'),
    quantize: z.boolean().default(false).describe('Also write an int8 (dynamic quantisation) graph.'),
    maxSeqLength: z.int().min(8).optional().describe("Tokens per text at search time; default: the model's own."),
  })
  .strict()
  .describe('Stage 6, export: the model package (ONNX graph, tokenizer, pooling and normalisation), checked for parity.');

export type TsdaeSettings = z.output<typeof tsdaeSettingsSchema>;
export type MnrlSettings = z.output<typeof mnrlSettingsSchema>;
export type ExportSettings = z.output<typeof exportSettingsSchema>;
