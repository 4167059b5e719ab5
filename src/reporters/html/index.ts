import type { Reporter } from '../types.ts';
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

export function htmlReporter(): Reporter {
  return {
    name: 'html',
    async write(report, ctx) {
      return [await ctx.writeText(HTML_FILE, buildHtml(report))];
    },
    async unrecorded(report, why, ctx) {
      return [await ctx.writeText(HTML_FILE, buildUnrecordedHtml(report.runId, why))];
    },
  };
}
