import { describe, expect, it } from 'vitest';
import { T, typeToString } from '../../src/common/types.js';
import { ExpressionError } from '../../src/functions/eval-error.js';
import { evalFn, resolveError, resolveFn, typed } from './helpers.js';

const dec = (n: number, p: number, s: number) => typed(n, T.decimal(p, s));

describe('rounding', () => {
  it('ROUND rounds half up (away from zero) on the decimal digits', () => {
    expect(evalFn('ROUND', [2.5])).toBe(3);
    expect(evalFn('ROUND', [-2.5])).toBe(-3);
    expect(evalFn('ROUND', [1.005, 2])).toBe(1.01);
    expect(evalFn('ROUND', [1.004, 2])).toBe(1);
    expect(evalFn('ROUND', [1234, -2])).toBe(1200);
    expect(evalFn('ROUND', [1250, -2])).toBe(1300);
    expect(evalFn('ROUND', [typed(null, T.double()), 2])).toBe(null);
  });

  it('ROUND of a DECIMAL narrows the scale to a literal digit count', () => {
    expect(typeToString(resolveFn('ROUND', [dec(1.2345, 10, 4), 2], { literal: true }).type)).toBe('DECIMAL(9, 2)');
    expect(evalFn('ROUND', [dec(1.2355, 10, 4), 3], { literal: true })).toBe(1.236);
  });

  it('TRUNCATE cuts toward zero', () => {
    expect(evalFn('TRUNCATE', [2.789, 2])).toBe(2.78);
    expect(evalFn('TRUNCATE', [-2.789, 1])).toBe(-2.7);
    expect(evalFn('TRUNCATE', [-2.7])).toBe(-2);
    expect(evalFn('TRUNCATE', [1299, -2])).toBe(1200);
  });

  it('FLOOR and CEIL', () => {
    expect(evalFn('FLOOR', [-1.5])).toBe(-2);
    expect(evalFn('CEIL', [-1.5])).toBe(-1);
    expect(evalFn('CEILING', [1.2])).toBe(2);
    expect(evalFn('FLOOR', [7])).toBe(7);
    expect(typeToString(resolveFn('FLOOR', [dec(1.5, 10, 2)]).type)).toBe('DECIMAL(9, 0)');
  });
});

describe('other math functions', () => {
  it('ABS, SIGN, MOD', () => {
    expect(evalFn('ABS', [-3])).toBe(3);
    expect(evalFn('ABS', [-2.5])).toBe(2.5);
    expect(evalFn('SIGN', [-7])).toBe(-1);
    expect(evalFn('SIGN', [0])).toBe(0);
    expect(evalFn('MOD', [-7, 3])).toBe(-1);
    expect(() => evalFn('MOD', [7, 0])).toThrow('Division by zero');
    expect(typeToString(resolveFn('ABS', [typed(1, T.bigint())]).type)).toBe('BIGINT');
  });

  it('POWER, SQRT, EXP and logarithms return DOUBLE', () => {
    expect(evalFn('POWER', [2, 10])).toBe(1024);
    expect(evalFn('SQRT', [16])).toBe(4);
    expect(evalFn('EXP', [0])).toBe(1);
    expect(evalFn('LN', [Math.E])).toBe(1);
    expect(evalFn('LOG10', [1000])).toBe(3);
    expect(evalFn('LOG2', [8])).toBe(3);
    expect(evalFn('LOG', [Math.E])).toBe(1);
    expect(evalFn('LOG', [2, 1024])).toBe(10);
    expect(typeToString(resolveFn('SQRT', [4]).type)).toBe('DOUBLE');
    expect(() => evalFn('LN', [0])).toThrow(ExpressionError);
    expect(evalFn('SQRT', [-1])).toBeNaN();
  });

  it('PI is a NOT NULL constant', () => {
    expect(evalFn('PI', [])).toBe(Math.PI);
    expect(resolveFn('PI', []).type.nullable).toBe(false);
  });

  it('rejects non-numeric arguments', () => {
    expect(resolveError('ABS', [T.string()])).toBe('ABS expects a NUMERIC argument, got STRING');
    expect(resolveError('POWER', [T.int(), T.string()])).toBe('POWER expects a NUMERIC as argument 2, got STRING');
  });
});

describe('RAND', () => {
  it('is in [0, 1) and non-deterministic', () => {
    const v = evalFn('RAND', []) as number;
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(1);
    expect(resolveFn('RAND', []).deterministic).toBe(false);
  });

  it('with a seed follows java.util.Random', () => {
    // new java.util.Random(42).nextDouble() = 0.7275636800328681; new Random(42).nextInt(10) = 0.
    expect(evalFn('RAND', [42], { literal: true })).toBe(0.7275636800328681);
    expect(evalFn('RAND_INTEGER', [42, 10], { literal: true })).toBe(0);
  });

  it('RAND_INTEGER stays below the bound', () => {
    for (let i = 0; i < 50; i++) {
      const v = evalFn('RAND_INTEGER', [5]) as number;
      expect(Number.isInteger(v) && v >= 0 && v < 5).toBe(true);
    }
  });
});

describe('GREATEST and LEAST', () => {
  it('pick the extreme, NULL if any argument is NULL', () => {
    expect(evalFn('GREATEST', [1, 5, 3])).toBe(5);
    expect(evalFn('LEAST', [1, 5, 3])).toBe(1);
    expect(evalFn('GREATEST', ['b', 'a'])).toBe('b');
    expect(evalFn('GREATEST', [1, typed(null, T.int())])).toBe(null);
    expect(typeToString(resolveFn('GREATEST', [1, 2.5]).type)).toBe('DOUBLE');
    expect(evalFn('GREATEST', [1, 2.5])).toBe(2.5);
    expect(resolveError('GREATEST', [T.int(), T.string()])).toMatch(/incompatible/);
  });
});
