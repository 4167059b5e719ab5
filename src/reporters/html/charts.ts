import { esc } from './escape.ts';

// Inline-SVG charts for the HTML report: pure functions returning SVG strings,
// no scripts, no external fonts, every label escaped. Stage section renderers
// (load, metrics, soak, security, dr) build on these.

export interface ChartPoint {
  /** ms since the epoch, or seconds from the start (see `xKind`). */
  x: number;
  y: number;
}

export interface LineChartOptions {
  series: Array<{ name: string; points: ChartPoint[] }>;
  thresholds?: Array<{ y: number; label: string }>;
  markers?: Array<{ x: number; label: string }>;
  yUnit: string;
  title: string;
  width?: number;
  height?: number;
  /** Default 'auto': x above 1e11 is ms since the epoch, otherwise seconds. */
  xKind?: 'auto' | 'epoch-ms' | 'seconds';
}

export interface HistogramOptions {
  /** Upper bound (inclusive) of each bucket; Infinity or '+Inf' for the overflow bucket. */
  buckets: Array<{ le: number | string; count: number }>;
  title: string;
  unit: string;
  /** Counts are cumulative (Prometheus `_bucket`): they are turned into per-bucket counts. */
  cumulative?: boolean;
  width?: number;
  height?: number;
}

export const PALETTE = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
const MAX_POINTS = 2000;

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '∞' : v < 0 ? '-∞' : '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a === 0 || a >= 1) return `${+v.toPrecision(4)}`;
  return `${+v.toPrecision(3)}`;
}

/** Round tick values covering [min, max] (about `count` of them). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800];

function timeTicks(minS: number, maxS: number, count = 6): number[] {
  const step = TIME_STEPS_S.find((s) => (maxS - minS) / s <= count) ?? Math.ceil((maxS - minS) / count);
  const ticks: number[] = [];
  for (let t = Math.ceil(minS / step) * step; t <= maxS; t += step) ticks.push(t);
  return ticks;
}

function formatSeconds(s: number): string {
  if (s === 0) return '0';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  if (h) return m ? `${h}h${m}m` : `${h}h`;
  if (m) return sec ? `${m}m${sec}s` : `${m}m`;
  return `${+s.toPrecision(3)}s`;
}

function formatClock(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString(); // UTC: the report is read in many time zones
  if (spanMs > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return spanMs > 600_000 ? iso.slice(11, 16) : iso.slice(11, 19);
}

/** Keep long series drawable: per bucket keep the min and max, so spikes survive. */
function downsample(points: ChartPoint[]): ChartPoint[] {
  if (points.length <= MAX_POINTS) return points;
  const size = Math.ceil(points.length / (MAX_POINTS / 2));
  const out: ChartPoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const chunk = points.slice(i, i + size);
    const finite = chunk.filter((p) => Number.isFinite(p.y));
    if (!finite.length) {
      out.push({ x: chunk[0]!.x, y: NaN });
      continue;
    }
    const lo = finite.reduce((a, b) => (b.y < a.y ? b : a));
    const hi = finite.reduce((a, b) => (b.y > a.y ? b : a));
    out.push(...(lo.x <= hi.x ? [lo, hi] : [hi, lo]).filter((p, k, arr) => k === 0 || p !== arr[0]));
  }
  return out;
}

function frame(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">` +
    `<title>${esc(title)}</title>` +
    `<text x="8" y="16" class="chart-title" font-size="13" font-weight="600" fill="currentColor">${esc(title)}</text>` +
    body +
    '</svg>'
  );
}

function noData(width: number, height: number, title: string): string {
  return frame(width, height, title, `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12" fill="#6b7280">no data</text>`);
}

export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 640;
  const legendRows = opts.series.length > 1 ? 1 : 0;
  const height = opts.height ?? 240;
  const m = { left: 58, right: 16, top: 28 + legendRows * 16, bottom: 34 };
  const series = opts.series.map((s) => ({
    name: s.name,
    points: downsample(s.points.filter((p) => Number.isFinite(p.x)).sort((a, b) => a.x - b.x)),
  }));
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  if (!all.length) return noData(width, height, opts.title);

  const xs = all.map((p) => p.x).concat((opts.markers ?? []).map((k) => k.x).filter(Number.isFinite));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  const ys = all.map((p) => p.y).concat((opts.thresholds ?? []).map((t) => t.y).filter(Number.isFinite));
  const y0 = Math.min(0, ...ys);
  let y1 = Math.max(...ys);
  if (y1 === y0) y1 = y0 + 1;
  y1 += (y1 - y0) * 0.05;
  const yTicks = niceTicks(y0, y1);
  const last = yTicks[yTicks.length - 1] ?? y1;
  const step = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 0;
  if (step && last < y1) yTicks.push(+(last + step).toPrecision(12)); // top gridline above the data
  y1 = Math.max(y1, yTicks[yTicks.length - 1] ?? y1);

  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const sx = (x: number): number => +(m.left + ((x - x0) / (x1 - x0)) * pw).toFixed(1);
  const sy = (y: number): number => +(m.top + ph - ((y - y0) / (y1 - y0)) * ph).toFixed(1);

  const epoch = opts.xKind === 'epoch-ms' || (opts.xKind !== 'seconds' && x1 > 1e11);
  const xTicks = epoch ? timeTicks(x0 / 1000, x1 / 1000).map((t) => t * 1000) : timeTicks(x0, x1);
  const xLabel = (x: number): string => (epoch ? formatClock(x, x1 - x0) : formatSeconds(x));

  const parts: string[] = [];
  parts.push(`<g class="grid" stroke="#e5e7eb" stroke-width="1">`);
  for (const t of yTicks) parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(t)}" y2="${sy(t)}"/>`);
  parts.push('</g><g class="axis" font-size="10" fill="#6b7280">');
  for (const t of yTicks) parts.push(`<text x="${m.left - 4}" y="${sy(t) + 3}" text-anchor="end">${esc(formatNumber(t))}</text>`);
  for (const t of xTicks) parts.push(`<text x="${sx(t)}" y="${height - m.bottom + 14}" text-anchor="middle">${esc(xLabel(t))}</text>`);
  parts.push(`<text x="${m.left - 4}" y="${m.top - 6}" text-anchor="end">${esc(opts.yUnit)}</text>`);
  parts.push(`<text x="${width - m.right}" y="${height - 4}" text-anchor="end">${epoch ? 'time (UTC)' : 'elapsed'}</text>`);
  parts.push('</g>');
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#9ca3af"/>`);
  parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#9ca3af"/>`);

  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (!Number.isFinite(p.y)) {
        pen = false; // a missing sample is a gap, not a zero
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(p.x)} ${sy(p.y)}`;
      pen = true;
    }
    const finite = s.points.filter((p) => Number.isFinite(p.y));
    const dot = finite.length === 1 ? `<circle cx="${sx(finite[0]!.x)}" cy="${sy(finite[0]!.y)}" r="3" fill="${color}"/>` : '';
    parts.push(`<g class="series"><title>${esc(s.name)}</title><path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>${dot}</g>`);
  });

  for (const t of opts.thresholds ?? []) {
    if (!Number.isFinite(t.y)) continue;
    parts.push(
      `<g class="threshold"><line x1="${m.left}" x2="${width - m.right}" y1="${sy(t.y)}" y2="${sy(t.y)}" stroke="#dc2626" stroke-dasharray="5 3"/>` +
        `<text x="${width - m.right - 2}" y="${sy(t.y) - 3}" text-anchor="end" font-size="10" fill="#dc2626">${esc(t.label)}</text></g>`,
    );
  }
  for (const k of opts.markers ?? []) {
    if (!Number.isFinite(k.x)) continue;
    parts.push(
      `<g class="marker"><line x1="${sx(k.x)}" x2="${sx(k.x)}" y1="${m.top}" y2="${m.top + ph}" stroke="#6b7280" stroke-dasharray="2 2"/>` +
        `<text x="${sx(k.x) + 3}" y="${m.top + 10}" font-size="10" fill="#374151">${esc(k.label)}</text></g>`,
    );
  }
  if (legendRows) {
    let lx = m.left;
    series.forEach((s, i) => {
      parts.push(`<g class="legend"><rect x="${lx}" y="${m.top - 24}" width="10" height="3" fill="${PALETTE[i % PALETTE.length]}"/><text x="${lx + 14}" y="${m.top - 20}" font-size="10" fill="currentColor">${esc(s.name)}</text></g>`);
      lx += 24 + Math.min(s.name.length, 24) * 6;
    });
  }
  return frame(width, height, opts.title, parts.join(''));
}

function leValue(le: number | string): number {
  return typeof le === 'number' ? le : /^\+?inf/i.test(le.trim()) ? Infinity : Number(le);
}

export function histogram(opts: HistogramOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 220;
  const sorted = opts.buckets.map((b) => ({ le: leValue(b.le), count: b.count })).filter((b) => !Number.isNaN(b.le)).sort((a, b) => a.le - b.le);
  const buckets = opts.cumulative ? sorted.map((b, i) => ({ le: b.le, count: Math.max(0, b.count - (i ? sorted[i - 1]!.count : 0)) })) : sorted;
  if (!buckets.length) return noData(width, height, opts.title);
  const m = { left: 50, right: 12, top: 28, bottom: 34 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const max = Math.max(1, ...buckets.map((b) => (Number.isFinite(b.count) ? b.count : 0)));
  const slot = pw / buckets.length;
  const labelEvery = Math.ceil(buckets.length / Math.max(1, Math.floor(pw / 48)));
  const total = buckets.reduce((n, b) => n + (Number.isFinite(b.count) ? b.count : 0), 0);
  const parts: string[] = [];
  for (const t of niceTicks(0, max, 4)) {
    const y = +(m.top + ph - (t / max) * ph).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/><text x="${m.left - 4}" y="${y + 3}" text-anchor="end" font-size="10" fill="#6b7280">${esc(formatNumber(t))}</text>`);
  }
  buckets.forEach((b, i) => {
    const count = Number.isFinite(b.count) ? b.count : 0;
    const h = +((count / max) * ph).toFixed(1);
    const x = +(m.left + i * slot + slot * 0.1).toFixed(1);
    const label = `≤ ${formatNumber(b.le)}${Number.isFinite(b.le) ? ` ${opts.unit}` : ''}`;
    const share = total ? ` (${((count / total) * 100).toFixed(1)}%)` : '';
    parts.push(`<rect x="${x}" y="${+(m.top + ph - h).toFixed(1)}" width="${+(slot * 0.8).toFixed(1)}" height="${h}" fill="${PALETTE[0]}"><title>${esc(`${label}: ${count}${share}`)}</title></rect>`);
    if (i % labelEvery === 0) {
      parts.push(`<text x="${+(m.left + i * slot + slot / 2).toFixed(1)}" y="${height - m.bottom + 14}" text-anchor="middle" font-size="10" fill="#6b7280">${esc(formatNumber(b.le))}</text>`);
    }
  });
  parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#9ca3af"/>`);
  parts.push(`<text x="${width - m.right}" y="${height - 4}" text-anchor="end" font-size="10" fill="#6b7280">${esc(`upper bound (${opts.unit})`)}</text>`);
  return frame(width, height, opts.title, parts.join(''));
}
