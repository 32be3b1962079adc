/**
 * The ListingFilter rule on one listing's fields, for results that do not come from the index (BM25's side of
 * hybrid search). It uses the index's own keys (placeKey, operationKey, numericField), so both sides agree on
 * what matches: a listing without a filtered field does not.
 */
import { numericField, operationKey, placeKey } from '../activities/index/listingFilter';
import type { ListingFilter } from '../activities/index/types';

export function matchesListingFilter(fields: Record<string, unknown>, filter: ListingFilter): boolean {
  const price = numericField(fields.price);
  const rooms = numericField(fields.rooms);
  // NaN (a missing or non-numeric field) fails every comparison, so it is filtered out.
  if (filter.minPrice !== undefined && !(price >= filter.minPrice)) return false;
  if (filter.maxPrice !== undefined && !(price <= filter.maxPrice)) return false;
  if (filter.minRooms !== undefined && !(rooms >= filter.minRooms)) return false;
  const place = (value: unknown): string | null => (typeof value === 'string' ? placeKey(value) : null);
  if (filter.city !== undefined && place(fields.city) !== placeKey(filter.city)) return false;
  if (filter.zone !== undefined && place(fields.zone) !== placeKey(filter.zone)) return false;
  if (filter.operation !== undefined && (typeof fields.operation !== 'string' || operationKey(fields.operation) !== operationKey(filter.operation))) return false;
  return true;
}
