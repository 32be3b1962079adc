/**
 * The Ollama side of query generation: which server, a client whose requests a signal can abort, and one
 * chat call that returns the raw reply (validation is someone else's job).
 */
import { Ollama } from 'ollama';
import { loadStackSettings } from '../../infra/stackSettings';
import type { QuerySettings } from '../../workflows/settings/queries';
import { buildMessages, replyJsonSchema } from './prompt';

/** The URL in the environment variable the settings name, else the local stack's Ollama. */
export function resolveOllamaHost(settings: Pick<QuerySettings, 'ollamaHostEnv'>): string {
  return process.env[settings.ollamaHostEnv] || loadStackSettings().ollama.host;
}

/**
 * A client whose every request also ends when `signal` aborts. The client's own abort() only reaches
 * streamed replies whose headers have arrived; the signal also reaches requests still queued in Ollama.
 */
export function makeAbortableOllama(host: string, signal: AbortSignal): Ollama {
  const client = new Ollama({
    host,
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
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
