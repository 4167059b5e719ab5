// RTO phases of the DR stage (restore → validate → start → smoke) for the
// demo's PGlite backup and for a PostgreSQL archive with 100,000 rows
// (the demo schema, 100k projects, pg_dump -Fc; the restored copy serves a
// second demo). The demo is smoked both ways (the smoke stage's Playwright
// checks, and HTTP probes); the 100k-row copy with probes only: the demo UI
// lists every project, which makes the browser smoke take minutes there.
// Figures, not asserts. Usage: npx tsx perf/bench/dr-rto.ts [runs=1]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoDrStage, makeStartupBackup } from '../../demo/backup.ts';
import { migrate, openDb } from '../../demo/db.ts';
import { FaultSet } from '../../demo/faults.ts';
import { startDemo } from '../../demo/launch.ts';
import { seed } from '../../demo/seed.ts';
import { PG_BIN, postgresAvailable, startPostgres } from '../../e2e/helpers/postgres.ts';
import { makeStageContext } from '../../e2e/helpers/stage-context.ts';
import { runDr } from '../../src/stages/dr/run.ts';

type Mode = 'smoke' | 'probes';
const runs = Number(process.argv[2] ?? 1);
const CASE_TIMEOUT_MS = 300_000;
const PASSWORDS = {
  DEMO_ADMIN_PASSWORD: `a-${randomBytes(8).toString('hex')}`,
  DEMO_EDITOR_PASSWORD: `e-${randomBytes(8).toString('hex')}`,
  DEMO_VIEWER_PASSWORD: `v-${randomBytes(8).toString('hex')}`,
};
Object.assign(process.env, PASSWORDS);

interface Row {
  case: string;
  mode: Mode;
  phases: Record<string, number>;
  rtoMs?: number;
  failed: string[];
}
const rows: Row[] = [];

async function stage(name: string, mode: Mode, dr: Record<string, unknown>, databaseUrl?: string): Promise<void> {
  const ctx = await makeStageContext({ target: { environment: 'bench', baseUrl: 'http://127.0.0.1:9' }, secrets: PASSWORDS, config: { stages: { dr } } });
  if (databaseUrl) ctx.settings.runtime.databaseUrl = databaseUrl;
  // The stage timeout the orchestrator would impose: abort, and the stage cleans up.
  const timer = setTimeout(() => ctx.abort(), CASE_TIMEOUT_MS);
  try {
    await runDr(ctx);
  } finally {
    clearTimeout(timer);
  }
  const extra = ctx.events.find((e) => e.type === 'extra' && e.key === 'dr') as { value: { phases: Array<{ name: string; durationMs: number }>; rtoMs?: number } } | undefined;
  const row: Row = {
    case: name,
    mode,
    phases: Object.fromEntries((extra?.value.phases ?? []).map((p) => [p.name, p.durationMs])),
    ...(extra?.value.rtoMs !== undefined ? { rtoMs: extra.value.rtoMs } : {}),
    failed: ctx.checks.filter((c) => c.status === 'failed' || c.status === 'errored').map((c) => `${c.id}: ${c.message ?? ''}`),
  };
  rows.push(row);
  print(row);
  await rm(ctx.runDir, { recursive: true, force: true });
}

async function demoCase(mode: Mode): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'pdv-bench-dr-'));
  const demo = await startDemo({ env: { ...PASSWORDS, DATABASE_URL: '' }, backupDir: join(work, 'backups') });
  try {
    await stage('demo (PGlite tarball)', mode, { ...demoDrStage(join(work, 'backups'), { smoke: mode }), scratchDir: join(work, 'scratch') });
  } finally {
    await demo.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function postgresCase(modesToRun: readonly Mode[]): Promise<void> {
  if (!postgresAvailable()) {
    console.log(`PostgreSQL not found in ${PG_BIN}: skipping the 100k-row case`);
    return;
  }
  const server = await startPostgres();
  const work = await mkdtemp(join(tmpdir(), 'pdv-bench-dr-'));
  try {
    await server.query('CREATE DATABASE studio');
    const url = server.urlFor('studio');
    const db = await openDb({ databaseUrl: url });
    try {
      await migrate(db);
      await seed(db, process.env);
      await db.exec(`INSERT INTO projects (title, owner_id) SELECT 'Project ' || g, (SELECT min(id) FROM users) FROM generate_series(1, 100000 - (SELECT count(*) FROM projects)) g`);
      const t0 = performance.now();
      await makeStartupBackup(db, { dir: join(work, 'backups'), faults: new FaultSet([]), databaseUrl: url });
      console.log(`pg_dump + manifest of 100,000 projects: ${Math.round(performance.now() - t0)} ms`);
    } finally {
      await db.close();
    }
    for (const mode of modesToRun) {
      await stage('PostgreSQL archive, 100,000 rows', mode, { ...demoDrStage(join(work, 'backups'), { databaseUrl: url, smoke: mode }), pgBin: PG_BIN }, server.url);
    }
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const cols = ['locate', 'archive', 'restore', 'validate', 'start', 'smoke', 'cleanup'];
function print(r: Row): void {
  console.log([r.case, r.mode, ...cols.map((c) => (r.phases[c] ?? '–').toString()), r.rtoMs !== undefined ? Math.round(r.rtoMs).toString() : '–'].join(' | '));
  for (const f of r.failed) console.log(`   ! ${f}`);
}

console.log(`DR RTO phases (ms); RTO = restore start → restored app passed smoke`);
console.log(['case', 'smoke mode', ...cols, 'RTO'].join(' | '));
for (let i = 0; i < runs; i++) {
  for (const mode of ['probes', 'smoke'] as const) await demoCase(mode);
  await postgresCase(['probes']);
}
const base = rows.find((r) => r.case.startsWith('demo') && r.rtoMs);
for (const r of rows) if (base?.rtoMs && r.rtoMs && r !== base) console.log(`RTO ratio ${r.case} (${r.mode}) / ${base.case} (${base.mode}): ${(r.rtoMs / base.rtoMs).toFixed(2)}`);
