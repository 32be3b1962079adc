/**
 * Per-chunk answer cache in the artifact store, so re-runs and scheduled runs ask the LLM only about new or
 * changed chunks. One small JSON object per chunk:
 *
 *   cache/queries/<cacheKey>/<sha[0:2]>/<sha>.json     cacheKey = hash(model, prompt version, generation options)
 *
 * Why per chunk and not per shard: shard boundaries are line ranges, so one listing added at the top shifts
 * every shard; a key by chunk text survives that, and identical chunks share an answer. Each entry is written
 * once, atomically (local rename / S3 put), right after its chunk is answered, so a worker killed mid-shard
 * loses at most the chunks in flight. 100,000 chunks are 100,000 objects of ~1 kB, looked up with bounded
 * concurrency; the two-character fan-out keeps local folders near 400 entries per 100,000.
 */
import { canonicalJson, sha256Hex } from '../artifacts/hashing';
import type { ArtifactStore } from '../artifacts/store';
import type { QuerySettings } from '../../workflows/settings/queries';
import { PROMPT_VERSION } from './prompt';
import type { RejectedReply } from './types';

/** Everything that changes what the LLM is asked or what is accepted. */
export function generationOptions(settings: QuerySettings) {
  return {
    model: settings.model,
    promptVersion: PROMPT_VERSION,
    queriesPerChunk: settings.queriesPerChunk,
    temperature: settings.temperature,
    numPredict: settings.numPredict,
    minQueryChars: settings.minQueryChars,
    maxQueryChars: settings.maxQueryChars,
  };
}

export type CachedAnswer =
  | { status: 'ok'; queries: string[]; llmCalls: number }
  /** Kept so a re-run does not ask again about a chunk the model cannot answer; `attempts` says how hard we tried. */
  | { status: 'quarantined'; attempts: RejectedReply[] };

export class QueryCache {
  readonly key: string;

  constructor(
    private readonly store: ArtifactStore,
    private readonly options: ReturnType<typeof generationOptions>,
  ) {
    this.key = sha256Hex(canonicalJson(options)).slice(0, 16);
  }

  private entryKey(textSha256: string): string {
    return `cache/queries/${this.key}/${textSha256.slice(0, 2)}/${textSha256}.json`;
  }

  /** Null on a miss; an unreadable entry (a foreign or damaged file) also counts as a miss. */
  async get(textSha256: string): Promise<CachedAnswer | null> {
    const text = await this.store.getText(this.entryKey(textSha256));
    if (text === null) return null;
    try {
      const entry = JSON.parse(text) as CachedAnswer;
      return entry.status === 'ok' || entry.status === 'quarantined' ? entry : null;
    } catch {
      return null;
    }
  }

  async put(textSha256: string, answer: CachedAnswer): Promise<void> {
    await this.store.putText(this.entryKey(textSha256), JSON.stringify(answer));
  }

  /** Writes the options once next to the entries, so a person can tell cache folders apart. */
  async describe(): Promise<void> {
    const key = `cache/queries/${this.key}/options.json`;
    if (!(await this.store.exists(key))) await this.store.putText(key, `${JSON.stringify(this.options, null, 2)}\n`);
  }
}

/** A cached quarantine stands only if it had at least as many attempts as the settings now allow. */
export function isUsable(answer: CachedAnswer | null, maxAttempts: number): answer is CachedAnswer {
  return answer !== null && (answer.status === 'ok' || answer.attempts.length >= maxAttempts);
}
