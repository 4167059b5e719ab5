import { esc, Raw } from './escape.ts';

// Small building blocks for section renderers (load, metrics, soak, security,
// dr), so every section looks alike and every value is escaped.

/** A table; cells are escaped unless wrapped in raw(). Numbers are right-aligned. */
export function dataTable(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cell = (v: unknown): string =>
    v instanceof Raw ? `<td>${v.value}</td>` : typeof v === 'number' ? `<td class="num">${esc(Number.isFinite(v) ? +v.toPrecision(6) : '–')}</td>` : `<td>${esc(v ?? '')}</td>`;
  return (
    `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** Label/value pairs as a definition list (like the banner's facts, on a light background). */
export function facts(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  return `<dl class="facts kit">${pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v instanceof Raw ? v.value : esc(v)}</dd></div>`)
    .join('')}</dl>`;
}

/** A status word coloured like the check table (passed, failed, errored, flaky, skipped). */
export function statusBadge(status: string): string {
  return `<span class="status ${esc(status.replace(/[^a-z-]/gi, ''))}">${esc(status)}</span>`;
}
