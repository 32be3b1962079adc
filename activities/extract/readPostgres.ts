/** PostgreSQL reader: the settings' query through a server-side cursor (pg-query-stream), a batch of rows at a time. */
import { Client, DatabaseError } from 'pg';
import QueryStream from 'pg-query-stream';
import type { SourceSettings } from '../../workflows/settings/extract';
import { extractFailure } from './failures';
import type { RawRow } from './types';

type PostgresSource = Extract<SourceSettings, { kind: 'postgres' }>;

/**
 * SQLSTATE classes a retry cannot fix: 28 (bad credentials), 3D (no such database), 42 (syntax error, no such
 * table or column, no permission).
 */
const CONFIG_ERROR_CLASSES = new Set(['28', '3D', '42']);

export async function* readPostgres(url: string, source: PostgresSource): AsyncGenerator<RawRow> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    const stream = client.query(new QueryStream(source.query, [], { batchSize: 1000 }));
    let rowNumber = 0;
    for await (const row of stream as AsyncIterable<Record<string, unknown>>) {
      rowNumber += 1;
      yield { value: row, rowNumber };
    }
  } catch (err) {
    if (err instanceof DatabaseError && err.code && CONFIG_ERROR_CLASSES.has(err.code.slice(0, 2))) {
      throw extractFailure('InvalidSourceQuery', `extract: PostgreSQL rejected the source (SQLSTATE ${err.code}): ${err.message}; fix extract.source.query or the database URL in ${source.urlEnv}`);
    }
    throw err;
  } finally {
    await client.end().catch(() => undefined); // the connection may already be broken; the original error matters
  }
}
