/**
 * Private work folders for stages, named after the process that owns them. A worker killed mid-stage (OOM,
 * SIGKILL, a lost node) cannot remove its folder, and training folders hold gigabytes: the next worker on
 * the same host removes the folders of processes that are gone.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

const workRoot = (): string => path.join(tmpdir(), 'genq-work');
// The host name keeps containers that share a temp folder (but not a PID namespace) off each other's folders.
const ownerTag = (pid: number): string => `${hostname().replace(/[^A-Za-z0-9.]/g, '_')}-${pid}-`;

export async function makeWorkFolder(stage: string): Promise<string> {
  await mkdir(workRoot(), { recursive: true });
  return mkdtemp(path.join(workRoot(), `${ownerTag(process.pid)}${stage}-`));
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes this host's work folders whose owning process has exited; returns the folders removed. */
export async function removeOrphanedWorkFolders(): Promise<string[]> {
  const host = ownerTag(0).slice(0, -2); // "<host>-"
  let names: string[];
  try {
    names = await readdir(workRoot());
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(host)) continue;
    const pid = Number(name.slice(host.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processIsAlive(pid)) continue;
    await rm(path.join(workRoot(), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
