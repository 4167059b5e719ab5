import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { dependencySchema } from './config.ts';
import { dependencyUrl, planDependencies } from './resolve.ts';

const parse = (x: unknown) => dependencySchema.parse(x);
const cfg = (runtime: Record<string, string> = {}) => ({ runtime, rootDir: '/tmp', file: '/x/pdv.config.ts' });

function planError(deps: unknown[], runtime: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): UsageError | undefined {
  try {
    planDependencies(deps.map(parse), cfg(runtime), env);
    return undefined;
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
}

describe('dependency URLs', () => {
  it('come from the runbook variables by default, or the named env var', () => {
    expect(dependencyUrl(parse({ type: 'postgres', name: 'db' }), cfg({ databaseUrl: 'postgres://a/b' }), {})).toBe('postgres://a/b');
    expect(dependencyUrl(parse({ type: 'redis', name: 'c' }), cfg({ redisUrl: 'redis://h' }), {})).toBe('redis://h');
    expect(dependencyUrl(parse({ type: 'redis', name: 'c', urlEnv: 'SESSIONS_REDIS' }), cfg({ redisUrl: 'redis://h' }), { SESSIONS_REDIS: 'rediss://s' })).toBe('rediss://s');
  });
});

describe('planDependencies (before any connection)', () => {
  it('passes when every URL is there and of the right kind', () => {
    expect(planError([{ type: 'postgres', name: 'db' }, { type: 'redis', name: 'cache', urlEnv: 'CACHE_URL' }], { databaseUrl: 'postgresql://u:p@h/d' }, { CACHE_URL: 'rediss://h:6379' })).toBeUndefined();
  });

  it.each([
    ['a missing DATABASE_URL', [{ type: 'postgres', name: 'db' }], {}, {}, /DATABASE_URL, which is not set.*|stages\.smoke\.dependencies\.0\.urlEnv/],
    ['a missing explicit env var', [{ type: 'redis', name: 'cache', urlEnv: 'CACHE_URL' }], { redisUrl: 'redis://h' }, {}, /CACHE_URL, which is not set/],
    ['a redis URL for postgres', [{ type: 'postgres', name: 'db' }], { databaseUrl: 'redis://h' }, {}, /needs postgres:\/\/ or postgresql:\/\//],
    ['a duplicate name', [{ type: 'redis', name: 'c' }, { type: 'redis', name: 'c' }], { redisUrl: 'redis://h' }, {}, /"c" is used twice/],
    ['a missing migrations folder', [{ type: 'postgres', name: 'db', migrationsDir: 'no/such/dir' }], { databaseUrl: 'postgres://h/d' }, {}, /migrations folder .* does not exist/],
  ])('refuses %s', (_what, deps, runtime, env, message) => {
    const err = planError(deps, runtime, env);
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(message);
    expect(err?.message).toContain('/x/pdv.config.ts: stages.smoke.dependencies.');
  });

  it('never echoes a URL that does not parse (it may carry credentials)', () => {
    const err = planError([{ type: 'postgres', name: 'db' }], { databaseUrl: 'not a url s3cr3t' });
    expect(err?.message).toContain('DATABASE_URL is not a URL');
    expect(err?.message).not.toContain('s3cr3t');
  });

  it('refuses postgres with both expectedMigration and migrationsDir in the schema', () => {
    expect(() => parse({ type: 'postgres', name: 'db', expectedMigration: '1', migrationsDir: 'm' })).toThrow(/not both/);
  });
});
