import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Champion } from '../activities/promote/champion';
import { RRF_K } from '../server/reciprocalRankFusion';
import { createSearchApp } from '../server/searchApp';
import type { SearchAnswer, SearchResult } from '../server/searchChampion';
import { SearchService } from '../server/searchService';
import { searchFixture, type SearchFixture } from './support/searchFixture';
import { stack } from './support/stack';

interface SampleListing {
  id: string;
  description: string;
  price: number;
  rooms: number;
  city: string;
  zone: string;
  operation: string;
}

const sample: SampleListing[] = readFileSync(path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as SampleListing);

const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();

/** A running server for one index name, on a free port. */
interface Served {
  service: SearchService;
  app: FastifyInstance;
  base: string;
  log: string[];
  close(): Promise<void>;
}

async function serve(fixture: SearchFixture, indexName: string, pollSeconds: number): Promise<Served> {
  const log: string[] = [];
  const service = new SearchService({ store: fixture.store, indexName, pollSeconds, cacheRoot: path.join(fixture.artifacts, 'cache'), log: (line) => log.push(line) });
  await service.start();
  const app = await createSearchApp(service);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    service,
    app,
    base: `http://127.0.0.1:${port}`,
    log,
    close: async () => {
      await app.close();
      await service.stop();
    },
  };
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

const searchUrl = (base: string, params: Record<string, string | number>): string =>
  `${base}/api/search?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;

describe('serve: the search API over a champion (MiniLM package, embedded index of the sample listings)', function () {
  this.timeout(10 * 60_000);
  let fixture: SearchFixture;
  let champion: Champion;
  let served: Served;

  before(async () => {
    fixture = await searchFixture();
    const indexName = fixture.indexName('test-serve');
    champion = await fixture.promote(indexName, 'A');
    served = await serve(fixture, indexName, 60);
  });
  after(async () => {
    await served?.close();
  });

  it('answers with the champion model version, listings ranked by cosine, their best chunk and fields', async () => {
    const { status, body } = await getJson(searchUrl(served.base, { q: 'estudio tranquilo en Lavapiés para una persona', k: 5 }));
    assert.equal(status, 200, JSON.stringify(body));
    const answer = body as SearchAnswer;
    assert.equal(answer.modelVersion, champion.modelVersion);
    assert.equal(answer.indexName, champion.indexName);
    assert.equal(answer.mode, 'dense');
    assert.equal(answer.results.length, 5);
    assert.ok(answer.tookMs >= 0);
    for (let i = 1; i < answer.results.length; i++) assert.ok(answer.results[i - 1]!.score >= answer.results[i]!.score, 'scores descend');
    assert.equal(new Set(answer.results.map((r) => r.listingId)).size, 5, 'one result per listing');
    const top = answer.results.slice(0, 3).map((r) => r.listingId);
    assert.ok(top.includes('gq-0002'), `the Lavapiés studio is in the top 3: ${top.join(', ')}`);
    const studio = answer.results.find((r) => r.listingId === 'gq-0002')!;
    assert.match(studio.chunkText, /Lavapiés/);
    assert.ok(studio.chunkId.length > 0);
    assert.deepEqual({ city: studio.fields.city, zone: studio.fields.zone, operation: studio.fields.operation, price: studio.fields.price, rooms: studio.fields.rooms }, { city: 'Madrid', zone: 'Lavapiés', operation: 'alquiler', price: 850, rooms: 0 });
  });

  const filterCases: Array<{ name: string; params: Record<string, string | number>; keep: (l: SampleListing) => boolean }> = [
    { name: 'city (case and accents ignored)', params: { city: 'MÁLAGA' }, keep: (l) => l.city === 'Málaga' },
    { name: 'zone (accents ignored)', params: { zone: 'chamberi' }, keep: (l) => l.zone === 'Chamberí' },
    { name: 'zone shared by two cities', params: { zone: 'Centro' }, keep: (l) => l.zone === 'Centro' },
    { name: 'operation', params: { operation: 'alquiler' }, keep: (l) => l.operation === 'alquiler' },
    { name: 'price range', params: { minPrice: 200000, maxPrice: 400000 }, keep: (l) => l.price >= 200000 && l.price <= 400000 },
    { name: 'minimum rooms', params: { minRooms: 4 }, keep: (l) => l.rooms >= 4 },
    {
      name: 'all of them at once',
      params: { city: 'Madrid', operation: 'venta', minPrice: 300000, maxPrice: 2000000, minRooms: 3 },
      keep: (l) => l.city === 'Madrid' && l.operation === 'venta' && l.price >= 300000 && l.price <= 2000000 && l.rooms >= 3,
    },
    { name: 'a city with no listings', params: { city: 'Lugo' }, keep: () => false },
  ];
  for (const mode of ['dense', 'hybrid'] as const) {
    for (const c of filterCases) {
      it(`filters by ${c.name} (${mode}): exactly the matching listings, every returned field in range`, async () => {
        const { status, body } = await getJson(searchUrl(served.base, { q: 'piso luminoso con terraza cerca del metro', k: 100, mode, ...c.params }));
        assert.equal(status, 200, JSON.stringify(body));
        const results = (body as SearchAnswer).results;
        const expected = sample.filter(c.keep).map((l) => l.id).sort();
        assert.deepEqual(results.map((r) => r.listingId).sort(), expected);
        for (const r of results) {
          const f = r.fields as Record<string, any>;
          if (c.params.city) assert.equal(fold(f.city), fold(String(c.params.city)));
          if (c.params.zone) assert.equal(fold(f.zone), fold(String(c.params.zone)));
          if (c.params.operation) assert.equal(f.operation, c.params.operation);
          if (c.params.minPrice) assert.ok(f.price >= Number(c.params.minPrice), `${r.listingId} price ${f.price}`);
          if (c.params.maxPrice) assert.ok(f.price <= Number(c.params.maxPrice), `${r.listingId} price ${f.price}`);
          if (c.params.minRooms) assert.ok(f.rooms >= Number(c.params.minRooms), `${r.listingId} rooms ${f.rooms}`);
        }
      });
    }
  }

  it('POST takes the same fields as a JSON body and gives the same answer as GET', async () => {
    const fields = { q: 'casa con jardín y piscina', k: 7, minRooms: 3, operation: 'venta' };
    const viaGet = await getJson(searchUrl(served.base, fields));
    const response = await fetch(`${served.base}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
    assert.equal(response.status, 200);
    const viaPost = (await response.json()) as SearchAnswer;
    assert.deepEqual(
      viaPost.results.map((r) => [r.listingId, r.score]),
      (viaGet.body as SearchAnswer).results.map((r) => [r.listingId, r.score]),
    );
  });

  it('hybrid fuses the dense and BM25 rankings by reciprocal rank (k=60): a rare exact word lifts its listing', async () => {
    // "pirolítico" (a pyrolytic oven) appears in one listing only; to the dense model it is a weak signal.
    const q = 'horno pirolítico';
    const dense = (await getJson(searchUrl(served.base, { q, k: 100 }))).body as SearchAnswer;
    const hybrid = (await getJson(searchUrl(served.base, { q, k: 100, mode: 'hybrid' }))).body as SearchAnswer;
    assert.equal(hybrid.mode, 'hybrid');
    assert.equal(hybrid.modelVersion, champion.modelVersion);
    const owner = sample.filter((l) => fold(l.description).includes('pirolitico')).map((l) => l.id);
    assert.equal(owner.length, 1, 'the sample has one listing with that word');
    const denseRank = dense.results.findIndex((r) => r.listingId === owner[0]) + 1;
    const hybridRank = hybrid.results.findIndex((r) => r.listingId === owner[0]) + 1;
    const ownerHit = hybrid.results[hybridRank - 1]! as SearchResult;
    assert.equal(ownerHit.ranks?.bm25, 1, 'BM25 ranks the listing with the word first');
    assert.equal(ownerHit.ranks?.dense, denseRank, 'the dense rank in the fusion is the dense answer\'s rank');
    assert.ok(hybridRank <= denseRank, `hybrid rank ${hybridRank} is no worse than dense rank ${denseRank}`);
    // Every fused score is the sum of 1/(60 + rank) over the sides that ranked the listing, and they descend.
    for (const r of hybrid.results) {
      const expected = [r.ranks!.dense, r.ranks!.bm25].reduce((sum: number, rank) => sum + (rank === null ? 0 : 1 / (RRF_K + rank)), 0);
      assert.ok(Math.abs(r.score - expected) < 1e-12, `${r.listingId}: score ${r.score}, expected ${expected}`);
    }
    for (let i = 1; i < hybrid.results.length; i++) assert.ok(hybrid.results[i - 1]!.score >= hybrid.results[i]!.score);
    // Both rank every listing here (k=100 > 68), so the fusion holds the same listings as dense.
    assert.deepEqual(hybrid.results.map((r) => r.listingId).sort(), dense.results.map((r) => r.listingId).sort());
  });

  it('a pgvector champion answers dense and hybrid searches as the embedded index of the same model does', async () => {
    const indexName = fixture.indexName('test-serve-pgvector');
    const pgChampion = await fixture.promote(indexName, 'P');
    assert.equal(pgChampion.modelVersion, champion.modelVersion, 'P is A\'s package');
    const pg = await serve(fixture, indexName, 60);
    try {
      const cases: Array<Record<string, string | number>> = [
        { q: 'horno pirolítico', k: 10, mode: 'hybrid' },
        { q: 'ático con terraza y vistas', k: 10, mode: 'hybrid', city: 'Madrid' },
        { q: 'estudio tranquilo en Lavapiés para una persona', k: 5 },
      ];
      for (const params of cases) {
        const embedded = await getJson(searchUrl(served.base, params));
        const fromPg = await getJson(searchUrl(pg.base, params));
        assert.equal(fromPg.status, 200, JSON.stringify(fromPg.body));
        const listed = (answer: SearchAnswer) => answer.results.map((r) => [r.listingId, r.chunkId, r.ranks ?? null]);
        assert.deepEqual(listed(fromPg.body as SearchAnswer), listed(embedded.body as SearchAnswer), JSON.stringify(params));
        assert.deepEqual((fromPg.body as SearchAnswer).results[0]!.fields, (embedded.body as SearchAnswer).results[0]!.fields);
      }
    } finally {
      await pg.close();
    }
  });

  const badRequests: Array<{ name: string; params: Record<string, string>; field: string; says: RegExp }> = [
    { name: 'no query', params: { k: '5' }, field: 'q', says: /required/ },
    { name: 'an empty query', params: { q: '   ' }, field: 'q', says: /empty/ },
    { name: 'a query over 500 characters', params: { q: 'piso '.repeat(101) }, field: 'q', says: /500/ },
    { name: 'k = 0', params: { q: 'piso', k: '0' }, field: 'k', says: /1 to 100/ },
    { name: 'k = 101', params: { q: 'piso', k: '101' }, field: 'k', says: /1 to 100/ },
    { name: 'k not a number', params: { q: 'piso', k: 'diez' }, field: 'k', says: /whole number/ },
    { name: 'minPrice not a number', params: { q: 'piso', minPrice: 'barato' }, field: 'minPrice', says: /must be a number/ },
    { name: 'maxPrice below minPrice', params: { q: 'piso', minPrice: '500000', maxPrice: '100000' }, field: 'maxPrice', says: /below minPrice/ },
    { name: 'minRooms a fraction', params: { q: 'piso', minRooms: '2.5' }, field: 'minRooms', says: /whole number/ },
    { name: 'an unknown operation', params: { q: 'piso', operation: 'compra' }, field: 'operation', says: /venta.*alquiler/ },
    { name: 'an unknown mode', params: { q: 'piso', mode: 'sparse' }, field: 'mode', says: /dense or hybrid/ },
    { name: 'a misspelt field', params: { q: 'piso', min_price: '1000' }, field: 'min_price', says: /unknown field/ },
  ];
  for (const c of badRequests) {
    it(`400 naming the field for ${c.name}`, async () => {
      const { status, body } = await getJson(searchUrl(served.base, c.params));
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(body.error, 'bad_request');
      assert.equal(body.field, c.field, JSON.stringify(body));
      assert.match(body.message, c.says);
    });
  }

  it('400 for a POST body that is not JSON, or has a field of the wrong type', async () => {
    const notJson = await fetch(`${served.base}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q": "piso",' });
    const notJsonBody = (await notJson.json()) as { field: string; message: string };
    assert.equal(notJson.status, 400);
    assert.equal(notJsonBody.field, 'body');
    const wrongType = await fetch(`${served.base}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: 'piso', minRooms: 'tres' }) });
    assert.equal(wrongType.status, 400);
    assert.equal(((await wrongType.json()) as { field: string }).field, 'minRooms');
    const notObject = await fetch(`${served.base}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '["piso"]' });
    assert.equal(notObject.status, 400);
    assert.equal(((await notObject.json()) as { field: string }).field, 'body');
  });

  it('health names the champion, the index size and when it was loaded', async () => {
    const { status, body } = await getJson(`${served.base}/api/health`);
    assert.equal(status, 200);
    assert.equal(body.modelVersion, champion.modelVersion);
    assert.equal(body.indexName, champion.indexName);
    assert.ok(body.indexSize >= sample.length, `index size ${body.indexSize} (chunks) covers ${sample.length} listings`);
    assert.ok(Date.parse(body.loadedAt) > 0);
  });

  it('503 with a clear message while the index name has no champion, then answers once one is promoted', async () => {
    const indexName = fixture.indexName('test-serve-empty');
    const empty = await serve(fixture, indexName, 0.3);
    try {
      const search = await getJson(searchUrl(empty.base, { q: 'piso' }));
      assert.equal(search.status, 503);
      assert.equal(search.body.error, 'no_champion');
      assert.match(search.body.message, new RegExp(`index ${indexName} has no champion yet`));
      assert.equal((await getJson(`${empty.base}/api/health`)).status, 503);
      const promoted = await fixture.promote(indexName, 'A');
      const deadline = Date.now() + 30_000;
      let answer: { status: number; body: any };
      do {
        await new Promise((r) => setTimeout(r, 100));
        answer = await getJson(searchUrl(empty.base, { q: 'piso' }));
      } while (answer.status === 503 && Date.now() < deadline);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.modelVersion, promoted.modelVersion);
    } finally {
      await empty.close();
    }
  });

  it('reloads when the champion changes: no request fails, and answers switch to the new model within a poll interval and a load', async () => {
    const indexName = fixture.indexName('test-serve-reload');
    const first = await fixture.promote(indexName, 'A');
    // Build B's package and index before the clock starts: the test times the server's reload, not the fixture.
    const warm = fixture.indexName('test-serve-warm');
    const second = await fixture.promote(warm, 'B');
    assert.notEqual(second.modelVersion, first.modelVersion);
    const pollSeconds = 0.5;
    const reloading = await serve(fixture, indexName, pollSeconds);
    try {
      interface Outcome { startedAt: number; endedAt: number; status: number; modelVersion?: string }
      const outcomes: Outcome[] = [];
      let stopAt = Infinity;
      const queries = ['piso con terraza', 'estudio para estudiantes', 'chalet con piscina', 'ático en el centro'];
      // Four clients, each firing its next request as soon as the previous one answers.
      const client = async (c: number): Promise<void> => {
        for (let i = 0; Date.now() < stopAt; i++) {
          const startedAt = Date.now();
          const mode = i % 2 === 0 ? 'dense' : 'hybrid';
          const response = await fetch(searchUrl(reloading.base, { q: queries[(c + i) % queries.length]!, k: 10, mode }));
          const body = (await response.json()) as SearchAnswer;
          outcomes.push({ startedAt, endedAt: Date.now(), status: response.status, modelVersion: body.modelVersion });
        }
      };
      const clients = [0, 1, 2, 3].map(client);
      await new Promise((r) => setTimeout(r, 1500));
      const promotedAt = Date.now();
      await fixture.promote(indexName, 'B');
      // Run on until B has answered for a while (or give up after 60 s: the assertions below then say why).
      const deadline = promotedAt + 60_000;
      while (Date.now() < deadline && !outcomes.some((o) => o.modelVersion === second.modelVersion && o.startedAt > promotedAt + 1000)) {
        await new Promise((r) => setTimeout(r, 100));
      }
      stopAt = Date.now() + 1000;
      await Promise.all(clients);

      const failed = outcomes.filter((o) => o.status !== 200);
      assert.equal(failed.length, 0, `${failed.length} of ${outcomes.length} requests failed: ${JSON.stringify(failed.slice(0, 3))}`);
      assert.ok(outcomes.filter((o) => o.startedAt < promotedAt).length >= 8, 'requests were running before the change');
      assert.ok(outcomes.every((o) => o.modelVersion === first.modelVersion || o.modelVersion === second.modelVersion));
      const firstB = Math.min(...outcomes.filter((o) => o.modelVersion === second.modelVersion).map((o) => o.endedAt));
      assert.ok(Number.isFinite(firstB), 'the new model answered');
      const switchMs = firstB - promotedAt;
      // A poll interval plus loading the new package and index (a second on an idle machine; shared CPUs are slower).
      assert.ok(switchMs <= pollSeconds * 1000 + 10_000, `switched after ${switchMs} ms`);
      // Once B has answered, every request started afterwards is answered by B.
      const stale = outcomes.filter((o) => o.startedAt > firstB && o.modelVersion !== second.modelVersion);
      assert.equal(stale.length, 0, `${stale.length} requests started after the switch were answered by the old model`);
      assert.ok(outcomes.filter((o) => o.startedAt > firstB).length >= 8, 'requests kept running after the switch');
      const health = await getJson(`${reloading.base}/api/health`);
      assert.equal(health.body.modelVersion, second.modelVersion);
      assert.ok(reloading.log.some((line) => line.includes(`now answers with model ${second.modelVersion.slice(0, 12)}`)), reloading.log.join('\n'));
      assert.ok(reloading.log.some((line) => line.includes(`model ${first.modelVersion.slice(0, 12)} closed`)), `the old champion is closed once drained:\n${reloading.log.join('\n')}`);
      console.log(`      reload: switched ${switchMs} ms after the pointer changed (poll ${pollSeconds}s); ${outcomes.length} requests, all 200`);
    } finally {
      await reloading.close();
    }
  });
});
