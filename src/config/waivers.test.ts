import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.ts';
import { formatZodIssues } from './load.ts';

// Issue 13: one wildcard must not waive the policy. A quarantine or override
// glob whose first segment is not a literal stage name needs `allowWide: true`.
const env = { staging: { baseUrl: 'http://x.test' } };
const q = (checkId: string, extra: object = {}) => ({ quarantine: [{ checkId, owner: 'qa', expires: '2999-01-01', ...extra }] });
const o = (match: string, extra: object = {}) => ({ policy: { overrides: [{ match, dryRun: true, ...extra }] } });

describe('waiver globs in the config', () => {
  it.each([
    ['quarantine *', q('*'), 'quarantine.0.checkId'],
    ['quarantine *.*', q('*.*'), 'quarantine.0.checkId'],
    ['quarantine **', q('**'), 'quarantine.0.checkId'],
    ['quarantine *.health', q('*.health'), 'quarantine.0.checkId'],
    ['quarantine smoke* (first segment not literal)', q('smoke*'), 'quarantine.0.checkId'],
    ['override *', o('*'), 'policy.overrides.0.match'],
    ['override *.*', o('*.*'), 'policy.overrides.0.match'],
    ['override s*.x', o('s*.x'), 'policy.overrides.0.match'],
  ])('refuses %s, naming the field', (_name, body, field) => {
    const r = configSchema.safeParse({ environments: env, ...body });
    expect(r.success).toBe(false);
    const text = formatZodIssues(r.error!, 'pdv.config.ts');
    expect(text).toContain(`pdv.config.ts: ${field}:`);
    expect(text).toMatch(/wider than one stage.*allowWide: true/);
  });

  it.each([
    ['quarantine within one stage', q('uat.render.*')],
    ['quarantine of the whole of one stage', q('smoke.*')],
    ['quarantine of soak checks', q('soak.drift.*')],
    ['quarantine of one exact id', q('security.headers.csp')],
    ['override within one stage', o('security.headers.*')],
    ['quarantine * with allowWide', q('*', { allowWide: true })],
    ['override *.* with allowWide', o('*.*', { allowWide: true })],
  ])('accepts %s', (_name, body) => {
    const r = configSchema.safeParse({ environments: env, ...body });
    expect(r.error?.issues).toBeUndefined();
  });
});
