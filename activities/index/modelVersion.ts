/**
 * A model package folder's version: the digest of (relative file name, sha256) of every file in it, the same
 * digest folderRef gives the committed folder, so an index built from a local copy names the same version.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson, hashFile, sha256Hex } from '../artifacts/hashing';

export async function modelFolderDigest(folder: string): Promise<string> {
  const hashes: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) hashes[path.relative(folder, full).split(path.sep).join('/')] = (await hashFile(full)).sha256;
    }
  };
  await walk(folder);
  if (Object.keys(hashes).length === 0) throw new Error(`model package ${folder}: the folder is empty or missing`);
  return sha256Hex(canonicalJson(hashes));
}
