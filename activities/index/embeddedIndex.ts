/**
 * The embedded listing index, opened from its folder: vectors in one Float32Array, rows and filter columns
 * in memory, and (kind hnsw) an hnswlib graph. Exact search scans every chunk that passes the filter; HNSW
 * search asks the graph for enough chunks to fill k distinct listings, with the filter as hnswlib's callback,
 * and scans instead when the filter leaves so few chunks that a scan is cheaper and exact.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HierarchicalNSW } from 'hnswlib-node';
import { EMBEDDED_FILES, type EmbeddedIndexMeta } from './indexMeta';
import type { ChunkRow, ListingRow } from './indexRows';
import { checkListingFilter, ListingColumns } from './listingFilter';
import { ListingTopK, type RankedListing } from './listingTopK';
import { checkSearchInput } from './searchInput';
import type { IndexHit, ListingIndex, SearchOptions } from './types';
import { assertLittleEndian } from './writeEmbeddedIndex';

export interface EmbeddedSearchOptions {
  /**
   * With an HNSW graph, a filter expected to leave fewer than this many chunks is answered by an exact scan
   * (cheaper than a graph walk that must skip most nodes, and exact). @default 20000
   */
  exactFallbackRows?: number;
  /** Also scan when the filter is expected to pass less than this share of the chunks. @default 0.02 */
  exactFallbackShare?: number;
}

function normalizedCopy(vector: Float32Array): Float32Array {
  const copy = new Float32Array(vector);
  let norm = 0;
  for (const v of copy) norm += v * v;
  const scale = 1 / (Math.sqrt(norm) || 1);
  for (let i = 0; i < copy.length; i++) copy[i]! *= scale;
  return copy;
}

/** Rows sampled to estimate how much of the index a filter passes. */
const FILTER_SAMPLE = 2048;

async function readBinary(folder: string, file: string, expectedBytes: number, what: string): Promise<Buffer> {
  const full = path.join(folder, file);
  const bytes = await readFile(full).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`listing index ${folder}: cannot read ${file} (${err.code ?? err.message}); rebuild the index`);
  });
  if (bytes.length !== expectedBytes) {
    throw new Error(`listing index ${folder}: ${file} has ${bytes.length} bytes, expected ${expectedBytes} (${what}); the folder is damaged or from another build: rebuild it`);
  }
  // Typed-array views need aligned offsets; a small file may share Node's buffer pool at any offset.
  return bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
}

async function readJsonLines<T>(folder: string, file: string, expected: number): Promise<T[]> {
  const text = await readFile(path.join(folder, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`listing index ${folder}: cannot read ${file} (${err.code ?? err.message}); rebuild the index`);
  });
  const rows: T[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    if (nl > start) rows.push(JSON.parse(text.slice(start, nl)) as T);
    start = nl + 1;
  }
  if (start < text.length) rows.push(JSON.parse(text.slice(start)) as T);
  if (rows.length !== expected) throw new Error(`listing index ${folder}: ${file} has ${rows.length} rows, meta.json says ${expected}; rebuild the index`);
  return rows;
}

export class EmbeddedListingIndex implements ListingIndex {
  private readonly topK: ListingTopK;
  private readonly columns: ListingColumns;
  private readonly queryPoint: number[];

  private constructor(
    readonly meta: EmbeddedIndexMeta,
    private readonly vectors: Float32Array,
    private readonly chunkListing: Uint32Array,
    private readonly chunks: ChunkRow[],
    private readonly listings: ListingRow[],
    private readonly graph: HierarchicalNSW | null,
    private readonly options: Required<EmbeddedSearchOptions>,
  ) {
    this.topK = new ListingTopK(listings.length);
    this.columns = new ListingColumns(listings.map((l) => l.fields));
    this.queryPoint = new Array<number>(meta.dimensions);
  }

  static async open(folder: string, meta: EmbeddedIndexMeta, options: EmbeddedSearchOptions = {}): Promise<EmbeddedListingIndex> {
    assertLittleEndian();
    const { chunks: n, dimensions: d } = meta;
    const vectorBytes = await readBinary(folder, EMBEDDED_FILES.vectors, n * d * 4, `${n} chunks × ${d} float32`);
    const mapBytes = await readBinary(folder, EMBEDDED_FILES.chunkListing, n * 4, `${n} uint32`);
    const chunks = await readJsonLines<ChunkRow>(folder, EMBEDDED_FILES.chunks, n);
    const listings = await readJsonLines<ListingRow>(folder, EMBEDDED_FILES.listings, meta.listings);
    let graph: HierarchicalNSW | null = null;
    if (meta.kind === 'hnsw') {
      graph = new HierarchicalNSW('ip', d);
      const file = path.join(folder, EMBEDDED_FILES.hnsw);
      await graph.readIndex(file).catch((err: Error) => {
        throw new Error(`listing index ${folder}: cannot read the HNSW graph ${EMBEDDED_FILES.hnsw} (${err.message}); rebuild the index`);
      });
      if (graph.getCurrentCount() !== n) throw new Error(`listing index ${folder}: the HNSW graph holds ${graph.getCurrentCount()} points, meta.json says ${n} chunks; rebuild the index`);
    }
    return new EmbeddedListingIndex(
      meta,
      new Float32Array(vectorBytes.buffer, vectorBytes.byteOffset, n * d),
      new Uint32Array(mapBytes.buffer, mapBytes.byteOffset, n),
      chunks,
      listings,
      graph,
      { exactFallbackRows: options.exactFallbackRows ?? 20000, exactFallbackShare: options.exactFallbackShare ?? 0.02 },
    );
  }

  get modelVersion(): string {
    return this.meta.modelVersion;
  }

  get size(): number {
    return this.meta.chunks;
  }

  /** Which way a search went, for tests and the benchmark. */
  lastPath: 'exact' | 'hnsw' | 'exact-fallback' = 'exact';

  async search(queryVector: Float32Array, options: SearchOptions): Promise<IndexHit[]> {
    checkSearchInput(queryVector, options, this.meta.dimensions, this.meta.modelVersion);
    checkListingFilter(options.filter);
    return this.searchSync(queryVector, options);
  }

  /** The whole search without an await, so the shared scratch arrays cannot be interleaved by another query. */
  searchSync(queryVector: Float32Array, options: SearchOptions): IndexHit[] {
    // Scores are cosines whatever the caller's vector length, as pgvector's cosine distance gives them.
    queryVector = normalizedCopy(queryVector);
    const predicate = this.columns.compile(options.filter);
    let ranked: RankedListing[];
    if (!this.graph) {
      this.lastPath = 'exact';
      ranked = this.scan(queryVector, options.k, predicate);
    } else if (predicate && this.filterIsSelective(predicate)) {
      this.lastPath = 'exact-fallback';
      ranked = this.scan(queryVector, options.k, predicate);
    } else {
      this.lastPath = 'hnsw';
      ranked = this.walkGraph(this.graph, queryVector, options.k, predicate);
    }
    return ranked.map((r) => {
      const chunk = this.chunks[r.chunkRow]!;
      const listing = this.listings[r.listingRow]!;
      return { listingId: listing.id, score: r.score, chunkId: chunk.chunk_id, chunkText: chunk.text, fields: listing.fields };
    });
  }

  /** Exact: the filter first, then the dot product of every chunk that passes. */
  scan(query: Float32Array, k: number, predicate: ((listingRow: number) => boolean) | null): RankedListing[] {
    const { vectors, chunkListing, topK } = this;
    const d = this.meta.dimensions;
    const n = this.meta.chunks;
    for (let row = 0; row < n; row++) {
      const listingRow = chunkListing[row]!;
      if (predicate && !predicate(listingRow)) continue;
      const offset = row * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        s0 += query[i]! * vectors[offset + i]!;
        s1 += query[i + 1]! * vectors[offset + i + 1]!;
        s2 += query[i + 2]! * vectors[offset + i + 2]!;
        s3 += query[i + 3]! * vectors[offset + i + 3]!;
      }
      for (; i < d; i++) s0 += query[i]! * vectors[offset + i]!;
      topK.offer(listingRow, row, s0 + s1 + s2 + s3);
    }
    return topK.take(k);
  }

  /** Estimates from an even sample of chunk rows whether the filter leaves few enough chunks to scan. */
  private filterIsSelective(predicate: (listingRow: number) => boolean): boolean {
    const n = this.meta.chunks;
    const sample = Math.min(n, FILTER_SAMPLE);
    let passed = 0;
    for (let i = 0; i < sample; i++) if (predicate(this.chunkListing[Math.floor((i * n) / sample)]!)) passed += 1;
    const share = sample === 0 ? 0 : passed / sample;
    return share * n < this.options.exactFallbackRows || share < this.options.exactFallbackShare;
  }

  /**
   * HNSW: asks for enough chunks to cover k listings (a listing has several chunks), more when the nearest
   * chunks crowd into fewer listings, until k distinct listings are found or the graph has no more.
   */
  private walkGraph(graph: HierarchicalNSW, query: Float32Array, k: number, predicate: ((listingRow: number) => boolean) | null): RankedListing[] {
    const n = this.meta.chunks;
    const chunksPerListing = Math.max(1, Math.ceil(n / Math.max(1, this.meta.listings)));
    const point = this.queryPoint;
    for (let i = 0; i < point.length; i++) point[i] = query[i]!;
    const chunkListing = this.chunkListing;
    const filter = predicate ? (label: number) => predicate(chunkListing[label]!) : undefined;
    let want = Math.min(n, Math.max(k * chunksPerListing * 2, k + 10));
    for (;;) {
      graph.setEf(Math.max(this.meta.hnsw?.efSearch ?? 0, want));
      const found = graph.searchKnn(point, want, filter);
      for (let i = 0; i < found.neighbors.length; i++) {
        const row = found.neighbors[i]!;
        this.topK.offer(chunkListing[row]!, row, 1 - found.distances[i]!);
      }
      if (this.topK.distinct >= k || found.neighbors.length < want || want >= n) return this.topK.take(k);
      this.topK.take(0);
      want = Math.min(n, want * 4);
    }
  }

  async close(): Promise<void> {
    // Nothing to release: the arrays and the graph go with the object.
  }
}
