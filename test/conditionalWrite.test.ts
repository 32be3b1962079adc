import assert from 'node:assert/strict';
import { openArtifactStore } from '../activities/artifacts/openStore';
import type { ArtifactStore } from '../activities/artifacts/store';
import { stack, uniqueName } from './support/stack';
import { temporaryFolder } from './support/temporaryFolder';

/** The champion pointer's compare-and-swap, on both stores: S3 conditional PUT and the local lock file. */
describe('artifact stores: conditional writes (compare-and-swap)', () => {
  const stores: Array<[string, () => ArtifactStore]> = [
    ['local folder', () => openArtifactStore(temporaryFolder('genq-cas-'))],
    ['S3 (versitygw)', () => openArtifactStore(`s3://${stack.s3.bucket}/${uniqueName('test-cas')}`)],
  ];

  for (const [name, open] of stores) {
    describe(name, () => {
      it('writes only over the version read: absent, then each newer version; a stale version writes nothing', async () => {
        const store = open();
        assert.equal(await store.getVersionedText('p.json'), null);
        assert.equal(await store.putTextIfUnchanged('p.json', 'one', null), true);
        assert.equal(await store.putTextIfUnchanged('p.json', 'again', null), false, 'no longer absent');
        const first = (await store.getVersionedText('p.json'))!;
        assert.equal(first.text, 'one');
        assert.equal(await store.putTextIfUnchanged('p.json', 'two', first.version), true);
        assert.equal(await store.putTextIfUnchanged('p.json', 'stale', first.version), false, 'the version read is gone');
        const second = (await store.getVersionedText('p.json'))!;
        assert.equal(second.text, 'two');
        assert.notEqual(second.version, first.version);
        await store.delete('p.json');
      });

      it('of eight writers racing from the same version, exactly one wins', async () => {
        const store = open();
        await store.putText('race.json', 'start');
        const start = (await store.getVersionedText('race.json'))!;
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.putTextIfUnchanged('race.json', `writer ${i}`, start.version)));
        assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
        assert.equal((await store.getText('race.json'))!, `writer ${results.indexOf(true)}`);
        await store.delete('race.json');
      });
    });
  }
});
