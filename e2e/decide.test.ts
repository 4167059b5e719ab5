import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerPath } from '../src/actions/ledger.ts';
import { readVerdict, runCli } from './helpers/cli.ts';

// Issue 14 through the real CLI on real run folders: a local server whose
// /sandbox answers 503 makes an `onFail: 'hold'` check hold the verdict.

let dir: string;
let server: Server;
let base: string;
const SECRET = 'ghp_decideSecretValue1234567890';
// Nothing from the CI around this test may decide who the caller is.
const ENV = { GITHUB_ACTIONS: '', GITHUB_ACTOR: '', GITHUB_RUN_ID: '', GITHUB_STEP_SUMMARY: '', PDV_CHANGE_TICKET: '', GITHUB_TOKEN: SECRET };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-decide-'));
  server = createServer((req, res) => {
    res.writeHead(req.url === '/sandbox' ? 503 : 200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A config in its own folder: smoke only, one declared check on `path`, the given extra keys. */
function config(path: string, extra = '', env = ''): { cfg: string; root: string; marker: string } {
  const root = join(dir, `c${++n}`);
  mkdirSync(root);
  const marker = join(root, 'rolled-back.txt');
  const cfg = join(root, 'pdv.config.ts');
  writeFileSync(
    cfg,
    `export default {
  environments: { staging: { baseUrl: 'http://127.0.0.1:1', ${env}
    groups: { 'release-managers': ['Anna'], 'product-team': ['pete'] },
    rollback: { actions: [{ type: 'command', command: ${JSON.stringify(`echo fired >> ${marker}`)} }], verify: { enabled: false } } } },
  stageOrder: ['smoke'],
  stages: { smoke: { checks: [{ id: 'sandbox', path: '${path}', onFail: 'hold' }] } },
  reportsDir: ${JSON.stringify(join(root, 'reports'))},
  ${extra}
};`,
  );
  return { cfg, root, marker };
}

const verify = async (cfg: string, out: string, env: NodeJS.ProcessEnv = {}) =>
  runCli(['verify', '--config', cfg, '--base-url', base, '--deploy-id', `d-${n}`, '--out', out], { cwd: dir, env: { ...ENV, ...env } });
const pdv = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { ...ENV, ...env } });
const read = (f: string) => readFileSync(f, 'utf8');
const lines = (f: string) => (existsSync(f) ? read(f).trim().split('\n').length : 0);

describe('pdv decide', () => {
  it('hold → stand: both verdicts in every report; a fresh `pdv report` renders the same files', async () => {
    const { cfg, root } = config('/sandbox', '', "approvers: ['release-managers'],");
    const out = join(root, 'run');
    expect((await verify(cfg, out)).code).toBe(2);
    const r = await pdv(['decide', out, '--stand', '--by', 'anna', '--reason', `sandbox outage ${SECRET}`]);
    expect(r.code, r.stderr).toBe(0);
    const v = readVerdict(out);
    expect(v.verdict).toBe('stand');
    expect(v.decision).toMatchObject({ schemaVersion: 1, verdict: 'stand', machineVerdict: 'hold', by: 'anna', override: false });
    expect(v.reasons.some((x) => x.checkId === 'smoke.sandbox')).toBe(true);
    const html = read(join(out, 'index.html'));
    expect(html).toContain('Decided by a person: STAND');
    expect(html).toMatch(/pdv said HOLD/);
    expect(read(join(out, 'summary.md'))).toContain('sandbox outage');
    // No secret in the decision event (or anywhere in the log).
    const events = read(join(out, 'events.jsonl'));
    expect(events).toContain('"type":"decision"');
    expect(events).not.toContain(SECRET);
    const files = ['verdict.json', 'summary.md', 'index.html', 'junit.xml'].map((f) => read(join(out, f)));
    expect((await pdv(['report', out])).code).toBe(0);
    expect(['verdict.json', 'summary.md', 'index.html', 'junit.xml'].map((f) => read(join(out, f)))).toEqual(files);
  });

  it('hold → rollback fires once; a second decide does not fire again', async () => {
    const { cfg, root, marker } = config('/sandbox');
    const out = join(root, 'run');
    expect((await verify(cfg, out)).code).toBe(2);
    const first = await pdv(['decide', out, '--rollback', '--by', 'anna', '--reason', 'sandbox down for a day']);
    expect(first.code, first.stderr).toBe(1);
    expect(lines(marker)).toBe(1);
    expect(readVerdict(out).actions.find((a) => a.kind === 'rollback')?.status).toBe('succeeded');
    const again = await pdv(['decide', out, '--rollback', '--by', 'anna', '--reason', 'again']);
    expect(again.code).toBe(1);
    expect(lines(marker)).toBe(1);
    expect(readVerdict(out).actions.at(-1)?.message).toMatch(/already fired .* not fired again/);
  });

  it('an intent without an outcome is reported, never re-fired', async () => {
    const { cfg, root, marker } = config('/sandbox');
    const out = join(root, 'run');
    expect((await verify(cfg, out)).code).toBe(2);
    const ledger = ledgerPath(join(root, 'reports'), 'staging', `d-${n}`);
    mkdirSync(join(ledger, '..'), { recursive: true });
    const entry = { schemaVersion: 1, environment: 'staging', deployId: `d-${n}`, state: 'intent', runId: 'crashed', pid: 999999, host: 'elsewhere', intentAt: new Date().toISOString(), actions: [{ name: 'command', kind: 'command', state: 'intent' }] };
    writeFileSync(ledger, JSON.stringify(entry));
    const r = await pdv(['decide', out, '--rollback', '--by', 'anna', '--reason', 'down']);
    expect(r.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
    expect(readVerdict(out).actions.at(-1)).toMatchObject({ status: 'failed', message: expect.stringMatching(/outcome UNKNOWN/) });
  });

  it('a caller who is not an approver is refused: exit 3, nothing written', async () => {
    const { cfg, root } = config('/sandbox', '', "approvers: ['release-managers'],");
    const out = join(root, 'run');
    expect((await verify(cfg, out)).code).toBe(2);
    const before = read(join(out, 'events.jsonl'));
    const verdict = read(join(out, 'verdict.json'));
    const r = await pdv(['decide', out, '--stand', '--by', 'mallory', '--reason', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/mallory may not decide on staging .*workflow guard/);
    // In GitHub Actions the caller is the actor, whatever --by says.
    const gh = await pdv(['decide', out, '--stand', '--by', 'anna', '--reason', 'x'], { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'mallory' });
    expect(gh.code).toBe(3);
    expect(read(join(out, 'events.jsonl'))).toBe(before);
    expect(read(join(out, 'verdict.json'))).toBe(verdict);
  });

  it('a run not on hold needs --override, and is shown as an override', async () => {
    const { cfg, root } = config('/ok');
    const out = join(root, 'run');
    expect((await verify(cfg, out)).code).toBe(0);
    const refused = await pdv(['decide', out, '--rollback', '--by', 'anna', '--reason', 'x']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--override');
    // A torn last line (a crash mid-write) is dropped, not glued to the decision.
    appendFileSync(join(out, 'events.jsonl'), '{"type":"chec');
    const r = await pdv(['decide', out, '--stand', '--override', '--by', 'anna', '--reason', 'confirming'], { GITHUB_RUN_ID: '4242' });
    expect(r.code, r.stderr).toBe(0);
    expect((await pdv(['report', out])).code).toBe(0);
    expect(readVerdict(out).decision).toMatchObject({ override: true, machineVerdict: 'stand', source: { ci: { runId: '4242' } } });
    expect(read(join(out, 'index.html'))).toContain('STAND (OVERRIDE)');
  });
});

describe('pdv signoff and the checklist', () => {
  it('policy.requireSignoffs holds until UAT is signed off by someone allowed', async () => {
    const { cfg, root } = config('/ok', "policy: { requireSignoffs: ['uat'] },", "signoffs: { uat: ['product-team'] },");
    const out = join(root, 'run');
    expect((await verify(cfg, out)).code).toBe(2);
    expect(readVerdict(out).reasons.map((r) => r.message)).toContain('waiting for UAT sign-off');
    expect((await pdv(['signoff', out, 'uat', '--by', 'anna'])).code).toBe(3);
    expect((await pdv(['signoff', out, 'typo', '--by', 'pete'])).code).toBe(3);
    const r = await pdv(['signoff', out, 'uat', '--by', 'pete', '--note', 'all scripts done']);
    expect(r.code, r.stderr).toBe(0);
    const v = readVerdict(out);
    expect(v.verdict).toBe('stand');
    expect(v.decision).toBeUndefined();
    expect(v.signoffs).toMatchObject([{ what: 'uat', by: 'pete', note: 'all scripts done' }]);
  });

  it('each kind of item ticks from its evidence; promotion is blocked until all do', async () => {
    const checklist = `checklist: [
      { id: 'tests', title: 'All tests passing', checks: ['smoke.*'] },
      { id: 'smoke', title: 'Smoke stage passed', stages: ['smoke'] },
      { id: 'uat', title: 'UAT sign-off received', signoff: 'uat' },
      { id: 'ticket', title: 'Change ticket created', changeTicket: { pattern: '^CHG-\\\\d+$' } },
      { id: 'rollback-plan', title: 'Rollback plan documented', file: 'ROLLBACK.md' },
    ],`;
    const { cfg, root } = config('/ok', checklist);
    const out = join(root, 'run');
    expect((await verify(cfg, out, { PDV_CHANGE_TICKET: 'BAD-1' })).code).toBe(0);
    let v = readVerdict(out);
    const ticked = () => Object.fromEntries((v.checklist ?? []).map((i) => [i.id, i.ticked]));
    expect(ticked()).toEqual({ tests: true, smoke: true, uat: false, ticket: false, 'rollback-plan': false });
    expect(v.promotion).toMatchObject({ status: 'blocked' });
    expect(v.promotion?.blocking.map((b) => b.id)).toEqual(['uat', 'ticket', 'rollback-plan']);
    expect(v.checklist?.find((i) => i.id === 'ticket')?.missing).toMatch(/does not match/);
    expect(read(join(out, 'summary.md'))).toContain('- [ ] Rollback plan documented');

    writeFileSync(join(root, 'ROLLBACK.md'), '# plan\n');
    expect((await pdv(['signoff', out, 'uat', '--by', 'pete', '--change-ticket', 'CHG-42'])).code).toBe(0);
    v = readVerdict(out);
    expect(ticked()).toEqual({ tests: true, smoke: true, uat: true, ticket: true, 'rollback-plan': true });
    expect(v.promotion).toEqual({ status: 'ready', blocking: [] });
    expect(read(join(out, 'index.html'))).toContain('data-promotion="ready"');
  });

  it('a failing check leaves its item unticked and the hold blocks promotion', async () => {
    const { cfg, root } = config('/sandbox', "checklist: [{ id: 'tests', title: 'All tests passing', checks: ['smoke.*'] }],");
    const out = join(root, 'run');
    expect((await verify(cfg, out)).code).toBe(2);
    const v = readVerdict(out);
    expect(v.checklist?.[0]).toMatchObject({ ticked: false, missing: expect.stringContaining('smoke.sandbox failed') });
    expect(v.promotion?.blocking.map((b) => b.id)).toEqual(['verdict', 'tests']);
  });
});
