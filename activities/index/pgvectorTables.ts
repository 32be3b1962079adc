/**
 * Where a pgvector index lives: the server (its URL read from an environment variable, never stored) and
 * the two tables, named from the index name and the model version so that each model's index is separate.
 */
import { Pool } from 'pg';
import { loadStackSettings } from '../../infra/stackSettings';

/** The default variable falls back to the local stack's pgvector server (infra/stack.sh start pgvector). */
const STACK_DEFAULT_ENV = 'GENQ_PGVECTOR_URL';

export function pgvectorUrl(urlEnv: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = env[urlEnv];
  if (url && url.trim() !== '') return url;
  if (urlEnv === STACK_DEFAULT_ENV) return loadStackSettings(env).pgvector.url;
  throw new Error(`pgvector index: environment variable ${urlEnv} is not set; set it to the PostgreSQL URL (postgres://user@host:port/database) of a server with the vector extension`);
}

/** The URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

export interface PgvectorTables {
  listings: string;
  chunks: string;
  hnswIndex: string;
}

/** PostgreSQL identifiers are at most 63 bytes: the index name is cut to 24 characters, the version to 12. */
export function pgvectorTableNames(indexName: string, modelVersion: string): PgvectorTables {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(indexName)) throw new Error(`pgvector index: index name "${indexName}": use lower-case letters, digits and dashes`);
  if (!/^[0-9a-f]{12,}$/i.test(modelVersion)) throw new Error(`pgvector index: model version "${modelVersion}" is not a hex digest`);
  const base = `genq_${indexName.replace(/-/g, '_').slice(0, 24)}_${modelVersion.slice(0, 12).toLowerCase()}`;
  return { listings: `${base}_listings`, chunks: `${base}_chunks`, hnswIndex: `${base}_chunks_hnsw` };
}

/** A double-quoted identifier (names are checked above; quoting keeps them exact). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function openPool(url: string, max = 4): Pool {
  const pool = new Pool({ connectionString: url, max });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

/** A Float32Array as pgvector's text form. Number(x) prints the float's exact value, so no precision is lost. */
export function vectorLiteral(vector: ArrayLike<number>): string {
  let text = '[';
  for (let i = 0; i < vector.length; i++) text += (i ? ',' : '') + String(vector[i]);
  return `${text}]`;
}
