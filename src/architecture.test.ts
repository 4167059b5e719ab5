import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The import graph of the whole repository (docs/architecture.md): one way down, no circles.
//
// The product, src/ (what the package ships):
//   cli → jobs → config → stages (registry) → stage folders → stage API → libraries → platform → core
// core is the pure domain (types, events, policy, verdict, redaction); platform is the
// plumbing every library needs (files, processes, the event log, Chromium, user modules).
// A file may import its own layer's folder or any lower layer; libraries may
// import one another as long as the folder graph has no circle; a stage
// folder never imports another stage folder, and what sits above the
// registry (config, jobs, cli) reaches stages only through it.
//
// Around it, each zone imports only what its role needs (ZONE_MAY_IMPORT):
// unit tests and `_` test support sit on top of the product; the demo
// (demo/, its specs in tests/) is an application of pdv; e2e/ drives all of
// them; perf/ measures them; examples/ are users' files and see only the
// package's public entry points; nothing imports a test, perf/ or e2e/ but
// tests and benchmarks.

const ROOT = resolve(import.meta.dirname, '..');

/** Library folders: engines and clients that know nothing of pdv's stages. */
export const LIBRARIES = ['http', 'auth', 'target', 'deps', 'load', 'dr', 'sources', 'stats', 'playwright', 'observatory', 'reporters', 'actions'] as const;

/** The package's public entry points (package.json "exports"): all a user's file may import. */
const PUBLIC = ['src/config/index.ts', 'src/playwright/fixtures.ts', 'src/playwright/config.ts', 'src/playwright/bridge-reporter.ts'];

/**
 * The one edge from the product into the demo: `pdv demo` loads the demo's job on use (it ships
 * only with a checkout, never in the package; a missing demo is a usage error there).
 */
const DEMO_LOADER = ['src/cli/commands/demo.ts', 'demo/job.ts'] as const;

type Zone = 'product' | 'unit-test' | 'demo' | 'demo-test' | 'e2e' | 'perf' | 'examples' | 'tooling';

const ZONE_MAY_IMPORT: Record<Zone, readonly Zone[]> = {
  product: ['product'],
  'unit-test': ['product', 'unit-test', 'e2e', 'demo'],
  demo: ['product', 'demo'],
  'demo-test': ['product', 'demo', 'demo-test', 'unit-test', 'e2e'],
  e2e: ['product', 'unit-test', 'demo', 'e2e'],
  perf: ['product', 'unit-test', 'demo', 'e2e', 'perf'],
  examples: ['examples'],
  tooling: ['product', 'demo', 'tooling'],
};

interface Node {
  zone: Zone | undefined;
  layer: string;
  rank: number;
}

const isTest = (name: string): boolean => /\.test\.[cm]?[jt]s$/.test(name);

/** The layer of a product file (src/, not a test, not `_` support). */
function productLayer(parts: string[]): Node {
  const top = parts[1] ?? '';
  const n = (layer: string, rank: number): Node => ({ zone: 'product', layer, rank });
  if (top === 'core') return n('core', 0);
  if (top === 'platform') return n('platform', 0.5);
  if ((LIBRARIES as readonly string[]).includes(top)) return n(top, 1);
  if (top === 'stages') {
    if (parts.length === 3 && parts[2] === 'index.ts') return n('stages/index', 4);
    if (parts.length === 3) return n('stages/api', 2);
    return n(`stages/${parts[2]}`, 3);
  }
  if (top === 'config') return n('config', 5);
  if (top === 'jobs') return n('jobs', 6);
  if (top === 'cli') return n('cli', 7);
  return { zone: undefined, layer: `(src/${top})`, rank: -1 };
}

/** Zone and layer of a repository file, by its path relative to the repository root. */
export function classify(rel: string): Node {
  const parts = rel.split('/');
  const name = parts[parts.length - 1] ?? '';
  const top = parts.length === 1 ? '' : (parts[0] ?? '');
  const z = (zone: Zone): Node => ({ zone, layer: zone, rank: -1 });
  switch (top) {
    case 'src':
      return isTest(name) || name.startsWith('_') ? z('unit-test') : productLayer(parts);
    case 'demo':
    case 'tests':
      return z(isTest(name) ? 'demo-test' : 'demo');
    case 'schema':
      // verdict.json's schema: a contract every layer may read, as data at the bottom.
      return { zone: 'product', layer: 'schema', rank: 0 };
    case 'e2e':
      return z('e2e');
    case 'perf':
      return z('perf');
    case 'examples':
      return z('examples');
    case '':
    case 'bin':
    case 'scripts':
      return z('tooling');
    default:
      return { zone: undefined, layer: `(${top})`, rank: -1 };
  }
}

/** Why an import from `from` to `to` (repository-relative paths) breaks the rules, or undefined. */
export function violation(from: string, to: string): string | undefined {
  const a = classify(from);
  const b = classify(to);
  const say = (why: string): string => `${from} → ${to} (${why})`;
  if (!a.zone || !b.zone) return say(`unclassified ${a.zone ? b.layer : a.layer}`);
  if (from === DEMO_LOADER[0] && to === DEMO_LOADER[1]) return undefined;
  if (a.zone === 'examples' && b.zone === 'product') return PUBLIC.includes(to) ? undefined : say('a user file may import only the package entry points');
  if (!ZONE_MAY_IMPORT[a.zone].includes(b.zone)) return say(`${a.zone} may not import ${b.zone}`);
  if (a.zone !== 'product' || b.zone !== 'product' || a.layer === b.layer) return undefined;
  const crossStage = a.rank === 3 && b.rank === 3;
  // Above the registry, stages are reached through it (and the stage API) only.
  const pastRegistry = a.rank > 4 && b.rank === 3;
  return b.rank > a.rank || crossStage || pastRegistry ? say(`${a.layer} may not import ${b.layer}`) : undefined;
}

const SKIP = new Set(['node_modules', 'dist', 'reports', '.git']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) || (e.name.startsWith('.') && e.name !== '.github') ? [] : sources(p);
    return /\.[cm]?[jt]s$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, dynamic and `export … from`), resolved to files of the repository. */
function imports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s))
    .filter((t) => t.startsWith(ROOT + sep) && !t.split(sep).some((p) => SKIP.has(p)));
}

const rel = (f: string): string => relative(ROOT, f).split(sep).join('/');
const files = sources(ROOT).map(rel);
const graph = new Map(files.map((f) => [f, imports(join(ROOT, f)).map(rel)]));

/** Every import of the repository that breaks a rule. */
export function layerViolations(): string[] {
  return [...graph].flatMap(([from, targets]) => targets.map((to) => violation(from, to)).filter((v): v is string => v !== undefined));
}

/** Strongly connected components of more than one node (Tarjan), as readable chains. */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp);
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('architecture (docs/architecture.md)', () => {
  it('classifies every source file of the repository into a zone (and every product file into a layer)', () => {
    expect(files.length).toBeGreaterThan(400);
    expect(files.filter((f) => !classify(f).zone || (classify(f).zone === 'product' && classify(f).rank < 0))).toEqual([]);
  });

  it('never imports upwards or across zones, and no stage imports another stage', () => {
    expect(layerViolations()).toEqual([]);
  });

  // One planted import per rule: the check above is only as good as its power to fail.
  it.each([
    ['src/core/types.ts', 'src/http/send.ts'],
    ['src/core/verdict.ts', 'src/platform/fs.ts'],
    ['src/platform/fs.ts', 'src/http/send.ts'],
    ['src/http/send.ts', 'src/stages/stage.ts'],
    ['src/stages/stage.ts', 'src/stages/smoke/index.ts'],
    ['src/stages/smoke/index.ts', 'src/stages/load/index.ts'],
    ['src/stages/smoke/index.ts', 'src/stages/index.ts'],
    ['src/stages/index.ts', 'src/config/load.ts'],
    ['src/config/load.ts', 'src/jobs/verify.ts'],
    ['src/jobs/verify.ts', 'src/stages/smoke/index.ts'],
    ['src/jobs/verify.ts', 'src/cli/main.ts'],
    ['src/cli/main.ts', 'demo/app.ts'],
    ['src/jobs/verify.ts', 'src/actions/_testing.ts'],
    ['src/jobs/verify.ts', 'src/jobs/plan.test.ts'],
    ['src/core/types.ts', 'e2e/helpers/cli.ts'],
    ['src/core/types.ts', 'perf/bench/load-cpu.ts'],
    ['src/reporters/index.ts', 'security/definitions.ts'],
    ['demo/app.ts', 'e2e/helpers/cli.ts'],
    ['demo/app.ts', 'src/actions/_testing.ts'],
    ['tests/support/api.ts', 'perf/bench/load-cpu.ts'],
    ['e2e/cli.test.ts', 'perf/bench/load-cpu.ts'],
    ['src/jobs/plan.test.ts', 'perf/bench/load-cpu.ts'],
    ['examples/django-admin/pdv.config.ts', 'src/core/types.ts'],
    ['examples/django-admin/pdv.config.ts', 'demo/target.ts'],
    ['vitest.config.ts', 'e2e/helpers/cli.ts'],
  ])('a planted import %s → %s is caught', (from, to) => {
    expect(violation(from, to)).toMatch(/may not|may import only|unclassified/);
  });

  it('lets each zone import what its role needs', () => {
    for (const [from, to] of [
      ['src/cli/main.ts', 'src/jobs/verify.ts'],
      ['src/stages/smoke/index.ts', 'src/http/send.ts'],
      ['src/cli/commands/demo.ts', 'demo/job.ts'],
      ['src/auth/form.test.ts', 'e2e/helpers/login-servers.ts'],
      ['e2e/cli.test.ts', 'demo/job.ts'],
      ['perf/bench/load-cpu.ts', 'src/load/threads.ts'],
      ['examples/django-admin/pdv.config.ts', 'src/config/index.ts'],
      ['pdv.config.ts', 'demo/target.ts'],
    ] as const) expect(violation(from, to)).toBeUndefined();
  });

  it('has no import circle between files', () => {
    expect(cycles(graph).map((c) => c.sort().join(' ↔ '))).toEqual([]);
  });

  it('has no circle between library folders', () => {
    const folders = new Map<string, string[]>();
    for (const [from, targets] of graph) {
      const a = classify(from);
      if (a.rank !== 1) continue;
      const list = folders.get(a.layer) ?? [];
      for (const t of targets) {
        const b = classify(t);
        if (b.rank === 1 && b.layer !== a.layer && !list.includes(b.layer)) list.push(b.layer);
      }
      folders.set(a.layer, list);
    }
    expect(cycles(folders)).toEqual([]);
  });

  it('sets no process-wide HTTP dispatcher: a run gives its transport to each exchange', () => {
    const hits = files.filter((f) => classify(f).zone === 'product' && /\bsetGlobalDispatcher\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(hits).toEqual([]);
  });

  it('core and platform know no stage by name', () => {
    const names = ['smoke', 'uat', 'load', 'security', 'dr', 'metrics'];
    const hits = files
      .filter((f) => classify(f).zone === 'product' && classify(f).rank < 1)
      .flatMap((f) => names.filter((n) => new RegExp(`['"\`]${n}['"\`.]`).test(readFileSync(join(ROOT, f), 'utf8'))).map((n) => `${f}: '${n}'`));
    expect(hits).toEqual([]);
  });
});
