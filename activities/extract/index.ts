/** Stage 1, extract: the activity and its record types. */
export { extractListings, EXTRACT_STAGE_VERSION, type ExtractInput } from './extractListings';
export type { ExtractSummary, Listing, QuarantineEntry, QuarantineReason } from './types';
