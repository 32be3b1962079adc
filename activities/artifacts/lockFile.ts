/**
 * A lock held as a file created with O_EXCL: the local store's compare-and-swap runs under it, so two
 * processes (or two workers on one shared folder) cannot both read the old pointer and both write.
 */
import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock older than this was left by a process that died holding it (the work under it takes milliseconds). */
const STALE_MS = 30_000;
const WAIT_MS = 10_000;

export async function withLockFile<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_MS) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lockPath} has been locked for over ${WAIT_MS / 1000} s; if no GenQ process is writing, delete it`);
      await sleep(5 + Math.random() * 20);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
