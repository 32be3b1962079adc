/**
 * Benchmark: listing search latency (p50, p99) and queries per second at 10k, 100k and 1M chunk vectors, for
 * the embedded HNSW index and pgvector, against the named baseline "exact-scan" (the embedded index's own
 * brute-force scan over the same loaded vectors) measured in the same run. Printed, not asserted.
 *
 *   node dist/bench/searchLatency.js [--sizes 10k,100k,1m] [--backends embedded,pgvector] [--queries 500]
 *     [--m 16] [--ef-construction 200] [--ef-search 128] [--keep]
 *
 * Data: generated, fixed seed, dimension 384 (MiniLM's), normalised. Chunk vectors are drawn around 2,000
 * random centres (real embeddings cluster by topic; uniform random vectors in 384 dimensions do not, and
 * would make any graph index look worse than it is on text). About three chunks per listing, listing ids
 * random, with price, rooms, city, zone and operation fields. Queries are noisy copies of random chunks.
 * Searches run one at a time from one client (k = 10); q/s is queries over the wall time of the sequence.
 * HNSW settings are the index stage's defaults (m 16, efConstruction 200, efSearch 128) unless the flags say otherwise.
 *
 * Targets (issue 5): p99 under 20 ms and at least 500 queries/s at 1M vectors on 2 cores (embedded).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EmbeddedListingIndex } from '../activities/index/embeddedIndex';
import type { ChunkRow, ListingRow } from '../activities/index/indexRows';
import { openIndexFolder } from '../activities/index/openIndex';
import { pgvectorTableNames, pgvectorUrl, quoteIdent } from '../activities/index/pgvectorTables';
import type { IndexHit, ListingIndex } from '../activities/index/types';
import { writeEmbeddedIndex } from '../activities/index/writeEmbeddedIndex';
import { writePgvectorIndex } from '../activities/index/writePgvectorIndex';
import { indexSettingsSchema } from '../workflows/settings/index';
import { seededRandom } from '../activities/seededRandom';

const NAME = 'search-latency';
const DIMENSIONS = 384;
const CENTRES = 2000;
const CHUNKS_PER_LISTING = 3;
const K = 10;
const TARGET_P99_MS = 20;
const TARGET_QPS = 500;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`--sizes: "${text}" is not a size like 10k, 100k or 1m`);
  return Math.round(Number(match[1]) * (match[2]!.toLowerCase() === 'm' ? 1e6 : match[2]!.toLowerCase() === 'k' ? 1e3 : 1));
}

const sizeLabel = (n: number): string => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}m` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));


function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

function normalize(v: Float32Array, offset = 0, length = v.length): void {
  let norm = 0;
  for (let i = offset; i < offset + length; i++) norm += v[i]! * v[i]!;
  const scale = 1 / (Math.sqrt(norm) || 1);
  for (let i = offset; i < offset + length; i++) v[i]! *= scale;
}

const CITIES = ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Zaragoza', 'Málaga', 'Bilbao', 'Murcia', 'Palma', 'Alicante'];
const ZONES = ['Centro', 'Norte', 'Sur', 'Este', 'Oeste', 'Casco Histórico', 'Ensanche', 'Playa'];

interface Corpus {
  vectors: Float32Array;
  chunks: ChunkRow[];
  listings: ListingRow[];
  queries: Float32Array[];
}

function generate(n: number, queryCount: number, seed: number): Corpus {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const centres = new Float32Array(CENTRES * DIMENSIONS);
  for (let i = 0; i < centres.length; i++) centres[i] = normal();
  for (let c = 0; c < CENTRES; c++) normalize(centres, c * DIMENSIONS, DIMENSIONS);
  // Noise per dimension such that a chunk's cosine to its centre is about 0.7.
  const spread = 1 / Math.sqrt(DIMENSIONS);
  const vectors = new Float32Array(n * DIMENSIONS);
  for (let row = 0; row < n; row++) {
    const centre = Math.floor(random() * CENTRES) * DIMENSIONS;
    const offset = row * DIMENSIONS;
    for (let d = 0; d < DIMENSIONS; d++) vectors[offset + d] = centres[centre + d]! + spread * normal();
    normalize(vectors, offset, DIMENSIONS);
  }
  const listingCount = Math.max(1, Math.round(n / CHUNKS_PER_LISTING));
  const listings: ListingRow[] = [];
  for (let i = 0; i < listingCount; i++) {
    const rent = random() < 0.45;
    listings.push({
      id: `L${i}-${Math.floor(random() * 1e9).toString(36)}`,
      fields: {
        price: rent ? 400 + Math.round(random() * 2600) : 60000 + Math.round(random() * 1500000),
        rooms: Math.floor(random() * 6),
        city: CITIES[Math.floor(random() * CITIES.length)],
        zone: ZONES[Math.floor(random() * ZONES.length)],
        operation: rent ? 'alquiler' : 'venta',
      },
    });
  }
  const chunks: ChunkRow[] = [];
  for (let row = 0; row < n; row++) {
    const listing = listings[Math.floor(random() * listingCount)]!;
    chunks.push({ chunk_id: `${listing.id}#${row}`, listing_id: listing.id, text: `chunk ${row}` });
  }
  const queries: Float32Array[] = [];
  for (let q = 0; q < queryCount; q++) {
    const source = Math.floor(random() * n) * DIMENSIONS;
    const query = new Float32Array(DIMENSIONS);
    for (let d = 0; d < DIMENSIONS; d++) query[d] = vectors[source + d]! + 0.5 * spread * normal();
    normalize(query);
    queries.push(query);
  }
  return { vectors, chunks, listings, queries };
}

interface Timing {
  p50: number;
  p99: number;
  qps: number;
  results: string[][];
}

/** Runs the queries one after another; `search` returns the listing ids found. */
async function measure(queries: Float32Array[], search: (q: Float32Array) => Promise<string[]> | string[]): Promise<Timing> {
  for (const q of queries.slice(0, Math.min(20, queries.length))) await search(q); // warm-up
  const latencies: number[] = [];
  const results: string[][] = [];
  const started = performance.now();
  for (const q of queries) {
    const t = performance.now();
    const ids = await search(q);
    latencies.push(performance.now() - t);
    results.push(ids);
  }
  const total = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number): number => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), qps: queries.length / total, results };
}

function recallAt10(found: string[][], truth: string[][]): number {
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const expected = new Set(truth[i]);
    sum += found[i]!.filter((id) => expected.has(id)).length / Math.max(1, expected.size);
  }
  return sum / truth.length;
}

const fixed = (v: number, digits = 2): string => v.toFixed(digits);
const line = (figure: string, value: string, unit: string, baseline: string, ratio: number): void =>
  console.log(`bench ${NAME}: ${figure}=${value}${unit ? ` ${unit}` : ''} baseline=${baseline} ratio=${fixed(ratio)}`);

function hnswFlags(): { m?: number; efConstruction?: number; efSearch?: number } {
  const flags: Record<string, number> = {};
  for (const [flag, key] of [['m', 'm'], ['ef-construction', 'efConstruction'], ['ef-search', 'efSearch']] as const) {
    const value = option(flag);
    if (value !== undefined) flags[key] = Number(value);
  }
  return flags;
}

async function benchSize(n: number, backends: Set<string>, queryCount: number, dir: string): Promise<void> {
  const label = sizeLabel(n);
  console.log(`${label}: load average ${loadavg()[0]!.toFixed(2)}`);
  let t = performance.now();
  const corpus = generate(n, queryCount, 42 + n);
  console.log(`${label}: generated ${n} vectors (${DIMENSIONS} d), ${corpus.listings.length} listings, ${queryCount} queries in ${fixed((performance.now() - t) / 1000, 1)} s`);
  const settings = indexSettingsSchema.parse({ exactLimit: 0, hnsw: hnswFlags() });
  const folder = path.join(dir, `hnsw-${label}`);
  t = performance.now();
  let lastReport = t;
  await writeEmbeddedIndex({
    outFolder: folder,
    modelVersion: 'bench',
    dimensions: DIMENSIONS,
    vectors: corpus.vectors,
    chunks: corpus.chunks,
    listings: corpus.listings,
    settings,
    onProgress: (done, total) => {
      if (performance.now() - lastReport > 30_000) {
        lastReport = performance.now();
        const rate = done / ((lastReport - t) / 1000);
        console.log(`  ${label}: HNSW ${done}/${total} points, ${fixed(rate, 0)} points/s, about ${fixed((total - done) / rate / 60, 1)} min left`);
      }
    },
  });
  const buildSeconds = (performance.now() - t) / 1000;
  console.log(`${label}: embedded HNSW folder written and graph built in ${fixed(buildSeconds, 1)} s (${fixed(n / buildSeconds, 0)} points/s, one core: hnswlib-node adds points one at a time)`);

  let pgIndex: ListingIndex | null = null;
  let pgFolder: string | null = null;
  const pgName = `bench-${label}`;
  if (backends.has('pgvector')) {
    pgFolder = path.join(dir, `pgvector-${label}`);
    t = performance.now();
    await writePgvectorIndex({
      outFolder: pgFolder,
      indexName: pgName,
      modelVersion: 'b0000000000000000000000000000000',
      dimensions: DIMENSIONS,
      vectors: corpus.vectors,
      chunks: corpus.chunks,
      listings: corpus.listings,
      settings,
    });
    console.log(`${label}: pgvector tables loaded and HNSW index built in ${fixed((performance.now() - t) / 1000, 1)} s`);
  }
  const queries = corpus.queries;
  corpus.vectors = new Float32Array(0); // the loaded index holds its own copy

  t = performance.now();
  const index = (await openIndexFolder(folder)) as EmbeddedListingIndex;
  console.log(`${label}: embedded index opened in ${fixed((performance.now() - t) / 1000, 2)} s`);
  try {
    const exactQueries = queries.slice(0, Math.max(20, Math.min(queries.length, Math.round(5e6 / n))));
    const idsOf = (hits: IndexHit[]): string[] => hits.map((h) => h.listingId);
    const exact = await measure(exactQueries, (q) => index.scan(q, K, null).map((r) => corpus.listings[r.listingRow]!.id));
    const exactIds = exact.results;
    const hnsw = await measure(queries, async (q) => idsOf(await index.search(q, { k: K })));
    console.log(`${label}: baseline exact-scan (every vector, same index, ${exactQueries.length} queries): p50 ${fixed(exact.p50)} ms, p99 ${fixed(exact.p99)} ms, ${fixed(exact.qps, 1)} q/s`);
    const exactLabel = (v: number, _unit: string): string => fixed(v);
    line(`embedded_hnsw_p50_${label}`, fixed(hnsw.p50), 'ms', exactLabel(exact.p50, 'ms'), hnsw.p50 / exact.p50);
    line(`embedded_hnsw_p99_${label}`, fixed(hnsw.p99), 'ms', exactLabel(exact.p99, 'ms'), hnsw.p99 / exact.p99);
    line(`embedded_hnsw_qps_${label}`, fixed(hnsw.qps, 0), 'q/s', exactLabel(exact.qps, 'q/s'), hnsw.qps / exact.qps);
    const recall = recallAt10(hnsw.results.slice(0, exactIds.length), exactIds);
    line(`embedded_hnsw_recall10_${label}`, fixed(recall, 3), '', '1.000', recall);

    const filtered = await measure(queries, async (q) => idsOf(await index.search(q, { k: K, filter: { operation: 'alquiler', minRooms: 2 } })));
    line(`embedded_hnsw_filtered_p99_${label}`, fixed(filtered.p99), 'ms', exactLabel(exact.p99, 'ms'), filtered.p99 / exact.p99);

    if (pgFolder) {
      pgIndex = await openIndexFolder(pgFolder);
      const pg = await measure(queries, async (q) => idsOf(await pgIndex!.search(q, { k: K })));
      line(`pgvector_p50_${label}`, fixed(pg.p50), 'ms', exactLabel(exact.p50, 'ms'), pg.p50 / exact.p50);
      line(`pgvector_p99_${label}`, fixed(pg.p99), 'ms', exactLabel(exact.p99, 'ms'), pg.p99 / exact.p99);
      line(`pgvector_qps_${label}`, fixed(pg.qps, 0), 'q/s', exactLabel(exact.qps, 'q/s'), pg.qps / exact.qps);
      const pgRecall = recallAt10(pg.results.slice(0, exactIds.length), exactIds);
      line(`pgvector_recall10_${label}`, fixed(pgRecall, 3), '', '1.000', pgRecall);
    }
    if (n >= 1e6) {
      const met = hnsw.p99 < TARGET_P99_MS && hnsw.qps >= TARGET_QPS;
      console.log(`${label}: target p99 < ${TARGET_P99_MS} ms and >= ${TARGET_QPS} q/s (embedded): ${met ? 'met' : 'NOT met'}`);
    }
  } finally {
    await index.close();
    await pgIndex?.close();
    if (pgFolder) await dropTables(pgName);
  }
}

async function dropTables(indexName: string): Promise<void> {
  const tables = pgvectorTableNames(indexName, 'b0000000000000000000000000000000');
  const client = new Client({ connectionString: pgvectorUrl('GENQ_PGVECTOR_URL') });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${quoteIdent(tables.chunks)}, ${quoteIdent(tables.listings)}`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const sizes = (option('sizes') ?? '10k,100k,1m').split(',').map(parseSize);
  const backends = new Set((option('backends') ?? 'embedded,pgvector').split(','));
  const queryCount = Number(option('queries') ?? 500);
  if (!Number.isInteger(queryCount) || queryCount < 20) throw new Error('--queries needs an integer of at least 20');
  const keep = process.argv.includes('--keep');
  const dir = await mkdtemp(path.join(tmpdir(), 'genq-bench-search-'));
  // Latencies on a shared machine depend on what else runs: say how busy it was.
  console.log(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
  try {
    for (const n of sizes) await benchSize(n, backends, queryCount, dir);
  } finally {
    if (keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
