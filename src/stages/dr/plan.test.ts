import { afterAll, describe, expect, it } from 'vitest';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { UsageError } from '../../core/errors.ts';
import type { PlanContext } from '../stage.ts';
import type { DrConfig } from '../../dr/config.ts';
import { drConfigSchema } from '../../dr/config.ts';
import { drStage } from './index.ts';

// What DR needs is knowable before any request: a missing live database, a
// missing scratch server, a missing password is exit 3 naming the field —
// never a rollback found half-way through a run.

afterAll(removeStageDirs);

async function planCtx(dr: Record<string, unknown>, runtime: { databaseUrl?: string } = {}, secrets: Record<string, string> = {}): Promise<PlanContext<DrConfig>> {
  const ctx = await makeStageContext({ target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' }, config: { stages: { dr } }, secrets });
  ctx.settings.runtime = runtime;
  return { config: ctx.config, settings: ctx.settings, target: ctx.target, secrets: ctx.secrets, imports: [], planned: ['dr'] };
}

async function planError(ctx: PlanContext<DrConfig>): Promise<Error | undefined> {
  try {
    await drStage.plan!(ctx);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

const UNSET = 'PDV_TEST_UNSET_VAR_4711';

describe('dr stage plan', () => {
  it('has a plan hook', () => expect(typeof drStage.plan).toBe('function'));

  it('accepts a DR stage that is not configured (it reports skipped)', async () => {
    expect(await planError(await planCtx({}))).toBeUndefined();
  });

  it('compareTo "live" without DATABASE_URL is a usage error naming the field', async () => {
    const err = await planError(await planCtx({ driver: 'pglite', source: { folder: 'b' }, compareTo: 'live', criticalTables: ['users'] }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('stages.dr.compareTo');
    expect(err?.message).toContain('DATABASE_URL');
  });

  it('compareTo "live" reads liveDatabaseUrlEnv when set: unset is a usage error naming that variable', async () => {
    const err = await planError(await planCtx({ driver: 'pglite', source: { folder: 'b' }, compareTo: 'live', liveDatabaseUrlEnv: UNSET, criticalTables: ['users'] }, { databaseUrl: 'postgres://x@127.0.0.1/app' }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain(UNSET);
  });

  it('compareTo "live" with DATABASE_URL (and a scratch server of its own) plans', async () => {
    const ctx = await planCtx(
      { driver: 'postgres', source: { folder: 'b' }, databaseUrlEnv: 'PDV_TEST_SCRATCH', compareTo: 'live', criticalTables: ['users'] },
      { databaseUrl: 'postgres://x@127.0.0.1/app' },
      { PDV_TEST_SCRATCH: 'postgres://x@127.0.0.1/postgres' },
    );
    expect(await planError(ctx)).toBeUndefined();
  });

  it('the postgres driver without a scratch server is a usage error before anything runs', async () => {
    const err = await planError(await planCtx({ driver: 'postgres', source: { folder: 'b' } }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('DATABASE_URL');
  });

  it('the rds driver without the master password is a usage error (not a failed restore after 30 minutes)', async () => {
    const err = await planError(await planCtx({ driver: 'rds', source: { instance: 'db-1' }, rds: { passwordEnv: UNSET } }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain(UNSET);
  });

  it('a probe role that is not configured is a usage error', async () => {
    const err = await planError(await planCtx({ driver: 'pglite', source: { folder: 'b' }, app: { command: ['node', 'x.js'], smoke: 'probes', probes: ['/health'], role: 'auditor' } }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('"auditor"');
  });

  it('a migrationsDir that does not exist is a usage error', async () => {
    const err = await planError(await planCtx({ driver: 'pglite', source: { folder: 'b' }, migrationsDir: 'no/such/migrations' }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('stages.dr.migrationsDir');
  });

  it('a rolesSql file that does not exist is a usage error naming the field', async () => {
    const err = await planError(await planCtx({ driver: 'postgres', source: { folder: 'b' }, rolesSql: 'no/such/roles.sql' }, { databaseUrl: 'postgres://x@127.0.0.1/postgres' }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('stages.dr.rolesSql');
  });

  it('rolesSql on another driver than postgres is a usage error (an RDS restore keeps its roles)', async () => {
    const err = await planError(await planCtx({ driver: 'pglite', source: { folder: 'b' }, rolesSql: 'package.json' }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('postgres driver only');
  });

  it('defaults: privileges restored, missing roles created, the Rails history table', () => {
    const cfg = drConfigSchema.parse({ driver: 'postgres' });
    expect([cfg.privileges, cfg.roles, cfg.migrationsTool, cfg.migrationsTable]).toEqual(['restore', 'create', undefined, undefined]);
    expect(drConfigSchema.safeParse({ migrationsTool: 'liquibase' }).success).toBe(false);
  });
});

describe('stages.dr.app: no demo defaults', () => {
  it('no login of its own: a role signs in through the environment\'s auth, and only when named', () => {
    expect(drConfigSchema.safeParse({ app: { command: ['x'], login: { path: '/api/login', username: 'u', passwordEnv: 'PW' } } }).success).toBe(false);
    expect(drConfigSchema.parse({ app: { command: ['x'] } }).app?.role).toBeUndefined();
  });

  it('probes mode needs its probes named', () => {
    expect(drConfigSchema.safeParse({ app: { command: ['x'], smoke: 'probes' } }).success).toBe(false);
    expect(drConfigSchema.parse({ app: { command: ['x'], smoke: 'probes', probes: ['/healthz'] } }).app?.probes).toEqual(['/healthz']);
  });
});
