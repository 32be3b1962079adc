import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { openArtifactStore } from '../activities/artifacts/openStore';
import { keyOfUri } from '../activities/artifacts/stageRunner';
import type { ArtifactRef } from '../activities/artifacts/types';
import { chunkListings } from '../activities/chunk';
import { chunkText, type TextChunk } from '../activities/chunk/chunkText';
import { cleanText } from '../activities/chunk/cleanText';
import { extractListings } from '../activities/extract';
import type { Listing } from '../activities/extract/types';
import { chunkSettingsSchema } from '../workflows/settings/chunk';
import { stack, uniqueName } from './support/stack';

const method = chunkSettingsSchema.parse({}); // maxChars 1024, segmentChars 100, stripHtml true

/** Words of a text, for checking that chunking never splits one. */
const words = (text: string): string[] => text.split(' ').filter((w) => w !== '');

/** Every invariant of a chunking of `raw`: offsets index the cleaned text, lengths, word boundaries. */
function assertWellFormed(raw: string, chunks: TextChunk[], segmentChars: number): string {
  const cleaned = cleanText(raw, true);
  chunks.forEach((c, i) => {
    assert.equal(c.index, i);
    assert.equal(cleaned.slice(c.start, c.end), c.text, `chunk ${i} offsets`);
    assert.ok(c.text.length <= segmentChars, `chunk ${i} has ${c.text.length} characters`);
    assert.equal(c.text, c.text.trim(), `chunk ${i} has no edge spaces`);
  });
  // Chunks are separated by exactly the one space between two words (or nothing, inside a cut word).
  for (let i = 1; i < chunks.length; i += 1) assert.ok([0, 1].includes(chunks[i]!.start - chunks[i - 1]!.end));
  return cleaned;
}

describe('chunk: the method\'s rule and the chunk stage', () => {
  describe('chunkText', () => {
    /** Distinct words ('palabra0 palabra1 ...') up to n characters, so a lost or split word shows. */
    const filler = (n: number): string => {
      const out: string[] = [];
      for (let i = 0, length = -1; length + 1 + `palabra${i}`.length <= n; i += 1) {
        out.push(`palabra${i}`);
        length += 1 + `palabra${i}`.length;
      }
      return out.join(' ');
    };

    it('keeps a description of at most 1,024 characters as one chunk and splits a longer one into segments of at most 100 (the 1,024 rule)', () => {
      const exact = `${'casa '.repeat(204)}piso`; // 1,024 characters
      assert.equal(exact.length, 1024);
      assert.deepEqual(chunkText(exact, method), [{ index: 0, start: 0, end: 1024, text: exact }]);
      const over = `${exact}s`;
      const chunks = chunkText(over, method);
      assert.ok(chunks.length >= 11, `${chunks.length} chunks`);
      assertWellFormed(over, chunks, 100);
      assert.equal(chunks.map((c) => c.text).join(' '), over);
    });

    it('breaks between words: every word of the text is whole in exactly one chunk', () => {
      const text = filler(2500);
      const chunks = chunkText(text, method);
      assertWellFormed(text, chunks, 100);
      assert.deepEqual(chunks.flatMap((c) => words(c.text)), words(text));
      // Greedy: a chunk ends only where the next word would not fit.
      for (let i = 0; i + 1 < chunks.length; i += 1) {
        const nextWord = words(chunks[i + 1]!.text)[0]!;
        assert.ok(chunks[i]!.text.length + 1 + nextWord.length > 100, `chunk ${i} could have taken "${nextWord}"`);
      }
    });

    it('cuts only a single word longer than a segment', () => {
      const long = 'z'.repeat(250);
      const text = `${'piso '.repeat(220)}${long} fin del anuncio`;
      const chunks = chunkText(text, method);
      assertWellFormed(text, chunks, 100);
      const cut = chunks.filter((c) => c.text.includes('z'.repeat(50)));
      assert.deepEqual(cut.map((c) => c.text.length), [100, 100, 50 + ' fin del anuncio'.length]);
      assert.deepEqual(chunks.flatMap((c) => words(c.text)).filter((w) => w !== 'piso' && !w.startsWith('z')), ['fin', 'del', 'anuncio']);
    });

    it('never splits a surrogate pair: an emoji run longer than a segment is cut between emoji', () => {
      const emoji = '🏠'.repeat(80); // 160 UTF-16 code units, one "word"
      const text = `${'terraza '.repeat(130)}${emoji} vistas`;
      const chunks = chunkText(text, method);
      assertWellFormed(text, chunks, 100);
      for (const c of chunks) {
        assert.ok(!/[\uD800-\uDBFF]$/.test(c.text) && !/^[\uDC00-\uDFFF]/.test(c.text), `chunk ${c.index} splits a pair`);
        assert.equal((c.text as unknown as { isWellFormed(): boolean }).isWellFormed(), true);
      }
      assert.equal(chunks.map((c) => c.text).join('').replace(/[^🏠]/gu, ''), emoji);
      // With an odd segment length the cut must step back one unit to keep the pair whole.
      const odd = chunkText(`${'x '.repeat(600)}${emoji}`, { ...method, segmentChars: 99 });
      for (const c of odd) assert.equal((c.text as unknown as { isWellFormed(): boolean }).isWellFormed(), true);
    });

    it('cleans HTML tags, entities and runs of whitespace first; offsets refer to the cleaned text', () => {
      const html = '<p>Piso&nbsp;<b>luminoso</b>   con\n\n terraza &amp; garaje.</p><ul><li>Trastero</li><li>Piscina</li></ul>';
      const [only] = chunkText(html, method);
      assert.equal(only!.text, 'Piso luminoso con terraza & garaje. - Trastero - Piscina');
      assert.deepEqual([only!.start, only!.end], [0, only!.text.length]);
      const long = `<div>${'<p>Salón  amplio &amp; luminoso.</p>\n'.repeat(60)}</div>`;
      const chunks = chunkText(long, method);
      const cleaned = assertWellFormed(long, chunks, 100);
      assert.ok(!cleaned.includes('<') && !cleaned.includes('&amp;') && !cleaned.includes('  '));
      assert.ok(chunks.length > 1);
    });

    it('leaves tags as text when stripHtml is false, but still collapses whitespace', () => {
      assert.deepEqual(chunkText(' <b>Piso</b>\t\tcon  patio ', { ...method, stripHtml: false }).map((c) => c.text), ['<b>Piso</b> con patio']);
    });

    it('gives no chunk for a description that is empty once cleaned', () => {
      assert.deepEqual(chunkText('<p> </p>\n', method), []);
    });
  });

  describe('chunkListings', () => {
    let workDir: string; // made in before(), so a filtered run that skips this suite leaves nothing behind
    const s3Root = `s3://${stack.s3.bucket}/${uniqueName('test-chunk')}`;
    const samplePath = path.join(stack.projectRoot, 'sample', 'spanish-listings.jsonl');
    const sample = readFileSync(samplePath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; description: string });

    before(() => {
      workDir = mkdtempSync(path.join(tmpdir(), 'genq-chunk-test-'));
    });
    after(async () => {
      const store = openArtifactStore(s3Root);
      for (const key of await store.list('')) await store.delete(key);
      rmSync(workDir, { recursive: true, force: true });
    });

    const readText = async (artifacts: string, ref: ArtifactRef): Promise<string> => {
      const store = openArtifactStore(artifacts);
      return (await store.getText(keyOfUri(store, ref.uri))) ?? '';
    };

    for (const kind of ['local', 's3'] as const) {
      it(`writes chunks.csv (header id,document) and chunks.jsonl (ids, offsets, sha256) from the sample, in the ${kind} store, and reuses them on a second run`, async () => {
        const artifacts = kind === 'local' ? path.join(workDir, 'artifacts') : s3Root;
        const extracted = await extractListings({ artifacts, settings: { source: { kind: 'jsonl', path: samplePath } } });
        const listings = extracted.files['listings.jsonl']!;
        const result = await chunkListings({ artifacts, settings: {}, listings });
        assert.equal(result.reused, false);
        assert.equal(result.summary.listings, 68);
        assert.equal(result.summary.splitListings, 13, 'the sample has 13 descriptions over 1,024 characters');

        const csvText = await readText(artifacts, result.files['chunks.csv']!);
        assert.ok(csvText.startsWith('id,document\n'), csvText.slice(0, 40));
        const csvRows = parse(csvText, { columns: true }) as { id: string; document: string }[];
        const jsonl = (await readText(artifacts, result.files['chunks.jsonl']!))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { chunk_id: string; listing_id: string; index: number; start: number; end: number; text: string; sha256: string });
        assert.equal(csvRows.length, result.summary.chunks);
        assert.equal(jsonl.length, result.summary.chunks);
        assert.equal(result.files['chunks.csv']!.count, result.summary.chunks);

        const byId = new Map(sample.map((s) => [s.id, s.description]));
        jsonl.forEach((chunk, i) => {
          assert.deepEqual(Object.keys(chunk), ['chunk_id', 'listing_id', 'index', 'start', 'end', 'text', 'sha256']);
          assert.equal(chunk.chunk_id, `${chunk.listing_id}#${chunk.index}`);
          assert.deepEqual(csvRows[i], { id: chunk.listing_id, document: chunk.text });
          assert.equal(chunk.sha256, createHash('sha256').update(chunk.text, 'utf8').digest('hex'));
          assert.equal(cleanText(byId.get(chunk.listing_id)!, true).slice(chunk.start, chunk.end), chunk.text);
        });
        const long = sample.find((s) => s.id === 'gq-0003')!;
        const itsChunks = jsonl.filter((c) => c.listing_id === 'gq-0003');
        assert.ok(itsChunks.length >= 11 && itsChunks.every((c) => c.text.length <= 100), `${itsChunks.length} chunks`);
        assert.equal(itsChunks.map((c) => c.text).join(' '), cleanText(long.description, true));
        assert.deepEqual(jsonl.filter((c) => c.listing_id === 'gq-0001').map((c) => c.index), [0], 'a short listing is one chunk');

        const again = await chunkListings({ artifacts, settings: {}, listings });
        assert.equal(again.reused, true);
        assert.deepEqual(again.files, result.files);
        const other = await chunkListings({ artifacts, settings: { segmentChars: 200 }, listings });
        assert.equal(other.reused, false, 'other settings, other key');
        assert.ok(other.summary.chunks < result.summary.chunks);
      });
    }

    it('checks the listings against their committed sha256 while reading them', async () => {
      const artifacts = path.join(workDir, 'artifacts-tamper');
      const extracted = await extractListings({ artifacts, settings: { source: { kind: 'jsonl', path: samplePath } } });
      const listings = { ...extracted.files['listings.jsonl']!, sha256: '0'.repeat(64) };
      await assert.rejects(chunkListings({ artifacts, settings: {}, listings }), /changed after it was committed/);
    });

    it('reads listings extracted from any source: ids that need CSV quoting survive the round trip', async () => {
      const artifacts = path.join(workDir, 'artifacts-quote');
      const file = path.join(workDir, 'quoted.jsonl');
      const rows: Listing[] = [{ id: 'a,"b"', text: 'Piso con "encanto", terraza y vistas', fields: {} }];
      writeFileSync(file, rows.map((r) => JSON.stringify({ id: r.id, description: r.text })).join('\n'));
      const extracted = await extractListings({ artifacts, settings: { source: { kind: 'jsonl', path: file } } });
      const result = await chunkListings({ artifacts, settings: {}, listings: extracted.files['listings.jsonl']! });
      const csvRows = parse(await readText(artifacts, result.files['chunks.csv']!), { columns: true }) as { id: string; document: string }[];
      assert.deepEqual(csvRows, [{ id: 'a,"b"', document: 'Piso con "encanto", terraza y vistas' }]);
    });
  });
});
