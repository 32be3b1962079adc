/**
 * A search request, from a query string (GET: every value a string) or a JSON body (POST), validated into one
 * typed shape. A bad request becomes a RequestError naming the field and what to send instead, which the
 * routes answer with 400.
 */
import { z } from 'zod';
import type { ListingFilter } from '../activities/index/types';

export const searchModes = ['dense', 'hybrid'] as const;
export type SearchMode = (typeof searchModes)[number];

export interface SearchRequest {
  q: string;
  k: number;
  mode: SearchMode;
  filter: ListingFilter;
}

/** 400: the request names a bad field. `field` is what the client should fix. */
export class RequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export const MAX_QUERY_CHARS = 500;
export const MAX_K = 100;

/** Query strings carry numbers as text: "150000" is a number, "" or "abc" is not (no silent 0 as z.coerce gives). */
const numberFromText = (value: unknown): unknown => (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value);
const booleanFromText = (value: unknown): unknown => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value);

const aNumber = (field: string, example: string) =>
  z.preprocess(numberFromText, z.number({ error: `${field} must be a number (e.g. ${example})` }).min(0, { error: `${field} must be 0 or more` }));

const aName = (field: string) =>
  z
    .string({ error: `${field} must be text (e.g. Madrid)` })
    .trim()
    .min(1, { error: `${field} is empty: leave it out or give a name` })
    .max(100, { error: `${field} must be at most 100 characters` });

const requestSchema = z
  .object({
    q: z
      .string({ error: 'q (the query) is required: send q=<your search>, 1 to 500 characters' })
      .trim()
      .min(1, { error: 'q (the query) is empty: send 1 to 500 characters' })
      .max(MAX_QUERY_CHARS, { error: `q (the query) is longer than ${MAX_QUERY_CHARS} characters: shorten it` }),
    k: z
      .preprocess(numberFromText, z.int({ error: `k must be a whole number from 1 to ${MAX_K}` }).min(1, { error: `k must be from 1 to ${MAX_K}` }).max(MAX_K, { error: `k must be from 1 to ${MAX_K}` }))
      .default(10),
    minPrice: aNumber('minPrice', '150000').optional(),
    maxPrice: aNumber('maxPrice', '300000').optional(),
    minRooms: z.preprocess(numberFromText, z.int({ error: 'minRooms must be a whole number (e.g. 2)' }).min(0, { error: 'minRooms must be 0 or more' })).optional(),
    city: aName('city').optional(),
    zone: aName('zone').optional(),
    operation: z.enum(['venta', 'alquiler'], { error: 'operation must be venta (sale) or alquiler (rent)' }).optional(),
    mode: z.enum(searchModes, { error: 'mode must be dense or hybrid' }).default('dense'),
    /** The CLI's and the page's switch; the same as mode=hybrid. */
    hybrid: z.preprocess(booleanFromText, z.boolean({ error: 'hybrid must be true or false' })).optional(),
  })
  .strict();

/** Query-string values that are empty are left out, as a form with a blank optional box sends them. */
function dropBlankOptionals(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([name, value]) => name === 'q' || !(typeof value === 'string' && value.trim() === '')));
}

export function parseSearchRequest(raw: unknown, from: 'query' | 'body'): SearchRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RequestError('body', 'send a JSON object, e.g. {"q": "piso con terraza", "k": 10}');
  }
  const input = from === 'query' ? dropBlankOptionals(raw as Record<string, unknown>) : (raw as Record<string, unknown>);
  const parsed = requestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new RequestError(issue.keys[0]!, `unknown field ${issue.keys.join(', ')}: the fields are q, k, minPrice, maxPrice, minRooms, city, zone, operation, mode, hybrid`);
    }
    const field = String(issue.path[0] ?? 'body');
    throw new RequestError(field, issue.message);
  }
  const { q, k, mode, hybrid, ...filters } = parsed.data;
  if (filters.minPrice !== undefined && filters.maxPrice !== undefined && filters.minPrice > filters.maxPrice) {
    throw new RequestError('maxPrice', `maxPrice (${filters.maxPrice}) is below minPrice (${filters.minPrice}): swap them or widen the range`);
  }
  const filter: ListingFilter = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
  return { q, k, mode: hybrid === true ? 'hybrid' : mode, filter };
}
