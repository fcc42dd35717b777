import { describe, expect, it } from 'vitest';
import { T, typeToString, withNullable } from '../../src/common/types.js';
import { evalFn, resolveError, resolveFn, typed } from './helpers.js';

const notNullInt = (v: number) => typed(v, withNullable(T.int(), false));

describe('COALESCE', () => {
  it('returns the first non-NULL argument', () => {
    expect(evalFn('COALESCE', [null, typed(null, T.int()), 3, 4])).toBe(3);
    expect(evalFn('COALESCE', [typed(null, T.int()), 2])).toBe(2);
    expect(evalFn('COALESCE', [typed(null, T.int()), typed(null, T.int())])).toBe(null);
    expect(evalFn('COALESCE', ['a'])).toBe('a');
  });

  it('has the common type, NOT NULL when some argument is', () => {
    const r = resolveFn('COALESCE', [typed(null, T.int()), notNullInt(0)]);
    expect(typeToString(r.type)).toBe('INT NOT NULL');
    const widened = resolveFn('COALESCE', [typed(null, T.int()), typed(1, T.bigint())]);
    expect(typeToString(widened.type)).toBe('BIGINT');
    expect(widened.argTypes?.map(typeToString)).toEqual(['BIGINT', 'BIGINT']);
    expect(resolveError('COALESCE', [T.int(), T.string()])).toMatch(/incompatible/);
  });
});

describe('IFNULL, NULLIF, IF', () => {
  it('IFNULL', () => {
    expect(evalFn('IFNULL', [typed(null, T.string()), 'x'])).toBe('x');
    expect(evalFn('IFNULL', ['a', 'x'])).toBe('a');
  });

  it('NULLIF', () => {
    expect(evalFn('NULLIF', [1, 1])).toBe(null);
    expect(evalFn('NULLIF', [1, 2])).toBe(1);
    expect(evalFn('NULLIF', [1, typed(null, T.int())])).toBe(1);
    expect(evalFn('NULLIF', [typed(null, T.int()), 1])).toBe(null);
  });

  it('IF takes the first branch only when the condition is TRUE', () => {
    expect(evalFn('IF', [true, 'a', 'b'])).toBe('a');
    expect(evalFn('IF', [false, 'a', 'b'])).toBe('b');
    expect(evalFn('IF', [typed(null, T.boolean()), 'a', 'b'])).toBe('b');
    expect(evalFn('IF', [true, typed(null, T.string()), 'b'])).toBe(null);
    expect(resolveError('IF', [T.int(), T.int(), T.int()])).toBe('IF expects a BOOLEAN argument, got INT');
  });
});
