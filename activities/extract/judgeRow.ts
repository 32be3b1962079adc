/**
 * The row rules of the extract stage: a raw row either becomes a listing {id, text, fields} or is quarantined
 * with a reason. Pure; duplicate ids are left to the caller, which holds the set of ids kept.
 */
import type { FieldMapping } from '../../workflows/settings/extract';
import { countWords, isKeyboardMash, isPlaceholder } from './junk';
import type { Listing, QuarantineReason } from './types';

export type Verdict = { ok: true; listing: Listing } | { ok: false; reason: QuarantineReason; detail: string };

const reject = (reason: QuarantineReason, detail: string): Verdict => ({ ok: false, reason, detail });

/** A field by name, or by dotted path into nested documents ('address.city'). */
export function fieldOf(row: Record<string, unknown>, path: string): unknown {
  if (path in row) return row[path];
  if (!path.includes('.')) return undefined;
  let value: unknown = row;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function idOf(value: unknown): string | null | undefined {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return value.toString();
  // A MongoDB ObjectId (or any BSON id type) prints as its hex form.
  if (value && typeof value === 'object' && typeof (value as { toHexString?: unknown }).toHexString === 'function') {
    return (value as { toHexString(): string }).toHexString();
  }
  return value === undefined || value === null ? null : undefined;
}

/** Structured values as JSON can carry them: bigints and BSON decimals become numbers, binary data is left out. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value && typeof value === 'object') {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return undefined;
    if ((value as { _bsontype?: string })._bsontype === 'Decimal128') return Number(String(value));
  }
  return value;
}

const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function textProblem(text: string, minWords: number): Verdict | null {
  if (text.includes('\uFFFD') || !isWellFormed(text)) {
    return reject('invalid_utf8', 'the text holds U+FFFD replacement characters or lone surrogates (bytes that were not valid UTF-8)');
  }
  if (isPlaceholder(text)) return reject('placeholder', 'the text is placeholder filler (lorem ipsum, "test"...)');
  if (isKeyboardMash(text)) return reject('keyboard_mash', 'the text is keyboard mashing ("qwerty", "asdasd"...)');
  if (countWords(text, minWords) < minWords) return reject('too_few_words', `the text has fewer than minWords=${minWords} words`);
  return null;
}

export function judgeRow(value: unknown, mapping: FieldMapping, minWords: number): Verdict {
  const row = value as Record<string, unknown>;
  const rawId = fieldOf(row, mapping.id);
  const id = idOf(rawId);
  if (id === null) return reject('missing_id', `no value in the id field "${mapping.id}"`);
  if (id === undefined) return reject('invalid_id', `the id field "${mapping.id}" holds ${Array.isArray(rawId) ? 'an array' : typeof rawId}, not a string or number`);
  if (!isWellFormed(id) || id.includes('\uFFFD')) return reject('invalid_utf8', 'the id holds replacement characters or lone surrogates');

  const text = fieldOf(row, mapping.text);
  if (text === undefined || text === null) return reject('empty_text', `no value in the text field "${mapping.text}"`);
  if (typeof text !== 'string') return reject('non_text', `the text field "${mapping.text}" holds ${Buffer.isBuffer(text) ? 'binary data' : Array.isArray(text) ? 'an array' : typeof text}, not text`);
  if (!/\S/.test(text)) return reject('empty_text', `the text field "${mapping.text}" is empty`);
  const problem = textProblem(text, minWords);
  if (problem) return problem;

  const fields: Record<string, unknown> = {};
  for (const name of mapping.keep) {
    const kept = jsonSafe(fieldOf(row, name));
    if (kept !== undefined) fields[mapping.rename[name] ?? name] = kept;
  }
  return { ok: true, listing: { id, text, fields } };
}
