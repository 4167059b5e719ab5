import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CASES, hostileReport, report, rollbackReport, warningsReport } from './_fixtures.ts';
import { buildJunitXml, xmlEscape } from './junit.ts';

interface Case {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  failure?: { '@_message': string; '#text'?: string };
  error?: { '@_message': string };
  skipped?: { '@_message': string };
  flakyFailure?: { '@_message': string };
  properties: { property: Array<{ '@_name': string; '@_value': string }> };
  'system-out'?: string;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  testcase?: Case[];
}

const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

function parse(xml: string): Suite[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as { testsuites: { testsuite: Suite[] } };
  return doc.testsuites.testsuite;
}

const prop = (c: Case, name: string): string | undefined => c.properties.property.find((p) => p['@_name'] === name)?.['@_value'];

describe('buildJunitXml', () => {
  it.each(CASES)('is well-formed XML that parses back: %s', (_n, r) => {
    const suites = parse(buildJunitXml(r));
    const cases = suites.flatMap((s) => s.testcase ?? []);
    expect(cases).toHaveLength(r.checks.length);
  });

  it('has a testsuite per stage and a testcase per check (classname stage, name title, time in s)', () => {
    const suites = parse(buildJunitXml(report()));
    expect(suites.map((s) => s['@_name'])).toEqual(['smoke', 'uat']);
    const login = suites[1]!.testcase![0]!;
    expect(login['@_classname']).toBe('uat');
    expect(login['@_name']).toBe('Editor logs in');
    expect(login['@_time']).toBe('2.300');
  });

  it('marks failures, errors and skipped stages', () => {
    const suites = parse(buildJunitXml(rollbackReport));
    const smoke = suites.find((s) => s['@_name'] === 'smoke')!;
    expect(smoke['@_failures']).toBe('2');
    const health = smoke.testcase!.find((c) => prop(c, 'id') === 'smoke.health')!;
    expect(health.failure?.['@_message']).toBe('GET /health → 503 {"status":"down"}');
    expect(health.failure?.['#text']).toContain('evidence: screenshot → smoke/health.png');
    expect(prop(health, 'attempts')).toBe('3');
    const uat = suites.find((s) => s['@_name'] === 'uat')!;
    expect(uat['@_tests']).toBe('0');
  });

  it('reports flaky checks as passed testcases with attempts, a flaky property and a flakyFailure note', () => {
    const suites = parse(buildJunitXml(warningsReport));
    const upload = suites.flatMap((s) => s.testcase ?? []).find((c) => prop(c, 'id') === 'uat.upload')!;
    expect(upload.failure).toBeUndefined();
    expect(upload.error).toBeUndefined();
    expect(prop(upload, 'flaky')).toBe('true');
    expect(prop(upload, 'attempts')).toBe('2');
    expect(upload.flakyFailure?.['@_message']).toMatch(/passed after 2 attempts/);
    expect(upload['system-out']).toMatch(/flaky: passed on a retry after 1 failed attempt/);
  });

  it('reports quarantined and dry-run failures as skipped (they do not move the verdict)', () => {
    const cases = parse(buildJunitXml(warningsReport)).flatMap((s) => s.testcase ?? []);
    const render = cases.find((c) => prop(c, 'id') === 'uat.render')!;
    expect(render.failure).toBeUndefined();
    expect(render.skipped?.['@_message']).toMatch(/^quarantined: failed: render stuck/);
    const p99 = cases.find((c) => prop(c, 'id') === 'load.p99')!;
    expect(p99.skipped?.['@_message']).toMatch(/^dry-run: failed/);
    expect(cases.find((c) => prop(c, 'id') === 'security.headers')!.failure).toBeDefined();
  });

  it('escapes hostile values and strips characters XML cannot hold', () => {
    const xml = buildJunitXml(hostileReport);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('\u0001');
    const c = parse(xml)[0]!.testcase![0]!;
    expect(c['@_name']).toBe('Home <b>renders</b> & "quotes"');
    expect(xmlEscape('a<b>&"\'')).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });
});
