/** The extract stage's records: raw rows as the readers yield them, normalised listings, quarantine entries. */

/** One row as a source reader yields it, before any judgement. */
export interface RawRow {
  /** The row as read (a document, a record object, a parsed JSON value). */
  value: unknown;
  /** 1-based ordinal of the row in the source. */
  rowNumber: number;
  /** 1-based line in the file, for file sources (for CSV: the line where the record ends). */
  line?: number;
  /** Set when the row could not be parsed (a JSONL line that is not a JSON object, a CSV record with the wrong field count); `value` is then the raw text or fields. */
  parseError?: string;
}

/** One good listing: a line of `listings.jsonl`. */
export interface Listing {
  id: string;
  text: string;
  fields: Record<string, unknown>;
}

export const quarantineReasons = [
  'malformed_row',
  'missing_id',
  'invalid_id',
  'empty_text',
  'non_text',
  'invalid_utf8',
  'placeholder',
  'keyboard_mash',
  'too_few_words',
  'duplicate_id',
] as const;
export type QuarantineReason = (typeof quarantineReasons)[number];

/** One bad row: a line of `quarantine.jsonl`. */
export interface QuarantineEntry {
  reason: QuarantineReason;
  detail: string;
  rowNumber: number;
  line?: number;
  /** The row as read, with long strings truncated. */
  row: unknown;
}

export interface ExtractSummary {
  /** The source's kind and location, without credentials (e.g. `postgres postgres://host:5432/db`). */
  source: string;
  read: number;
  kept: number;
  quarantined: number;
  quarantinedByReason: Record<QuarantineReason, number>;
  /** quarantined / read. */
  quarantineShare: number;
}
