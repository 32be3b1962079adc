/**
 * Starts from an existing labelled CSV in the method's format (`id,document,query1..queryN`, often with
 * pandas' unnamed index column) instead of generating, so a user can train on queries already paid for.
 * Gives the same outputs as assembleLabeled. Queries are repaired (list numbering, quotes) or dropped
 * (empty, preambles such as "Here are five potential questions...:", duplicates, copies of the chunk); a row
 * left with no usable query is quarantined. Long queries are kept: they are the user's, only unusable ones go.
 * It also writes the chunk table (`chunks.jsonl`, every row with an id and a document) and `listings.jsonl`
 * (ids only: a labelled CSV carries no structured fields), so evaluation and the index see the same corpus as
 * after extract and chunk.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { CsvError, parse } from 'csv-parse';
import { chunkJsonLine } from '../chunk/outputLines';
import { querySettingsSchema, type QuerySettings, type QuerySettingsInput } from '../../workflows/settings/queries';
import { hashFile } from '../artifacts/hashing';
import { openArtifactStore } from '../artifacts/openStore';
import { runStage } from '../artifacts/stageRunner';
import { ArtifactNotFoundError } from '../artifacts/store';
import type { ArtifactRef, StageResult } from '../artifacts/types';
import { LineWriter } from '../extract/lineWriter';
import { parseStageSettings } from '../extract/settings';
import { heartbeat } from '../activityContext';
import { LabeledOutputs } from './labeledOutputs';
import type { ImportSummary } from './types';
import { checkQueries, type QueryRejection } from './validate';

/** 2: also writes chunks.jsonl and listings.jsonl. */
export const IMPORT_STAGE_VERSION = 2;

export interface ImportLabeledCsvInput {
  artifacts: string;
  /** The CSV: a path on the worker, a file:// URI or s3://bucket/key. */
  path: string;
  settings: QuerySettingsInput;
  force?: boolean;
}

const importFailure = (message: string, type = 'InvalidLabeledCsv'): ApplicationFailure => ApplicationFailure.nonRetryable(`import: ${message}`, type);

/** A local file with the CSV's bytes (S3 objects are downloaded) and the URI that names it. */
async function localCopy(source: string): Promise<{ file: string; uri: string }> {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(source);
  if (s3) {
    try {
      return { file: await openArtifactStore(`s3://${s3[1]}`).localPath(s3[2]!), uri: source };
    } catch (err) {
      if (err instanceof ArtifactNotFoundError) throw importFailure(`labelled CSV not found: ${source}; check the bucket and key`, 'LabeledCsvNotFound');
      throw err;
    }
  }
  const file = source.startsWith('file://') ? fileURLToPath(source) : path.resolve(source);
  const isFile = await stat(file).then((s) => s.isFile(), () => false);
  if (!isFile) throw importFailure(`labelled CSV not found at ${file}; give a path on the cpu workers or an s3:// URI`, 'LabeledCsvNotFound');
  return { file, uri: pathToFileURL(file).href };
}

interface Columns {
  id: number;
  document: number;
  queries: number[];
}

/** Finds id, document and query1..queryN; other columns (the unnamed index) are ignored. */
function findColumns(header: string[]): Columns {
  const names = header.map((h) => h.trim().toLowerCase());
  const queries = names
    .map((name, index) => ({ n: /^query(\d+)$/.exec(name)?.[1], index }))
    .filter((q): q is { n: string; index: number } => q.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n))
    .map((q) => q.index);
  const columns = { id: names.indexOf('id'), document: names.indexOf('document'), queries };
  if (columns.id < 0 || columns.document < 0 || queries.length === 0) {
    throw importFailure(`the header ${JSON.stringify(header)} lacks id, document or query1..queryN; give a CSV in the method's labelled format`);
  }
  return columns;
}

export async function importLabeledCsv(input: ImportLabeledCsvInput): Promise<StageResult<ImportSummary>> {
  const settings = parseStageSettings(querySettingsSchema, input.settings, 'queries');
  const source = await localCopy(input.path);
  const ref: ArtifactRef = { uri: source.uri, ...(await hashFile(source.file)) };
  const store = openArtifactStore(input.artifacts || undefined);
  const spec = {
    stage: 'import',
    stageVersion: IMPORT_STAGE_VERSION,
    settings: { minQueryChars: settings.minQueryChars, maxQueryChars: settings.maxQueryChars, heldOutShare: settings.heldOutShare },
    inputs: { labeledCsv: ref },
  };
  return runStage<ImportSummary>(store, spec, { force: input.force }, (workDir) => importRows(source.file, workDir, settings));
}

async function importRows(file: string, workDir: string, settings: QuerySettings) {
  const parser = createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true }));
  let columns: Columns | undefined;
  let out: LabeledOutputs | undefined;
  const perListing = new Map<string, number>();
  const dropped: Record<string, number> = {};
  const count = (reasons: QueryRejection[]): void => {
    for (const r of reasons) if (r.code !== 'wrong-count') dropped[r.code] = (dropped[r.code] ?? 0) + 1;
  };
  const chunkTable = LineWriter.open(path.join(workDir, 'chunks.jsonl'));
  const listingTable = LineWriter.open(path.join(workDir, 'listings.jsonl'));
  const push = async (writer: LineWriter, line: string): Promise<void> => {
    if (writer.push(line)) await writer.flush();
  };
  let rows = 0;
  let cleanedQueries = 0;
  let longQueries = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!columns) {
        columns = findColumns(cells);
        out = new LabeledOutputs(workDir, columns.queries.length, settings.heldOutShare);
        continue;
      }
      rows += 1;
      const listingId = (cells[columns.id] ?? '').trim();
      const document = cells[columns.document] ?? '';
      const ordinal = perListing.get(listingId) ?? 0;
      perListing.set(listingId, ordinal + 1);
      const chunkId = `${listingId}#${ordinal}`;
      if (listingId && document.trim() !== '') {
        const idJson = JSON.stringify(listingId);
        if (ordinal === 0) await push(listingTable, `{"id":${idJson},"text":"","fields":{}}`);
        await push(chunkTable, chunkJsonLine(idJson, { index: ordinal, start: 0, end: document.length, text: document }));
      }
      const raw = columns.queries.map((i) => cells[i] ?? '');
      const verdict = checkQueries(raw, { minChars: settings.minQueryChars, chunk: document });
      count(verdict.ok ? verdict.dropped : verdict.reasons);
      const problem = !listingId ? 'missing-id' : document.trim() === '' ? 'empty-document' : verdict.ok ? undefined : 'no-usable-query';
      if (problem) {
        const codes = verdict.ok ? [] : verdict.reasons.map((r) => r.code).filter((c) => c !== 'wrong-count');
        const reasons = [...new Set([problem, ...codes])];
        await out!.quarantine({ source: 'import', row: rows, chunk_id: chunkId, listing_id: listingId, document, reasons, raw });
      } else {
        cleanedQueries += verdict.cleaned;
        longQueries += verdict.queries.filter((q) => q.length > settings.maxQueryChars).length;
        await out!.add({ chunk_id: chunkId, listing_id: listingId, document, queries: verdict.queries });
      }
      if (rows % 1000 === 0) heartbeat({ rows });
    }
  } catch (err) {
    out?.destroy();
    chunkTable.destroy();
    listingTable.destroy();
    if (err instanceof CsvError) throw importFailure(`${file} is not valid CSV: ${err.message}`);
    throw err;
  }
  if (!out) throw importFailure(`${file} is empty; give a CSV with a header id,document,query1..queryN`);
  await chunkTable.close();
  await listingTable.close();
  const { files, summary } = await out.close(rows);
  files['chunks.jsonl'] = { path: path.join(workDir, 'chunks.jsonl'), count: chunkTable.count };
  files['listings.jsonl'] = { path: path.join(workDir, 'listings.jsonl'), count: listingTable.count };
  return { files, summary: { ...summary, droppedQueries: dropped, cleanedQueries, longQueries } };
}
