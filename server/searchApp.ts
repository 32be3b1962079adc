/**
 * The HTTP side of `genq serve`, on fastify: the search API (GET and POST /api/search), its health check and
 * the search page. Errors are JSON with the field to fix: 400 for a bad request, 503 while the index name has
 * no champion.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { RequestError, parseSearchRequest } from './searchRequest';
import { readSearchPage } from './searchPage';
import { NoChampionError, type SearchService } from './searchService';

export interface ErrorBody {
  error: 'bad_request' | 'no_champion' | 'internal';
  /** The request field to fix (400 only). */
  field?: string;
  message: string;
}

// The page loads nothing from elsewhere; the policy makes that a guarantee, not a habit.
const PAGE_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'";

export async function createSearchApp(service: SearchService, options: { logRequests?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logRequests ?? false, bodyLimit: 16 * 1024 });
  const page = await readSearchPage();

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof RequestError) return reply.code(400).send({ error: 'bad_request', field: err.field, message: err.message } satisfies ErrorBody);
    if (err instanceof NoChampionError) return reply.code(503).header('retry-after', '10').send({ error: 'no_champion', message: err.message } satisfies ErrorBody);
    // fastify's own 4xx (a body that is not JSON, a wrong content type, a body too large): the body is at fault.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'bad_request', field: 'body', message: `${err.message}; send a JSON object such as {"q": "piso con terraza"}` } satisfies ErrorBody);
    }
    request.log.error(err);
    return reply.code(500).send({ error: 'internal', message: `the search failed: ${err.message}` } satisfies ErrorBody);
  });

  app.get('/api/search', async (request) => service.search(parseSearchRequest(request.query, 'query')));
  app.post('/api/search', async (request) => service.search(parseSearchRequest(request.body, 'body')));
  app.get('/api/health', async () => ({ status: 'ok', ...service.health() }));
  app.get('/', async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_POLICY).header('cache-control', 'no-cache').send(page),
  );
  return app;
}
