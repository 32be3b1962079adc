/** The model package's description (genq-model.json), read and checked. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const modelPackageSchema = z.looseObject({
  format_version: z.literal(1),
  pooling: z.enum(['cls', 'mean']),
  normalize: z.boolean(),
  max_seq_length: z.int().positive(),
  dimensions: z.int().positive(),
  base_model: z.string(),
  onnx: z.string(),
  onnx_int8: z.string().nullable().optional(),
  inputs: z.array(z.string()),
  output: z.string(),
});
export type ModelPackage = z.infer<typeof modelPackageSchema>;

export async function readModelPackage(folder: string): Promise<ModelPackage> {
  const file = path.join(folder, 'genq-model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a GenQ model package (${(err as Error).message}); export the model with the export stage`);
  }
  const parsed = modelPackageSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
