import type { CheckResult, VerdictReport } from '../core/types.ts';
import { isExcused, recordWarningLines, VERDICT_LABEL } from './format.ts';
import type { Reporter } from './types.ts';
import { UNRECORDED_TITLE, unrecordedSentence } from './unrecorded.ts';

export const JUNIT_FILE = 'junit.xml';

// JUnit XML as CI servers read it (Jenkins / Surefire flavour): a testsuite
// per stage, a testcase per check. Flaky checks are passed testcases with a
// Surefire <flakyFailure> and properties; dry-run and quarantined checks that
// did not pass are <skipped> so CI agrees with the verdict they did not move.

// XML 1.0 forbids most control characters and lone surrogates even when escaped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlEscape(value: unknown): string {
  return String(value ?? '')
    .replace(INVALID_XML, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** Attribute values also keep their line breaks (a raw newline in an attribute is normalised away). */
function attr(value: unknown): string {
  return xmlEscape(value).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function property(name: string, value: unknown): string {
  return `<property name="${attr(name)}" value="${attr(value)}"/>`;
}

function details(c: CheckResult): string {
  const lines = [c.message ?? `${c.status}`];
  if (c.observed !== undefined && c.observed !== null) {
    lines.push(`observed: ${String(c.observed)}${c.unit ? ` ${c.unit}` : ''}${c.limit !== undefined && c.limit !== null ? ` (limit ${String(c.limit)})` : ''}`);
  }
  for (const e of c.evidence) {
    const where = e.path ?? e.url ?? '';
    lines.push(`evidence: ${e.label}${where ? ` → ${where}` : ''}`);
  }
  return lines.join('\n');
}

function testcase(c: CheckResult): string[] {
  const out = [`    <testcase classname="${attr(c.stage)}" name="${attr(c.title)}" time="${seconds(c.durationMs)}">`];
  const props = [property('id', c.id), property('severity', c.severity), property('status', c.status), property('attempts', c.attempts)];
  if (c.onFail) props.push(property('onFail', c.onFail));
  if (c.status === 'flaky') props.push(property('flaky', true));
  if (c.dryRun) props.push(property('dryRun', true));
  if (c.quarantine) props.push(property('quarantined', `${c.quarantine.owner} until ${c.quarantine.expires}`));
  for (const tag of c.tags ?? []) props.push(property('tag', tag));
  out.push('      <properties>', ...props.map((p) => `        ${p}`), '      </properties>');

  const message = c.message ?? c.status;
  if (isExcused(c) && c.status !== 'passed' && c.status !== 'flaky') {
    const why = c.dryRun ? 'dry-run' : 'quarantined';
    out.push(`      <skipped message="${attr(`${why}: ${c.status}: ${message}`)}"/>`);
  } else if (c.status === 'failed') {
    out.push(`      <failure message="${attr(message)}" type="${attr(c.severity)}">${xmlEscape(details(c))}</failure>`);
  } else if (c.status === 'errored') {
    out.push(`      <error message="${attr(message)}" type="errored">${xmlEscape(details(c))}</error>`);
  } else if (c.status === 'skipped') {
    out.push(`      <skipped message="${attr(message)}"/>`);
  } else if (c.status === 'flaky') {
    out.push(`      <flakyFailure message="${attr(`flaky: passed after ${c.attempts} attempts`)}" type="flaky"/>`);
  }
  const sysout = [`attempts: ${c.attempts}`];
  if (c.status === 'flaky') sysout.push(`flaky: passed on a retry after ${c.attempts - 1} failed attempt(s)`);
  if (c.status !== 'failed' && c.status !== 'errored') sysout.push(details(c));
  out.push(`      <system-out>${xmlEscape(sysout.join('\n'))}</system-out>`);
  out.push('    </testcase>');
  return out;
}

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
}

function tally(checks: readonly CheckResult[]): Tally {
  const t: Tally = { tests: checks.length, failures: 0, errors: 0, skipped: 0, time: 0 };
  for (const c of checks) {
    t.time += c.durationMs;
    if (isExcused(c) && c.status !== 'passed' && c.status !== 'flaky') t.skipped++;
    else if (c.status === 'failed') t.failures++;
    else if (c.status === 'errored') t.errors++;
    else if (c.status === 'skipped') t.skipped++;
  }
  return t;
}

function counts(t: Tally, time: number): string {
  return `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(time)}"`;
}

export function buildJunitXml(report: VerdictReport): string {
  // Stages in report order, then any stage only known from its checks.
  const names = [...report.stages.map((s) => s.name)];
  for (const c of report.checks) if (!names.includes(c.stage)) names.push(c.stage);

  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = tally(report.checks);
  const runName = `pdv ${report.target.environment} ${VERDICT_LABEL[report.verdict]}${report.partial ? ' (partial)' : ''}`;
  out.push(`<testsuites name="${attr(runName)}" ${counts(all, report.durationMs)} timestamp="${attr(report.startedAt)}">`);
  for (const name of names) {
    const stage = report.stages.find((s) => s.name === name);
    const checks = report.checks.filter((c) => c.stage === name);
    const t = tally(checks);
    const ts = stage?.startedAt ?? report.startedAt;
    out.push(`  <testsuite name="${attr(name)}" ${counts(t, stage?.durationMs ?? t.time)} timestamp="${attr(ts)}">`);
    const props = [
      property('pdv.verdict', report.verdict),
      property('pdv.partial', report.partial),
      property('pdv.runId', report.runId),
      property('pdv.environment', report.target.environment),
      property('pdv.baseUrl', report.target.baseUrl),
    ];
    if (report.target.expectedVersion) props.push(property('pdv.expectedVersion', report.target.expectedVersion));
    if (report.target.observedVersion) props.push(property('pdv.observedVersion', report.target.observedVersion));
    if (stage) props.push(property('pdv.stageStatus', stage.status));
    if (stage?.message) props.push(property('pdv.stageMessage', stage.message));
    for (const line of recordWarningLines(report)) props.push(property('pdv.recordWarning', line));
    out.push('    <properties>', ...props.map((p) => `      ${p}`), '    </properties>');
    for (const c of checks) out.push(...testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/** junit.xml when verdict.json could not be written: one failed testcase, so CI does not go green. */
export function buildUnrecordedJunit(runId: string, why: string): string {
  const sentence = unrecordedSentence(why);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pdv ${attr(runId)}" tests="1" failures="1" errors="0" skipped="0">`,
    '  <testsuite name="pdv" tests="1" failures="1" errors="0" skipped="0">',
    '    <testcase classname="pdv" name="verdict recorded" time="0.000">',
    `      <failure message="${attr(sentence)}" type="unrecorded">${xmlEscape(`${UNRECORDED_TITLE}: ${sentence}`)}</failure>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function junitReporter(): Reporter {
  return {
    name: 'junit',
    async write(report, ctx) {
      return [await ctx.writeText(JUNIT_FILE, buildJunitXml(report))];
    },
    async unrecorded(report, why, ctx) {
      return [await ctx.writeText(JUNIT_FILE, buildUnrecordedJunit(report.runId, why))];
    },
  };
}
