/** Checks shared by both index backends, so both reject bad searches with the same message. */
import type { SearchOptions } from './types';

export function checkSearchInput(queryVector: Float32Array, options: SearchOptions, dimensions: number, modelVersion: string): void {
  if (!(queryVector instanceof Float32Array)) throw new Error('search: the query vector must be a Float32Array');
  if (queryVector.length !== dimensions) {
    throw new Error(
      `search: the query vector has ${queryVector.length} dimensions but the index holds ${dimensions}-dimensional vectors of model ${modelVersion.slice(0, 12)}; embed the query with the model the index was built with`,
    );
  }
  if (!Number.isInteger(options.k) || options.k < 1) throw new Error(`search: k must be a positive integer, got ${JSON.stringify(options.k)}`);
}
