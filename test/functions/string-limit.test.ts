/**
 * `table.exec.max-string-length`: functions refuse to build a string past the bound (REPEAT, LPAD, RPAD and
 * REPLACE before allocating it), with an error naming the function, the length and the setting.
 */
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/functions/eval-error.js';
import { boundStringResult, DEFAULT_MAX_STRING_LENGTH } from '../../src/functions/string-limit.js';
import { evalFn, fixedEnv } from './helpers.js';

const env = { ...fixedEnv(), maxStringLength: 10 };
const error = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('table.exec.max-string-length', () => {
  it('REPEAT, LPAD, RPAD and REPLACE stop at the bound and work up to it', () => {
    expect(evalFn('REPEAT', ['ab', 5], { env })).toBe('ababababab');
    expect(error(() => evalFn('REPEAT', ['ab', 6], { env }))).toBe('REPEAT would produce a string of 12 characters, more than the limit of 10 (table.exec.max-string-length)');
    expect(evalFn('LPAD', ['a', 10, 'xy'], { env })).toBe('xyxyxyxyxa');
    expect(error(() => evalFn('RPAD', ['a', 11, 'xy'], { env }))).toMatch(/^RPAD would produce a string of 11 characters/);
    expect(evalFn('REPLACE', ['aaaaa', 'a', 'bb'], { env })).toBe('bbbbbbbbbb');
    expect(error(() => evalFn('REPLACE', ['aaaaaa', 'a', 'bb'], { env }))).toMatch(/^REPLACE would produce a string of 12 characters/);
    // Shortening is always fine.
    expect(evalFn('REPLACE', ['a'.repeat(10), 'aa', ''], { env })).toBe('');
  });

  it('the default is 10 Mi characters: REPEAT of 400 M characters fails at once, without allocating', () => {
    expect(DEFAULT_MAX_STRING_LENGTH).toBe(10 * 1024 * 1024);
    expect(error(() => evalFn('REPEAT', ['aaaaaaaaaa', 40_000_000]))).toBe(
      'REPEAT would produce a string of 400,000,000 characters, more than the limit of 10,485,760 (table.exec.max-string-length)',
    );
    expect(evalFn('REPEAT', ['a', DEFAULT_MAX_STRING_LENGTH])).toHaveLength(DEFAULT_MAX_STRING_LENGTH);
  });

  it('bounds any string result after the fact, and turns JavaScript\'s own overflow into the same error', () => {
    const concat = boundStringResult('CONCAT', (a: string, b: string) => a + b, 4);
    expect(concat('ab', 'cd')).toBe('abcd');
    expect(error(() => concat('ab', 'cde'))).toBe('CONCAT would produce a string of 5 characters, more than the limit of 4 (table.exec.max-string-length)');
    const huge = boundStringResult('X', () => 'a'.repeat(2 ** 30), 4);
    expect(error(huge)).toBe('X would produce a string too long to build, more than the limit of 4 (table.exec.max-string-length)');
    expect(boundStringResult('N', () => null, 4)()).toBe(null);
  });
});
