import type { Command } from 'commander';
import { openArtifactStore } from '../../activities/artifacts/openStore';
import { createSearchApp } from '../../server/searchApp';
import { serveCacheRoot } from '../../server/serveCacheRoot';
import { SearchService } from '../../server/searchService';

interface ServeOptions {
  index: string;
  port: string;
  host: string;
  artifacts?: string;
  poll: string;
  logRequests?: boolean;
}

function positive(flag: string, value: string, { integer = false, max = Infinity } = {}): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} ${value}: give a ${integer ? 'whole ' : ''}number above 0${max < Infinity ? ` and at most ${max}` : ''}`);
  }
  return n;
}

/** `genq serve`: the search API and page for one index name, following its champion. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the search API and page for an index name; reloads when its champion changes')
    .requiredOption('--index <name>', 'index name whose champion answers')
    .option('--port <port>', 'TCP port', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--artifacts <uri>', 'artifact store (s3://bucket/prefix or a folder); default GENQ_ARTIFACTS or .genq/artifacts')
    .option('--poll <seconds>', 'seconds between checks of the champion pointer', '10')
    .option('--log-requests', 'log every request (JSON lines on stdout)')
    .action(async (opts: ServeOptions) => {
      const port = positive('--port', opts.port, { integer: true, max: 65535 });
      const pollSeconds = positive('--poll', opts.poll);
      const store = openArtifactStore(opts.artifacts);
      const service = new SearchService({ store, indexName: opts.index, pollSeconds, cacheRoot: serveCacheRoot() });
      await service.start();
      const app = await createSearchApp(service, { logRequests: opts.logRequests });
      const address = await app.listen({ port, host: opts.host });
      let state: string;
      try {
        const health = service.health();
        state = `model ${health.modelVersion.slice(0, 12)}, ${health.indexSize} chunks`;
      } catch (err) {
        state = `${(err as Error).message}; answering 503 until then, checking every ${pollSeconds}s`;
      }
      console.log(`genq serve: ${opts.index} at ${address}/ (${state}); store ${store.rootUri}`);

      // Graceful: stop taking connections, let the requests in flight finish, then close the champion.
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        console.log(`genq serve: ${signal}, finishing requests in flight`);
        app
          .close()
          .then(() => service.stop())
          .then(
            () => process.exit(0),
            (err: unknown) => {
              console.error(`genq serve: shutdown failed: ${(err as Error).message}`);
              process.exit(1);
            },
          );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
