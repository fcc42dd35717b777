import { describe, expect, it } from 'vitest';
import { T, typeToString } from '../../src/common/types.js';
import { ExpressionError } from '../../src/functions/eval-error.js';
import { evalFn, fixedEnv, resolveError, resolveFn, typed } from './helpers.js';

const ts = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');
const big = (n: number) => typed(n, T.bigint());
const dec = (n: number, p: number, s: number) => typed(n, T.decimal(p, s));

describe('arithmetic on numbers', () => {
  it('adds, subtracts and multiplies', () => {
    expect(evalFn('+', [2, 3])).toBe(5);
    expect(evalFn('-', [2, 3])).toBe(-1);
    expect(evalFn('*', [4, 2.5])).toBe(10);
  });

  it('widens INT and BIGINT to BIGINT and asks the binder to coerce', () => {
    const r = resolveFn('+', [1, big(2)]);
    expect(typeToString(r.type)).toBe('BIGINT');
    expect(r.argTypes?.map(typeToString)).toEqual(['BIGINT', 'BIGINT']);
  });

  it('divides integers with truncation toward zero', () => {
    expect(evalFn('/', [7, 2])).toBe(3);
    expect(evalFn('/', [-7, 2])).toBe(-3);
    expect(evalFn('/', [7.0 + 0.5, 2])).toBe(3.75);
    expect(typeToString(resolveFn('/', [7, 2]).type)).toBe('INT');
  });

  it('fails on integer division by zero but follows IEEE for doubles', () => {
    expect(() => evalFn('/', [1, 0])).toThrow('Division by zero');
    expect(() => evalFn('%', [1, 0])).toThrow(ExpressionError);
    expect(evalFn('/', [1.5, typed(0, T.double())])).toBe(Infinity);
    expect(evalFn('/', [typed(0, T.double()), typed(0, T.double())])).toBeNaN();
  });

  it('takes the remainder with the sign of the dividend', () => {
    expect(evalFn('%', [-7, 3])).toBe(-1);
    expect(evalFn('%', [7, -3])).toBe(1);
    expect(evalFn('MOD', [10, 4])).toBe(2);
  });

  it('wraps INT overflow like Java', () => {
    expect(evalFn('+', [2147483647, 1])).toBe(-2147483648);
    expect(evalFn('*', [65536, 65536])).toBe(0);
    expect(evalFn('NEGATE', [-2147483648])).toBe(-2147483648);
  });

  it('rounds DECIMAL results to the result scale', () => {
    const r = resolveFn('+', [dec(0.1, 10, 1), dec(0.2, 10, 2)]);
    expect(typeToString(r.type)).toBe('DECIMAL(12, 2)');
    expect(evalFn('+', [dec(0.1, 10, 1), dec(0.2, 10, 2)])).toBe(0.3);
    expect(typeToString(resolveFn('*', [dec(1, 5, 2), dec(1, 4, 1)]).type)).toBe('DECIMAL(9, 3)');
    expect(typeToString(resolveFn('/', [dec(1, 10, 2), dec(3, 10, 0)]).type)).toBe('DECIMAL(21, 13)');
    expect(evalFn('/', [dec(1, 10, 2), dec(3, 10, 0)])).toBe(0.3333333333333);
  });

  it('gives NULL for a NULL operand', () => {
    expect(evalFn('+', [null, 1])).toBe(null);
    expect(evalFn('*', [typed(null, T.int()), 1])).toBe(null);
    expect(evalFn('NEGATE', [typed(null, T.double())])).toBe(null);
  });

  it('rejects non-numeric operands', () => {
    expect(resolveError('+', [T.string(), T.int()])).toBe("Cannot apply '+' to arguments of type STRING and INT");
    expect(resolveError('NEGATE', [T.boolean()])).toMatch(/BOOLEAN/);
  });
});

describe('temporal arithmetic', () => {
  const dayTime = (ms: number) => typed(ms, T.intervalDayTime());
  const months = (n: number) => typed(n, T.intervalYearMonth());

  it('adds and subtracts day-time intervals', () => {
    expect(evalFn('+', [typed(ts('2024-03-01 00:00:00'), T.timestamp(3)), dayTime(90_000)])).toBe(ts('2024-03-01 00:01:30'));
    expect(evalFn('-', [typed(ts('2024-03-01 00:00:00'), T.timestamp(3)), dayTime(5000)])).toBe(ts('2024-02-29 23:59:55'));
    expect(evalFn('+', [dayTime(1000), typed(ts('2024-03-01 00:00:00'), T.timestampLtz(3))])).toBe(ts('2024-03-01 00:00:01'));
    expect(evalFn('+', [typed(19783, T.date()), dayTime(2 * 86_400_000)])).toBe(19785);
  });

  it('adds calendar months, clamping to the end of the month', () => {
    expect(evalFn('+', [typed(ts('2024-01-31 10:00:00'), T.timestamp(3)), months(1)])).toBe(ts('2024-02-29 10:00:00'));
    expect(evalFn('+', [typed(ts('2023-01-31 10:00:00'), T.timestamp(3)), months(1)])).toBe(ts('2023-02-28 10:00:00'));
    expect(evalFn('-', [typed(ts('2024-03-31 00:00:00'), T.timestamp(3)), months(13)])).toBe(ts('2023-02-28 00:00:00'));
    // DATE 2024-01-31 + 1 month = 2024-02-29 (epoch day 19782).
    expect(evalFn('+', [typed(19753, T.date()), months(1)])).toBe(19782);
  });

  it('adds months to TIMESTAMP_LTZ on the session wall clock', () => {
    // 2024-03-01 00:30 Berlin (CET, +1) = 2024-02-29 23:30 UTC; one month later: 2024-04-01 00:30 CEST (+2) = 2024-03-31 22:30 UTC.
    const env = fixedEnv('Europe/Berlin');
    expect(evalFn('+', [typed(ts('2024-02-29 23:30:00'), T.timestampLtz(3)), months(1)], { env })).toBe(ts('2024-03-31 22:30:00'));
  });

  it('combines and scales intervals', () => {
    expect(evalFn('+', [dayTime(1000), dayTime(500)])).toBe(1500);
    expect(evalFn('-', [months(12), months(1)])).toBe(11);
    expect(evalFn('*', [dayTime(1000), 3])).toBe(3000);
    expect(evalFn('*', [2, months(6)])).toBe(12);
    expect(evalFn('/', [dayTime(1000), 4])).toBe(250);
  });

  it('keeps the timestamp type but drops a time attribute', () => {
    const r = resolveFn('-', [typed(0, { ...T.timestamp(3), timeAttribute: 'rowtime' }), dayTime(1000)]);
    expect(typeToString(r.type)).toBe('TIMESTAMP(3)');
  });

  it('rejects TIMESTAMP + TIMESTAMP', () => {
    expect(resolveError('+', [T.timestamp(3), T.timestamp(3)])).toMatch(/Cannot apply '\+'/);
  });
});

describe('comparisons', () => {
  it('compares numbers of mixed types', () => {
    expect(evalFn('<', [1, 1.5])).toBe(true);
    expect(evalFn('=', [2, big(2)])).toBe(true);
    expect(evalFn('=', [2, dec(2, 10, 2)])).toBe(true);
    expect(evalFn('>=', [3, 3])).toBe(true);
    expect(evalFn('<>', [3, 3])).toBe(false);
  });

  it('compares strings, booleans and temporal values', () => {
    expect(evalFn('<', ['a', 'b'])).toBe(true);
    expect(evalFn('>', ['B', 'a'])).toBe(false);
    expect(evalFn('<', [false, true])).toBe(true);
    expect(evalFn('<=', [typed(1, T.timestamp(3)), typed(2, T.timestamp(3))])).toBe(true);
  });

  it('coerces DATE to TIMESTAMP', () => {
    const r = resolveFn('=', [typed(1, T.date()), typed(86_400_000, T.timestamp(3))]);
    expect(r.argTypes?.map(typeToString)).toEqual(['TIMESTAMP(3)', 'TIMESTAMP(3)']);
    expect(evalFn('=', [typed(1, T.date()), typed(86_400_000, T.timestamp(3))])).toBe(true);
  });

  it('compares arrays by value', () => {
    expect(evalFn('=', [typed([1, 2], T.array(T.int())), typed([1, 2], T.array(T.int()))])).toBe(true);
    expect(evalFn('<', [typed([1, 2], T.array(T.int())), typed([1, 3], T.array(T.int()))])).toBe(true);
  });

  it('is NULL when a side is NULL', () => {
    expect(evalFn('=', [null, 1])).toBe(null);
    expect(evalFn('<', [typed(null, T.string()), 'a'])).toBe(null);
    expect(typeToString(resolveFn('=', [typed(1, { ...T.int(), nullable: false }), typed(1, { ...T.int(), nullable: false })]).type)).toBe('BOOLEAN NOT NULL');
  });

  it('rejects incomparable types', () => {
    expect(resolveError('=', [T.string(), T.int()])).toBe("Cannot apply '=' to arguments of type STRING and INT");
    expect(resolveError('<', [T.timestamp(3), T.timestampLtz(3)])).toMatch(/Cannot apply/);
  });

  it('IS [NOT] DISTINCT FROM treats NULLs as equal', () => {
    expect(evalFn('IS DISTINCT FROM', [null, null])).toBe(false);
    expect(evalFn('IS DISTINCT FROM', [1, null])).toBe(true);
    expect(evalFn('IS DISTINCT FROM', [1, 1])).toBe(false);
    expect(evalFn('IS NOT DISTINCT FROM', [null, null])).toBe(true);
    expect(evalFn('IS NOT DISTINCT FROM', [typed(null, T.int()), 1])).toBe(false);
    expect(evalFn('IS NOT DISTINCT FROM', [2, 2])).toBe(true);
    expect(resolveFn('IS DISTINCT FROM', [null, 1]).type.nullable).toBe(false);
  });
});

describe('string concatenation', () => {
  it('joins strings and propagates NULL', () => {
    expect(evalFn('||', ['ab', 'cd'])).toBe('abcd');
    expect(evalFn('||', ['ab', typed(null, T.string())])).toBe(null);
    expect(resolveError('||', [T.string(), T.int()])).toBe('|| expects a STRING as argument 2, got INT');
  });
});

describe('LIKE', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['abc', 'ab', false],
    ['abc', 'a%', true],
    ['abc', '%c', true],
    ['abc', '%b%', true],
    ['abc', 'a_c', true],
    ['abc', 'a_', false],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false],
    ['', '%', true],
    ['x', '', false],
    ['line1\nline2', 'line1%', true],
    ['ABC', 'abc', false],
    ['a(b)[c]*', 'a(b)[c]*', true],
    ['50%', '50%', true],
    ['abcabc', 'a%c%c', true],
  ];
  for (const literal of [true, false]) {
    it(`matches SQL patterns (${literal ? 'literal' : 'column'} pattern)`, () => {
      for (const [s, p, want] of cases) expect([s, p, evalFn('LIKE', [s, p], { literal })]).toEqual([s, p, want]);
    });
  }

  it('supports an ESCAPE character', () => {
    expect(evalFn('LIKE', ['50%', '50!%', '!'], { literal: true })).toBe(true);
    expect(evalFn('LIKE', ['50x', '50!%', '!'], { literal: true })).toBe(false);
    expect(evalFn('LIKE', ['a_b', 'a!_b', '!'])).toBe(true);
    expect(evalFn('LIKE', ['a\\b', 'a\\b'], { literal: true })).toBe(true);
  });

  it('reports a bad escape in a literal pattern at resolve time', () => {
    expect(() => resolveFn('LIKE', ['x', 'a!b', '!'], { literal: true })).toThrow(/Invalid escape/);
    expect(() => evalFn('LIKE', ['x', 'a!b', '!'])).toThrow(ExpressionError);
  });

  it('is NULL for NULL input', () => {
    expect(evalFn('LIKE', [typed(null, T.string()), 'a%'])).toBe(null);
  });
});

describe('SIMILAR TO', () => {
  it('matches SQL regular expressions over the whole string', () => {
    expect(evalFn('SIMILAR TO', ['abc', 'a(b|x)c'], { literal: true })).toBe(true);
    expect(evalFn('SIMILAR TO', ['abc', '%(b|x)%'])).toBe(true);
    expect(evalFn('SIMILAR TO', ['abc', 'b'])).toBe(false);
    expect(evalFn('SIMILAR TO', ['aaa', 'a+'])).toBe(true);
    expect(evalFn('SIMILAR TO', ['a.c', 'a.c'])).toBe(true);
    expect(evalFn('SIMILAR TO', ['abc', 'a.c'])).toBe(false);
  });
});
