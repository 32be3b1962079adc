import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { LocalArtifactStore } from '../activities/artifacts/localStore';
import type { ArtifactRef } from '../activities/artifacts/types';
import { chunkListings } from '../activities/chunk';
import { extractListings } from '../activities/extract/extractListings';
import { buildIndexFolder } from '../activities/index/buildIndexFolder';
import { buildListingIndex } from '../activities/index/buildListingIndex';
import { EmbeddedListingIndex } from '../activities/index/embeddedIndex';
import { readIndexMeta } from '../activities/index/indexMeta';
import { readChunkRows, readListingRows } from '../activities/index/indexRows';
import { operationKey, placeKey } from '../activities/index/listingFilter';
import { openIndexFolder } from '../activities/index/openIndex';
import { pgvectorTableNames, quoteIdent } from '../activities/index/pgvectorTables';
import type { IndexHit, ListingFilter, ListingIndex } from '../activities/index/types';
import { cosine, OnnxEmbedder } from '../activities/model/onnxEmbedder';
import { materializeFile, materializeFolder } from '../activities/training/folders';
import { exportModel } from '../activities/training/trainingActivities';
import { stack, uniqueName } from './support/stack';
import { miniLmPath } from './support/training';

const QUERIES = [
  'piso luminoso con terraza cerca del metro',
  'ático con vistas al mar',
  'estudio pequeño para una persona en alquiler',
  'casa con jardín y piscina para familias',
  'apartamento reformado en el casco antiguo',
  'local con garaje y trastero',
];

interface Reference {
  /** listing id → fields, and its chunks' vectors, straight from the embedder: the brute-force answer. */
  fields: Map<string, Record<string, unknown>>;
  chunkVectors: Array<{ listingId: string; vector: Float32Array }>;
}

/** The expected ranking, computed the slow, obvious way: every chunk's cosine, a listing's best, sorted. */
function bruteForce(ref: Reference, query: Float32Array, k: number, keep: (fields: Record<string, unknown>) => boolean = () => true): string[] {
  const best = new Map<string, number>();
  for (const { listingId, vector } of ref.chunkVectors) {
    if (!keep(ref.fields.get(listingId)!)) continue;
    const score = cosine(query, vector);
    if (score > (best.get(listingId) ?? -Infinity)) best.set(listingId, score);
  }
  return [...best].sort((a, b) => b[1] - a[1]).slice(0, k).map(([id]) => id);
}

const ids = (hits: IndexHit[]): string[] => hits.map((h) => h.listingId);

describe('listing index: embedded exact, embedded HNSW and pgvector on the sample (MiniLM package)', function () {
  this.timeout(10 * 60_000);
  let artifacts: string;
  let store: LocalArtifactStore;
  let modelRef: ArtifactRef;
  let chunksRef: ArtifactRef;
  let listingsRef: ArtifactRef;
  let modelFolder: string;
  let chunksFile: string;
  let listingsFile: string;
  const indexName = uniqueName('test-index');
  const ref: Reference = { fields: new Map(), chunkVectors: [] };
  const queryVectors: Float32Array[] = [];
  let exact: ListingIndex;
  let hnsw: EmbeddedListingIndex;
  /** The same HNSW folder, opened so that every filter goes through hnswlib's filter callback. */
  let hnswFiltered: EmbeddedListingIndex;
  let pgvector: ListingIndex;
  let folders: { exact: string; hnsw: string; pgvector: string };
  const pgTables: string[] = [];

  before(async () => {
    artifacts = await mkdtemp(path.join(tmpdir(), 'genq-index-test-'));
    store = new LocalArtifactStore(artifacts);
    const extracted = await extractListings({ artifacts, settings: { source: { kind: 'jsonl', path: path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl') } } });
    listingsRef = extracted.files['listings.jsonl']!;
    // Short segments, so most listings have several chunks and "a listing scores as its best chunk" matters.
    chunksRef = (await chunkListings({ artifacts, settings: { maxChars: 200, segmentChars: 100 }, listings: listingsRef })).files['chunks.jsonl']!;
    const exported = await exportModel({ artifacts, settings: { normalize: true, quantize: false, maxSeqLength: 128 }, model: { name: miniLmPath() }, pooling: 'mean' });
    modelRef = exported.model;
    modelFolder = await materializeFolder(store, modelRef, path.join(artifacts, 'cache'));
    chunksFile = await materializeFile(store, chunksRef);
    listingsFile = await materializeFile(store, listingsRef);

    const chunks = await readChunkRows(chunksFile);
    for (const listing of await readListingRows(listingsFile)) ref.fields.set(listing.id, listing.fields);
    const embedder = await OnnxEmbedder.load(modelFolder);
    try {
      const vectors = await embedder.embed(chunks.map((c) => c.text));
      chunks.forEach((c, i) => ref.chunkVectors.push({ listingId: c.listing_id, vector: vectors[i]! }));
      queryVectors.push(...(await embedder.embed(QUERIES)));
    } finally {
      await embedder.close();
    }
    assert.ok(chunks.length > 2 * ref.fields.size, `want several chunks per listing, got ${chunks.length} chunks for ${ref.fields.size} listings`);

    folders = { exact: path.join(artifacts, 'exact'), hnsw: path.join(artifacts, 'hnsw'), pgvector: path.join(artifacts, 'pgvector') };
    const common = { modelFolder, chunksFile, listingsFile, indexName };
    const builtExact = await buildIndexFolder({ ...common, outFolder: folders.exact });
    const builtHnsw = await buildIndexFolder({ ...common, outFolder: folders.hnsw, settings: { exactLimit: 10, hnsw: { m: 16, efConstruction: 200, efSearch: 128 } } });
    const builtPg = await buildIndexFolder({ ...common, outFolder: folders.pgvector, settings: { backend: 'pgvector' } });
    assert.deepEqual([builtExact.kind, builtHnsw.kind, builtPg.kind], ['exact', 'hnsw', 'pgvector']);
    assert.equal(builtExact.chunks, chunks.length);
    pgTables.push(...Object.values(pgvectorTableNames(indexName, builtPg.modelVersion)).slice(0, 2));

    exact = await openIndexFolder(folders.exact);
    hnsw = (await openIndexFolder(folders.hnsw)) as EmbeddedListingIndex;
    hnswFiltered = (await openIndexFolder(folders.hnsw, { exactFallbackRows: 0, exactFallbackShare: 0 })) as EmbeddedListingIndex;
    pgvector = await openIndexFolder(folders.pgvector);
  });

  after(async () => {
    await Promise.all([exact, hnsw, hnswFiltered, pgvector].map((index) => index?.close()));
    const client = new Client({ connectionString: stack.pgvector.url });
    await client.connect();
    try {
      for (const table of [...pgTables].reverse()) await client.query(`DROP TABLE IF EXISTS ${quoteIdent(table)} CASCADE`);
    } finally {
      await client.end();
    }
    await rm(artifacts, { recursive: true, force: true });
  });

  it('writes meta.json naming the backend, kind, model version and counts; the pgvector folder holds no URL', async () => {
    const exactMeta = await readIndexMeta(folders.exact);
    const hnswMeta = await readIndexMeta(folders.hnsw);
    const pgMeta = await readIndexMeta(folders.pgvector);
    assert.equal(exactMeta.kind, 'exact');
    assert.equal(hnswMeta.kind, 'hnsw');
    assert.deepEqual(hnswMeta.hnsw, { m: 16, efConstruction: 200, efSearch: 128 });
    assert.equal(pgMeta.backend, 'pgvector');
    assert.equal(exactMeta.dimensions, 384);
    assert.equal(exactMeta.chunks, ref.chunkVectors.length);
    assert.equal(exactMeta.listings, ref.fields.size);
    // Built from a local copy of the package, the version is the package ref's digest, as answers will name it.
    assert.equal(exactMeta.modelVersion, modelRef.sha256);
    assert.equal(pgMeta.modelVersion, modelRef.sha256);
    assert.ok(pgMeta.backend === 'pgvector' && pgMeta.urlEnv === 'GENQ_PGVECTOR_URL');
    assert.doesNotMatch(JSON.stringify(pgMeta), /postgres:\/\//);
    assert.equal(exact.modelVersion, modelRef.sha256);
    assert.equal(pgvector.size, ref.chunkVectors.length);
  });

  it('exact search equals the brute-force ranking (a listing scores as its best chunk)', async () => {
    for (const [i, query] of queryVectors.entries()) {
      assert.deepEqual(ids(await exact.search(query, { k: 10 })), bruteForce(ref, query, 10), `query "${QUERIES[i]}"`);
    }
  });

  it('embedded exact, embedded HNSW and pgvector return the same top 10, with the same scores, chunk and fields', async () => {
    for (const [i, query] of queryVectors.entries()) {
      const [e, h, p] = await Promise.all([exact.search(query, { k: 10 }), hnsw.search(query, { k: 10 }), pgvector.search(query, { k: 10 })]);
      assert.equal(hnsw.lastPath, 'hnsw');
      assert.equal(e.length, 10);
      assert.deepEqual(ids(h), ids(e), `HNSW, query "${QUERIES[i]}"`);
      assert.deepEqual(ids(p), ids(e), `pgvector, query "${QUERIES[i]}"`);
      for (const [j, hit] of e.entries()) {
        assert.ok(Math.abs(h[j]!.score - hit.score) < 1e-5 && Math.abs(p[j]!.score - hit.score) < 1e-5, `scores at ${j}: ${hit.score} ${h[j]!.score} ${p[j]!.score}`);
        assert.equal(p[j]!.chunkId, hit.chunkId);
        assert.equal(h[j]!.chunkText, hit.chunkText);
        assert.deepEqual(p[j]!.fields, hit.fields);
        assert.ok(hit.chunkId.startsWith(`${hit.listingId}#`), hit.chunkId);
      }
      assert.ok(e.every((hit, j) => j === 0 || e[j - 1]!.score >= hit.score), 'best first');
    }
  });

  const num = (v: unknown): number => Number(v);
  const FILTERS: Array<{ name: string; filter: ListingFilter; keep: (f: Record<string, unknown>) => boolean; expectCount?: number }> = [
    { name: 'price range', filter: { minPrice: 200000, maxPrice: 500000 }, keep: (f) => num(f.price) >= 200000 && num(f.price) <= 500000 },
    { name: 'max price only', filter: { maxPrice: 1000 }, keep: (f) => num(f.price) <= 1000 },
    { name: 'minimum rooms', filter: { minRooms: 4 }, keep: (f) => num(f.rooms) >= 4, expectCount: 10 },
    { name: 'city, upper case without accent', filter: { city: 'MALAGA' }, keep: (f) => f.city === 'Málaga', expectCount: 8 },
    { name: 'zone, lower case without accent', filter: { zone: 'chamberi' }, keep: (f) => f.zone === 'Chamberí', expectCount: 1 },
    { name: 'zone with a grave accent', filter: { zone: 'GRACIA' }, keep: (f) => f.zone === 'Gràcia', expectCount: 2 },
    { name: 'operation rent', filter: { operation: 'alquiler' }, keep: (f) => f.operation === 'alquiler' },
    { name: 'operation in capitals', filter: { operation: 'VENTA' }, keep: (f) => f.operation === 'venta' },
    { name: 'city and operation and rooms', filter: { city: 'madrid', operation: 'venta', minRooms: 2 }, keep: (f) => f.city === 'Madrid' && f.operation === 'venta' && num(f.rooms) >= 2 },
    { name: 'a city no listing has', filter: { city: 'Atlantis' }, keep: () => false, expectCount: 0 },
  ];

  for (const { name, filter, keep, expectCount } of FILTERS) {
    it(`filter ${name}: ${JSON.stringify(filter)} on every backend, equal to the brute-force filtered ranking`, async () => {
      if (expectCount !== undefined) assert.equal([...ref.fields.values()].filter(keep).length, expectCount, 'fixture count');
      for (const [i, query] of queryVectors.entries()) {
        const expected = bruteForce(ref, query, 10, keep);
        for (const [backend, index] of [['exact', exact], ['hnsw (scan fallback)', hnsw], ['hnsw (filter callback)', hnswFiltered], ['pgvector', pgvector]] as const) {
          const hits = await index.search(query, { k: 10, filter });
          assert.ok(hits.every((h) => keep(h.fields)), `${backend}: a hit breaks the filter: ${JSON.stringify(hits.map((h) => h.fields))}`);
          assert.deepEqual(ids(hits), expected, `${backend}, query "${QUERIES[i]}"`);
        }
        assert.equal(hnswFiltered.lastPath, 'hnsw');
      }
    });
  }

  it('a selective filter on the HNSW index is answered by a scan; accents and case fold the same way as the index', async () => {
    await hnsw.search(queryVectors[0]!, { k: 10, filter: { zone: 'Chamberí' } });
    assert.equal(hnsw.lastPath, 'exact-fallback');
    assert.equal(placeKey('  Casco   Histórico '), 'casco historico');
  });

  it('operations in English match the Spanish filter (an export saying sale/rent), other words stay themselves', () => {
    assert.deepEqual(['sale', ' Sale ', 'VENTA', 'rent', 'Rental', 'alquiler', 'ventas', 'traspaso'].map(operationKey), ['venta', 'venta', 'venta', 'alquiler', 'alquiler', 'alquiler', 'ventas', 'traspaso']);
  });

  it('k larger than the corpus returns every listing once, best first, on every backend', async () => {
    const everyListing = new Set(ref.chunkVectors.map((c) => c.listingId));
    for (const index of [exact, hnsw, pgvector]) {
      const hits = await index.search(queryVectors[1]!, { k: 10_000 });
      assert.equal(hits.length, everyListing.size);
      assert.equal(new Set(ids(hits)).size, hits.length);
      assert.deepEqual(ids(hits), bruteForce(ref, queryVectors[1]!, 10_000));
    }
  });

  it('a query of the wrong dimension, a bad k or a bad filter is refused with a clear error', async () => {
    for (const index of [exact, hnsw, pgvector]) {
      await assert.rejects(index.search(new Float32Array(768), { k: 10 }), /query vector has 768 dimensions but the index holds 384-dimensional vectors/);
      await assert.rejects(index.search(queryVectors[0]!, { k: 0 }), /k must be a positive integer/);
      await assert.rejects(index.search(queryVectors[0]!, { k: 5, filter: { minPrice: '100' as unknown as number } }), /listing filter minPrice: expected a number/);
    }
  });

  it('a missing or damaged index folder is refused with a clear error', async () => {
    await assert.rejects(openIndexFolder(path.join(artifacts, 'no-such-index')), /no meta\.json there, so it is not a built index/);
    const damaged = path.join(artifacts, 'damaged');
    await cp(folders.exact, damaged, { recursive: true });
    await truncate(path.join(damaged, 'vectors.f32'), 1000);
    await assert.rejects(openIndexFolder(damaged), /vectors\.f32 has 1000 bytes, expected \d+ .*rebuild it/);
  });

  it('chunks whose listing is not in the listings file are refused, naming the chunk', async () => {
    const oneListing = path.join(artifacts, 'one-listing.jsonl');
    await writeFile(oneListing, `${JSON.stringify({ id: 'gq-0001', text: 'x', fields: {} })}\n`);
    await assert.rejects(buildIndexFolder({ modelFolder, chunksFile, listingsFile: oneListing, outFolder: path.join(artifacts, 'stray') }), /chunk gq-0002#0: its listing "gq-0002" is not in the listings file/);
  });

  it('the index activity commits the folder, a re-run is reused, and a pgvector index whose tables are gone is loaded again', async () => {
    const input = { artifacts, indexName, model: modelRef, chunks: chunksRef, listings: listingsRef, settings: {} };
    const first = await buildListingIndex(input);
    assert.equal(first.reused, false);
    assert.equal(first.summary.kind, 'exact');
    assert.equal(first.summary.modelVersion, modelRef.sha256);
    assert.ok(first.files['index/meta.json'] && first.files['index/vectors.f32']);
    const again = await buildListingIndex(input);
    assert.equal(again.reused, true);
    assert.deepEqual(again.index, first.index);
    const opened = await openIndexFolder(await materializeFolder(store, again.index, path.join(artifacts, 'cache')));
    try {
      assert.deepEqual(ids(await opened.search(queryVectors[0]!, { k: 10 })), ids(await exact.search(queryVectors[0]!, { k: 10 })));
    } finally {
      await opened.close();
    }

    const pgName = uniqueName('test-index-act');
    const pgInput = { ...input, indexName: pgName, settings: { backend: 'pgvector' as const } };
    const tables = pgvectorTableNames(pgName, modelRef.sha256);
    pgTables.push(tables.listings, tables.chunks);
    const loaded = await buildListingIndex(pgInput);
    assert.equal(loaded.summary.kind, 'pgvector');
    assert.deepEqual(Object.keys(loaded.files), ['index/meta.json']);
    assert.equal((await buildListingIndex(pgInput)).reused, true);
    const client = new Client({ connectionString: stack.pgvector.url });
    await client.connect();
    try {
      await client.query(`DROP TABLE ${quoteIdent(tables.chunks)}, ${quoteIdent(tables.listings)}`);
    } finally {
      await client.end();
    }
    const reloaded = await buildListingIndex(pgInput);
    assert.equal(reloaded.reused, false);
    const index = await openIndexFolder(await materializeFolder(store, reloaded.index, path.join(artifacts, 'cache')));
    try {
      assert.equal(index.size, ref.chunkVectors.length);
    } finally {
      await index.close();
    }
  });
});
