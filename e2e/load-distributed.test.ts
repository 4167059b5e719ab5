import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { decode, addInto, newHistogram } from '../src/load/histogram.ts';
import { startServer, type TestServer } from '../src/load/testing/servers.ts';
import type { LoadSummary } from '../src/stages/load/results.ts';
import type { RawLoad } from '../src/stages/load/raw.ts';
import { PDV_BIN, readVerdict, REPO, runCli } from './helpers/cli.ts';

// Machines simulated on this one: the Kubernetes recipe's own commands (`pdv load export-k8s`),
// run as N separate processes with the Job's index and the one start time, against one loopback
// server; the merge Job's command adds their histograms. Assertions are on counts and start
// times (exact), never on how fast anything was.

const N = 3;
const RATE = 60;
const SECONDS = 3;
const POD_LIMIT_MS = 120_000;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), 'pdv-dist-'));
  await writeFile(
    join(dir, 'api.ts'),
    `export default { name: 'dist', scenarios: { api: { executor: 'constant-arrival-rate', rate: ${RATE}, duration: '${SECONDS}s', connections: 4,
  requests: [{ name: 'home', path: '/' }, { name: 'item', path: '/item/{{i}}', weight: 2 }] } },
  thresholds: { http_req_duration: ['p(95)<5000'], 'http_req_duration{name:item}': ['p(99)<5000'], http_req_failed: ['rate<0.01'] } };\n`,
  );
  await writeFile(
    join(dir, 'pdv.config.ts'),
    `export default { environments: { staging: { baseUrl: ${JSON.stringify(server.url)}, allowedHosts: ['127.0.0.1'] } },
  stages: { load: { scenario: 'api.ts', baseline: { enabled: false } } }, reportsDir: 'reports' };\n`,
  );
}, 60_000);
afterAll(async () => {
  await server?.close();
});

/** Run one of the manifest's shell commands as a pod would: its mounts emulated by folders. */
function pod(command: string, env: Record<string, string>): Promise<number | null> {
  const results = join(dir, 'results');
  const cmd = command.replaceAll('/results', results);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', cmd], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let err = '';
    child.stdout.on('data', (d: Buffer) => (err += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // A pod that never ends is a failure that says where it stood, not a test timeout.
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`pod still running after ${POD_LIMIT_MS / 1000} s (${JSON.stringify(env.JOB_COMPLETION_INDEX ?? 'merge')}): ${err}`));
    }, POD_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(code);
      else reject(new Error(`pod exited ${code}: ${err}`));
    });
  });
}

interface PodSpec {
  containers: Array<{ command: string[]; env: Array<{ name: string; value: string }> }>;
  volumes: Array<{ configMap?: { items: Array<{ key: string; path: string }> } }>;
}
type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string>; spec: { completionMode?: string; completions?: number; template: { spec: PodSpec } } };

const raw = async (d: string): Promise<RawLoad> => JSON.parse(await readFile(join(d, 'load', 'histograms.json'), 'utf8')) as RawLoad;

describe('distributed load: N segment processes, one start time, one merge', () => {
  it('the Kubernetes recipe, run as N processes: the merged schedule is the one-process schedule, started together', async () => {
    const startAt = new Date(Date.now() + 35_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const exp = await runCli(['load', 'export-k8s', '--config', join(dir, 'pdv.config.ts'), '--parallelism', String(N), '--start-at', startAt, '--image', 'registry.example/app:1', '--workdir', dir, '--pdv', `${process.execPath} ${PDV_BIN}`, '--out', join(dir, 'k8s')], { cwd: dir });
    expect(exp.code, exp.stderr).toBe(0);
    const docs = parseAllDocuments(await readFile(join(dir, 'k8s', 'pdv-dist.k8s.yaml'), 'utf8')).map((d) => d.toJS() as Doc);
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'PersistentVolumeClaim', 'Job', 'Job']);
    const [configMap, , segments, merge] = docs as [Doc, Doc, Doc, Doc];
    expect(segments.spec).toMatchObject({ completionMode: 'Indexed', completions: N });
    // The ConfigMap mount, emulated: its items at their paths under the pod's .pdv-k8s folder.
    for (const item of segments.spec.template.spec.volumes.find((v) => v.configMap)!.configMap!.items) {
      const to = join(dir, '.pdv-k8s', item.path);
      mkdirSync(dirname(to), { recursive: true });
      await writeFile(to, configMap.data![item.key]!);
    }
    const envOf = (d: Doc) => Object.fromEntries(d.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    expect(envOf(segments).START_AT).toBe(startAt);
    const segCmd = segments.spec.template.spec.containers[0]!.command[2]!;
    await Promise.all(Array.from({ length: N }, (_, i) => pod(segCmd, { ...envOf(segments), JOB_COMPLETION_INDEX: String(i) })));
    await pod(merge.spec.template.spec.containers[0]!.command[2]!, envOf(merge));

    // The same schedule in one process, for the counts.
    const one = join(dir, 'one');
    const whole = await runCli(['run', 'load', '--config', join(dir, 'pdv.config.ts'), '--out', one], { cwd: dir, timeoutMs: POD_LIMIT_MS });
    expect(whole.code, whole.stderr).toBeLessThanOrEqual(2);

    const segs = await Promise.all(Array.from({ length: N }, (_, i) => raw(join(dir, 'results', `segment-${i + 1}`))));
    // Every segment's schedule started at the one instant it was given.
    expect(segs.map((s) => s.startEpochMs)).toEqual(Array.from({ length: N }, () => Date.parse(startAt)));
    expect(segs.map((s) => s.segment?.index).sort()).toEqual([1, 2, 3]);
    const merged = readVerdict(join(dir, 'results', 'merged'));
    const m = merged.extras.load as LoadSummary;
    const o = readVerdict(one).extras.load as LoadSummary;
    expect(merged.checks.find((c) => c.id === 'load.merge')?.status).toBe('passed');
    expect(m.planned).toBe(RATE * SECONDS);
    expect(m.planned).toBe(o.planned);
    expect(m.completed).toBe(o.completed);
    // The same requests by name and by intended-start window: the sum is the one-machine schedule in time.
    const byName = (s: LoadSummary) => Object.fromEntries(s.requests.map((r) => [r.name, r.count]));
    expect(byName(m)).toEqual(byName(o));
    expect(m.series.map((w) => [w.t, w.count])).toEqual(o.series.map((w) => [w.t, w.count]));
    // The merged percentiles are those of every segment's samples together (HDR sums are exact).
    const sum = newHistogram(3);
    for (const s of segs) for (const c of s.snapshot.cells) addInto(sum, decode(c.corrected));
    expect(sum.totalCount).toBe(m.completed);
    for (const [p, k] of [[50, 'p50'], [95, 'p95'], [99, 'p99']] as const) expect(m.latency.corrected[k]).toBe(Math.round(sum.getValueAtPercentile(p)) / 1000);
  }, 300_000);

  it('a segment started at another time is refused by the merge (hold, naming the starts)', async () => {
    const late = new Date(Date.now() + 20_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const out = join(dir, 'late-3');
    const r = await runCli(['run', 'load', '--config', join(dir, 'pdv.config.ts'), '--segment', `3/${N}`, '--start-at', late, '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBeLessThanOrEqual(2);
    const res = await runCli(['merge', join(dir, 'results', 'segment-1'), join(dir, 'results', 'segment-2'), out, '--config', join(dir, 'pdv.config.ts'), '--out', join(dir, 'skewed')], { cwd: dir });
    expect(res.code).toBe(2);
    const v = readVerdict(join(dir, 'skewed'));
    expect(v.checks.find((c) => c.id === 'load.merge')).toMatchObject({ status: 'errored' });
    expect(v.checks.find((c) => c.id === 'load.merge')?.message).toMatch(/started .* s apart .*--start-at/);
    expect(v.checks.filter((c) => c.id.startsWith('load.threshold.')).every((c) => c.status === 'errored')).toBe(true);
  }, 120_000);

  it('--start-at in the past or without --segment is a usage error (exit 3)', async () => {
    const past = await runCli(['run', 'load', '--config', join(dir, 'pdv.config.ts'), '--segment', '1/2', '--start-at', '2020-01-01T00:00:00Z', '--out', join(dir, 'never')], { cwd: dir });
    expect(past.code).toBe(3);
    expect(past.stderr).toMatch(/--start-at.*in the past/);
    const alone = await runCli(['run', 'load', '--config', join(dir, 'pdv.config.ts'), '--start-at', new Date(Date.now() + 60_000).toISOString(), '--out', join(dir, 'never')], { cwd: dir });
    expect(alone.code).toBe(3);
  });
});

describe('pdv load import-k6 with every pod\'s raw output', () => {
  it('the fixtures of three pods become one verdict with exact percentiles over all of them', async () => {
    const k6dir = await mkdtemp(join(tmpdir(), 'pdv-k6raw-cli-'));
    await writeFile(
      join(k6dir, 'api.ts'),
      `export default { name: 'api', scenarios: { api: { executor: 'constant-arrival-rate', rate: 25, duration: '6s', requests: [{ name: 'list projects', path: '/api/projects' }] } },
  thresholds: { http_req_duration: ['p(95)<300'], 'http_req_duration{name:get project}': ['p(99)<1'] } };\n`,
    );
    // The stand's host need not resolve where the results are imported: import-k6 sends nothing (issue 23).
    await writeFile(join(k6dir, 'pdv.config.ts'), `export default { environments: { staging: { baseUrl: 'http://stand.invalid:3000' } }, stages: { load: { scenario: 'api.ts' } }, reportsDir: 'reports' };\n`);
    const fix = join(REPO, 'src/load/fixtures/k6-raw');
    const out = join(k6dir, 'out');
    const r = await runCli(['load', 'import-k6', join(fix, 'pod-1.json'), join(fix, 'pod-2.json'), join(fix, 'pod-3.json.gz'), '--config', join(k6dir, 'pdv.config.ts'), '--out', out], { cwd: k6dir });
    // p(99)<1 ms on "get project" fails: rollback, judged on all three pods' samples.
    expect(r.code, r.stderr).toBe(1);
    const v = readVerdict(out);
    expect(v.checks.find((c) => c.id === 'load.merge')?.message).toMatch(/3 k6 raw output\(s\) added: 450 requests/);
    expect(v.checks.find((c) => c.id === 'load.threshold.http-req-duration.p-95-lt-300')?.status).toBe('passed');
    expect(v.checks.find((c) => c.id === 'load.threshold.http-req-duration-name-get-project.p-99-lt-1')?.status).toBe('failed');
    expect((v.extras.load as LoadSummary).completed).toBe(450);
  }, 120_000);
});
