import type { Command } from 'commander';
import { openArtifactStore } from '../../activities/artifacts/openStore';
import { readChampion } from '../../activities/promote/champion';
import { LoadedChampion } from '../../server/loadedChampion';
import { searchChampion, type SearchAnswer } from '../../server/searchChampion';
import { parseSearchRequest, RequestError } from '../../server/searchRequest';
import { serveCacheRoot } from '../../server/serveCacheRoot';
import { NoChampionError } from '../../server/searchService';

interface SearchFlags {
  index: string;
  k: string;
  minPrice?: string;
  maxPrice?: string;
  minRooms?: string;
  city?: string;
  zone?: string;
  operation?: string;
  hybrid?: boolean;
  json?: boolean;
  artifacts?: string;
}

/** The request's field names as this command spells its flags, for error messages. */
const FLAG_OF: Record<string, string> = { q: 'the query', k: '--k', minPrice: '--min-price', maxPrice: '--max-price', minRooms: '--min-rooms', city: '--city', zone: '--zone', operation: '--operation', mode: '--hybrid' };

const cell = (value: unknown, width: number): string => {
  const text = value === undefined || value === null ? '' : String(value).replace(/\s+/g, ' ');
  return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
};

export function printAnswerTable(answer: SearchAnswer): void {
  console.log(`${answer.results.length} results from model ${answer.modelVersion.slice(0, 12)} (${answer.indexName}, ${answer.mode}, ${answer.tookMs} ms)`);
  if (answer.results.length === 0) return;
  console.log(['#'.padEnd(3), cell('listing', 12), cell('score', 8), cell('price', 9), cell('rooms', 5), cell('operation', 9), cell('city', 12), cell('zone', 14), 'matching chunk'].join(' '));
  answer.results.forEach((hit, i) => {
    const f = hit.fields;
    console.log([String(i + 1).padEnd(3), cell(hit.listingId, 12), cell(hit.score.toFixed(4), 8), cell(f.price, 9), cell(f.rooms, 5), cell(f.operation, 9), cell(f.city, 12), cell(f.zone, 14), cell(hit.chunkText, 70)].join(' '));
  });
}

/** `genq search`: one search in this process with the index name's champion (no server needed). */
export function registerSearch(program: Command): void {
  program
    .command('search <query>')
    .description("search an index name with its champion, in this process (no server needed)")
    .requiredOption('--index <name>', 'index name whose champion answers')
    .option('--k <n>', 'listings to return (1-100)', '10')
    .option('--min-price <euros>', 'lowest price')
    .option('--max-price <euros>', 'highest price')
    .option('--min-rooms <n>', 'fewest rooms')
    .option('--city <name>', 'city (case and accents ignored)')
    .option('--zone <name>', 'zone or neighbourhood (case and accents ignored)')
    .option('--operation <venta|alquiler>', 'sale (venta) or rent (alquiler)')
    .option('--hybrid', 'fuse the dense ranking with BM25 (reciprocal rank fusion)')
    .option('--json', 'print the answer as JSON, as the API gives it')
    .option('--artifacts <uri>', 'artifact store (s3://bucket/prefix or a folder); default GENQ_ARTIFACTS or .genq/artifacts')
    .action(async (query: string, flags: SearchFlags) => {
      const raw: Record<string, string> = { q: query, k: flags.k, mode: flags.hybrid ? 'hybrid' : 'dense' };
      for (const name of ['minPrice', 'maxPrice', 'minRooms', 'city', 'zone', 'operation'] as const) if (flags[name] !== undefined) raw[name] = flags[name]!;
      let request;
      try {
        request = parseSearchRequest(raw, 'query');
      } catch (err) {
        if (err instanceof RequestError) throw new Error(`${FLAG_OF[err.field] ?? err.field}: ${err.message}`);
        throw err;
      }
      const store = openArtifactStore(flags.artifacts);
      const champion = await readChampion(store, flags.index);
      if (!champion) throw new NoChampionError(flags.index, store.rootUri);
      const loaded = await LoadedChampion.load(store, champion, serveCacheRoot());
      try {
        const answer = await loaded.inFlight.run(() => searchChampion(loaded, request));
        if (flags.json) console.log(JSON.stringify(answer, null, 2));
        else printAnswerTable(answer);
      } finally {
        await loaded.inFlight.retire();
      }
    });
}
