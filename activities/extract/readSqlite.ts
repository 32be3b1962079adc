/** SQLite reader (better-sqlite3): the database file opened read-only, the query's rows one at a time via `.iterate()`. */
import Database from 'better-sqlite3';
import { extractFailure } from './failures';
import type { RawRow } from './types';

export async function* readSqlite(path: string, query: string): AsyncGenerator<RawRow> {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw extractFailure('SourceNotFound', `extract: cannot open SQLite database ${path}: ${(err as Error).message}`);
  }
  try {
    let statement: Database.Statement;
    try {
      statement = db.prepare(query);
    } catch (err) {
      throw extractFailure('InvalidSourceQuery', `extract: SQLite rejected extract.source.query: ${(err as Error).message}`);
    }
    if (!statement.reader) throw extractFailure('InvalidSourceQuery', 'extract: extract.source.query returns no rows; it must be a SELECT');
    let rowNumber = 0;
    for (const row of statement.iterate()) {
      rowNumber += 1;
      yield { value: row, rowNumber };
    }
  } finally {
    db.close();
  }
}
