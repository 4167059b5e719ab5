import type { Reporter, StageReportParts } from '../types.ts';
import type { SectionRenderer } from './section.ts';
import { soakSection } from './soak-section.ts';
import { UNRECORDED_EVENTS_NOTE, UNRECORDED_TITLE, unrecordedSentence } from '../unrecorded.ts';
import { html } from './escape.ts';
import { buildHtml, HTML_FILE } from './page.ts';

export { buildHtml, HTML_FILE } from './page.ts';

/** index.html when verdict.json could not be written: no verdict claimed. */
export function buildUnrecordedHtml(runId: string, why: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${UNRECORDED_TITLE}</title></head>
<body>
<h1>${UNRECORDED_TITLE}</h1>
<p>Run <code>${runId}</code>: ${unrecordedSentence(why)}</p>
<p>${UNRECORDED_EVENTS_NOTE}</p>
</body></html>
`;
}

/** index.html; each stage's extras get the stage's own section (soak's is built in: soak is not a stage). */
export function htmlReporter(stages: readonly StageReportParts[] = []): Reporter {
  const sections: Record<string, SectionRenderer> = { soak: soakSection };
  for (const s of stages) if (s.section) sections[s.stage] = s.section;
  return {
    name: 'html',
    async write(report, ctx) {
      return [await ctx.writeText(HTML_FILE, buildHtml(report, sections))];
    },
    async unrecorded(report, why, ctx) {
      return [await ctx.writeText(HTML_FILE, buildUnrecordedHtml(report.runId, why))];
    },
  };
}
