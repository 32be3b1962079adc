/** The embedded default artifact store: a folder. Files are written under a temporary name, then renamed. */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { hashFile, sha256Hex } from './hashing';
import { ArtifactNotFoundError, type ArtifactStore, type StoredObject, type VersionedText } from './store';
import { withLockFile } from './lockFile';

export class LocalArtifactStore implements ArtifactStore {
  readonly rootUri: string;

  constructor(readonly rootDir: string) {
    this.rootUri = pathToFileURL(path.resolve(rootDir)).href;
  }

  private pathOf(key: string): string {
    const root = path.resolve(this.rootDir);
    const full = path.resolve(root, key);
    if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`artifact key escapes the store: ${key}`);
    return full;
  }

  private tempPathOf(key: string): string {
    return `${this.pathOf(key)}.part-${process.pid}-${Math.random().toString(16).slice(2)}`;
  }

  uriOf(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.pathOf(key)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async putFile(key: string, localPath: string): Promise<StoredObject> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = this.tempPathOf(key);
    await copyFile(localPath, temp);
    const stored = await hashFile(temp);
    await rename(temp, target);
    return stored;
  }

  async putText(key: string, text: string): Promise<StoredObject> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = this.tempPathOf(key);
    await writeFile(temp, text);
    await rename(temp, target);
    return { sha256: sha256Hex(text), bytes: Buffer.byteLength(text) };
  }

  async putStream(key: string, body: Readable): Promise<StoredObject> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = this.tempPathOf(key);
    await pipeline(body, createWriteStream(temp));
    const stored = await hashFile(temp);
    await rename(temp, target);
    return stored;
  }

  async getText(key: string): Promise<string | null> {
    return readFile(this.pathOf(key), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
  }

  async getVersionedText(key: string): Promise<VersionedText | null> {
    const text = await this.getText(key);
    return text === null ? null : { text, version: sha256Hex(text) };
  }

  async putTextIfUnchanged(key: string, text: string, version: string | null): Promise<boolean> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    return withLockFile(`${target}.lock`, async () => {
      const current = await this.getText(key);
      if ((current === null ? null : sha256Hex(current)) !== version) return false;
      await this.putText(key, text);
      return true;
    });
  }

  async openRead(key: string): Promise<Readable> {
    if (!(await this.exists(key))) throw new ArtifactNotFoundError(this.uriOf(key));
    return createReadStream(this.pathOf(key));
  }

  async localPath(key: string): Promise<string> {
    if (!(await this.exists(key))) throw new ArtifactNotFoundError(this.uriOf(key));
    return this.pathOf(key);
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.pathOf(prefix.replace(/\/+$/, '') || '.');
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!entry.name.includes('.part-')) keys.push(path.relative(this.rootDir, full).split(path.sep).join('/'));
      }
    };
    await walk(base);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
