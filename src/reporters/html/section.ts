import type { VerdictReport } from '../../core/types.ts';
import { errorMessage } from '../../core/errors.ts';
import { domId, esc } from './escape.ts';

// One HTML section per entry of `report.extras` (key = the stage that emitted
// it). Each stage brings its renderer (StageDefinition.report); a key without
// one is shown as collapsed, pretty JSON. A renderer that throws falls back to JSON:
// one broken section never sinks the page.

export interface SectionContext {
  report: VerdictReport;
  key: string;
}

export interface SectionRenderer {
  /** Section heading. */
  title: string;
  /** HTML for the section body; escape every value (see ../escape.ts, charts in ../charts.ts). */
  render(value: unknown, ctx: SectionContext): string;
}


const MAX_JSON = 50_000;

export function jsonBlock(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length > MAX_JSON) text = `${text.slice(0, MAX_JSON)}\n… (${text.length - MAX_JSON} more characters)`;
  return `<pre>${esc(text)}</pre>`;
}

export function renderExtraSection(
  key: string,
  value: unknown,
  report: VerdictReport,
  registry: Readonly<Record<string, SectionRenderer>>,
): string {
  const id = domId('extra', key);
  const renderer = Object.hasOwn(registry, key) ? registry[key] : undefined;
  if (renderer) {
    try {
      const body = renderer.render(value, { report, key });
      return `<section id="${esc(id)}" class="extra" data-extra="${esc(key)}"><h2>${esc(renderer.title)}</h2>${body}</section>`;
    } catch (err) {
      return (
        `<section id="${esc(id)}" class="extra" data-extra="${esc(key)}"><h2>${esc(renderer.title)}</h2>` +
        `<p class="muted">This section could not be drawn (${esc(errorMessage(err))}); the raw data follows.</p>` +
        `<details><summary>${esc(key)} (JSON)</summary>${jsonBlock(value)}</details></section>`
      );
    }
  }
  return `<section id="${esc(id)}" class="extra" data-extra="${esc(key)}"><h2>${esc(key)}</h2><details><summary>${esc(key)} (JSON)</summary>${jsonBlock(value)}</details></section>`;
}

export function extrasSections(report: VerdictReport, registry: Readonly<Record<string, SectionRenderer>>): string {
  return Object.entries(report.extras)
    .map(([key, value]) => renderExtraSection(key, value, report, registry))
    .join('\n');
}
