/** Temporary folders for tests, removed when the test process exits (kept with GENQ_KEEP_TEST_ARTIFACTS=1). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const keep = process.env.GENQ_KEEP_TEST_ARTIFACTS === '1';
const created: string[] = [];

// Runs leave models and indexes of hundreds of megabytes behind: without this, every test run fills /tmp.
process.once('exit', () => {
  if (keep) {
    if (created.length > 0) console.log(`test folders kept (GENQ_KEEP_TEST_ARTIFACTS=1):\n  ${created.join('\n  ')}`);
    return;
  }
  for (const folder of created) rmSync(folder, { recursive: true, force: true });
});

/** A fresh folder under the system temp folder, named `<prefix>XXXXXX`. */
export function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(folder);
  return folder;
}
