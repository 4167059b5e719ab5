import { esc, raw } from '../../reporters/html/escape.ts';
import { dataTable, facts, statusBadge } from '../../reporters/html/kit.ts';
import type { SectionRenderer } from '../../reporters/html/section.ts';
import type { TlsSummary } from './checks/tls.ts';
import type { PostureComparison } from './posture.ts';

// The security stage's extra: Observatory grade and per-test table per site,
// TLS facts, imported scanner reports.

interface Test {
  name: string;
  result: string;
  pass: boolean;
  modifier: number;
  seen: string | null;
}
interface Grade {
  site: string;
  url: string;
  score: number;
  grade: string;
  minimumGrade: string;
  tests: Test[];
}
type Tls = TlsSummary;
interface SecurityExtra {
  grades?: Grade[];
  tls?: Tls[];
  imports?: Array<{ file: string; format: string; tool: string; findings: number; ignored: number }>;
  regression?: PostureComparison;
  requests?: number;
  maxRequests?: number;
}

const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'];
const offered = (v: boolean | null): string => (v === null ? 'unknown' : v ? 'offered' : 'not offered');

/** The posture against the last stood run: its id, what was lost, gained and kept. */
function postureSection(c: PostureComparison | undefined): string {
  if (!c) return '';
  const head = '<h3>Posture against the last stood run</h3>';
  if (!c.lastRunId) return `${head}<p class="muted">No earlier stood run: reported, not judged. This run's posture is kept if it stands.</p>`;
  const lost = c.lost.length + c.gradeDrops.length;
  const parts = [head, facts([['compared with run', c.lastRunId], ['lost', lost], ['gained', c.gained?.length ?? 0], ['unchanged', c.unchanged ?? 0]])];
  if (lost) {
    parts.push(
      dataTable(
        ['lost', 'then', 'now'],
        [...c.lost.map((l) => [l.id.replace(/^security\./, ''), l.then, l.now]), ...c.gradeDrops.map((g) => [`grade of ${g.site}`, g.then, g.now])],
      ),
    );
  }
  if (c.gained?.length) parts.push(`<p class="muted">Gained: ${esc(c.gained.map((id) => id.replace(/^security\./, '')).join(', '))}.</p>`);
  return parts.join('\n');
}

export const securitySection: SectionRenderer = {
  title: 'Security',
  render(value) {
    const v = (value ?? {}) as SecurityExtra;
    const parts: string[] = [];
    for (const g of v.grades ?? []) {
      const below = GRADES.indexOf(g.grade) > GRADES.indexOf(g.minimumGrade);
      parts.push(`<h3>Headers and cookies — ${esc(g.site)}</h3>`);
      parts.push(facts([['URL', g.url], ['grade', g.grade], ['score', g.score], ['minimum', g.minimumGrade], ['outcome', below ? 'below the minimum' : 'meets the minimum']]));
      parts.push(
        dataTable(
          ['test', 'result', 'modifier', 'status', 'seen'],
          g.tests.map((t) => [t.name, t.result, t.modifier, raw(statusBadge(t.pass ? 'passed' : 'failed')), t.seen ?? 'not sent']),
        ),
      );
    }
    for (const t of v.tls ?? []) {
      parts.push(`<h3>TLS — ${esc(t.site)}</h3>`);
      parts.push(facts([['URL', t.url], ['subject', t.subject], ['issuer', t.issuer], ['valid until', t.validTo], ['days left', t.daysLeft], ...Object.entries(t.protocols).map(([p, o]) => [p, offered(o)] as const)]));
    }
    const posture = postureSection(v.regression);
    if (posture) parts.push(posture);
    if (v.imports?.length) {
      parts.push('<h3>Imported scanner reports</h3>');
      parts.push(dataTable(['file', 'format', 'tool', 'findings', 'ignored'], v.imports.map((i) => [i.file, i.format, i.tool, i.findings, i.ignored])));
    }
    if (v.requests !== undefined) parts.push(`<p class="muted">${esc(v.requests)} requests sent (cap ${esc(v.maxRequests ?? '–')}).</p>`);
    return parts.join('\n') || '<p class="muted">No security data.</p>';
  },
};
