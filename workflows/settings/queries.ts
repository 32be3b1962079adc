/**
 * Settings of the generateQueries stage (method step 3): one schema for the Temporal UI input, the CLI and
 * the code. Pure zod, so workflow code can import it.
 */
import { z } from 'zod';

export const querySettingsSchema = z
  .object({
    model: z
      .string()
      .min(1)
      .default('llama3')
      .describe('Ollama model that writes the queries. The method used llama3; the tests use the SmolLM2 stand-in (smollm2-135m).'),
    ollamaHostEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .default('OLLAMA_HOST_URL')
      .describe('Environment variable, on the llm workers, holding the Ollama URL. Unset: the local stack\'s Ollama.'),
    queriesPerChunk: z.int().min(1).max(20).default(5).describe('Search queries asked per chunk (the method: 5).'),
    concurrency: z
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe('Chat requests in flight per shard activity. Match the server\'s OLLAMA_NUM_PARALLEL; bench/queryGeneration.ts measures it.'),
    shardSize: z.int().min(1).max(100_000).default(500).describe('Chunks per activity: the unit of fan-out, retry and reuse.'),
    parallelShards: z
      .int()
      .min(1)
      .max(256)
      .default(1)
      .describe('Shard activities in flight at once. Raise it with the number of llm workers (each next to its own Ollama).'),
    allowPull: z.boolean().default(false).describe('Pull the model when the server lacks it (can be gigabytes); otherwise fail and say how to fetch it.'),
    maxAttempts: z.int().min(1).max(10).default(3).describe('Replies asked per chunk before an invalid one is quarantined.'),
    minQueryChars: z.int().min(1).max(200).default(8).describe('Shortest accepted query, in characters.'),
    maxQueryChars: z.int().min(8).max(1000).default(120).describe('Longest accepted query, in characters (the method\'s stored questions averaged 161).'),
    temperature: z.number().min(0).max(2).default(0.7).describe('Sampling temperature; above 0 so that a retry can give a different reply.'),
    numPredict: z.int().min(16).max(8192).default(400).describe('Most tokens per reply (Ollama num_predict); a cut-off reply is invalid JSON and is retried.'),
    heldOutShare: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.1)
      .describe('Share of listings whose pairs are held out for evaluation; split by a hash of the listing id, so stable across runs.'),
  })
  .strict()
  .refine((s) => s.minQueryChars <= s.maxQueryChars, { path: ['minQueryChars'], message: 'must not exceed maxQueryChars' })
  .describe('Query generation (an LLM served by Ollama writes search queries for each chunk).');

export type QuerySettingsInput = z.input<typeof querySettingsSchema>;
export type QuerySettings = z.output<typeof querySettingsSchema>;
