/**
 * MongoDB reader (the method's own database): a streaming cursor over a collection, with the settings'
 * filter (Extended JSON, so ObjectIds and dates can be written in plain JSON) and projection.
 */
import { BSON, MongoClient, MongoParseError, MongoServerError, type Document } from 'mongodb';
import type { SourceSettings } from '../../workflows/settings/extract';
import { extractFailure } from './failures';
import type { RawRow } from './types';

type MongoSource = Extract<SourceSettings, { kind: 'mongodb' }>;

/** Server errors that a retry cannot fix: bad filter or projection, no permission, wrong credentials. */
const CONFIG_ERROR_CODES = new Set([2, 9, 13, 18, 31249, 31254]);

export async function* readMongo(url: string, source: MongoSource): AsyncGenerator<RawRow> {
  let client: MongoClient;
  try {
    client = new MongoClient(url, { serverSelectionTimeoutMS: 20_000 });
  } catch (err) {
    throw extractFailure('InvalidSourceUrl', `extract: the URL in ${source.urlEnv} is not a MongoDB connection string: ${(err as Error).message}`);
  }
  try {
    const filter = BSON.EJSON.deserialize(source.filter, { relaxed: true }) as Document;
    const projection = source.projection ? (BSON.EJSON.deserialize(source.projection, { relaxed: true }) as Document) : undefined;
    const cursor = client
      .db(source.database)
      .collection(source.collection)
      .find(filter, { ...(projection ? { projection } : {}), batchSize: 1000 });
    let rowNumber = 0;
    for await (const doc of cursor) {
      rowNumber += 1;
      yield { value: doc, rowNumber };
    }
  } catch (err) {
    if (err instanceof MongoParseError) {
      throw extractFailure('InvalidSourceUrl', `extract: the URL in ${source.urlEnv} is not a MongoDB connection string: ${err.message}`);
    }
    if (err instanceof MongoServerError && CONFIG_ERROR_CODES.has(Number(err.code))) {
      throw extractFailure(
        'InvalidSourceQuery',
        `extract: MongoDB refused the read of ${source.database}.${source.collection} (code ${err.code}): ${err.message}; fix extract.source.filter/projection or the credentials`,
      );
    }
    throw err;
  } finally {
    await client.close();
  }
}
