/**
 * The local stack's settings as TypeScript sees them: the defaults in `infra/stack.env` (shared with the
 * shell scripts), overridden by the environment. Only connection details live here, never credentials of
 * a user's production services: those come from the environment or a named profile.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface StackSettings {
  projectRoot: string;
  genqHome: string;
  stateDir: string;
  host: string;
  temporal: { address: string; namespace: string; uiUrl: string };
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; bucket: string };
  postgres: { url: string };
  /** PostgreSQL with pgvector (the scale-out listing index); the index stage reads its URL from GENQ_PGVECTOR_URL. */
  pgvector: { url: string };
  ollama: { host: string; testModel: string };
  mongo: { url: string };
}

/** Finds the folder holding GenQ's package.json, from compiled (dist/) or source locations alike. */
export function findProjectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'infra', 'stack.env')) && existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the GenQ project root (infra/stack.env) above ${start}`);
    dir = parent;
  }
}

export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) values[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return values;
}

export function loadStackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const projectRoot = findProjectRoot();
  const defaults = parseEnvFile(readFileSync(path.join(projectRoot, 'infra', 'stack.env'), 'utf8'));
  const get = (key: string): string => {
    const value = env[key] ?? defaults[key];
    if (value === undefined || value === '') throw new Error(`setting ${key} is not set (infra/stack.env or the environment)`);
    return value;
  };
  const host = get('GENQ_BIND_HOST');
  const genqHome = env.GENQ_HOME ?? path.join(projectRoot, '.genq');
  return {
    projectRoot,
    genqHome,
    stateDir: env.GENQ_STATE_DIR ?? path.join(genqHome, 'state'),
    host,
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? `${host}:${get('GENQ_TEMPORAL_PORT')}`,
      namespace: env.TEMPORAL_NAMESPACE ?? get('GENQ_TEMPORAL_NAMESPACE'),
      uiUrl: `http://${host}:${get('GENQ_TEMPORAL_UI_PORT')}`,
    },
    s3: {
      endpoint: env.GENQ_S3_ENDPOINT ?? `http://${host}:${get('GENQ_S3_PORT')}`,
      region: get('GENQ_S3_REGION'),
      accessKeyId: get('GENQ_S3_ACCESS_KEY'),
      secretAccessKey: get('GENQ_S3_SECRET_KEY'),
      bucket: get('GENQ_S3_BUCKET'),
    },
    postgres: {
      url: env.GENQ_PG_URL ?? `postgres://${get('GENQ_PG_USER')}@${host}:${get('GENQ_PG_PORT')}/${get('GENQ_PG_DATABASE')}`,
    },
    pgvector: {
      url: env.GENQ_PGVECTOR_URL ?? `postgres://${get('GENQ_PG_USER')}@${host}:${get('GENQ_PGVECTOR_PORT')}/${get('GENQ_PG_DATABASE')}`,
    },
    ollama: { host: env.OLLAMA_HOST_URL ?? `http://${host}:${get('GENQ_OLLAMA_PORT')}`, testModel: get('GENQ_OLLAMA_TEST_MODEL') },
    mongo: { url: env.GENQ_MONGO_URL ?? `mongodb://${host}:${get('GENQ_MONGO_PORT')}/` },
  };
}
