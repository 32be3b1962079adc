/**
 * Settings of the index stage: where the listing index lives (an embedded folder by default, PostgreSQL with
 * pgvector to scale out) and how it is built. Pure (imports only zod) so workflow code can validate inputs with it.
 */
import { z } from 'zod';

export const hnswSettingsSchema = z
  .object({
    m: z
      .number()
      .int()
      .min(2)
      .max(128)
      .default(16)
      .describe('HNSW graph degree (links per node). Higher: better recall, more memory, slower build. Default 16.'),
    efConstruction: z
      .number()
      .int()
      .min(8)
      .default(200)
      .describe('Candidate list size while building the graph. Higher: better graph, slower build. Default 200.'),
    efSearch: z
      .number()
      .int()
      .min(8)
      .default(128)
      .describe('Candidate list size while searching (raised to the number of chunks asked for when that is larger). Default 128.'),
  })
  .strict()
  .describe('HNSW parameters, used by the embedded index above exactLimit chunks and by pgvector\'s HNSW index.');

export const pgvectorSettingsSchema = z
  .object({
    urlEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (upper case, digits, underscores)')
      .default('GENQ_PGVECTOR_URL')
      .describe('Environment variable holding the PostgreSQL URL (postgres://user@host:port/db) of a server with the vector extension. The URL is never written to the index. Default GENQ_PGVECTOR_URL.'),
  })
  .strict()
  .describe('The pgvector backend: a PostgreSQL server with the vector extension.');

export const indexSettingsSchema = z
  .object({
    backend: z
      .enum(['embedded', 'pgvector'])
      .default('embedded')
      .describe('embedded: an on-disk folder the server loads (exact scan up to exactLimit chunks, HNSW above). pgvector: tables in PostgreSQL with an HNSW index. Default embedded.'),
    exactLimit: z
      .number()
      .int()
      .min(0)
      .default(20000)
      .describe('The embedded index scans every vector (exact) up to this many chunks and builds an HNSW graph above it. Default 20000.'),
    hnsw: hnswSettingsSchema.prefault({}),
    pgvector: pgvectorSettingsSchema.prefault({}),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(32)
      .describe('Chunk texts embedded per model run. Default 32.'),
  })
  .strict()
  .describe('The index stage: embed every chunk with the model and build the listing index the server searches.');

/** Settings after validation, every default filled in. */
export type IndexSettings = z.output<typeof indexSettingsSchema>;
/** Settings as a user writes them: defaults may be left out. */
export type IndexSettingsInput = z.input<typeof indexSettingsSchema>;
export type HnswSettings = z.output<typeof hnswSettingsSchema>;
