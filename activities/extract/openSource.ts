/**
 * Picks the reader for a source and says what identifies it in the stage key: a file source by its sha256
 * (an input artifact), a database source by its credential-free location (plus the settings' sourceVersion).
 */
import type { ArtifactRef } from '../artifacts/types';
import type { ExtractSettings } from '../../workflows/settings/extract';
import { extractFailure, redactUrl, urlFromEnv } from './failures';
import { readCsv } from './readCsv';
import { readJsonl } from './readJsonl';
import { readMongo } from './readMongo';
import { readPostgres } from './readPostgres';
import { readSqlite } from './readSqlite';
import { openSourceFile, type SourceFile } from './sourceFile';
import type { RawRow } from './types';

export interface OpenedSource {
  /** Kind and location, without credentials: for the summary, the logs and the stage key. */
  location: string;
  /** The stage's input artifacts (file sources: the file itself, by hash). */
  inputs: Record<string, ArtifactRef>;
  rows(): AsyncGenerator<RawRow>;
  close(): void;
}

/** A file source's rows, then a check that the file did not change while it was read. */
function fileSource(kind: string, file: SourceFile, read: () => AsyncGenerator<RawRow>): OpenedSource {
  return {
    location: `${kind} ${file.ref.uri}`,
    inputs: { source: file.ref },
    rows: async function* () {
      yield* read();
      await file.checkUnchanged();
    },
    close: () => file.close(),
  };
}

export async function openSource(settings: ExtractSettings): Promise<OpenedSource> {
  const source = settings.source;
  switch (source.kind) {
    case 'mongodb': {
      const url = urlFromEnv(source.urlEnv, 'MongoDB');
      return {
        location: `mongodb ${redactUrl(url)} ${source.database}.${source.collection}`,
        inputs: {},
        rows: () => readMongo(url, source),
        close: () => undefined,
      };
    }
    case 'postgres': {
      const url = urlFromEnv(source.urlEnv, 'PostgreSQL');
      return { location: `postgres ${redactUrl(url)}`, inputs: {}, rows: () => readPostgres(url, source), close: () => undefined };
    }
    case 'sqlite': {
      if (source.path.startsWith('s3://')) {
        throw extractFailure('InvalidSettings', `extract.source.path ${source.path}: a SQLite source must be a local file on the cpu workers`);
      }
      const file = await openSourceFile(source.path);
      return fileSource('sqlite', file, () => readSqlite(file.localPath!, source.query));
    }
    case 'jsonl': {
      const file = await openSourceFile(source.path);
      return fileSource('jsonl', file, async function* () {
        yield* readJsonl(await file.open());
      });
    }
    case 'csv': {
      const file = await openSourceFile(source.path);
      const textColumns = [settings.fields.id, settings.fields.text];
      return fileSource('csv', file, async function* () {
        yield* readCsv(await file.open(), { delimiter: source.delimiter, textColumns });
      });
    }
  }
}
