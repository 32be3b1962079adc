/**
 * The Ollama side of query generation: which server, a client whose requests a signal can abort, and one
 * chat call that returns the raw reply (validation is someone else's job).
 */
import { Ollama } from 'ollama';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadStackSettings } from '../../infra/stackSettings';
import type { QuerySettings } from '../../workflows/settings/queries';
import { buildMessages, replyJsonSchema } from './prompt';

/** The URL in the environment variable the settings name, else the local stack's Ollama. */
export function resolveOllamaHost(settings: Pick<QuerySettings, 'ollamaHostEnv'>): string {
  return process.env[settings.ollamaHostEnv] || loadStackSettings().ollama.host;
}

/**
 * Ollama queues requests beyond OLLAMA_NUM_PARALLEL and sends no headers until it starts one: on a busy
 * server that takes minutes, and Node's fetch gives up after 300 s (UND_ERR_HEADERS_TIMEOUT), so the retry
 * joins the back of the same queue and a loaded run makes no progress. Nothing times a call out here: the
 * activity's heartbeat and cancellation bound it.
 */
const patientAgent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

/**
 * A client whose every request also ends when `signal` aborts. The client's own abort() only reaches
 * streamed replies whose headers have arrived; the signal also reaches requests still queued in Ollama.
 */
export function makeAbortableOllama(host: string, signal: AbortSignal): Ollama {
  const client = new Ollama({
    host,
    fetch: ((input: string, init?: RequestInit) =>
      undiciFetch(input, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher: patientAgent,
        signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
      })) as unknown as typeof fetch,
  });
  signal.addEventListener('abort', () => client.abort(), { once: true });
  return client;
}

export interface ChatReply {
  content: string;
  /** 'stop', or 'length' when num_predict cut the reply off. */
  doneReason?: string;
}

export type AskQueries = (chunk: string) => Promise<ChatReply>;

/** One chat call per chunk, streamed so that cancellation can cut it short. */
export function queryAsker(client: Ollama, settings: QuerySettings): AskQueries {
  const promptOptions = { count: settings.queriesPerChunk, minChars: settings.minQueryChars, maxChars: settings.maxQueryChars };
  const format = replyJsonSchema(promptOptions);
  return async (chunk) => {
    const stream = await client.chat({
      model: settings.model,
      messages: buildMessages(chunk, promptOptions),
      format,
      stream: true,
      options: { temperature: settings.temperature, num_predict: settings.numPredict },
    });
    let content = '';
    let doneReason: string | undefined;
    for await (const part of stream) {
      content += part.message?.content ?? '';
      if (part.done) doneReason = part.done_reason;
    }
    return { content, ...(doneReason ? { doneReason } : {}) };
  };
}
