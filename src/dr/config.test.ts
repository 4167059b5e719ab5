import { describe, expect, it } from 'vitest';
import { drConfigSchema } from './config.ts';

describe('stages.dr config', () => {
  it('has safe defaults: not configured, 24h RPO, 15m RTO, hold over target', () => {
    const c = drConfigSchema.parse({});
    expect(c.driver).toBeUndefined();
    expect(c).toMatchObject({ rpoTarget: 86_400_000, rtoTarget: 900_000, targetsOnFail: 'hold', compareTo: 'manifest', tolerance: 0 });
    expect(c.rds).toMatchObject({ mode: 'snapshot', pollInterval: 30_000, ssl: 'require' });
  });

  it('parses durations and an app', () => {
    const c = drConfigSchema.parse({ driver: 'pglite', source: { folder: 'b' }, rpoTarget: '2h', app: { command: ['node', 'x.js', '{dataDir}'] } });
    expect(c.rpoTarget).toBe(7_200_000);
    expect(c.app).toMatchObject({ smoke: 'smoke', startTimeout: 60_000, probes: [] });
    expect(c.app?.role).toBeUndefined();
  });

  it.each([
    [{ criticalTables: ['users; drop table x'] }, 'criticalTables'],
    [{ checksums: { users: ['id', 'e mail'] } }, 'checksums'],
    [{ tolerance: 2 }, 'tolerance'],
    [{ driver: 'mysql' }, 'driver'],
    [{ rds: { passwordEnv: 'not a name' } }, 'passwordEnv'],
    [{ surprise: true }, ''],
  ])('rejects %j', (input, field) => {
    const r = drConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(field);
  });
});
