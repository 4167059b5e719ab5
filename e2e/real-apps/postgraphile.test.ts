import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../helpers/examples.ts';
import { skipWithoutPostgres } from '../helpers/postgres.ts';
import { startForum, type TestForum } from '../helpers/postgraphile.ts';
import { findSecrets, JWT_PATTERN } from '../helpers/scan-secrets.ts';
import { check, Runs, seriousFailures, summary, type Run } from '../helpers/verify-run.ts';

// Proof on a real GraphQL API whose access rules live in the database:
// PostGraphile 4 (devDependency) over Debian's PostgreSQL, with the schema of
// examples/postgraphile/ (database roles, pgcrypto password hashes, a JWT
// `authenticate` mutation). pdv signs in through the example's own login
// module (`auth.type: 'module'`). One database and one API for the whole file;
// each variant is one change: an env var, the login module, a GRANT.

const CONFIG = join(EXAMPLES, 'postgraphile', 'pdv.config.ts');
const PASSWORDS = { person: `pg-person-canary-${process.pid}-Jr4`, admin: `pg-admin-canary-${process.pid}-Tz8` };
const ENV = { FORUM_PERSON_PASSWORD: PASSWORDS.person, FORUM_ADMIN_PASSWORD: PASSWORDS.admin };

const runs = new Runs();
afterAll(() => runs.cleanup());

/** No password, and no JWT the API issued (pattern: the test cannot know them), in any file of the run folder. */
async function expectNoSecrets(r: Run, extra: string[] = []): Promise<void> {
  const { hits, filesScanned } = await findSecrets(r.out, [...Object.values(PASSWORDS), ...extra], [JWT_PATTERN]);
  expect(filesScanned).toBeGreaterThan(3);
  expect(hits).toEqual([]);
}

describe.skipIf(skipWithoutPostgres())('real app: PostGraphile 4, a GraphQL login mutation through a login module, database roles', () => {
  let forum: TestForum;
  beforeAll(async () => {
    forum = await startForum({ passwords: PASSWORDS });
  }, 90_000);
  afterAll(() => forum?.stop());

  it('healthy → stand (exit 0): both roles signed in with a JWT, each acts as its database role, nothing secret written', async () => {
    const before = forum.operations().length;
    const r = await runs.verify(CONFIG, ['--base-url', forum.url, '--expect-version', 'dev'], ENV);
    expect(summary(r), r.output).toEqual({ code: 0, verdict: 'stand', top: undefined });
    for (const id of [
      'smoke.readiness',
      'smoke.version',
      'smoke.login.person',
      'smoke.login.admin',
      'smoke.announcements',
      'smoke.person-whoami',
      'smoke.admin-whoami',
      'smoke.person-removes-announcements',
      'smoke.admin-removes-announcements',
      'security.access.anonymous-creates-announcements',
      'security.access.anonymous-removes-announcements',
    ]) {
      expect([id, check(r, id).status]).toEqual([id, 'passed']);
    }
    // One sign-in per role for the whole run (the module's named `Authenticate` mutation), then the
    // verify query and the five checks.
    const ops = forum.operations().slice(before);
    expect(ops.filter((o) => o === 'Authenticate')).toEqual(['Authenticate', 'Authenticate']);
    expect(ops.length).toBeGreaterThanOrEqual(2 + 2 + 5);
    expect((await forum.pg.query<{ n: string }>('select count(*)::text as n from forum.announcement', [], 'forum'))[0]?.n).toBe('1');
    await expectNoSecrets(r);
  });

  it("the person's password wrong → rollback (exit 1) naming smoke.login.person, with the API's own refusal", async () => {
    const wrong = `pg-wrong-canary-${process.pid}-Mw1`;
    const r = await runs.verify(CONFIG, ['--base-url', forum.url], { ...ENV, FORUM_PERSON_PASSWORD: wrong });
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'smoke.login.person' });
    const person = check(r, 'smoke.login.person');
    expect(person.status).toBe('failed');
    expect(person.message).toContain('Incorrect email or password');
    expect(check(r, 'smoke.login.admin').status).toBe('passed');
    await expectNoSecrets(r, [wrong]);
  });

  it("the admin's password env unset → exit 3: nothing written, no request reached the API", async () => {
    const before = forum.requests().length;
    const r = await runs.verify(CONFIG, ['--base-url', forum.url], { FORUM_PERSON_PASSWORD: PASSWORDS.person });
    expect(r.code, r.output).toBe(3);
    expect(r.output).toContain('FORUM_ADMIN_PASSWORD');
    expect(readdirSync(r.out)).toEqual([]);
    expect(forum.requests().slice(before)).toEqual([]);
  });

  it('a login module that throws before sending → hold (exit 2), never rollback: pdv could not sign in', async () => {
    const dir = runs.scratch('pdv-real-app-module-');
    const module = join(dir, 'login.ts');
    // The mistake a login module makes: it reads a setting that is not there, before any request.
    writeFileSync(module, "export default async () => {\n  const endpoint: string | undefined = undefined;\n  if (!endpoint) throw new Error('FORUM_GRAPHQL_PATH is not set');\n  return { headers: {} };\n};\n");
    const before = forum.operations().length;
    const r = await runs.verify(runs.variant(CONFIG, { environments: { staging: { auth: { module } } }, stages: { uat: { testDir: join(EXAMPLES, 'postgraphile', 'uat') } } }), ['--base-url', forum.url], ENV);
    expect(summary(r).code, r.output).toBe(2);
    expect(r.verdict?.verdict).toBe('hold');
    for (const role of ['person', 'admin']) {
      const login = check(r, `smoke.login.${role}`);
      expect([login.status, login.message]).toEqual(['errored', expect.stringContaining('FORUM_GRAPHQL_PATH is not set')]);
    }
    expect(seriousFailures(r)).toEqual([]);
    // Nothing was sent as a role: no sign-in, no verify query; at most the anonymous smoke check and the two anonymous access rules.
    const ops = forum.operations().slice(before);
    expect(ops.filter((o) => o === 'Authenticate')).toEqual([]);
    expect(ops.length).toBeLessThanOrEqual(3);
  });

  it('a GRANT that lets anonymous remove announcements → rollback (exit 1) naming the security access rule, judged by errors.0.message', async () => {
    await forum.sql('grant delete on forum.announcement to forum_anonymous');
    try {
      const r = await runs.verify(CONFIG, ['--base-url', forum.url], ENV);
      expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'security.access.anonymous-removes-announcements' });
      const rule = check(r, 'security.access.anonymous-removes-announcements');
      expect([rule.status, rule.observed]).toEqual(['failed', 200]);
      expect(rule.message).toMatch(/errors\.0\.message/);
      // The other rule and the smoke checks are as before.
      expect(check(r, 'security.access.anonymous-creates-announcements').status).toBe('passed');
      expect(check(r, 'smoke.person-removes-announcements').status).toBe('passed');
      expect((await forum.pg.query<{ n: string }>('select count(*)::text as n from forum.announcement', [], 'forum'))[0]?.n).toBe('1');
    } finally {
      await forum.sql('revoke delete on forum.announcement from forum_anonymous');
    }
  });

  it('a GRANT that lets a person remove announcements → rollback (exit 1) naming smoke.person-removes-announcements', async () => {
    await forum.sql('grant delete on forum.announcement to forum_person');
    try {
      const r = await runs.verify(CONFIG, ['--base-url', forum.url], ENV);
      expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'smoke.person-removes-announcements' });
      expect(r.verdict?.reasons[0]?.message).toContain('No values were deleted');
      // Only the signed-in person shows it: anonymous requests and the admin are as before.
      expect(check(r, 'smoke.announcements').status).toBe('passed');
      expect((await forum.pg.query<{ n: string }>('select count(*)::text as n from forum.announcement', [], 'forum'))[0]?.n).toBe('1');
      await expectNoSecrets(r);
    } finally {
      await forum.sql('revoke delete on forum.announcement from forum_person');
    }
  });
});
