/**
 * Settings of stage 1, extract: where the listings come from and how their fields map onto GenQ's
 * {id, text, fields}. Pure (imports only zod) so workflow code can validate inputs with it. Every field is
 * described, so the generated JSON Schema documents the defaults for the Temporal UI and the CLI.
 */
import { z } from 'zod';

/** Secrets never travel in workflow input: a database source names the environment variable holding its URL. */
const urlEnv = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .default(fallback)
    .describe(`Name of the environment variable (on the cpu workers) that holds the connection URL. Default ${fallback}.`);

const filePath = z
  .string()
  .min(1)
  .describe('A local path on the cpu workers, or an s3://bucket/key URI (read with the stack\'s S3 client and credentials).');

export const mongodbSourceSchema = z
  .object({
    kind: z.literal('mongodb').describe('A MongoDB collection (the method\'s own database), read through a streaming cursor.'),
    urlEnv: urlEnv('GENQ_MONGO_URL'),
    database: z.string().min(1).describe('Database name.'),
    collection: z.string().min(1).describe('Collection name.'),
    filter: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Query filter, as MongoDB Extended JSON (so {"_id": {"$oid": "..."}} and {"$date": ...} work). Default {} (every document).'),
    projection: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Optional projection. It must keep the id, text and kept fields, or rows are quarantined as missing them.'),
  })
  .strict();

export const postgresSourceSchema = z
  .object({
    kind: z.literal('postgres').describe('A PostgreSQL query, read through a server-side cursor (pg-query-stream).'),
    urlEnv: urlEnv('GENQ_LISTINGS_DATABASE_URL'),
    query: z.string().min(1).describe('A SELECT returning one row per listing, with the id, text and kept fields as columns.'),
  })
  .strict();

export const sqliteSourceSchema = z
  .object({
    kind: z.literal('sqlite').describe('A SQLite database file and a query (better-sqlite3, row by row).'),
    path: z.string().min(1).describe('Local path of the database file on the cpu workers (opened read-only).'),
    query: z.string().min(1).describe('A SELECT returning one row per listing.'),
  })
  .strict();

export const jsonlSourceSchema = z
  .object({
    kind: z.literal('jsonl').describe('A JSON-lines file: one listing object per line.'),
    path: filePath,
  })
  .strict();

export const csvSourceSchema = z
  .object({
    kind: z.literal('csv').describe('A CSV file with a header row naming the columns.'),
    path: filePath,
    delimiter: z.string().length(1).default(',').describe('Field delimiter (one character). Default ",".'),
  })
  .strict();

export const sourceSchema = z
  .discriminatedUnion('kind', [mongodbSourceSchema, postgresSourceSchema, sqliteSourceSchema, jsonlSourceSchema, csvSourceSchema])
  .describe('Where the listings come from; "kind" picks the reader.');

export const defaultKeptFields = ['price', 'rooms', 'city', 'zone', 'operation', 'property_type', 'area_m2'] as const;

export const fieldMappingSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .default('id')
      .describe('Field (or column) holding the listing id. Default "id"; for the method\'s MongoDB collection use "_id". Dotted paths reach nested fields.'),
    text: z.string().min(1).default('description').describe('Field holding the description text. Default "description".'),
    keep: z
      .array(z.string().min(1))
      .default([...defaultKeptFields])
      .describe(`Structured fields carried along with each listing (absent ones are left out). Default ${defaultKeptFields.join(', ')}.`),
    rename: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe(
        'Kept fields stored under GenQ\'s name, {"source field": "genq name"}: search filters read price, rooms, city, zone, operation and area_m2. E.g. {"price_eur": "price", "size_m2": "area_m2"}; each source field must also be in keep.',
      ),
  })
  .strict()
  .superRefine((mapping, context) => {
    const targets = new Map<string, string>();
    for (const [source, target] of Object.entries(mapping.rename)) {
      if (!mapping.keep.includes(source)) {
        context.addIssue({ code: 'custom', path: ['rename', source], message: `"${source}" is renamed but not kept: add it to fields.keep, or drop it from fields.rename` });
      }
      const other = targets.get(target) ?? (mapping.keep.includes(target) && !(target in mapping.rename) ? target : undefined);
      if (other !== undefined) {
        context.addIssue({ code: 'custom', path: ['rename', source], message: `"${source}" and "${other}" would both be stored as "${target}": keep one of them` });
      }
      targets.set(target, source);
    }
  })
  .describe('Which source fields are the id, the text and the structured fields to keep.');

export const extractSettingsSchema = z
  .object({
    source: sourceSchema,
    fields: fieldMappingSchema.prefault({}),
    minWords: z
      .number()
      .int()
      .min(0)
      .default(3)
      .describe('A description with fewer words than this is junk and quarantined. Default 3.'),
    maxQuarantineShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('The stage fails (after saving the quarantine) when quarantined/read exceeds this share. Default 0.2.'),
    limit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Stop after this many good listings: a quick trial run of the whole pipeline. Unset: every listing.'),
    sourceVersion: z
      .string()
      .optional()
      .describe(
        'Snapshot token that is part of the stage key. A database has no file hash to tell a changed table from an ' +
          'unchanged one, so an unchanged token reuses the previous extraction: scheduled re-runs pass e.g. the date to ' +
          're-extract. File sources (jsonl, csv, sqlite) are keyed by their sha256 already.',
      ),
  })
  .strict()
  .describe('Stage 1, extract: read every listing from the source, keep the good ones, quarantine the bad ones with a reason.');

export type SourceSettings = z.output<typeof sourceSchema>;
export type FieldMapping = z.output<typeof fieldMappingSchema>;
/** Settings after validation, every default filled in. */
export type ExtractSettings = z.output<typeof extractSettingsSchema>;
/** Settings as a user writes them: defaults may be left out. */
export type ExtractSettingsInput = z.input<typeof extractSettingsSchema>;
