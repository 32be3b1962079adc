/**
 * Writes an embedded index folder from vectors and rows already in memory (the index stage embeds first; the
 * search-latency benchmark generates them): vectors, rows, the chunk→listing map, an HNSW graph above
 * exactLimit chunks, and meta.json last, so a folder with meta.json is complete.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { HierarchicalNSW } from 'hnswlib-node';
import type { IndexSettings } from '../../workflows/settings/index';
import { LineWriter } from '../extract/lineWriter';
import { EMBEDDED_FILES, INDEX_FORMAT_VERSION, writeIndexMeta, type EmbeddedIndexMeta } from './indexMeta';
import { chunkListingRows, type IndexRowsInput } from './indexRows';

/** Vectors are normalised here (in place) so inner product is cosine; onProgress counts graph points added. */
export interface EmbeddedIndexInput extends IndexRowsInput {
  settings: Pick<IndexSettings, 'exactLimit' | 'hnsw'>;
}

/** Typed arrays are written as they sit in memory; the format is little-endian. */
export function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('the embedded index format is little-endian; this machine is big-endian');
}

function normalizeRows(vectors: Float32Array, dimensions: number): void {
  for (let offset = 0; offset < vectors.length; offset += dimensions) {
    let norm = 0;
    for (let d = 0; d < dimensions; d++) norm += vectors[offset + d]! * vectors[offset + d]!;
    const scale = 1 / (Math.sqrt(norm) || 1);
    for (let d = 0; d < dimensions; d++) vectors[offset + d]! *= scale;
  }
}

async function writeLines<T>(file: string, rows: readonly T[], line: (row: T) => string): Promise<void> {
  const writer = LineWriter.open(file);
  try {
    for (const row of rows) if (writer.push(line(row))) await writer.flush();
    await writer.close();
  } catch (err) {
    writer.destroy();
    throw err;
  }
}

/** Adds every row to an HNSW graph, yielding to the event loop now and then so heartbeats still go out. */
export async function buildHnswGraph(
  vectors: Float32Array,
  dimensions: number,
  hnsw: IndexSettings['hnsw'],
  onProgress?: (done: number, total: number) => void,
): Promise<HierarchicalNSW> {
  const count = vectors.length / dimensions;
  const graph = new HierarchicalNSW('ip', dimensions);
  graph.initIndex({ maxElements: Math.max(count, 1), m: hnsw.m, efConstruction: hnsw.efConstruction, randomSeed: 100 });
  const point: number[] = new Array<number>(dimensions);
  for (let row = 0; row < count; row++) {
    const offset = row * dimensions;
    for (let d = 0; d < dimensions; d++) point[d] = vectors[offset + d]!;
    graph.addPoint(point, row);
    if ((row + 1) % 500 === 0 || row + 1 === count) {
      onProgress?.(row + 1, count);
      await yieldToEventLoop();
    }
  }
  return graph;
}

export async function writeEmbeddedIndex(input: EmbeddedIndexInput): Promise<EmbeddedIndexMeta> {
  assertLittleEndian();
  const { outFolder, dimensions, vectors, chunks, listings, settings } = input;
  if (vectors.length !== chunks.length * dimensions) {
    throw new Error(`embedded index: ${vectors.length} vector values for ${chunks.length} chunks of ${dimensions} dimensions; expected ${chunks.length * dimensions}`);
  }
  await mkdir(outFolder, { recursive: true });
  const chunkListing = chunkListingRows(chunks, listings);
  normalizeRows(vectors, dimensions);
  await writeFile(path.join(outFolder, EMBEDDED_FILES.vectors), new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  await writeFile(path.join(outFolder, EMBEDDED_FILES.chunkListing), new Uint8Array(chunkListing.buffer, chunkListing.byteOffset, chunkListing.byteLength));
  await writeLines(path.join(outFolder, EMBEDDED_FILES.chunks), chunks, (c) => JSON.stringify({ chunk_id: c.chunk_id, listing_id: c.listing_id, text: c.text }));
  await writeLines(path.join(outFolder, EMBEDDED_FILES.listings), listings, (l) => JSON.stringify({ id: l.id, fields: l.fields }));

  const kind = chunks.length > settings.exactLimit ? 'hnsw' : 'exact';
  if (kind === 'hnsw') {
    const graph = await buildHnswGraph(vectors, dimensions, settings.hnsw, input.onProgress);
    await graph.writeIndex(path.join(outFolder, EMBEDDED_FILES.hnsw));
  }
  const meta: EmbeddedIndexMeta = {
    format_version: INDEX_FORMAT_VERSION,
    backend: 'embedded',
    kind,
    space: 'ip',
    modelVersion: input.modelVersion,
    dimensions,
    chunks: chunks.length,
    listings: listings.length,
    hnsw: kind === 'hnsw' ? { ...settings.hnsw } : null,
    createdAt: new Date().toISOString(),
  };
  await writeIndexMeta(outFolder, meta);
  return meta;
}
