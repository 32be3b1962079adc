/** JSON lines from a byte stream, each with its 1-based line number; a line that is not JSON names the file and line. */
import type { Readable } from 'node:stream';
import { splitLines } from '../extract/lines';
import { evaluateFailure, type EvaluateFailureType } from './failures';

export interface NumberedRecord {
  line: number;
  value: Record<string, unknown>;
}

export async function* jsonLines(stream: Readable, file: string, failureType: EvaluateFailureType = 'InvalidEvaluationInput'): AsyncGenerator<NumberedRecord> {
  for await (const batch of splitLines(stream)) {
    for (const [i, text] of batch.lines.entries()) {
      if (text.trim() === '') continue;
      const line = batch.firstLine + i;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw evaluateFailure(failureType, `${file} line ${line}: not valid JSON (${(err as Error).message})`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw evaluateFailure(failureType, `${file} line ${line}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      }
      yield { line, value: value as Record<string, unknown> };
    }
  }
}

/** A field that must be a non-empty string (ids may be JSON numbers: they are read as text). */
export function textField(record: NumberedRecord, field: string, file: string, failureType: EvaluateFailureType = 'InvalidEvaluationInput'): string {
  const value = record.value[field];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw evaluateFailure(failureType, `${file} line ${record.line}: field "${field}" must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}
