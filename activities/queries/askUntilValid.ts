/** One chunk through the LLM: ask, validate, ask again while the reply is invalid, then give up (quarantine). */
import type { QuerySettings } from '../../workflows/settings/queries';
import type { AskQueries } from './ollamaChat';
import type { CachedAnswer } from './queryCache';
import type { RejectedReply } from './types';
import { validateReply } from './validate';

export interface Asked {
  answer: CachedAnswer;
  llmCalls: number;
  invalidReplies: number;
}

export async function askUntilValid(text: string, ask: AskQueries, settings: QuerySettings): Promise<Asked> {
  const rules = { count: settings.queriesPerChunk, minChars: settings.minQueryChars, maxChars: settings.maxQueryChars, chunk: text };
  const rejected: RejectedReply[] = [];
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
    const reply = await ask(text);
    const verdict = validateReply(reply.content, rules, reply.doneReason);
    if (verdict.ok) return { answer: { status: 'ok', queries: verdict.queries, llmCalls: attempt }, llmCalls: attempt, invalidReplies: attempt - 1 };
    rejected.push({ raw: reply.content, reasons: verdict.reasons });
  }
  return { answer: { status: 'quarantined', attempts: rejected }, llmCalls: settings.maxAttempts, invalidReplies: settings.maxAttempts };
}
