import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { MongoClient, ObjectId } from 'mongodb';
import { Client } from 'pg';
import { openArtifactStore } from '../activities/artifacts/openStore';
import type { ArtifactRef } from '../activities/artifacts/types';
import { makeS3Client } from '../activities/clients';
import { extractListings, type ExtractInput } from '../activities/extract';
import { isKeyboardMash, isPlaceholder } from '../activities/extract/junk';
import type { Listing, QuarantineEntry } from '../activities/extract/types';
import { stack, uniqueName } from './support/stack';

interface SampleRow {
  id: string;
  description: string;
  price: number;
  rooms: number;
  city: string;
  zone: string;
  operation: 'venta' | 'alquiler';
  property_type: string;
  area_m2: number;
}

const samplePath = path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl');
const badSamplePath = path.join(stack.projectRoot, 'sample', 'bad-listings.jsonl');
const sample: SampleRow[] = readFileSync(samplePath, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as SampleRow);

/** Reads a committed JSONL artifact, from a local folder or from S3. */
async function readLines<T>(artifacts: string, ref: ArtifactRef): Promise<T[]> {
  const text = ref.uri.startsWith('file://')
    ? readFileSync(fileURLToPath(ref.uri), 'utf8')
    : ((await openArtifactStore(artifacts).getText(ref.uri.slice(`${artifacts}/`.length))) ?? '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Asserts that `promise` rejects with a non-retryable ApplicationFailure of `type` whose message matches every pattern. */
async function rejectsNonRetryable(promise: Promise<unknown>, type: string, ...patterns: RegExp[]): Promise<ApplicationFailure> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(caught)}`);
  assert.equal(caught.type, type, caught.message);
  assert.equal(caught.nonRetryable, true);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

describe('extract: listings from every source into listings.jsonl and quarantine.jsonl', function () {
  // Made in before(), not at load time: a filtered run (--grep) that skips this suite must not leave folders behind.
  let workDir: string;
  let artifacts: string;
  const s3Prefix = uniqueName('test-extract');
  const s3Root = `s3://${stack.s3.bucket}/${s3Prefix}`;
  let s3: S3Client;

  const run = (settings: ExtractInput['settings'], extra: Partial<ExtractInput> = {}) => extractListings({ artifacts, settings, ...extra });
  const putS3 = async (key: string, body: string | Buffer): Promise<string> => {
    await s3.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: `${s3Prefix}/${key}`, Body: body }));
    return `${s3Root}/${key}`;
  };

  before(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'genq-extract-test-'));
    artifacts = path.join(workDir, 'artifacts');
    s3 = makeS3Client();
  });
  after(async () => {
    const store = openArtifactStore(s3Root);
    for (const key of await store.list('')) await store.delete(key);
    s3.destroy();
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('sources', () => {
    it('jsonl from a local path keeps all 68 sample listings with id, text and the default kept fields', async () => {
      const result = await run({ source: { kind: 'jsonl', path: samplePath } });
      assert.equal(result.summary.read, 68);
      assert.equal(result.summary.kept, 68);
      assert.equal(result.summary.quarantined, 0);
      assert.equal(result.files['listings.jsonl']!.count, 68);
      const listings = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
      assert.deepEqual(
        listings.map((l) => l.id),
        sample.map((s) => s.id),
      );
      const first = sample[0]!;
      assert.deepEqual(listings[0], {
        id: first.id,
        text: first.description,
        fields: { price: first.price, rooms: first.rooms, city: first.city, zone: first.zone, operation: first.operation, property_type: first.property_type, area_m2: first.area_m2 },
      });
    });

    it('jsonl from s3:// reads the object through the S3 client and yields the same listings as the local file', async () => {
      const local = await run({ source: { kind: 'jsonl', path: samplePath } });
      const uri = await putS3('sources/listings.jsonl', readFileSync(samplePath));
      const fromS3 = await run({ source: { kind: 'jsonl', path: uri } });
      assert.equal(fromS3.summary.kept, 68);
      assert.equal(fromS3.summary.source, `jsonl ${uri}`);
      assert.equal(fromS3.files['listings.jsonl']!.sha256, local.files['listings.jsonl']!.sha256);
    });

    it('csv from a local path and from s3:// (delimiter ";") turns numeric kept cells into numbers and keeps ids as text', async () => {
      const columns = ['id', 'description', 'price', 'rooms', 'city', 'zone', 'operation', 'property_type', 'area_m2'] as const;
      // Zero-padded ids look like numbers: they must not become 7, 8...
      const rows = sample.map((s, i) => columns.map((c) => (c === 'id' ? String(i + 1).padStart(5, '0') : String(s[c]))));
      const csv = stringify([columns as unknown as string[], ...rows], { delimiter: ';' });
      const csvPath = path.join(workDir, 'listings.csv');
      writeFileSync(csvPath, csv);
      const uri = await putS3('sources/listings.csv', csv);
      for (const where of [csvPath, uri]) {
        const result = await run({ source: { kind: 'csv', path: where, delimiter: ';' } });
        assert.equal(result.summary.kept, 68, where);
        const listings = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
        assert.equal(listings[6]!.id, '00007');
        assert.equal(listings[6]!.text, sample[6]!.description);
        const { id: _id, description: _text, ...fields } = sample[6]!;
        assert.deepEqual(listings[6]!.fields, fields, 'numbers are numbers again, text stays text');
      }
    });

    it('sqlite runs the query over a database file (only its rows are read)', async () => {
      const dbPath = path.join(workDir, 'listings.sqlite');
      const db = new Database(dbPath);
      db.exec('create table anuncios (ref text primary key, texto text, precio integer, ciudad text, operacion text)');
      const insert = db.prepare('insert into anuncios values (?, ?, ?, ?, ?)');
      db.transaction(() => sample.forEach((s) => insert.run(s.id, s.description, s.price, s.city, s.operation)))();
      db.close();
      const result = await run({
        source: { kind: 'sqlite', path: dbPath, query: "select ref, texto, precio as price, ciudad as city from anuncios where operacion = 'venta'" },
        fields: { id: 'ref', text: 'texto' },
      });
      const sales = sample.filter((s) => s.operation === 'venta');
      assert.equal(result.summary.read, sales.length);
      assert.equal(result.summary.kept, sales.length);
      const listings = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
      assert.deepEqual(listings[0], { id: sales[0]!.id, text: sales[0]!.description, fields: { price: sales[0]!.price, city: sales[0]!.city } });
    });

    it('postgres streams the query from a table, with the URL from the environment variable the settings name', async () => {
      const table = uniqueName('listings').replace(/-/g, '_');
      const client = new Client({ connectionString: stack.postgres.url });
      await client.connect();
      process.env.GENQ_TEST_LISTINGS_URL = stack.postgres.url;
      try {
        await client.query(`create table ${table} (id text primary key, description text, price integer, rooms integer, city text)`);
        for (const s of sample) await client.query(`insert into ${table} values ($1, $2, $3, $4, $5)`, [s.id, s.description, s.price, s.rooms, s.city]);
        const result = await run({
          source: { kind: 'postgres', urlEnv: 'GENQ_TEST_LISTINGS_URL', query: `select * from ${table} where city = 'Bilbao' order by id` },
        });
        const bilbao = sample.filter((s) => s.city === 'Bilbao');
        assert.equal(result.summary.kept, bilbao.length);
        assert.doesNotMatch(result.summary.source, /@/, 'no credentials in the summary');
        const listings = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
        assert.deepEqual(listings.map((l) => l.id), bilbao.map((s) => s.id));
        assert.deepEqual(listings[0]!.fields, { price: bilbao[0]!.price, rooms: bilbao[0]!.rooms, city: 'Bilbao' });
      } finally {
        await client.query(`drop table if exists ${table}`);
        await client.end();
      }
    });

    it('postgres: the same sourceVersion reuses the extraction, a new one re-extracts', async () => {
      const table = uniqueName('listings').replace(/-/g, '_');
      const client = new Client({ connectionString: stack.postgres.url });
      await client.connect();
      process.env.GENQ_TEST_LISTINGS_URL = stack.postgres.url;
      try {
        await client.query(`create table ${table} (id text, description text)`);
        await client.query(`insert into ${table} values ('a', 'Piso de dos dormitorios con balcón')`);
        const source = { kind: 'postgres' as const, urlEnv: 'GENQ_TEST_LISTINGS_URL', query: `select * from ${table}` };
        const monday = await run({ source, sourceVersion: '2025-01-06' });
        await client.query(`insert into ${table} values ('b', 'Casa con jardín y piscina en la sierra')`);
        const again = await run({ source, sourceVersion: '2025-01-06' });
        assert.equal(again.reused, true);
        assert.equal(again.summary.kept, 1, 'a reused extraction does not see the new row');
        const tuesday = await run({ source, sourceVersion: '2025-01-07' });
        assert.equal(tuesday.reused, false);
        assert.notEqual(tuesday.key, monday.key);
        assert.equal(tuesday.summary.kept, 2);
      } finally {
        await client.query(`drop table if exists ${table}`);
        await client.end();
      }
    });

    it('mongodb (FerretDB) respects the filter and the projection, with _id as the id', async () => {
      const mongo = new MongoClient(stack.mongo.url);
      const collectionName = uniqueName('listings');
      process.env.GENQ_TEST_MONGO_URL = stack.mongo.url;
      try {
        const collection = mongo.db('genq_test').collection(collectionName);
        await collection.insertMany(sample.map(({ id, ...rest }) => ({ _id: id as unknown as ObjectId, ...rest })));
        const result = await run({
          source: {
            kind: 'mongodb',
            urlEnv: 'GENQ_TEST_MONGO_URL',
            database: 'genq_test',
            collection: collectionName,
            filter: { city: 'Madrid', operation: 'venta' },
            projection: { description: 1, price: 1, city: 1 },
          },
          fields: { id: '_id' },
        });
        const expected = sample.filter((s) => s.city === 'Madrid' && s.operation === 'venta');
        assert.equal(result.summary.read, expected.length);
        assert.equal(result.summary.kept, expected.length);
        const listings = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
        assert.deepEqual(new Set(listings.map((l) => l.id)), new Set(expected.map((s) => s.id)));
        for (const listing of listings) {
          assert.deepEqual(Object.keys(listing.fields).sort(), ['city', 'price'], 'only projected fields are kept');
        }
      } finally {
        await mongo.db('genq_test').collection(collectionName).drop().catch(() => undefined);
        await mongo.close();
      }
    });

    it('mongodb: an ObjectId _id becomes its hex string, and an Extended JSON filter ({"$oid"}) selects by it', async () => {
      const mongo = new MongoClient(stack.mongo.url);
      const collectionName = uniqueName('listings-oid');
      process.env.GENQ_TEST_MONGO_URL = stack.mongo.url;
      try {
        const collection = mongo.db('genq_test').collection(collectionName);
        const ids = [new ObjectId(), new ObjectId()];
        await collection.insertMany(ids.map((_id, i) => ({ _id, description: sample[i]!.description, city: sample[i]!.city })));
        const result = await run({
          source: { kind: 'mongodb', urlEnv: 'GENQ_TEST_MONGO_URL', database: 'genq_test', collection: collectionName, filter: { _id: { $oid: ids[1]!.toHexString() } } },
          fields: { id: '_id' },
        });
        const listings = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
        assert.deepEqual(listings, [{ id: ids[1]!.toHexString(), text: sample[1]!.description, fields: { city: sample[1]!.city } }]);
      } finally {
        await mongo.db('genq_test').collection(collectionName).drop().catch(() => undefined);
        await mongo.close();
      }
    });
  });

  describe('stores and reuse', () => {
    for (const kind of ['local', 's3'] as const) {
      it(`the ${kind} store commits listings.jsonl, quarantine.jsonl and the manifest; a second run with the same settings is reused, files unchanged`, async () => {
        const store = kind === 'local' ? path.join(workDir, 'reuse-store') : `${s3Root}/store`;
        const settings = { source: { kind: 'jsonl' as const, path: samplePath }, minWords: 4 };
        const first = await extractListings({ artifacts: store, settings });
        assert.equal(first.reused, false);
        assert.ok(first.manifestUri.startsWith(kind === 'local' ? 'file://' : `${s3Root}/store/stages/extract/${first.key}/`), first.manifestUri);
        const opened = openArtifactStore(store);
        const keys = await opened.list(`stages/extract/${first.key}`);
        assert.deepEqual(keys, ['listings.jsonl', 'manifest.json', 'quarantine.jsonl'].map((f) => `stages/extract/${first.key}/${f}`));
        const before = await opened.getText(`stages/extract/${first.key}/listings.jsonl`);

        const second = await extractListings({ artifacts: store, settings });
        assert.equal(second.reused, true);
        assert.equal(second.key, first.key);
        assert.deepEqual(second.files, first.files);
        assert.equal(await opened.getText(`stages/extract/${first.key}/listings.jsonl`), before);

        const forced = await extractListings({ artifacts: store, settings, force: true });
        assert.equal(forced.reused, false);
        assert.equal(forced.files['listings.jsonl']!.sha256, first.files['listings.jsonl']!.sha256, 'same input, same bytes');
      });
    }

    it('a changed source file gets a new key and is extracted again', async () => {
      const copy = path.join(workDir, 'changing.jsonl');
      writeFileSync(copy, readFileSync(samplePath));
      const first = await run({ source: { kind: 'jsonl', path: copy } });
      writeFileSync(copy, `${readFileSync(samplePath, 'utf8')}{"id":"gq-new","description":"Piso nuevo en el centro con terraza"}\n`);
      const second = await run({ source: { kind: 'jsonl', path: copy } });
      assert.notEqual(second.key, first.key);
      assert.equal(second.reused, false);
      assert.equal(second.summary.kept, 69);
    });
  });

  describe('bad rows', () => {
    it('quarantines each bad sample row with its reason, the row as read and its line number', async () => {
      const result = await run({ source: { kind: 'jsonl', path: badSamplePath }, maxQuarantineShare: 1 });
      assert.equal(result.summary.read, 11);
      assert.equal(result.summary.kept, 1);
      assert.equal(result.summary.quarantined, 10);
      const entries = await readLines<QuarantineEntry>(artifacts, result.files['quarantine.jsonl']!);
      assert.deepEqual(
        entries.map((e) => [e.line, e.reason]),
        [
          [1, 'missing_id'],
          [2, 'keyboard_mash'],
          [3, 'keyboard_mash'],
          [4, 'placeholder'],
          [5, 'empty_text'],
          [7, 'duplicate_id'],
          [8, 'non_text'],
          [9, 'too_few_words'],
          [10, 'invalid_utf8'],
          [11, 'malformed_row'],
        ],
      );
      assert.deepEqual(result.summary.quarantinedByReason, {
        malformed_row: 1, missing_id: 1, invalid_id: 0, empty_text: 1, non_text: 1, invalid_utf8: 1,
        placeholder: 1, keyboard_mash: 2, too_few_words: 1, duplicate_id: 1,
      });
      assert.deepEqual((entries[1]!.row as { description: string }).description, 'qwerty');
      const kept = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
      assert.deepEqual(kept.map((l) => [l.id, l.fields.price]), [['gq-bad-06', 210000]], 'the first row of a duplicate id is the one kept');
    });

    it('quarantines bytes that are not valid UTF-8 as invalid_utf8', async () => {
      const file = path.join(workDir, 'latin1.jsonl');
      const good = Buffer.from('{"id":"u1","description":"Piso con balcón y ascensor"}\n', 'utf8');
      const latin1 = Buffer.from('{"id":"u2","description":"Piso con balc\xf3n y ascensor"}\n', 'latin1'); // ó as one byte: invalid UTF-8
      writeFileSync(file, Buffer.concat([good, latin1]));
      const result = await run({ source: { kind: 'jsonl', path: file }, maxQuarantineShare: 1 });
      assert.equal(result.summary.kept, 1);
      assert.equal(result.summary.quarantinedByReason.invalid_utf8, 1);
    });

    it('quarantines a CSV record whose field count differs from the header as malformed_row; broken quoting fails the file', async () => {
      const file = path.join(workDir, 'ragged.csv');
      writeFileSync(file, 'id,description,price\nc1,"Piso con terraza, luminoso",100\nc2,Estudio en el centro, cerca del metro,50\nc3,Casa con jardín y garaje\n');
      const result = await run({ source: { kind: 'csv', path: file }, maxQuarantineShare: 1 });
      assert.equal(result.summary.kept, 1);
      const entries = await readLines<QuarantineEntry>(artifacts, result.files['quarantine.jsonl']!);
      assert.deepEqual(entries.map((e) => [e.reason, e.line, e.detail]), [
        ['malformed_row', 3, '4 fields where the header has 3'],
        ['malformed_row', 4, '2 fields where the header has 3'],
      ]);
      assert.deepEqual(entries[0]!.row, ['c2', 'Estudio en el centro', ' cerca del metro', '50']);
      const broken = path.join(workDir, 'broken.csv');
      writeFileSync(broken, 'id,description\nb1,"Piso con terraza\nb2,"roto" aquí\n');
      await rejectsNonRetryable(run({ source: { kind: 'csv', path: broken } }), 'InvalidSourceData', /the CSV cannot be parsed/, /fix the file/);
    });

    it('passes when the quarantined share is under the threshold (clean sample plus the bad rows: 10 of 79)', async () => {
      const both = path.join(workDir, 'both.jsonl');
      writeFileSync(both, Buffer.concat([readFileSync(samplePath), readFileSync(badSamplePath)]));
      const result = await run({ source: { kind: 'jsonl', path: both } });
      assert.equal(result.summary.read, 79);
      assert.equal(result.summary.kept, 69);
      assert.ok(Math.abs(result.summary.quarantineShare - 10 / 79) < 1e-9);
    });

    it('fails non-retryably over maxQuarantineShare, naming the share, the threshold and the saved quarantine', async () => {
      const failure = await rejectsNonRetryable(
        run({ source: { kind: 'jsonl', path: badSamplePath } }),
        'QuarantineThresholdExceeded',
        /90\.9% of the rows were quarantined \(10 of 11\)/,
        /maxQuarantineShare threshold of 20\.0%/,
        /keyboard_mash 2/,
      );
      const uri = /The bad rows are in (file:\/\/\S+quarantine\.jsonl)\./.exec(failure.message)?.[1];
      assert.ok(uri, failure.message);
      const saved = readFileSync(fileURLToPath(uri), 'utf8').trim().split('\n');
      assert.equal(saved.length, 10, 'the quarantine was written to the store before failing');
    });
  });

  describe('configuration errors', () => {
    it('a missing environment variable fails non-retryably, naming it', async () => {
      delete process.env.GENQ_TEST_NOT_SET_URL;
      await rejectsNonRetryable(
        run({ source: { kind: 'postgres', urlEnv: 'GENQ_TEST_NOT_SET_URL', query: 'select 1' } }),
        'MissingEnvironmentVariable',
        /environment variable GENQ_TEST_NOT_SET_URL is not set/,
      );
    });

    it('a missing file fails non-retryably, naming the path', async () => {
      await rejectsNonRetryable(run({ source: { kind: 'jsonl', path: '/nonexistent/listings.jsonl' } }), 'SourceNotFound', /\/nonexistent\/listings\.jsonl/);
      await rejectsNonRetryable(run({ source: { kind: 'csv', path: `${s3Root}/no-such.csv` } }), 'SourceNotFound', /no-such\.csv: no such S3 object/);
    });

    it('a bad SQL query fails non-retryably with the database message', async () => {
      process.env.GENQ_TEST_LISTINGS_URL = stack.postgres.url;
      await rejectsNonRetryable(
        run({ source: { kind: 'postgres', urlEnv: 'GENQ_TEST_LISTINGS_URL', query: 'select * from no_such_table_genq' } }),
        'InvalidSourceQuery',
        /no_such_table_genq/,
      );
    });

    it('fields.rename stores source fields under GenQ names; renaming a field that is not kept, or onto a kept one, names the field', async () => {
      // The shape of a portal export whose columns are not GenQ's: price_eur, size_m2, English operations.
      const exportPath = path.join(workDir, 'portal-export.jsonl');
      const rows = [
        { id: 'z1', operation: 'sale', city: 'Zaragoza', price_eur: 149900, size_m2: 127, rooms: 3, description: 'Piso de tres dormitorios junto a la Academia General Militar, con ascensor y calefacción central.' },
        { id: 'z2', operation: 'rent', city: 'Zaragoza', price_eur: 850, rooms: 2, description: 'Apartamento amueblado de dos dormitorios en el centro, cerca del tranvía y de la plaza del Pilar.' },
      ];
      writeFileSync(exportPath, rows.map((r) => JSON.stringify(r)).join('\n'));
      const fields = { keep: ['price_eur', 'size_m2', 'rooms', 'city', 'operation'], rename: { price_eur: 'price', size_m2: 'area_m2' } };
      const result = await run({ source: { kind: 'jsonl', path: exportPath }, fields });
      const listings = await readLines<Listing>(artifacts, result.files['listings.jsonl']!);
      assert.deepEqual(listings[0]!.fields, { price: 149900, area_m2: 127, rooms: 3, city: 'Zaragoza', operation: 'sale' });
      assert.deepEqual(listings[1]!.fields, { price: 850, rooms: 2, city: 'Zaragoza', operation: 'rent' }, 'an absent field stays absent');

      await rejectsNonRetryable(
        run({ source: { kind: 'jsonl', path: exportPath }, fields: { keep: ['rooms'], rename: { price_eur: 'price' } } }),
        'InvalidSettings',
        /extract\.fields\.rename\.price_eur/,
        /add it to fields\.keep/,
      );
      await rejectsNonRetryable(
        run({ source: { kind: 'jsonl', path: exportPath }, fields: { keep: ['price', 'price_eur'], rename: { price_eur: 'price' } } }),
        'InvalidSettings',
        /"price_eur" and "price" would both be stored as "price"/,
      );
    });

    it('invalid settings fail non-retryably, naming the field', async () => {
      await rejectsNonRetryable(run({ source: { kind: 'jsonl', path: samplePath }, maxQuarantineShare: 2 }), 'InvalidSettings', /extract\.maxQuarantineShare/);
    });
  });

  describe('junk rules', () => {
    it('keyboard mashing and placeholder text are junk; real short descriptions are not', () => {
      for (const junk of ['qwerty', 'ertyuiop[', 'asdfgh', 'asdasd asdasd', 'ñlkjhg', 'aaaaaa']) assert.equal(isKeyboardMash(junk), true, junk);
      for (const text of ['Lorem ipsum samir dil olr', 'lorem  ipsum dolor', 'Prueba', 'TEST']) assert.equal(isPlaceholder(text), true, text);
      for (const s of sample) {
        assert.equal(isKeyboardMash(s.description), false, s.id);
        assert.equal(isPlaceholder(s.description), false, s.id);
      }
      for (const text of ['Ático en Retiro', 'Piso reformado en Gràcia', 'Estudio cerca de la playa']) {
        assert.equal(isKeyboardMash(text), false, text);
        assert.equal(isPlaceholder(text), false, text);
      }
    });
  });
});
