/**
 * Makes sure the model is on the Ollama server before the first chunk is sent: pulls it when the settings
 * allow (heartbeating the percentage), otherwise fails for good with the command that fetches it.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Ollama } from 'ollama';
import { loadStackSettings } from '../../infra/stackSettings';

const withTag = (name: string): string => (name.includes(':') ? name : `${name}:latest`);

export async function hasModel(client: Ollama, model: string): Promise<boolean> {
  const { models } = await client.list();
  return models.some((m) => withTag(m.name) === withTag(model) || withTag(m.model) === withTag(model));
}

/** The command that puts `model` on the server at `host` (the test stand-in is registered, not pulled). */
export function fetchModelCommand(model: string, host: string): string {
  if (withTag(model) === withTag(loadStackSettings().ollama.testModel)) return 'bash infra/stack.sh start ollama';
  return `OLLAMA_HOST=${host} ollama pull ${model}`;
}

export interface EnsureModelOptions {
  model: string;
  host: string;
  allowPull: boolean;
  /** Called with pull progress, 0-100. */
  onProgress?: (percent: number, status: string) => void;
}

export async function ensureModel(client: Ollama, options: EnsureModelOptions): Promise<void> {
  const { model, host } = options;
  let present: boolean;
  try {
    present = await hasModel(client, model);
  } catch (err) {
    // Retryable: the server may be restarting.
    throw new Error(`cannot list the models of the Ollama server at ${host}: ${(err as Error).message}`);
  }
  if (present) return;
  if (!options.allowPull) {
    throw ApplicationFailure.nonRetryable(
      `model "${model}" is not on the Ollama server at ${host}. Fetch it with: ${fetchModelCommand(model, host)} ` +
        `(or set queries.allowPull to true to let the worker pull it)`,
      'OllamaModelMissing',
    );
  }
  try {
    const progress = await client.pull({ model, stream: true });
    for await (const part of progress) {
      const percent = part.total ? Math.floor((100 * (part.completed ?? 0)) / part.total) : 0;
      options.onProgress?.(percent, part.status);
    }
  } catch (err) {
    const message = (err as Error).message;
    // An unknown name will not appear on a retry; a dropped connection may.
    if (/not found|does not exist|manifest unknown/i.test(message)) {
      throw ApplicationFailure.nonRetryable(`cannot pull model "${model}" to ${host}: ${message}; check the model name`, 'OllamaModelUnknown');
    }
    throw new Error(`pulling model "${model}" to ${host} failed: ${message}`);
  }
}
