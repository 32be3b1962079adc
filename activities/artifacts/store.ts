/**
 * The artifact store: one interface over a local folder (the embedded default) and S3. Keys are
 * slash-separated paths under the store's root. Writes stream; nothing large is held in memory.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  sha256: string;
  bytes: number;
}

export interface VersionedText {
  text: string;
  /** Opaque: an S3 ETag, or the content's sha256 in a local store. */
  version: string;
}

export interface ArtifactStore {
  /** The root URI, e.g. `file:///srv/genq` or `s3://genq/artifacts`. */
  readonly rootUri: string;
  uriOf(key: string): string;
  exists(key: string): Promise<boolean>;
  /** Streams a local file into the store; the object is visible under `key` only once complete. */
  putFile(key: string, localPath: string): Promise<StoredObject>;
  putText(key: string, text: string): Promise<StoredObject>;
  /** Null when the key does not exist. */
  getText(key: string): Promise<string | null>;
  /** A small object's text and a version token for `putTextIfUnchanged`; null when the key does not exist. */
  getVersionedText(key: string): Promise<VersionedText | null>;
  /**
   * Compare-and-swap: writes `text` only if the object is still at `version` (null: still absent), atomically
   * against other writers using this method. False, and nothing written, when it changed in between.
   */
  putTextIfUnchanged(key: string, text: string, version: string | null): Promise<boolean>;
  openRead(key: string): Promise<Readable>;
  /** A local path holding the object's bytes (the object itself for a local store, a cached copy for S3). */
  localPath(key: string, sha256?: string): Promise<string>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly uri: string) {
    super(`artifact not found: ${uri}`);
    this.name = 'ArtifactNotFoundError';
  }
}
