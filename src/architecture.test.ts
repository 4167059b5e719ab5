import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The import graph of src/ (docs/architecture.md): one way down, no circles.
//
//   cli → jobs → config → stages (registry) → stage folders → stage API → libraries → core
//
// A file may import its own layer's folder or any lower layer; libraries may
// import one another as long as the folder graph has no circle; a stage
// folder never imports another stage folder, and what sits above the
// registry (config, jobs, cli) reaches stages only through it.

const SRC = resolve(import.meta.dirname);

/** Library folders: engines and clients that know nothing of pdv's stages. */
export const LIBRARIES = ['http', 'auth', 'target', 'deps', 'load', 'dr', 'sources', 'stats', 'playwright', 'observatory', 'reporters', 'actions'] as const;

interface Node {
  file: string;
  layer: string;
  rank: number;
}

function classify(file: string): Node {
  const rel = relative(SRC, file).split(sep);
  const top = rel[0] ?? '';
  if (top === 'core') return { file, layer: 'core', rank: 0 };
  if ((LIBRARIES as readonly string[]).includes(top)) return { file, layer: top, rank: 1 };
  if (top === 'stages') {
    if (rel.length === 2 && rel[1] === 'index.ts') return { file, layer: 'stages/index', rank: 4 };
    if (rel.length === 2) return { file, layer: 'stages/api', rank: 2 };
    return { file, layer: `stages/${rel[1]}`, rank: 3 };
  }
  if (top === 'config') return { file, layer: 'config', rank: 5 };
  if (top === 'jobs') return { file, layer: 'jobs', rank: 6 };
  if (top === 'cli') return { file, layer: 'cli', rank: 7 };
  return { file, layer: `(${top})`, rank: -1 };
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.startsWith('_') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, imports(f).filter((t) => t.startsWith(SRC + sep))]));
const rel = (f: string) => relative(SRC, f);

/** Every import that goes to a higher layer, or across stage folders. */
export function layerViolations(): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = classify(from);
    for (const to of targets) {
      const b = classify(to);
      if (a.layer === b.layer) continue;
      const crossStage = a.rank === 3 && b.rank === 3;
      // Above the registry, stages are reached through it (and the stage API) only.
      const pastRegistry = a.rank > 4 && b.rank === 3;
      if (b.rank > a.rank || crossStage || pastRegistry || a.rank < 0 || b.rank < 0) out.push(`${rel(from)} → ${rel(to)} (${a.layer} may not import ${b.layer})`);
    }
  }
  return out;
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
  it('classifies every source file into a layer', () => {
    expect(files.map(classify).filter((n) => n.rank < 0).map((n) => rel(n.file))).toEqual([]);
  });

  it('never imports upwards, and no stage imports another stage', () => {
    expect(layerViolations()).toEqual([]);
  });

  it('has no import circle between files', () => {
    expect(cycles(graph).map((c) => c.map(rel).sort().join(' ↔ '))).toEqual([]);
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

  it('core knows no stage by name', () => {
    const names = ['smoke', 'uat', 'load', 'security', 'dr', 'metrics'];
    const hits = files
      .filter((f) => classify(f).rank === 0)
      .flatMap((f) => names.filter((n) => new RegExp(`['"\`]${n}['"\`.]`).test(readFileSync(f, 'utf8'))).map((n) => `${rel(f)}: '${n}'`));
    expect(hits).toEqual([]);
  });
});
