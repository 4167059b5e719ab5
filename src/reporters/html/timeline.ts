import type { StageStatus, VerdictReport } from '../../core/types.ts';
import { formatDuration } from '../format.ts';
import { esc } from './escape.ts';

const STATUS_COLOR: Record<StageStatus, string> = {
  passed: '#16a34a',
  failed: '#dc2626',
  errored: '#dc2626',
  timedout: '#d97706',
  interrupted: '#d97706',
  skipped: '#9ca3af',
};

export interface TimelineBar {
  name: string;
  status: StageStatus;
  offsetMs: number;
  durationMs: number;
}

/** Stage bars from their start offsets; a stage without startedAt follows the previous one. */
export function timelineBars(report: VerdictReport): TimelineBar[] {
  const t0 = Date.parse(report.startedAt);
  let cursor = 0;
  return report.stages.map((s) => {
    const started = s.startedAt ? Date.parse(s.startedAt) : NaN;
    const offsetMs = Number.isFinite(started) && Number.isFinite(t0) ? Math.max(0, started - t0) : cursor;
    const durationMs = Math.max(0, s.durationMs);
    cursor = Math.max(cursor, offsetMs + durationMs);
    return { name: s.name, status: s.status, offsetMs, durationMs };
  });
}

export function timelineSvg(report: VerdictReport, width = 900): string {
  const bars = timelineBars(report);
  if (!bars.length) return '<p class="muted">No stages ran.</p>';
  const row = 24;
  const label = 110;
  const right = 90;
  const height = bars.length * row + 28;
  const span = Math.max(1, report.durationMs, ...bars.map((b) => b.offsetMs + b.durationMs));
  const pw = width - label - right;
  const sx = (ms: number): number => +(label + (ms / span) * pw).toFixed(1);
  const parts: string[] = [];
  bars.forEach((b, i) => {
    const y = 8 + i * row;
    const w = Math.max(2, sx(b.offsetMs + b.durationMs) - sx(b.offsetMs));
    const tip = `${b.name}: ${b.status}, starts at +${formatDuration(b.offsetMs)}, lasts ${formatDuration(b.durationMs)}`;
    parts.push(
      `<g class="stage-bar" data-stage="${esc(b.name)}"><title>${esc(tip)}</title>` +
        `<text x="${label - 6}" y="${y + 14}" text-anchor="end" font-size="12" fill="currentColor">${esc(b.name)}</text>` +
        `<rect x="${sx(b.offsetMs)}" y="${y + 3}" width="${+w.toFixed(1)}" height="${row - 8}" rx="2" fill="${STATUS_COLOR[b.status] ?? '#6b7280'}"/>` +
        `<text x="${+(sx(b.offsetMs) + w + 4).toFixed(1)}" y="${y + 14}" font-size="11" fill="#374151">${esc(`${formatDuration(b.durationMs)} ${b.status}`)}</text></g>`,
    );
  });
  const axisY = height - 12;
  parts.push(`<line x1="${label}" x2="${label + pw}" y1="${axisY - 8}" y2="${axisY - 8}" stroke="#9ca3af"/>`);
  parts.push(`<text x="${label}" y="${axisY + 4}" font-size="10" fill="#6b7280">0</text>`);
  parts.push(`<text x="${label + pw}" y="${axisY + 4}" font-size="10" fill="#6b7280" text-anchor="end">${esc(formatDuration(span))}</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="stage timeline">` +
    `<title>stage timeline</title>${parts.join('')}</svg>`
  );
}
