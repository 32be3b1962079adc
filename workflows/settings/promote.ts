/**
 * Settings of the last stage, promote: which index name the model competes for, and by how much it must win.
 * Pure (imports only zod) so workflow code can validate inputs with it.
 */
import { z } from 'zod';

export const promoteSettingsSchema = z
  .object({
    indexName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use 1-63 lower-case letters, digits and dashes, starting with a letter or digit')
      .default('listings')
      .describe('The index the model competes for: searches name it (genq serve --index, genq search --index). Default listings.'),
    margin: z
      .number()
      .min(-1)
      .max(1)
      .default(0.005)
      .describe(
        'How much higher the new nDCG@10 must be than the current champion\'s (or, for the first model of an index, the base model\'s) on the same held-out queries. Default 0.005 (half a point). A negative margin lets a slightly worse model through: only for installing a first champion by hand.',
      ),
  })
  .strict()
  .describe('Promote: the model becomes the current one for its index name only if it beats the champion on the same held-out queries.');

export type PromoteSettings = z.output<typeof promoteSettingsSchema>;
