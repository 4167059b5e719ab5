import { createHash } from 'node:crypto';
import type { VerdictReport } from '../../core/types.ts';
import { VERDICT_LABEL } from '../format.ts';
import { checksTable } from './checks.ts';
import { checklistSection, decisionSection } from './decision.ts';
import { esc } from './escape.ts';
import { extrasSections, type SectionRenderer } from './section.ts';
import { CSS } from './style.ts';
import { SCRIPT } from './script.ts';
import { actionsSection, alarm, artifactsSection, banner, reasonsSection, recordAlert, warningsSection } from './summary.ts';
import { timelineSvg } from './timeline.ts';

export const HTML_FILE = 'index.html';

// The CSP forbids every fetch; only our own script (by hash) runs, so even
// an escaping bug could not execute a target's <script>.
function csp(): string {
  const hash = createHash('sha256').update(SCRIPT).digest('base64');
  return `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: file:; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
}

/** index.html: one self-contained page (inline CSS, JS and SVG; opens offline). */
export function buildHtml(report: VerdictReport, registry: Readonly<Record<string, SectionRenderer>> = {}): string {
  const title = `pdv ${VERDICT_LABEL[report.verdict]}${report.partial ? ' (partial)' : ''} — ${report.target.environment} — ${report.runId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${esc(csp())}">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${alarm(report)}
${recordAlert(report)}
${banner(report)}
<main>
${decisionSection(report)}
${reasonsSection(report)}
${warningsSection(report)}
${actionsSection(report)}
${checklistSection(report)}
<section id="timeline"><h2>Stages</h2>${timelineSvg(report)}</section>
<section id="checks-section"><h2>Checks</h2>${checksTable(report)}</section>
${extrasSections(report, registry)}
${artifactsSection(report)}
<footer class="muted"><p>pdv verdict schema v${esc(report.schemaVersion)} · finished ${esc(report.finishedAt)} · <a href="verdict.json">verdict.json</a> · <a href="summary.md">summary.md</a> · <a href="junit.xml">junit.xml</a></p></footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
