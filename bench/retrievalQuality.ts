/**
 * Retrieval quality of the whole method, through the real workflow (in-process workers on queues of their
 * own, a fresh artifact folder): nDCG@10 on the held-out generated queries of the fine-tuned model against the
 * base model and against BM25, and TSDAE+MNRL against MNRL alone on the same pairs.
 *
 *   reference: the method's own data (seed_genq/labeled.csv: its chunks and real Llama 3 queries), imported.
 *   zaragoza:  with --zaragoza N, a full run (extract, chunk, queries with the stack's Ollama model) on the
 *              first N Zaragoza listings. SmolLM2 on 2 CPU cores writes about one chunk's queries in 5-10 s.
 *
 * The base model is the PyPI all-MiniLM-L6-v2 (bert-base-uncased cannot be downloaded here), so "base" is
 * already a retrieval model: the bar is higher than the study's.
 *
 *   npm run bench -- retrieval-quality [--tsdae-steps 100] [--mnrl-steps 200] [--max-queries 1000] [--zaragoza 40] [--skip-reference] [--artifacts DIR]
 */
import '../workers/quietRuntime';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStackSettings } from '../infra/stackSettings';
import type { PipelineInput } from '../workflows/settings/pipeline';
import { withPipelineWorkers } from './lib/pipelineRun';
import { defaultBaseModel, fixed, flag, intOption, ratio, referenceCsv, stringOption, zaragozaFields, zaragozaListings } from './lib/trainerBench';

const NAME = 'retrieval-quality';

interface ModelMetrics {
  ndcgAt10: number;
}
interface Report {
  metrics: Record<string, ModelMetrics>;
}

async function main(): Promise<void> {
  const artifacts = stringOption('artifacts') ?? mkdtempSync(path.join(tmpdir(), 'genq-quality-'));
  mkdirSync(artifacts, { recursive: true });
  const tsdaeSteps = intOption('tsdae-steps', 100);
  const mnrlSteps = intOption('mnrl-steps', 200);
  const maxQueries = intOption('max-queries', 1000);
  const zaragoza = intOption('zaragoza', 0, 0);
  const base = await defaultBaseModel(path.join(artifacts, 'base-model.log'));
  const training = (tsdae: boolean) => ({
    tsdae: { enabled: tsdae, baseModel: base, maxSteps: tsdaeSteps, batchSize: 8, maxSeqLength: 128, checkpointEvery: 1000 },
    mnrl: { baseModel: base, startFrom: tsdae ? ('tsdae' as const) : ('base' as const), maxSteps: mnrlSteps, batchSize: 32, maxSeqLength: 128, checkpointEvery: 1000, evalEvery: 100000 },
    evaluate: { maxQueries },
    stopAfter: 'evaluate' as const,
  });

  await withPipelineWorkers(NAME, artifacts, async (runPipeline) => {
    const run = async (label: string, input: Partial<PipelineInput>): Promise<Report> => {
      const summary = await runPipeline(label, input);
      if (!summary.artifacts.report) throw new Error(`${label}: the run ended without an evaluation report`);
      console.error(`${label}: report ${summary.artifacts.report.uri}`);
      return JSON.parse(await readFile(fileURLToPath(summary.artifacts.report.uri), 'utf8')) as Report;
    };
    console.error(`${NAME}: artifacts in ${artifacts}; base model ${base}; TSDAE ${tsdaeSteps} steps, MNRL ${mnrlSteps} steps of 32`);
    if (!flag('skip-reference')) {
      const withTsdae = await run('reference-tsdae', { labeledCsv: referenceCsv(), ...training(true) });
      const mnrlOnly = await run('reference-mnrl', { labeledCsv: referenceCsv(), ...training(false) });
      printQuality('reference', withTsdae, mnrlOnly);
    }
    if (zaragoza > 0) {
      const stack = loadStackSettings();
      const source = { source: { kind: 'jsonl' as const, path: zaragozaListings() }, limit: zaragoza, fields: zaragozaFields };
      const full = await run('zaragoza', { extract: source, queries: { model: stack.ollama.testModel }, ...training(true) });
      printQuality('zaragoza', full);
    }
  });
}

function printQuality(data: string, report: Report, mnrlOnly?: Report): void {
  const ndcg = (r: Report, model: string): number => {
    const value = r.metrics[model]?.ndcgAt10;
    if (value === undefined) throw new Error(`the report has no ${model} metrics`);
    return value;
  };
  const tuned = ndcg(report, 'candidate');
  console.log(`bench ${NAME}: ${data}_ndcg10_vs_base=${fixed(tuned, 4)} nDCG@10 baseline=${fixed(ndcg(report, 'base'), 4)} ratio=${ratio(tuned, ndcg(report, 'base'))}`);
  console.log(`bench ${NAME}: ${data}_ndcg10_vs_bm25=${fixed(tuned, 4)} nDCG@10 baseline=${fixed(ndcg(report, 'bm25'), 4)} ratio=${ratio(tuned, ndcg(report, 'bm25'))}`);
  if (mnrlOnly) {
    const alone = ndcg(mnrlOnly, 'candidate');
    console.log(`bench ${NAME}: ${data}_ndcg10_tsdae_mnrl=${fixed(tuned, 4)} nDCG@10 baseline=${fixed(alone, 4)} ratio=${ratio(tuned, alone)}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench ${NAME} failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
