import jsep from 'jsep';

// successCondition / failureCondition: a small expression language parsed by
// jsep and interpreted here over plain data. No eval, no Function, no
// prototype access: identifiers resolve only in the given scope, members only
// on arrays (index, length) and plain objects (own keys), and calls only to
// the functions below.

export type Value = number | string | boolean | null | Value[] | { [k: string]: Value };

export interface CompiledExpression {
  source: string;
  evaluate(scope: Record<string, Value>): Value;
}

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
}

const nums = (args: Value[]): number[] => args.flatMap((a) => (Array.isArray(a) ? a : [a])).map(toNumber);

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  len: ([a]) => (Array.isArray(a) ? a.length : typeof a === 'string' ? a.length : 0),
  min: (args) => Math.min(...nums(args)),
  max: (args) => Math.max(...nums(args)),
  sum: (args) => nums(args).reduce((x, y) => x + y, 0),
  avg: (args) => {
    const v = nums(args);
    return v.length ? v.reduce((x, y) => x + y, 0) / v.length : Number.NaN;
  },
  abs: ([a]) => Math.abs(toNumber(a ?? null)),
  isNaN: ([a]) => Number.isNaN(toNumber(a ?? null)),
  all: ([a]) => (Array.isArray(a) ? a.every(Boolean) : Boolean(a)),
  any: ([a]) => (Array.isArray(a) ? a.some(Boolean) : Boolean(a)),
};

const BINARY: Record<string, (l: Value, r: Value) => Value> = {
  '+': (l, r) => (typeof l === 'string' || typeof r === 'string' ? `${String(l)}${String(r)}` : toNumber(l) + toNumber(r)),
  '-': (l, r) => toNumber(l) - toNumber(r),
  '*': (l, r) => toNumber(l) * toNumber(r),
  '/': (l, r) => toNumber(l) / toNumber(r),
  '%': (l, r) => toNumber(l) % toNumber(r),
  '<': (l, r) => toNumber(l) < toNumber(r),
  '<=': (l, r) => toNumber(l) <= toNumber(r),
  '>': (l, r) => toNumber(l) > toNumber(r),
  '>=': (l, r) => toNumber(l) >= toNumber(r),
  '==': (l, r) => l === r,
  '===': (l, r) => l === r,
  '!=': (l, r) => l !== r,
  '!==': (l, r) => l !== r,
};

function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new ExpressionError(`expected a number, got ${JSON.stringify(v)}`);
}

function evaluateNode(node: jsep.Expression, scope: Record<string, Value>): Value {
  switch (node.type) {
    case 'Literal': {
      const v = (node as jsep.Literal).value;
      if (v instanceof RegExp) throw new ExpressionError('regular expressions are not supported');
      return v;
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (name === 'NaN') return Number.NaN;
      if (name === 'Infinity') return Number.POSITIVE_INFINITY;
      if (!Object.hasOwn(scope, name)) throw new ExpressionError(`unknown name "${name}" (known: ${Object.keys(scope).join(', ')})`);
      return scope[name]!;
    }
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression;
      const obj = evaluateNode(m.object, scope);
      const key = m.computed ? evaluateNode(m.property, scope) : (m.property as jsep.Identifier).name;
      if (Array.isArray(obj)) {
        if (key === 'length') return obj.length;
        if (typeof key !== 'number' || !Number.isInteger(key)) throw new ExpressionError(`array index must be an integer, got ${JSON.stringify(key)}`);
        if (key < 0 || key >= obj.length) throw new ExpressionError(`index ${key} out of range (result has ${obj.length} values)`);
        return obj[key]!;
      }
      if (obj !== null && typeof obj === 'object' && (typeof key === 'string' || typeof key === 'number')) {
        const k = String(key);
        if (!Object.hasOwn(obj, k)) throw new ExpressionError(`no field "${k}"`);
        return obj[k]!;
      }
      throw new ExpressionError(`cannot read ${JSON.stringify(key)} of ${JSON.stringify(obj)}`);
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression;
      const v = evaluateNode(u.argument, scope);
      if (u.operator === '!') return !v;
      if (u.operator === '-') return -toNumber(v);
      if (u.operator === '+') return toNumber(v);
      throw new ExpressionError(`operator ${u.operator} is not supported`);
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression;
      if (b.operator === '&&') return Boolean(evaluateNode(b.left, scope)) && Boolean(evaluateNode(b.right, scope));
      if (b.operator === '||') return Boolean(evaluateNode(b.left, scope)) || Boolean(evaluateNode(b.right, scope));
      const op = BINARY[b.operator];
      if (!op) throw new ExpressionError(`operator ${b.operator} is not supported`);
      return op(evaluateNode(b.left, scope), evaluateNode(b.right, scope));
    }
    case 'ConditionalExpression': {
      const c = node as jsep.ConditionalExpression;
      return evaluateNode(c.test, scope) ? evaluateNode(c.consequent, scope) : evaluateNode(c.alternate, scope);
    }
    case 'ArrayExpression':
      return (node as jsep.ArrayExpression).elements.map((e) => (e ? evaluateNode(e, scope) : null));
    case 'CallExpression': {
      const c = node as jsep.CallExpression;
      if (c.callee.type !== 'Identifier') throw new ExpressionError('only the built-in functions can be called');
      const name = (c.callee as jsep.Identifier).name;
      const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (!fn) throw new ExpressionError(`unknown function ${name}() (known: ${Object.keys(FUNCTIONS).join(', ')})`);
      return fn(c.arguments.map((a) => evaluateNode(a, scope)));
    }
    default:
      throw new ExpressionError(`${node.type} is not supported in conditions`);
  }
}

/** Parse once (config load); throws ExpressionError with the parser's message on bad syntax. */
export function compileExpression(source: string): CompiledExpression {
  let ast: jsep.Expression;
  try {
    ast = jsep(source);
  } catch (err) {
    throw new ExpressionError(err instanceof Error ? err.message : String(err));
  }
  if (ast.type === 'Compound') throw new ExpressionError('one expression only');
  return { source, evaluate: (scope) => evaluateNode(ast, scope) };
}

/** Names a condition refers to that are not in `known` (nor built in): checked before the run, not when a measurement arrives. */
export function unknownNames(source: string, known: readonly string[]): string[] {
  const ast = jsep(source);
  const out = new Set<string>();
  const walk = (node: jsep.Expression | null | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case 'Identifier': {
        const name = (node as jsep.Identifier).name;
        if (name !== 'NaN' && name !== 'Infinity' && !known.includes(name)) out.add(name);
        return;
      }
      case 'MemberExpression': {
        const m = node as jsep.MemberExpression;
        walk(m.object);
        if (m.computed) walk(m.property);
        return;
      }
      case 'CallExpression': {
        const c = node as jsep.CallExpression;
        if (c.callee.type === 'Identifier') {
          const name = (c.callee as jsep.Identifier).name;
          if (!Object.hasOwn(FUNCTIONS, name)) out.add(`${name}()`);
        } else walk(c.callee);
        c.arguments.forEach(walk);
        return;
      }
      case 'UnaryExpression':
        walk((node as jsep.UnaryExpression).argument);
        return;
      case 'BinaryExpression':
        walk((node as jsep.BinaryExpression).left);
        walk((node as jsep.BinaryExpression).right);
        return;
      case 'ConditionalExpression': {
        const c = node as jsep.ConditionalExpression;
        walk(c.test);
        walk(c.consequent);
        walk(c.alternate);
        return;
      }
      case 'ArrayExpression':
        (node as jsep.ArrayExpression).elements.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(ast);
  return [...out];
}

/** The functions a condition may call. */
export const CONDITION_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);
