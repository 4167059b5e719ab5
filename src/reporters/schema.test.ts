import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES, report } from './_fixtures.ts';
import { buildVerdictJson } from './json.ts';
import { standaloneVerdictValidator, validateVerdict } from './schema.ts';

describe('verdict.json schema', () => {
  it.each(CASES)('accepts the builder output: %s', (_name, r) => {
    const parsed: unknown = JSON.parse(buildVerdictJson(r));
    expect(validateVerdict(parsed)).toEqual({ ok: true });
  });

  it('is a draft 2020-12 schema file in the repo', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schema/verdict.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  const broken: Array<[string, (o: Record<string, unknown>) => void, RegExp]> = [
    ['missing verdict', (o) => delete o.verdict, /must have required property 'verdict'/],
    ['unknown verdict', (o) => (o.verdict = 'ship-it'), /\/verdict must be one of "stand", "rollback", "hold"/],
    ['bad check status', (o) => ((o.checks as Array<Record<string, unknown>>)[0]!.status = 'green'), /\/checks\/0\/status must be one of/],
    ['bad severity in a reason', (o) => (o.reasons = [{ checkId: 'x.y', stage: 'x', severity: 'blocker', status: 'failed', message: 'm', effect: 'rollback' }]), /\/reasons\/0\/severity/],
    ['startedAt not a date-time', (o) => (o.startedAt = 'yesterday'), /\/startedAt must match format "date-time"/],
    ['partial not boolean', (o) => (o.partial = 'no'), /\/partial must be boolean/],
    ['stage without durationMs', (o) => delete (o.stages as Array<Record<string, unknown>>)[0]!.durationMs, /\/stages\/0 must have required property 'durationMs'/],
    ['target without baseUrl', (o) => delete (o.target as Record<string, unknown>).baseUrl, /\/target must have required property 'baseUrl'/],
    ['negative attempts', (o) => ((o.checks as Array<Record<string, unknown>>)[0]!.attempts = -1), /\/checks\/0\/attempts must be >= 0/],
    ['counts missing errored', (o) => delete (o.counts as Record<string, unknown>).errored, /\/counts must have required property 'errored'/],
    ['evidence without label', (o) => ((o.checks as Array<Record<string, unknown>>)[0]!.evidence = [{ kind: 'file' }]), /\/checks\/0\/evidence\/0 must have required property 'label'/],
  ];

  it.each(broken)('rejects %s', (_name, mutate, error) => {
    const obj = JSON.parse(JSON.stringify(report())) as Record<string, unknown>;
    mutate(obj);
    const result = validateVerdict(obj);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(error);
  });

  it('keeps extras open and tolerates fields added later', () => {
    const obj = JSON.parse(JSON.stringify(report({ extras: { anything: { deep: [1, 'two', null] } } }))) as Record<string, unknown>;
    obj.someFutureField = 1;
    expect(validateVerdict(obj)).toEqual({ ok: true });
  });

  it('buildVerdictJson throws on a report that does not validate (a bug upstream)', () => {
    const bad = { ...report(), verdict: 'maybe' } as unknown as ReturnType<typeof report>;
    expect(() => buildVerdictJson(bad)).toThrow(/verdict.json does not match.*\/verdict must be one of/);
  });

  it("the build's precompiled validator (ajv standalone code) accepts and rejects what the runtime one does", () => {
    // Written beside this file, so its require()s of ajv's runtime and ajv-formats resolve as they do in dist/.
    const dir = mkdtempSync(join(import.meta.dirname, '.standalone-'));
    try {
      const file = join(dir, 'verdict-validator.cjs');
      writeFileSync(file, standaloneVerdictValidator());
      const validate = createRequire(import.meta.url)(file) as ((o: unknown) => boolean) & { errors?: unknown[] };
      for (const [, r] of CASES) expect(validate(JSON.parse(buildVerdictJson(r)))).toBe(true);
      for (const [name, mutate] of broken) {
        const obj = JSON.parse(JSON.stringify(report())) as Record<string, unknown>;
        mutate(obj);
        expect(validate(obj), name).toBe(false);
        expect(validate.errors?.length, name).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
