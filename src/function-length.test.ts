import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// No function of the product longer than a screenful and a half (docs/architecture.md):
// a longer one mixes steps that deserve names. Tables of data (a config schema
// written as one object literal) are not steps, so the functions that only
// return such a table are named here with the reason.

const SRC = import.meta.dirname;
const MAX_LINES = 100;

/** `file:function` → why its length is data, not logic. */
const TABLES: Record<string, string> = {
  'config/schema.ts:buildConfigSchema': 'the whole config schema as one zod object literal',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.startsWith('_') ? [p] : [];
  });
}

function nameOf(n: ts.Node): string {
  if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name) return n.name.getText();
  const p = n.parent;
  if (p && ts.isVariableDeclaration(p)) return p.name.getText();
  if (p && ts.isPropertyAssignment(p)) return p.name.getText();
  return '(anonymous)';
}

/** Every function of the product longer than MAX_LINES, as `file:name (lines)`. */
function longFunctions(): string[] {
  const out: string[] = [];
  for (const file of sources(SRC)) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
        const lines = sf.getLineAndCharacterOfPosition(n.getEnd()).line - sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
        const key = `${relative(SRC, file)}:${nameOf(n)}`;
        if (lines > MAX_LINES && !(key in TABLES)) out.push(`${key} (${lines} lines)`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

describe('function length', () => {
  it(`no function of the product is longer than ${MAX_LINES} lines (tables of data excepted, by name)`, () => {
    expect(longFunctions()).toEqual([]);
  });
});
