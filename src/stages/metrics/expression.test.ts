import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from './expression.ts';

const scope = { result: [0.97, 0.5], value: 0.97, labels: { route: '/api' } };

describe('compileExpression', () => {
  it.each([
    ['result[0] >= 0.95', true],
    ['result[1] >= 0.95', false],
    ['value < 1 && len(result) == 2', true],
    ['max(result) - min(result) > 0.4', true],
    ['avg(result) == 0.735', true],
    ['all([result[0] > 0.9, result[1] < 0.9])', true],
    ['isNaN(value) || value > 2', false],
    ['labels.route == "/api"', true],
    ['result.length', 2],
    ['-value + 1 < 0.1 ? "ok" : "bad"', 'ok'],
  ])('%s → %s', (src, want) => {
    expect(compileExpression(src).evaluate(scope)).toEqual(want);
  });

  it.each([
    ['constructor', /unknown name/],
    ['result.constructor', /array index/],
    ['labels.constructor', /no field/],
    ['labels["__proto__"]', /no field/],
    ['process.exit(1)', /unknown name|only the built-in/],
    ['eval("1")', /unknown function/],
    ['result[5] > 1', /out of range/],
    ['this', /not supported/],
    ['"a" < 1', /expected a number/],
  ])('refuses %s', (src, msg) => {
    expect(() => compileExpression(src).evaluate(scope)).toThrow(msg);
  });

  it('rejects bad syntax and compound expressions at compile time', () => {
    expect(() => compileExpression('result[0] >=')).toThrow(ExpressionError);
    expect(() => compileExpression('a; b')).toThrow(ExpressionError);
  });
});
