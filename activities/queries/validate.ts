/**
 * Checks an LLM reply (or imported query cells) and keeps the usable queries. Pure: no I/O, so every rule is
 * unit-tested. Light damage (list numbering, quotes) is repaired; anything else rejects the query, with a
 * typed reason that ends up in the quarantine.
 */

export type RejectionCode =
  | 'invalid-json'
  | 'truncated'
  | 'wrong-shape'
  | 'wrong-count'
  | 'empty'
  | 'too-short'
  | 'too-long'
  | 'preamble'
  | 'commentary'
  | 'copies-chunk'
  | 'duplicate';

export interface QueryRejection {
  code: RejectionCode;
  /** Position of the query in the reply, when the reason concerns one query. */
  index?: number;
  query?: string;
  detail?: string;
}

export interface QueryRules {
  /** Required number of usable queries; undefined accepts any number above zero (imports). */
  count?: number;
  minChars: number;
  /** Undefined: no upper bound (imports keep the user's long queries). */
  maxChars?: number;
  /** The chunk the queries were written for: a query may not copy it. */
  chunk: string;
}

export type Verdict =
  | { ok: true; queries: string[]; dropped: QueryRejection[]; cleaned: number }
  | { ok: false; queries: string[]; reasons: QueryRejection[]; cleaned: number };

const QUOTE_PAIRS: Record<string, string> = { '"': '"', "'": "'", '`': '`', '«': '»', '“': '”', '„': '“', '‘': '’', '*': '*' };
// "1. ", "2) ", "(3) ", "- ", "• ", "Query 2: ", "Consulta 2: ". A marker needs a space after it, so "1.5 baños" survives.
// Markdown bold (**...**) is unwrapped anywhere.
const LIST_MARKER = /^(?:\(?\d{1,2}[.):]|[-*•·–]|(?:query|consulta|búsqueda|busqueda|pregunta)\s*\d{0,2}\s*[:.)-])\s+/i;
// LLM talk about its own questions ("This question aims to...", "If you could provide more context..."): the
// method split replies by lines, so 16% of its stored queries are such lines.
const COMMENTARY =
  /^\(?(?:(?:this|these) (?:questions?|inquiry|inquiries|query|queries)\b|(?:by )?asking (?:this|these)\b|understanding (?:the|how|what|this|why|whether|if)\b|to clarify\b|(?:however, )?if you\b|please\b|note\b|let me know\b|i hope\b|i'd\b|i'll\b|i can\b|i would\b|keep in mind\b|the (?:phrase|mention|document|term|question|text|word)\b|estas? (?:preguntas?|consultas?|búsquedas?)\b)/i;
// The same talk appended to a real question: "...views? (This question seeks to...)".
const TRAILING_COMMENTARY = /([?!.])\s+\(?(?:(?:this|these) (?:questions?|inquiry|query)|understanding (?:the|how|what|this|why|whether|if))\b.*$/i;
const PREAMBLE = /^(?:here (?:are|is)\b|here's\b|sure\b|certainly\b|of course\b|aquí (?:tienes|tiene|están|hay)\b|estas son\b|claro\b|por supuesto\b)/i;

/** Repairs list numbering, surrounding quotes, markdown bold, appended commentary and runs of whitespace. */
export function cleanQuery(query: string): string {
  let q = query.replace(/\s+/g, ' ').replace(/\*\*(.+?)\*\*/g, '$1').trim();
  for (let changed = true; changed; ) {
    changed = false;
    const unnumbered = q.replace(LIST_MARKER, '');
    if (unnumbered !== q) [q, changed] = [unnumbered.trim(), true];
    const untailed = q.replace(TRAILING_COMMENTARY, '$1');
    if (untailed !== q) [q, changed] = [untailed.trim(), true];
    const close = QUOTE_PAIRS[q[0] ?? ''];
    if (close && q.length >= 2 && q.endsWith(close)) [q, changed] = [q.slice(1, -1).trim(), true];
  }
  return q;
}

/** Case-, punctuation- and whitespace-insensitive form (accents kept) used to compare texts. */
export function normalizeForCompare(text: string): string {
  return text
    .normalize('NFC')
    .toLocaleLowerCase('es')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const wordCount = (normalized: string): number => (normalized ? normalized.split(' ').length : 0);

/**
 * A verbatim span of the chunk is a copy when it is long (8+ words or 60% of the chunk); short verbatim
 * phrases ("piso en Zaragoza") are what people type, so they stay. Likewise a query that is mostly the chunk.
 */
export function copiesChunk(query: string, chunk: string): boolean {
  const q = normalizeForCompare(query);
  const c = normalizeForCompare(chunk);
  if (!q || !c) return false;
  if (q === c) return true;
  if (c.includes(q)) return q.length >= 0.6 * c.length || wordCount(q) >= 8;
  // A query quoting a short chunk inside a longer question is not a copy; one made mostly of the chunk is.
  return q.includes(c) && c.length >= 0.6 * q.length;
}

/** Checks a list of candidate queries (already out of the JSON) against the rules. */
export function checkQueries(candidates: readonly unknown[], rules: QueryRules): Verdict {
  const kept: string[] = [];
  const seen = new Set<string>();
  const problems: QueryRejection[] = [];
  let cleaned = 0;
  candidates.forEach((candidate, index) => {
    if (typeof candidate !== 'string') {
      problems.push({ code: 'wrong-shape', index, detail: `expected a string, got ${JSON.stringify(candidate)}` });
      return;
    }
    const query = cleanQuery(candidate);
    const reject = (code: RejectionCode, detail?: string): void => {
      problems.push({ code, index, query: candidate, ...(detail ? { detail } : {}) });
    };
    if (!query) return reject('empty');
    if (PREAMBLE.test(query) || query.endsWith(':')) return reject('preamble');
    if (COMMENTARY.test(query)) return reject('commentary');
    if (query.length < rules.minChars) return reject('too-short', `${query.length} < ${rules.minChars} characters`);
    if (rules.maxChars !== undefined && query.length > rules.maxChars) return reject('too-long', `${query.length} > ${rules.maxChars} characters`);
    if (copiesChunk(query, rules.chunk)) return reject('copies-chunk');
    const key = normalizeForCompare(query);
    if (seen.has(key)) return reject('duplicate');
    seen.add(key);
    if (query !== candidate.trim()) cleaned += 1;
    kept.push(query);
  });
  const wanted = rules.count ?? 1;
  if (kept.length < wanted) {
    const reasons: QueryRejection[] = [
      ...problems,
      { code: 'wrong-count', detail: `${kept.length} usable ${kept.length === 1 ? 'query' : 'queries'}, ${wanted} needed` },
    ];
    return { ok: false, queries: kept, reasons, cleaned };
  }
  return { ok: true, queries: rules.count === undefined ? kept : kept.slice(0, rules.count), dropped: problems, cleaned };
}

/**
 * Validates a raw chat reply that should be `{"queries": [...]}`. `doneReason` 'length' marks a reply cut
 * off by num_predict, which explains invalid JSON.
 */
export function validateReply(raw: string, rules: QueryRules & { count: number }, doneReason?: string): Verdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    const code: RejectionCode = doneReason === 'length' ? 'truncated' : 'invalid-json';
    return { ok: false, queries: [], reasons: [{ code, detail: (err as Error).message }], cleaned: 0 };
  }
  const queries = (parsed as { queries?: unknown } | null)?.queries;
  if (!Array.isArray(queries)) {
    return { ok: false, queries: [], reasons: [{ code: 'wrong-shape', detail: 'expected {"queries": [string, ...]}' }], cleaned: 0 };
  }
  return checkQueries(queries, rules);
}

/** The distinct codes of a list of rejections, for summaries and quarantine records. */
export function reasonCodes(reasons: readonly QueryRejection[]): RejectionCode[] {
  return [...new Set(reasons.map((r) => r.code))];
}
