/**
 * Settings of stage 2, chunk: the method's rule, descriptions longer than 1,024 characters are split into
 * segments of 100 characters. Pure (imports only zod) so workflow code can validate inputs with it.
 */
import { z } from 'zod';

export const chunkSettingsSchema = z
  .object({
    maxChars: z
      .number()
      .int()
      .min(1)
      .default(1024)
      .describe('A cleaned description longer than this many characters is split into segments; shorter ones stay one chunk. Default 1024 (the method\'s).'),
    segmentChars: z
      .number()
      .int()
      .min(2)
      .default(100)
      .describe('Maximum length of a segment, breaking between words (only a single longer word is cut). Default 100 (the method\'s).'),
    stripHtml: z
      .boolean()
      .default(true)
      .describe('Convert HTML tags and entities to plain text before chunking. Runs of whitespace are always collapsed. Default true.'),
  })
  .strict()
  .describe('Stage 2, chunk: clean each description, then split the long ones into word-aligned segments. Lengths count UTF-16 code units, as String.length does.');

/** Settings after validation, every default filled in. */
export type ChunkSettings = z.output<typeof chunkSettingsSchema>;
/** Settings as a user writes them: defaults may be left out. */
export type ChunkSettingsInput = z.input<typeof chunkSettingsSchema>;
