/**
 * ListingFilter over the embedded index: the listings' filterable fields as typed columns (built once when
 * the index opens), and a filter compiled to a predicate on a listing row. Per-query work is then a few
 * array reads per candidate, so a filter can run inside the HNSW search's callback.
 */
import type { ListingFilter } from './types';

/** City and zone compare case- and accent-insensitively: "MÁLAGA", "malaga" and "Málaga" are one key. */
export function placeKey(value: string): string {
  return value.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

// Portals and exports name the two operations in Spanish or English; filters ask for venta or alquiler.
const operationSynonyms: Record<string, string> = { sale: 'venta', sell: 'venta', rent: 'alquiler', rental: 'alquiler' };

/** Operation compares exactly after lower-casing and English synonyms ("Venta" and "sale" are "venta"; "ventas" is not). */
export function operationKey(value: string): string {
  const key = value.trim().toLowerCase();
  return operationSynonyms[key] ?? key;
}

/** A number from a field that extract may have kept as a number or a numeric string; NaN otherwise. */
export function numericField(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** Interns keys to small integers so that matching is an integer compare. */
class KeyDictionary {
  private readonly ids = new Map<string, number>();
  idOf(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }
  /** -1 when no listing has this key (so nothing matches). */
  find(key: string): number {
    return this.ids.get(key) ?? -1;
  }
}

const MISSING = -2;

export class ListingColumns {
  private readonly price: Float64Array;
  private readonly rooms: Float64Array;
  private readonly city: Int32Array;
  private readonly zone: Int32Array;
  private readonly operation: Int32Array;
  private readonly places = new KeyDictionary();
  private readonly operations = new KeyDictionary();

  constructor(fieldsOfRows: ReadonlyArray<Record<string, unknown>>) {
    const n = fieldsOfRows.length;
    this.price = new Float64Array(n);
    this.rooms = new Float64Array(n);
    this.city = new Int32Array(n);
    this.zone = new Int32Array(n);
    this.operation = new Int32Array(n);
    const place = (value: unknown): number => (typeof value === 'string' ? this.places.idOf(placeKey(value)) : MISSING);
    fieldsOfRows.forEach((fields, row) => {
      this.price[row] = numericField(fields.price);
      this.rooms[row] = numericField(fields.rooms);
      this.city[row] = place(fields.city);
      this.zone[row] = place(fields.zone);
      this.operation[row] = typeof fields.operation === 'string' ? this.operations.idOf(operationKey(fields.operation)) : MISSING;
    });
  }

  /**
   * The filter as a predicate on listing rows, or null when the filter is empty (every row passes). A listing
   * without a field the filter names does not pass (NaN compares false).
   */
  compile(filter: ListingFilter | undefined): ((row: number) => boolean) | null {
    if (!filter) return null;
    const { minPrice, maxPrice, minRooms } = filter;
    const cityId = filter.city === undefined ? undefined : this.places.find(placeKey(filter.city));
    const zoneId = filter.zone === undefined ? undefined : this.places.find(placeKey(filter.zone));
    const operationId = filter.operation === undefined ? undefined : this.operations.find(operationKey(filter.operation));
    const tests: Array<(row: number) => boolean> = [];
    const { price, rooms, city, zone, operation } = this;
    if (minPrice !== undefined) tests.push((row) => price[row]! >= minPrice);
    if (maxPrice !== undefined) tests.push((row) => price[row]! <= maxPrice);
    if (minRooms !== undefined) tests.push((row) => rooms[row]! >= minRooms);
    if (cityId !== undefined) tests.push((row) => city[row] === cityId);
    if (zoneId !== undefined) tests.push((row) => zone[row] === zoneId);
    if (operationId !== undefined) tests.push((row) => operation[row] === operationId);
    if (tests.length === 0) return null;
    return (row) => {
      for (const test of tests) if (!test(row)) return false;
      return true;
    };
  }
}

/** Checks a filter's types, so a bad filter from code fails with the field named rather than matching nothing. */
export function checkListingFilter(filter: ListingFilter | undefined): void {
  if (!filter) return;
  for (const key of ['minPrice', 'maxPrice', 'minRooms'] as const) {
    const value = filter[key];
    if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) throw new Error(`listing filter ${key}: expected a number, got ${JSON.stringify(value)}`);
  }
  for (const key of ['city', 'zone', 'operation'] as const) {
    const value = filter[key];
    if (value !== undefined && typeof value !== 'string') throw new Error(`listing filter ${key}: expected a string, got ${JSON.stringify(value)}`);
  }
}
