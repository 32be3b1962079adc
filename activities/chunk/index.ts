/** Stage 2, chunk: the activity (the pure rule, chunkText, lives in ./chunkText so workers do not register it). */
export { chunkListings, CHUNK_STAGE_VERSION, type ChunkInput, type ChunkSummary } from './chunkListings';
