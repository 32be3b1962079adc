/**
 * CSV reader (csv-parse, streaming): the first record names the columns. A record with more or fewer fields
 * than the header is yielded as malformed (an unquoted delimiter in a description shifts every later field, so
 * such a row cannot be trusted). CSV has no types, so cells of kept fields that look like numbers become
 * numbers (the id and text columns always stay text: an id such as "00123" must not become 123); empty cells
 * become null.
 */
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { extractFailure } from './failures';
import type { RawRow } from './types';

const NUMBER = /^-?(?:\d+|\d*\.\d+)(?:[eE][-+]?\d+)?$/;

export interface CsvOptions {
  delimiter: string;
  /** Columns never converted to numbers (the id and text fields). */
  textColumns: string[];
}

export async function* readCsv(stream: Readable, options: CsvOptions): AsyncGenerator<RawRow> {
  const keepText = new Set(options.textColumns);
  // relax_column_count: a short or long record is a bad row to quarantine, not a reason to abort the file.
  const parser = stream.pipe(parse({ delimiter: options.delimiter, bom: true, info: true, skip_empty_lines: true, relax_column_count: true }));
  stream.on('error', (err) => parser.destroy(err));
  let header: string[] | undefined;
  let rowNumber = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record;
        continue;
      }
      rowNumber += 1;
      if (record.length !== header.length) {
        yield { value: record, rowNumber, line: info.lines, parseError: `${record.length} fields where the header has ${header.length}` };
        continue;
      }
      const row: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i += 1) {
        const column = header[i]!;
        const cell = record[i]!;
        row[column] = keepText.has(column) ? cell : cell === '' ? null : NUMBER.test(cell) ? Number(cell) : cell;
      }
      yield { value: row, rowNumber, line: info.lines };
    }
  } catch (err) {
    // Broken quoting leaves no way to tell where the next record starts: the file must be fixed.
    if (err instanceof CsvError) {
      throw extractFailure('InvalidSourceData', `extract: the CSV cannot be parsed after data row ${rowNumber}: ${err.message}; fix the file (quoting, delimiter)`);
    }
    throw err;
  }
}
