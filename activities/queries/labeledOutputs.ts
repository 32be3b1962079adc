/**
 * The files a labelled stage commits, written as rows stream in: the method's `labeled.csv`
 * (`id,document,query1..queryN`, id = listing id), `pairs.jsonl` and its split by listing into
 * `pairs.train.jsonl` / `pairs.heldout.jsonl`, and `quarantine.jsonl`. Shared by assembleLabeled and
 * importLabeledCsv, so both give the same outputs.
 */
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { ProducedFile } from '../artifacts/stageRunner';
import { LineWriter } from '../extract/lineWriter';
import { isHeldOut } from './heldOut';
import type { LabeledSummary, QuarantineRecord } from './types';

export interface LabeledRow {
  chunk_id: string;
  listing_id: string;
  document: string;
  queries: string[];
}

export const labeledCsvHeader = (queriesPerChunk: number): string[] => [
  'id',
  'document',
  ...Array.from({ length: queriesPerChunk }, (_, i) => `query${i + 1}`),
];

const FILES = ['labeled.csv', 'pairs.jsonl', 'pairs.train.jsonl', 'pairs.heldout.jsonl', 'quarantine.jsonl'] as const;

export class LabeledOutputs {
  private readonly writers: Record<(typeof FILES)[number], LineWriter>;
  private readonly listings = new Set<string>();
  private readonly heldOutListings = new Set<string>();
  private labeledChunks = 0;

  constructor(
    private readonly workDir: string,
    private readonly queriesPerChunk: number,
    private readonly heldOutShare: number,
  ) {
    this.writers = Object.fromEntries(FILES.map((name) => [name, LineWriter.open(path.join(workDir, name))])) as LabeledOutputs['writers'];
    this.writers['labeled.csv'].push(stringify([labeledCsvHeader(queriesPerChunk)]).trimEnd());
  }

  private async push(name: (typeof FILES)[number], line: string): Promise<void> {
    if (this.writers[name].push(line)) await this.writers[name].flush();
  }

  async add(row: LabeledRow): Promise<void> {
    const cells = Array.from({ length: this.queriesPerChunk }, (_, i) => row.queries[i] ?? '');
    await this.push('labeled.csv', stringify([[row.listing_id, row.document, ...cells]]).replace(/\r?\n$/, ''));
    const heldOut = isHeldOut(row.listing_id, this.heldOutShare);
    (heldOut ? this.heldOutListings : this.listings).add(row.listing_id);
    this.labeledChunks += 1;
    for (const query of row.queries) {
      const line = JSON.stringify({ query, chunk: row.document, chunk_id: row.chunk_id, listing_id: row.listing_id });
      await this.push('pairs.jsonl', line);
      await this.push(heldOut ? 'pairs.heldout.jsonl' : 'pairs.train.jsonl', line);
    }
  }

  async quarantine(record: QuarantineRecord | string): Promise<void> {
    await this.push('quarantine.jsonl', typeof record === 'string' ? record : JSON.stringify(record));
  }

  /** Closes the files; `chunks` is how many rows the caller read (labelled + quarantined). */
  async close(chunks: number): Promise<{ files: Record<string, ProducedFile>; summary: LabeledSummary }> {
    for (const writer of Object.values(this.writers)) await writer.close();
    const count = (name: (typeof FILES)[number]): number => this.writers[name].count;
    const files = Object.fromEntries(
      FILES.map((name) => [name, { path: path.join(this.workDir, name), count: name === 'labeled.csv' ? count(name) - 1 : count(name) }]),
    );
    return {
      files,
      summary: {
        chunks,
        labeledChunks: this.labeledChunks,
        quarantined: count('quarantine.jsonl'),
        pairs: count('pairs.jsonl'),
        trainPairs: count('pairs.train.jsonl'),
        heldOutPairs: count('pairs.heldout.jsonl'),
        listings: this.listings.size + this.heldOutListings.size,
        heldOutListings: this.heldOutListings.size,
        queriesPerChunk: this.queriesPerChunk,
      },
    };
  }

  destroy(): void {
    for (const writer of Object.values(this.writers)) writer.destroy();
  }
}
