/**
 * Inline SVG charts for the HTML report, drawn here so the report needs nothing from the network: grouped
 * bars (a metric per group, a bar per model) and loss lines. Every text is escaped.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Colour-blind-safe palette (Okabe-Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];

const num = (x: number): string => (Math.round(x * 10) / 10).toString();

export interface BarSeries {
  name: string;
  /** One value per group, in [0, max]. */
  values: number[];
}

export function groupedBarChart(title: string, groups: readonly string[], series: readonly BarSeries[], max = 1): string {
  const width = 720;
  const height = 320;
  const margin = { top: 36, right: 150, bottom: 40, left: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const groupW = plotW / Math.max(groups.length, 1);
  const barW = (groupW * 0.8) / Math.max(series.length, 1);
  const y = (v: number): number => margin.top + plotH * (1 - Math.min(Math.max(v / max, 0), 1));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">`);
  parts.push(`<text x="${margin.left}" y="20" class="chart-title">${escapeXml(title)}</text>`);
  for (let t = 0; t <= 5; t++) {
    const v = (max * t) / 5;
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${num(y(v))}" y2="${num(y(v))}" class="grid"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${num(y(v) + 4)}" text-anchor="end" class="tick">${v.toFixed(1)}</text>`);
  }
  groups.forEach((group, g) => {
    const x0 = margin.left + g * groupW + groupW * 0.1;
    series.forEach((s, i) => {
      const value = s.values[g] ?? 0;
      const top = y(value);
      const x = x0 + i * barW;
      parts.push(`<rect x="${num(x)}" y="${num(top)}" width="${num(barW - 2)}" height="${num(margin.top + plotH - top)}" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeXml(`${s.name} ${group}: ${value.toFixed(4)}`)}</title></rect>`);
      parts.push(`<text x="${num(x + (barW - 2) / 2)}" y="${num(top - 3)}" text-anchor="middle" class="value">${value.toFixed(2)}</text>`);
    });
    parts.push(`<text x="${num(margin.left + g * groupW + groupW / 2)}" y="${height - margin.bottom + 18}" text-anchor="middle" class="label">${escapeXml(group)}</text>`);
  });
  parts.push(legend(series.map((s) => s.name), width - margin.right + 16, margin.top));
  parts.push('</svg>');
  return parts.join('');
}

export interface LineSeries {
  name: string;
  points: readonly { x: number; y: number }[];
}

export function lineChart(title: string, series: readonly LineSeries[], axes: { x: string; y: string }): string {
  const width = 720;
  const height = 300;
  const margin = { top: 36, right: 150, bottom: 44, left: 60 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = series.flatMap((s) => s.points);
  const [xMin, xMax] = extent(all.map((p) => p.x));
  const [yMin, yMax] = extent(all.map((p) => p.y));
  const x = (v: number): number => margin.left + (plotW * (v - xMin)) / (xMax - xMin || 1);
  const y = (v: number): number => margin.top + plotH * (1 - (v - yMin) / (yMax - yMin || 1));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">`);
  parts.push(`<text x="${margin.left}" y="20" class="chart-title">${escapeXml(title)}</text>`);
  for (let t = 0; t <= 4; t++) {
    const v = yMin + ((yMax - yMin) * t) / 4;
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${num(y(v))}" y2="${num(y(v))}" class="grid"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${num(y(v) + 4)}" text-anchor="end" class="tick">${formatTick(v)}</text>`);
  }
  // Steps are whole numbers: label whole steps only.
  const wholeX = all.every((p) => Number.isInteger(p.x));
  const xTicks = [...new Set(Array.from({ length: 5 }, (_, t) => xMin + ((xMax - xMin) * t) / 4).map((v) => (wholeX ? Math.round(v) : v)))];
  for (const v of xTicks) {
    parts.push(`<text x="${num(x(v))}" y="${margin.top + plotH + 16}" text-anchor="middle" class="tick">${formatTick(v)}</text>`);
  }
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="label">${escapeXml(axes.x)}</text>`);
  parts.push(`<text x="14" y="${margin.top + plotH / 2}" text-anchor="middle" class="label" transform="rotate(-90 14 ${margin.top + plotH / 2})">${escapeXml(axes.y)}</text>`);
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const path = s.points.map((p) => `${num(x(p.x))},${num(y(p.y))}`).join(' ');
    if (s.points.length > 1) parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"><title>${escapeXml(s.name)}</title></polyline>`);
    else for (const p of s.points) parts.push(`<circle cx="${num(x(p.x))}" cy="${num(y(p.y))}" r="3" fill="${colour}"/>`);
  });
  parts.push(legend(series.map((s) => s.name), width - margin.right + 16, margin.top));
  parts.push('</svg>');
  return parts.join('');
}

function legend(names: readonly string[], x: number, y: number): string {
  return names
    .map((name, i) => `<rect x="${x}" y="${y + i * 20}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 18}" y="${y + i * 20 + 10}" class="label">${escapeXml(name)}</text>`)
    .join('');
}

function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

function formatTick(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? Math.round(v).toString() : v.toPrecision(3);
}
