/**
 * The search service of one index name: holds its current champion and follows the champion pointer. Every
 * `pollSeconds` it reads the pointer; when the model or index changed it loads the new champion completely,
 * then swaps it in with one assignment. Requests that started on the old one finish on it; it is closed once
 * they have drained. A failed load or an unreadable pointer keeps the current champion answering.
 */
import type { ArtifactStore } from '../activities/artifacts/store';
import { checkIndexName, readChampion } from '../activities/promote/champion';
import { championIdentity, LoadedChampion } from './loadedChampion';
import { searchChampion, type SearchAnswer } from './searchChampion';
import type { SearchRequest } from './searchRequest';

export interface SearchServiceOptions {
  store: ArtifactStore;
  indexName: string;
  /** Seconds between reads of the champion pointer. @default 10 */
  pollSeconds?: number;
  /** Where S3 folders are downloaded to. */
  cacheRoot: string;
  /** One line per event worth telling an operator (loads, swaps, failures). @default stderr */
  log?: (line: string) => void;
}

/** 503: nothing to answer with yet. */
export class NoChampionError extends Error {
  constructor(
    readonly indexName: string,
    storeUri: string,
  ) {
    super(`index ${indexName} has no champion yet in ${storeUri}: run the pipeline until a model is promoted for it (or check --index and --artifacts)`);
    this.name = 'NoChampionError';
  }
}

export interface ServiceHealth {
  indexName: string;
  modelVersion: string;
  indexSize: number;
  loadedAt: string;
  promotedAt: string;
  runId: string;
}

export class SearchService {
  private current: LoadedChampion | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private polling: Promise<void> | null = null;
  private lastFailure: string | null = null;
  readonly indexName: string;
  private readonly pollMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: SearchServiceOptions) {
    this.indexName = checkIndexName(options.indexName);
    const pollSeconds = options.pollSeconds ?? 10;
    if (!(pollSeconds > 0)) throw new Error(`pollSeconds must be above 0, got ${pollSeconds}`);
    this.pollMs = pollSeconds * 1000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Loads the champion if there is one (no champion is not an error: the service answers 503 until there is), then polls. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.refresh().finally(() => {
        this.polling = null;
        this.schedule();
      });
    }, this.pollMs);
    // Polling alone must not keep a process alive (the HTTP server does that).
    this.timer.unref();
  }

  /** One read of the pointer; loads and swaps when it changed. Never throws: failures are logged and retried next poll. */
  async refresh(): Promise<void> {
    try {
      const champion = await readChampion(this.options.store, this.indexName);
      if (!champion || (this.current && championIdentity(champion) === championIdentity(this.current.champion))) return;
      const loaded = await LoadedChampion.load(this.options.store, champion, this.options.cacheRoot);
      if (this.stopped) {
        await loaded.inFlight.retire();
        return;
      }
      const previous = this.current;
      this.current = loaded;
      this.lastFailure = null;
      this.log(`genq serve: ${this.indexName} now answers with model ${champion.modelVersion.slice(0, 12)} (index ${loaded.index.size} chunks, promoted ${champion.promotedAt})`);
      if (previous) {
        const version = previous.modelVersion.slice(0, 12);
        void previous.inFlight.retire().then(
          () => this.log(`genq serve: ${this.indexName}: model ${version} closed after its last request`),
          (err: unknown) => this.log(`genq serve: ${this.indexName}: closing model ${version} failed: ${(err as Error).message}`),
        );
      }
    } catch (err) {
      const message = (err as Error).message;
      // Say it once per distinct failure, not every poll.
      if (message !== this.lastFailure) this.log(`genq serve: ${this.indexName}: ${message}; still answering with ${this.current ? `model ${this.current.modelVersion.slice(0, 12)}` : 'nothing (503)'}`);
      this.lastFailure = message;
    }
  }

  async search(request: SearchRequest): Promise<SearchAnswer> {
    // Take the champion and count the request on it in the same tick, so a swap cannot close it underneath.
    const champion = this.current;
    if (!champion) throw new NoChampionError(this.indexName, this.options.store.rootUri);
    return champion.inFlight.run(() => searchChampion(champion, request));
  }

  health(): ServiceHealth {
    const loaded = this.current;
    if (!loaded) throw new NoChampionError(this.indexName, this.options.store.rootUri);
    return {
      indexName: this.indexName,
      modelVersion: loaded.modelVersion,
      indexSize: loaded.index.size,
      loadedAt: loaded.loadedAt.toISOString(),
      promotedAt: loaded.champion.promotedAt,
      runId: loaded.champion.runId,
    };
  }

  /** Stops polling and closes the champion once its requests have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    const loaded = this.current;
    this.current = null;
    await loaded?.inFlight.retire();
  }
}
