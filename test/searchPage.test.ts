import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Champion } from '../activities/promote/champion';
import { createSearchApp } from '../server/searchApp';
import { SearchService } from '../server/searchService';
import { searchFixture, type SearchFixture } from './support/searchFixture';
import { stack } from './support/stack';

const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();

describe('search page: genq serve\'s page in headless Chromium', function () {
  this.timeout(10 * 60_000);
  let fixture: SearchFixture;
  let champion: Champion;
  let service: SearchService;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  /** Requests the page made to anywhere but the server: there must be none (nothing external can load here). */
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    fixture = await searchFixture();
    const indexName = fixture.indexName('test-page');
    champion = await fixture.promote(indexName, 'A');
    service = new SearchService({ store: fixture.store, indexName, pollSeconds: 60, cacheRoot: path.join(fixture.artifacts, 'cache'), log: () => {} });
    await service.start();
    app = await createSearchApp(service);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
    page.on('request', (request) => {
      if (!request.url().startsWith(base) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${base}/`);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await service?.stop();
  });

  it('searches with a city filter: every result is in that city, the chunk is highlighted, the model version is shown', async () => {
    await page.getByLabel('Search query').fill('piso con terraza y mucha luz');
    await page.getByLabel('City').fill('valencia');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Results' }).getByRole('listitem');
    await page.getByRole('status').filter({ hasText: /results? \(dense/ }).waitFor();

    const count = await results.count();
    const expected = (await fetch(`${base}/api/search?${new URLSearchParams({ q: 'piso con terraza y mucha luz', city: 'valencia' })}`).then((r) => r.json())) as { results: Array<{ listingId: string }> };
    assert.ok(count > 0, 'results are shown');
    assert.deepEqual(await results.evaluateAll((items) => items.map((li) => li.getAttribute('data-listing-id'))), expected.results.map((r) => r.listingId), 'the page shows what the API answers, in order');
    const cities = await page.locator('#results dd[data-field="city"]').allTextContents();
    assert.equal(cities.length, count, 'each result shows its city');
    for (const city of cities) assert.equal(fold(city), 'valencia');

    assert.equal(await page.getByLabel('Model version').textContent(), champion.modelVersion);
    await page.getByRole('status').filter({ hasText: champion.modelVersion.slice(0, 12) }).waitFor();

    // The query's words are marked in the chunks, and only they are.
    const marked = (await page.locator('#results mark').allTextContents()).map(fold);
    assert.ok(marked.length > 0, 'some query word is highlighted');
    for (const word of marked) assert.ok(['piso', 'terraza', 'mucha', 'luz'].includes(word), `"${word}" is a query word`);
    // Each shown chunk is the result's text, unchanged by the highlighting.
    const firstChunk = await results.first().locator('.chunk').textContent();
    const firstHit = (await fetch(`${base}/api/search?${new URLSearchParams({ q: 'piso con terraza y mucha luz', city: 'valencia', k: '1' })}`).then((r) => r.json())) as { results: Array<{ chunkText: string }> };
    assert.equal(firstChunk, firstHit.results[0]!.chunkText);

    mkdirSync(path.join(stack.projectRoot, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(stack.projectRoot, 'test-artifacts', 'search-page.png'), fullPage: true });
  });

  it('the hybrid toggle and the operation and price filters reach the API', async () => {
    await page.getByLabel('City').fill('');
    await page.getByLabel('Operation').selectOption('alquiler');
    await page.getByLabel('Maximum price (€)').fill('1000');
    await page.getByLabel('Hybrid (dense + BM25)').check();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: /\(hybrid/ }).waitFor();
    const operations = await page.locator('#results dd[data-field="operation"]').allTextContents();
    const prices = await page.locator('#results dd[data-field="price"]').allTextContents();
    assert.ok(operations.length > 0);
    for (const operation of operations) assert.equal(operation, 'alquiler');
    for (const price of prices) assert.ok(Number(price.replace(/[^\d]/g, '')) <= 1000, `price ${price}`);
    assert.match((await page.locator('#results .score').first().textContent()) ?? '', /^RRF /);
  });

  it('shows the API\'s message, naming the field, for a bad filter', async () => {
    await page.getByLabel('Minimum price (€)').fill('900000');
    await page.getByLabel('Maximum price (€)').fill('1000');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: /maxPrice: .*below minPrice/ }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Results' }).getByRole('listitem').count(), 0);
  });

  it('shows listing text as text: markup in a chunk or a field is not run (answer from a test double of the API)', async () => {
    // Cleaned descriptions turn entities such as &lt;img&gt; into literal "<img>", so chunk text can hold markup.
    // The real index cannot be made to hold such a listing on demand, hence this stand-in answer.
    const hostileChunk = 'Piso con terraza <img src=x onerror="window.__injected=1"> y <b>luz</b>';
    await page.route('**/api/search?*', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          modelVersion: champion.modelVersion,
          indexName: champion.indexName,
          mode: 'dense',
          tookMs: 1,
          results: [{ listingId: 'gq-<script>', score: 0.5, chunkId: 'c1', chunkText: hostileChunk, fields: { city: '<i>Madrid</i>' } }],
        }),
      }),
    );
    try {
      await page.getByLabel('Minimum price (€)').fill('');
      await page.getByLabel('Maximum price (€)').fill('');
      await page.getByLabel('Search query').fill('piso con terraza');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('status').filter({ hasText: '1 result' }).waitFor();
      assert.equal(await page.locator('#results .chunk').textContent(), hostileChunk);
      assert.equal(await page.locator('#results img, #results b, #results i, #results script').count(), 0, 'no element came from the text');
      assert.equal(await page.locator('#results .listing-id').textContent(), 'gq-<script>');
      assert.equal(await page.locator('#results dd[data-field="city"]').textContent(), '<i>Madrid</i>');
      assert.deepEqual(await page.locator('#results mark').allTextContents(), ['Piso', 'terraza']);
      assert.equal(await page.evaluate(() => (globalThis as { __injected?: number }).__injected), undefined);
    } finally {
      await page.unroute('**/api/search?*');
    }
  });

  it('loaded nothing from outside the server and raised no script error', () => {
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(pageErrors, []);
  });
});
