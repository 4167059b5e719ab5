import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerdictReport } from '../../src/core/types.ts';
import { readVerdict, runCli } from './cli.ts';

// `pdv verify` against a real application, the way a pipeline runs it: the
// real CLI, a fresh --out folder per run, the exit code and verdict.json.
// Variants of an example's config are written as a small config file that
// imports the example's and changes only what the variant says.

export interface Run {
  code: number | null;
  /** Undefined when the run wrote no verdict.json (exit 3). */
  verdict: VerdictReport | undefined;
  out: string;
  output: string;
}

/** Scratch folders of one test file, removed by `cleanup()` (in afterAll). */
export class Runs {
  private readonly dirs: string[] = [];

  scratch(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  verify(config: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
    return this.pdv(['verify'], config, args, env);
  }

  /** `pdv <command…> --config … --out <fresh folder> <args…>`, e.g. `['run', 'security']`. */
  async pdv(command: string[], config: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
    const out = this.scratch('pdv-real-app-run-');
    const r = await runCli([...command, '--config', config, '--out', out, ...args], { env, timeoutMs: 180_000 });
    const output = `${r.stdout}\n${r.stderr}`;
    let verdict: VerdictReport | undefined;
    try {
      verdict = readVerdict(out);
    } catch {
      verdict = undefined;
    }
    return { code: r.code, verdict, out, output };
  }

  /**
   * A config that is `base` with `patch` deep-merged into it (objects merge,
   * anything else replaces). Relative paths in the patch would resolve against
   * the scratch folder, so give them absolute.
   */
  variant(base: string, patch: Record<string, unknown>): string {
    const dir = this.scratch('pdv-real-app-config-');
    const file = join(dir, 'pdv.config.ts');
    writeFileSync(
      file,
      `import base from ${JSON.stringify(base)};
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const merge = (a: Obj, b: Obj): Obj => Object.fromEntries(
  [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, isObj(a[k]) && isObj(b[k]) ? merge(a[k], b[k]) : k in b ? b[k] : a[k]]),
);
export default merge(base as unknown as Obj, ${JSON.stringify(patch)});
`,
    );
    return file;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** What a test asserts of a run first: exit code, verdict and its first reason. */
export function summary(r: Run): { code: number | null; verdict: string | undefined; top: string | undefined } {
  return { code: r.code, verdict: r.verdict?.verdict, top: r.verdict?.reasons[0]?.checkId };
}

/** A check of the run by id (throws with the ids there are when it is missing). */
export function check(r: Run, id: string): VerdictReport['checks'][number] {
  const c = r.verdict?.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in the verdict; there are: ${r.verdict?.checks.map((x) => x.id).join(', ')}\n${r.output}`);
  return c;
}

/** Failed checks that can move the verdict (minor ones only warn: e.g. header tests on plain HTTP). */
export function seriousFailures(r: Run): string[] {
  return (r.verdict?.checks ?? []).filter((c) => c.status === 'failed' && c.severity !== 'minor').map((c) => c.id);
}
