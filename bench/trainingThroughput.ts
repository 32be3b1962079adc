/**
 * Benchmark: MNRL training throughput and held-out quality, the project's trainer against the method's
 * reference recipe, same base model, same pairs, same number of steps, same machine, same run. Printed, not
 * asserted.
 *
 *   npm run bench -- training-throughput [--steps S] [--pairs-limit P] [--base-model PATH_OR_ID]
 *       [--eval-queries N] [--threads T] [--fit-impl auto|fit|old_fit] [--baseline-pythonpath DIR] [--rounds R]
 *       [--zaragoza N [--artifacts DIR]] [--pairs pairs.jsonl [--heldout heldout.jsonl] [--pairs-name NAME]]
 *       [--skip-reference] [--keep]
 *
 * (a) ours: `python -m genq_trainer mnrl` (batch 32, mean pooling, fp32 on CPU, 10% warm-up then linear
 *     decay, lr 2e-5, no checkpoints, no in-loop evaluation); pairs/s is the trainer's own `done` figure
 *     (optimizer steps x batch over the training loop's time; model loading and data reading excluded).
 * (b) baseline: trainer/bench/reference_fit.py, the reference code's recipe: sentence-transformers `fit`,
 *     InputExample(texts=[document, query]), NoDuplicatesDataLoader batch 32, Transformer + mean Pooling,
 *     MultipleNegativesRankingLoss, warmup_steps = 10% of the steps, fp32, fit's other defaults (the same
 *     lr, weight decay and clipping as ours). Timed over its training call only, as (a).
 *     `fit` in sentence-transformers >= 3 needs the `datasets` and `accelerate` packages, which the pinned
 *     venv lacks: give a folder holding them with --baseline-pythonpath (prepended to PYTHONPATH for the
 *     baseline only; `bash trainer/bench/install_fit_deps.sh DIR` makes one); without them `--fit-impl auto` falls back to `old_fit`, the pre-v3 loop kept in the
 *     library, and the output says which one ran.
 * With --rounds R (default 1) each side trains R times, alternating which goes first; its figure is the mean.
 * Both train S optimizer steps (default 20) on the same file: a seeded sample of P pairs (default S x 32,
 * so each sees about every pair once) of the training side of the split. Then one evaluator
 * (trainer/bench/evaluate_models.py) scores the base model and both results on the held-out side: held-out
 * queries (a seeded sample of N, default 500) ranked against every held-out chunk, nDCG@10.
 *
 * Data: the reference data's own pairs (../shared/data/seed_genq/labeled.csv, read in place through the
 * project's importLabeledCsv activity into a temporary artifact folder; its held-out split is by listing).
 * The Zaragoza listings have no queries: with --zaragoza N the pipeline itself writes them for the first N
 * listings (extract, chunk, queries with the stack's Ollama model, assemble; then 25% of the listings held out), about
 * 5-10 s per chunk with SmolLM2 on 2 CPU cores, cached in --artifacts DIR for later runs. Other generated pairs
 * can be given with --pairs (split by listing with the pipeline's rule unless --heldout is given).
 */
import '../workers/quietRuntime';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStackSettings } from '../infra/stackSettings';
import { withPipelineWorkers } from './lib/pipelineRun';
import {
  defaultBaseModel,
  fixed,
  flag,
  importReferencePairs,
  inScratchDir,
  intOption,
  lastEvent,
  projectRoot,
  ratio,
  runBench,
  runPython,
  samplePairs,
  splitPairsByListing,
  stringOption,
  writeJson,
  zaragozaFields,
  zaragozaListings,
  type PairFiles,
} from './lib/trainerBench';

const NAME = 'training-throughput';
const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');
const BATCH = 32;

interface Options {
  steps: number;
  pairsLimit: number;
  baseModel: string;
  evalQueries: number;
  threads?: number;
  fitImpl: string;
  baselinePythonPath?: string;
  maxSeqLength: number;
  rounds: number;
  dir: string;
}

interface DataSetResult {
  oursPairsPerS: number;
  basePairsPerS: number;
  oursNdcg: number;
  baseNdcg: number;
}

/** (a) ours: the project's MNRL stage; pairs/s over its training loop. */
async function trainOurs(dir: string, trainFile: string, oursOut: string, log: string, o: Options): Promise<number> {
  const config = {
    base_model: o.baseModel,
    pooling: 'mean',
    train_file: trainFile,
    output_dir: oursOut,
    overwrite: true,
    batch_size: BATCH,
    max_seq_length: o.maxSeqLength,
    max_steps: o.steps,
    warmup_ratio: 0.1,
    checkpoint_every: 0,
    progress_every: 10,
    device: 'cpu',
    precision: 'fp32',
    cpu_threads: o.threads ?? null,
    seed: 42,
  };
  const configPath = path.join(dir, 'mnrl.json');
  await writeJson(configPath, config);
  console.log(`  load average before ours: ${load()}`);
  const ours = await runPython({ args: ['-m', 'genq_trainer', 'mnrl', '--config', configPath], logPath: log });
  const oursDone = lastEvent(ours, 'done', 'our trainer');
  const oursMetrics = oursDone.metrics as { pairs_or_sentences_per_s: number; elapsed_s: number; steps: number; loss: number };
  console.log(
    `  ours: ${oursMetrics.steps} steps in ${fixed(oursMetrics.elapsed_s, 1)} s of training (process ${fixed(ours.wallS, 1)} s), ` +
      `${fixed(oursMetrics.pairs_or_sentences_per_s)} pairs/s, last loss ${fixed(oursMetrics.loss, 4)}`,
  );
  return oursMetrics.pairs_or_sentences_per_s;
}

/** (b) the reference recipe (sentence-transformers fit); pairs/s over its training call. */
async function trainBaseline(dir: string, trainFile: string, baseOut: string, log: string, o: Options): Promise<number> {
  const args = [
    path.join(projectRoot(), 'trainer', 'bench', 'reference_fit.py'),
    '--pairs', trainFile,
    '--base-model', o.baseModel,
    '--output', baseOut,
    '--steps', String(o.steps),
    '--batch-size', String(BATCH),
    '--max-seq-length', String(o.maxSeqLength),
    '--fit-impl', o.fitImpl,
  ];
  if (o.threads !== undefined) args.push('--threads', String(o.threads));
  console.log(`  load average before the baseline: ${load()}`);
  const base = await runPython({ args, logPath: log, extraPythonPath: o.baselinePythonPath, cwd: dir });
  const baseDone = lastEvent(base, 'done', 'the reference fit');
  const basePairsPerS = Number(baseDone.pairs_per_s);
  console.log(
    `  baseline (sentence-transformers ${String(baseDone.fit_impl)}, ${String(baseDone.threads)} threads): ${String(baseDone.steps)} steps in ` +
      `${fixed(Number(baseDone.train_s), 1)} s of training (fit call ${fixed(Number(baseDone.fit_s), 1)} s, process ${fixed(base.wallS, 1)} s), ${fixed(basePairsPerS)} pairs/s`,
  );
  return basePairsPerS;
}

async function runDataSet(label: string, suffix: string, files: PairFiles, o: Options): Promise<DataSetResult> {
  const dir = path.join(o.dir, label);
  const log = path.join(dir, 'bench.log');
  const trainFile = path.join(dir, 'pairs.bench.jsonl');
  const sampled = await samplePairs(files.train, trainFile, o.pairsLimit, 42);
  console.log(`${label}: ${files.summary}`);
  console.log(`${label}: training on a seeded sample of ${sampled} training pairs, ${o.steps} steps of ${BATCH} (${o.steps * BATCH} pairs) each; logs ${log}`);

  const oursOut = path.join(dir, 'ours');
  const baseOut = path.join(dir, 'baseline');
  // The machine's speed drifts (other services, caches): with --rounds R the two alternate ours-baseline,
  // baseline-ours, ... and each side's figure is its mean, so neither always runs first.
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
    for (const side of order) {
      if (side === 'ours') ours.push(await trainOurs(dir, trainFile, oursOut, log, o));
      else baseline.push(await trainBaseline(dir, trainFile, baseOut, log, o));
    }
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const oursPairsPerS = mean(ours);
  const basePairsPerS = mean(baseline);
  if (o.rounds > 1) console.log(`  ${o.rounds} rounds: ours ${ours.map((v) => fixed(v)).join(', ')} pairs/s; baseline ${baseline.map((v) => fixed(v)).join(', ')} pairs/s`);

  // held-out nDCG@10 of the base model and both results, one evaluator
  const evalArgs = [
    path.join(projectRoot(), 'trainer', 'bench', 'evaluate_models.py'),
    '--heldout', files.heldOut,
    '--max-queries', String(o.evalQueries),
    '--max-seq-length', String(o.maxSeqLength),
    '--model', `base=${o.baseModel}`,
    '--model', `ours=${oursOut}`,
    '--model', `baseline=${baseOut}`,
  ];
  if (o.threads !== undefined) evalArgs.push('--threads', String(o.threads));
  const evaluation = await runPython({ args: evalArgs, logPath: log });
  if (evaluation.code !== 0) throw new Error(`evaluation failed (exit ${evaluation.code}): ${evaluation.stderrTail}`);
  const scores = evaluation.events.at(-1) as { queries: number; chunks: number; models: Record<string, Record<string, number>> };
  const ndcg = (name: string): number => scores.models[name]!['ndcg@10']!;
  console.log(
    `  held-out (${scores.queries} queries against ${scores.chunks} chunks): nDCG@10 base model ${fixed(ndcg('base'), 4)}, ` +
      `ours ${fixed(ndcg('ours'), 4)}, baseline ${fixed(ndcg('baseline'), 4)}`,
  );
  console.log(`bench ${NAME}: pairs_per_s${suffix}=${fixed(oursPairsPerS)} pairs/s baseline=${fixed(basePairsPerS)} ratio=${ratio(oursPairsPerS, basePairsPerS)}`);
  console.log(`bench ${NAME}: ndcg_at_10${suffix}=${fixed(ndcg('ours'), 4)} score baseline=${fixed(ndcg('baseline'), 4)} ratio=${ratio(ndcg('ours'), ndcg('baseline'))}`);
  return { oursPairsPerS, basePairsPerS, oursNdcg: ndcg('ours'), baseNdcg: ndcg('baseline') };
}

/**
 * Pairs from the first `count` Zaragoza listings, made by the pipeline itself (extract, chunk, queries with the
 * stack's Ollama model, assemble with its held-out split by listing). Queries are cached in `artifacts`.
 */
async function zaragozaPairs(count: number, artifacts: string, workDir: string): Promise<PairFiles> {
  const stack = loadStackSettings();
  console.log(`zaragoza: generating the queries of the first ${count} listings with ${stack.ollama.testModel} (artifacts ${artifacts})`);
  const summary = await withPipelineWorkers(NAME, artifacts, (runPipeline) =>
    runPipeline('zaragoza-pairs', {
      extract: { source: { kind: 'jsonl', path: zaragozaListings() }, limit: count, fields: zaragozaFields },
      // One request at a time: on CPU, Ollama's parallel decoding was measured slower (query-generation bench).
      queries: { model: stack.ollama.testModel, concurrency: 1 },
      stopAfter: 'assemble',
    }),
  );
  const { pairs } = summary.artifacts;
  if (!pairs.uri.startsWith('file:')) throw new Error(`--artifacts must be a local folder, got ${pairs.uri}`);
  // The pipeline holds out 10% of the listings: of a few dozen, that is one or two chunks, too few to rank.
  // A quarter of the listings gives the held-out side enough chunks to rank against.
  const files = await splitPairsByListing(fileURLToPath(pairs.uri), path.join(workDir, 'zaragoza-split'), HELD_OUT_SHARE);
  return { ...files, summary: `the first ${count} Zaragoza listings, queries by ${stack.ollama.testModel}; ${files.summary}` };
}

const HELD_OUT_SHARE = 0.25;

async function run(): Promise<void> {
  const steps = intOption('steps', 20);
  await inScratchDir('training-throughput', async (dir) => {
    const threadsRaw = stringOption('threads');
    const options: Options = {
      steps,
      pairsLimit: intOption('pairs-limit', steps * BATCH, BATCH),
      baseModel: stringOption('base-model') ?? (await defaultBaseModel(path.join(dir, 'bench.log'))),
      evalQueries: intOption('eval-queries', 500, 0),
      threads: threadsRaw === undefined ? undefined : intOption('threads', 1),
      fitImpl: stringOption('fit-impl') ?? 'auto',
      baselinePythonPath: stringOption('baseline-pythonpath'),
      maxSeqLength: intOption('max-seq-length', 256),
      rounds: intOption('rounds', 1),
      dir,
    };
    if (!['auto', 'fit', 'old_fit'].includes(options.fitImpl)) throw new Error(`--fit-impl must be auto, fit or old_fit, got ${options.fitImpl}`);
    console.log(
      `training throughput: base model ${options.baseModel}, ${steps} steps of ${BATCH}, fp32 on CPU, ` +
        `threads ${options.threads ?? `torch default (OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? 'unset'})`}, work folder ${dir}`,
    );

    if (!flag('skip-reference')) await runDataSet('reference', '', await importReferencePairs(dir), options);

    const pairs = stringOption('pairs');
    const zaragoza = intOption('zaragoza', 0, 0);
    if (zaragoza > 0) {
      const files = await zaragozaPairs(zaragoza, stringOption('artifacts') ?? path.join(dir, 'pipeline-artifacts'), dir);
      await runDataSet('zaragoza', '_zaragoza', files, options);
    } else if (pairs) {
      const name = (stringOption('pairs-name') ?? 'pairs').replace(/[^A-Za-z0-9_]/g, '_');
      const heldOut = stringOption('heldout');
      const files: PairFiles = heldOut
        ? { train: path.resolve(pairs), heldOut: path.resolve(heldOut), summary: `pairs ${pairs}, held-out ${heldOut}` }
        : await splitPairsByListing(path.resolve(pairs), path.join(dir, `${name}-split`), 0.1);
      await runDataSet(name, `_${name}`, files, options);
    } else {
      console.log(
        `NOTE ${NAME}: the Zaragoza listings (${zaragozaListings()}) were NOT run: they have no queries, and generating them ` +
          `needs the LLM stage (SmolLM2 through Ollama), far too slow on this machine's 2 CPU cores for a benchmark run. ` +
          `No queries were made up. Rerun with --zaragoza N (the pipeline writes the queries of the first N listings with the ` +
          `stack's model, about 5-10 s per chunk here; --artifacts DIR keeps them for the next run), or give pairs with --pairs.`,
      );
    }
  });
}

runBench(run);
