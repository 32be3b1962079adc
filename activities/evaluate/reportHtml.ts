/**
 * report.html: one self-contained page (inline CSS, inline SVG, no script, nothing fetched) with the metrics
 * table and bars per model, backwards search beside the study's numbers, the TSDAE effect, the loss curves,
 * the models and the settings. Every text from the data is escaped.
 */
import { escapeXml as esc, groupedBarChart, lineChart } from './svgCharts';
import type { Report } from './types';

export const METRIC_COLUMNS = [
  ['ndcgAt10', 'nDCG@10'],
  ['mrrAt10', 'MRR@10'],
  ['recallAt10', 'Recall@10'],
  ['recallAt100', 'Recall@100'],
] as const;

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:960px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.3rem .7rem;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}td.best{font-weight:bold}code{font-size:.85em;background:#f5f5f5;padding:0 .2em}
.muted{color:#666;font-size:.9em}svg{max-width:100%;height:auto}
svg .grid{stroke:#e5e5e5}svg .tick{font-size:11px;fill:#555}svg .label{font-size:12px;fill:#222}
svg .value{font-size:9px;fill:#333}svg .chart-title{font-size:14px;font-weight:600;fill:#222}
`;

const f4 = (x: number): string => x.toFixed(4);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function table(head: readonly string[], rows: readonly string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}
const td = (text: string, best = false): string => `<td${best ? ' class="best"' : ''}>${esc(text)}</td>`;

function metricsSection(report: Report): string {
  const names = Object.keys(report.metrics);
  const bestOf = Object.fromEntries(METRIC_COLUMNS.map(([key]) => [key, Math.max(...names.map((n) => report.metrics[n]![key]))]));
  const rows = names.map((name) => [td(name), ...METRIC_COLUMNS.map(([key]) => td(f4(report.metrics[name]![key]), report.metrics[name]![key] === bestOf[key]))]);
  const chart = groupedBarChart(
    'Metrics per model',
    METRIC_COLUMNS.map(([, label]) => label),
    names.map((name) => ({ name, values: METRIC_COLUMNS.map(([key]) => report.metrics[name]![key]) })),
  );
  const source = report.querySource === 'file' ? 'the user-supplied query file' : 'the held-out generated queries';
  return `<h2>Retrieval metrics</h2><p>${esc(`${report.queries} queries from ${source}; a listing scores its best chunk; ${report.counts.corpusChunks} chunks of ${report.counts.corpusListings} listings searched.`)}</p>${table(['model', ...METRIC_COLUMNS.map(([, l]) => l)], rows)}${chart}`;
}

function backwardsSection(report: Report): string {
  if (!report.backwards) return '';
  const names = Object.keys(report.backwards);
  const ours = names.map((name) => {
    const b = report.backwards![name]!;
    return [td(name), td(pct(b.top100)), td(pct(b.top200)), td(pct(b.top250))];
  });
  const study = report.study.backwardsSearch.map((s) => [td(s.model), td(`${s.top100.toFixed(1)}%`), td(`${s.top200.toFixed(1)}%`), td(`${s.top250.toFixed(1)}%`)]);
  const chart = groupedBarChart(
    'Backwards search: source listing in the top N',
    ['top 100', 'top 200', 'top 250'],
    names.map((name) => ({ name, values: [report.backwards![name]!.top100, report.backwards![name]!.top200, report.backwards![name]!.top250] })),
  );
  return (
    `<h2>Backwards search</h2><p>${esc(`Share of ${report.counts.backwardsQueries} held-out generated queries whose source listing is in the top 100 / 200 / 250 of ${report.counts.corpusListings} listings.`)}</p>` +
    table(['model', 'top 100', 'top 200', 'top 250'], ours) +
    chart +
    `<p class="muted">${esc(`The study (${report.study.source}), 500 queries; a different corpus size and language, so compare the shape, not the level:`)}</p>` +
    table(['study model', 'top 100', 'top 200', 'top 250'], study)
  );
}

function tsdaeSection(report: Report): string {
  const effect = report.tsdaeEffect;
  if (!effect) return '<h2>TSDAE effect</h2><p class="muted">Not measured: no TSDAE model was given (TSDAE disabled).</p>';
  const row = (label: string, s: { mean: number; median: number; std: number }) => [td(label), td(f4(s.mean)), td(f4(s.median)), td(f4(s.std))];
  const study = report.study.tsdaeEffect;
  return (
    `<h2>TSDAE effect</h2><p>${esc(`Cosine between ${effect.chunks} held-out chunks and their copies with 60% of words deleted (seed ${String((report.settings as { noiseSeed?: number }).noiseSeed ?? '')}).`)}</p>` +
    table(['model', 'mean', 'median', 'std'], [row('before (base model)', effect.before), row('after (TSDAE)', effect.after)]) +
    `<p class="muted">${esc(`The study: mean ${study.sentences.before} → ${study.sentences.after} on sentences, ${study.chunks.before} → ${study.chunks.after} on chunks.`)}</p>`
  );
}

function lossSection(report: Report): string {
  const charts = (['tsdae', 'mnrl'] as const)
    .filter((stage) => (report.lossCurves[stage]?.length ?? 0) > 0)
    .map((stage) => lineChart(`${stage.toUpperCase()} training loss`, [{ name: stage, points: report.lossCurves[stage]!.map((p) => ({ x: p.step, y: p.loss })) }], { x: 'step', y: 'loss' }));
  return `<h2>Training loss</h2>${charts.length ? charts.join('') : '<p class="muted">No training progress was given.</p>'}`;
}

function modelsSection(report: Report): string {
  const rows = report.models.map((m) => [td(m.role), td(m.baseModel), td(m.pooling), td(String(m.dimensions)), td(String(m.maxSeqLength)), `<td><code>${esc(m.sha256.slice(0, 16))}</code></td>`]);
  return `<h2>Models</h2>${table(['role', 'base model', 'pooling', 'dims', 'max tokens', 'version'], rows)}`;
}

function detailsSection(report: Report): string {
  const counts = Object.entries(report.counts).map(([k, v]) => [td(k), td(String(v))]);
  const seconds = Object.entries(report.seconds).map(([k, v]) => [td(k), td(v.toFixed(1))]);
  return (
    `<h2>Data and settings</h2>${table(['count', ''], counts)}` +
    `<p>Held-out set sha256 <code>${esc(report.heldOutSha256)}</code>; corpus <code>${esc(report.inputs.corpus.uri)}</code> (${esc(report.inputs.corpus.format)}).</p>` +
    `<p>Settings <code>${esc(JSON.stringify(report.settings))}</code></p>${table(['phase', 'seconds'], seconds)}`
  );
}

export function renderReportHtml(report: Report): string {
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>GenQ evaluation ${esc(report.createdAt)}</title><style>${STYLE}</style></head><body>`,
    `<h1>GenQ evaluation report</h1><p class="muted">${esc(report.createdAt)}</p>`,
    metricsSection(report),
    backwardsSection(report),
    tsdaeSection(report),
    lossSection(report),
    modelsSection(report),
    detailsSection(report),
    '</body></html>\n',
  ].join('\n');
}
