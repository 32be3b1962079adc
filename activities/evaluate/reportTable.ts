/** The report as aligned plain-text tables, for `genq report` and the demo. */
import { METRIC_COLUMNS } from './reportHtml';
import type { Report } from './types';

/** Left-aligns the first column and right-aligns the rest, two spaces apart. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function formatReportTables(report: Report): string {
  const out: string[] = [];
  const source = report.querySource === 'file' ? 'queries from the user file' : 'held-out generated queries';
  out.push(`${report.queries} ${source}; ${report.counts.corpusChunks} chunks of ${report.counts.corpusListings} listings; held-out set sha256 ${report.heldOutSha256.slice(0, 16)}`);
  out.push('');
  out.push(alignColumns([['model', ...METRIC_COLUMNS.map(([, label]) => label)], ...Object.entries(report.metrics).map(([name, m]) => [name, ...METRIC_COLUMNS.map(([key]) => m[key].toFixed(4))])]));
  if (report.backwards) {
    out.push('');
    out.push(`Backwards search: share of ${report.counts.backwardsQueries} generated queries whose source listing is in the top N`);
    const study = report.study.backwardsSearch.map((s) => [`study: ${s.model}`, `${s.top100.toFixed(1)}%`, `${s.top200.toFixed(1)}%`, `${s.top250.toFixed(1)}%`]);
    out.push(alignColumns([['model', 'top 100', 'top 200', 'top 250'], ...Object.entries(report.backwards).map(([name, b]) => [name, pct(b.top100), pct(b.top200), pct(b.top250)]), ...study]));
  }
  out.push('');
  if (report.tsdaeEffect) {
    const e = report.tsdaeEffect;
    const s = report.study.tsdaeEffect;
    out.push(`TSDAE effect: cosine between ${e.chunks} held-out chunks and their 60%-deleted copies`);
    out.push(alignColumns([
      ['', 'mean', 'median', 'std'],
      ['before (base)', e.before.mean.toFixed(4), e.before.median.toFixed(4), e.before.std.toFixed(4)],
      ['after (TSDAE)', e.after.mean.toFixed(4), e.after.median.toFixed(4), e.after.std.toFixed(4)],
      ['study, chunks', `${s.chunks.before} → ${s.chunks.after}`, '', ''],
    ]));
  } else {
    out.push('TSDAE effect: not measured (no TSDAE model)');
  }
  return out.join('\n');
}
