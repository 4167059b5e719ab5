import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CliIo } from '../cli/io.ts';
import { addAreaCommands, buildProgram } from '../cli/program.ts';

// The GitHub Actions workflows we ship must be valid YAML of the right shape,
// and every `pdv …` line in them must be accepted by pdv's own CLI parser
// (actions stubbed, so nothing runs).

const DIR = join(process.cwd(), '.github', 'workflows');
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; steps: Step[]; env?: Record<string, string> }>;
}

/** Sample values for shell variables in run scripts (unquoted ones are word-split, as bash does). */
const SAMPLE: Record<string, string> = { STAGES: 'smoke uat', GREP: '@critical', ENVIRONMENT: 'staging' };

/** Just enough of the shell: quotes, $VAR / ${VAR}, word splitting, stop at | ; & > < #. */
function shellWords(line: string, vars: Record<string, string> = SAMPLE): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let i = 0;
  const expand = (): string => {
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(line.slice(i));
    if (!m) {
      i++;
      return '$';
    }
    i += m[0].length;
    const name = (m[1] ?? m[2]) as string;
    return vars[name] ?? `sample-${name.toLowerCase()}`;
  };
  const flush = (): void => {
    if (has) words.push(cur);
    cur = '';
    has = false;
  };
  while (i < line.length) {
    const c = line[i] as string;
    if (/\s/.test(c)) {
      flush();
      i++;
    } else if ('|;&<>'.includes(c) || (c === '#' && !has)) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end);
      has = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      has = true;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '$') cur += expand();
        else if (line[i] === '\\') {
          cur += line[i + 1] ?? '';
          i += 2;
        } else cur += line[i++];
      }
      i++;
    } else if (c === '$') {
      // Unquoted expansion: split into words.
      const parts = expand().split(/\s+/).filter(Boolean);
      parts.forEach((p, k) => {
        cur += p;
        has = true;
        if (k < parts.length - 1) flush();
      });
    } else {
      cur += c;
      has = true;
      i++;
    }
  }
  flush();
  return words;
}

/** Every `npx pdv …` command in a run script, as argv. GitHub expressions become sample text. */
function pdvCommands(script: string): string[][] {
  const joined = script.replace(/\\\n\s*/g, ' ').replace(/\$\{\{[^}]*\}\}/g, 'gh-expr');
  const out: string[][] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line.startsWith('echo ')) continue;
    const m = /(?:^|[\s;&|(])npx\s+(?:--no-install\s+|--yes\s+)*pdv\s+(.*)$/.exec(line);
    if (m) out.push(shellWords(m[1] as string));
  }
  return out;
}

const silent: CliIo = { info: () => {}, out: () => {}, error: () => {}, json: false, setExitCode: () => {} };

/** Parse argv with the real program, every leaf command's action replaced by a recorder. */
async function parseWithCli(argv: string[]): Promise<string[]> {
  const program = buildProgram(silent);
  await addAreaCommands(program, silent);
  let invoked: string[] = [];
  const stub = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()];
      if (sub.commands.length) stub(sub, p);
      else sub.action(() => void (invoked = p));
    }
  };
  stub(program, []);
  await program.parseAsync(argv, { from: 'user' });
  return invoked;
}

const registered = await (async () => {
  const program = buildProgram(silent);
  await addAreaCommands(program, silent);
  return new Set(program.commands.map((c) => c.name()));
})();

const workflows = FILES.map((file) => ({ file, doc: parse(readFileSync(join(DIR, file), 'utf8')) as Workflow }));

describe.each(workflows)('$file', ({ doc }) => {
  it('is a workflow: name, triggers, jobs with steps that either use an action or run a script', () => {
    expect(typeof doc.name).toBe('string');
    expect(Object.keys(doc.on).length).toBeGreaterThan(0);
    for (const job of Object.values(doc.jobs)) {
      expect(job['runs-on']).toBeTruthy();
      expect(job.steps.length).toBeGreaterThan(0);
      for (const step of job.steps) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
    }
  });

  it('every pdv command line is accepted by the CLI parser', async () => {
    const commands = Object.values(doc.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? pdvCommands(s.run) : [])));
    expect(commands.length).toBeGreaterThan(0);
    // A workflow line naming a command the CLI does not have is a broken workflow, not a reason to skip.
    const missing = [...new Set(commands.map((a) => a[0] as string))].filter((c) => !registered.has(c));
    expect(missing, 'pdv commands the workflow runs but the CLI does not register').toEqual([]);
    for (const argv of commands) {
      const invoked = await parseWithCli(argv).catch((err: Error) => {
        throw new Error(`pdv ${argv.join(' ')} — rejected by the CLI: ${err.message}`);
      });
      expect(invoked.length, `pdv ${argv.join(' ')}`).toBeGreaterThan(0);
    }
  });
});

describe('what the workflows promise', () => {
  const byFile = Object.fromEntries(workflows.map((w) => [w.file, w.doc]));
  const steps = (f: string) => Object.values(byFile[f]!.jobs).flatMap((j) => j.steps);
  const cmds = (f: string) => steps(f).flatMap((s) => (s.run ? pdvCommands(s.run) : [])).map((a) => a.join(' '));

  it('post-deploy verification: deployment_status + workflow_run, verify, artifact, SARIF, JUnit', () => {
    const wf = byFile['pdv-verify.yml']!;
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['deployment_status', 'workflow_run']));
    expect(cmds('pdv-verify.yml').some((c) => c.startsWith('verify '))).toBe(true);
    const uses = steps('pdv-verify.yml').map((s) => s.uses ?? '');
    expect(uses.some((u) => u.startsWith('actions/upload-artifact@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
    const sarif = steps('pdv-verify.yml').find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(sarif?.if).toContain("hashFiles(format('{0}/security.sarif'");
    expect(uses.some((u) => u.startsWith('mikepenz/action-junit-report@'))).toBe(true);
    // The at-most-once ledger travels between runners.
    expect(steps('pdv-verify.yml').some((s) => s.uses?.startsWith('actions/cache/restore@') && s.with?.path === 'reports/.pdv')).toBe(true);
  });

  it('on-demand QA: workflow_dispatch with stages and grep, passed through env (no script injection)', () => {
    const wf = byFile['pdv-qa.yml']!;
    const inputs = (wf.on.workflow_dispatch as { inputs: Record<string, unknown> }).inputs;
    expect(Object.keys(inputs)).toEqual(expect.arrayContaining(['stages', 'grep']));
    expect(cmds('pdv-qa.yml')).toContain('run smoke uat --env staging --grep @critical --out sample-out');
    for (const s of steps('pdv-qa.yml')) expect(s.run ?? '').not.toMatch(/\$\{\{\s*inputs\./);
  });

  it('scheduled soak: cron, one tick per run, state carried in the cache, judge at the end', () => {
    const wf = byFile['pdv-soak.yml']!;
    expect((wf.on.schedule as Array<{ cron: string }>)[0]!.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    const c = cmds('pdv-soak.yml');
    expect(c.filter((x) => x.startsWith('soak tick'))).toHaveLength(1);
    expect(c.some((x) => x.startsWith('soak judge'))).toBe(true);
    const cache = steps('pdv-soak.yml').filter((s) => s.uses?.startsWith('actions/cache/'));
    expect(cache.map((s) => s.with?.path)).toEqual(['.pdv-soak', '.pdv-soak']);
  });
});

describe('distributed load: a matrix of segments with one start time, then one merge', () => {
  const wf = workflows.find((w) => w.file === 'pdv-load-distributed.yml')!.doc as Workflow & {
    jobs: Record<string, { needs?: string | string[]; strategy?: { matrix: Record<string, unknown> }; steps: Step[]; env?: Record<string, string> }>;
  };
  const run = (job: string) => wf.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');

  it('every segment job gets its index of N and the one start time the plan job computed', () => {
    expect(wf.jobs.segment!.needs).toBe('plan');
    expect(String(wf.jobs.segment!.strategy?.matrix.index)).toContain('needs.plan.outputs.indexes');
    expect(wf.jobs.segment!.env?.START_AT).toContain('needs.plan.outputs.start-at');
    expect(pdvCommands(run('segment')).map((a) => a.join(' '))).toEqual(['run load --env staging --segment sample-segment --start-at sample-start_at --out sample-out']);
    expect(run('plan')).toMatch(/start-at=\$\(date -u/);
    for (const s of Object.values(wf.jobs).flatMap((j) => j.steps)) expect(s.run ?? '').not.toMatch(/\$\{\{\s*inputs\./);
  });

  it('the merge job runs after all segments, whatever they found, and merges every uploaded segment', () => {
    expect(wf.jobs.merge!.needs).toBe('segment');
    expect(pdvCommands(run('merge')).map((a) => a.join(' '))).toEqual(['merge runs/pdv-load-segment-* --out merged']);
    expect(wf.jobs.merge!.steps.some((s) => s.uses?.startsWith('actions/download-artifact@') && s.with?.pattern === 'pdv-load-segment-*')).toBe(true);
  });
});

describe('the parser check can fail', () => {
  it.each([
    [['verify', '--no-such-flag']],
    [['run']],
    [['verify', '--env']],
    [['no-such-command']],
  ])('pdv %s is rejected', async (argv) => {
    await expect(parseWithCli(argv)).rejects.toThrow();
  });
});

describe('shellWords', () => {
  it.each([
    ['verify --env "$ENVIRONMENT" --out "$OUT" || code=$?', ['verify', '--env', 'staging', '--out', 'sample-out']],
    ["run $STAGES --grep '@a b' > x", ['run', 'smoke', 'uat', '--grep', '@a b']],
    ['soak tick --state "${SOAK_DIR}/x" # comment', ['soak', 'tick', '--state', 'sample-soak_dir/x']],
  ])('%s', (line, words) => {
    expect(shellWords(line)).toEqual(words);
  });
});
