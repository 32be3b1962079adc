import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { makeWorkFolder, removeOrphanedWorkFolders } from '../activities/artifacts/workFolders';

describe('work folders: a killed worker\'s folder is removed by the next worker on the host', () => {
  it('removes the folder of a process that exited without cleaning up, keeps the folders of live processes', async () => {
    // A child process makes a work folder, writes into it and exits without removing it, as a killed worker would.
    const module = path.join(__dirname, '..', 'activities', 'artifacts', 'workFolders.js');
    const orphan = execFileSync(process.execPath, ['-e', `
      const { writeFileSync } = require('node:fs');
      require(${JSON.stringify(module)}).makeWorkFolder('mnrl').then((dir) => {
        writeFileSync(dir + '/checkpoint.bin', 'x'.repeat(1000));
        process.stdout.write(dir);
        process.exit(0);
      });`], { encoding: 'utf8' });
    assert.ok(existsSync(path.join(orphan, 'checkpoint.bin')), `the child left ${orphan}`);

    const mine = await makeWorkFolder('tsdae');
    writeFileSync(path.join(mine, 'in-progress'), '');
    try {
      const removed = await removeOrphanedWorkFolders();
      assert.ok(removed.includes(path.basename(orphan)), `removed: ${removed.join(', ')}`);
      assert.equal(existsSync(orphan), false);
      assert.ok(existsSync(path.join(mine, 'in-progress')), 'the live process keeps its folder');
    } finally {
      await rm(mine, { recursive: true, force: true });
    }
  });
});
