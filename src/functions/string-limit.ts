/**
 * The bound on strings that functions produce (`table.exec.max-string-length`): one `REPEAT(s, 100000000)`
 * would otherwise allocate gigabytes and kill the process. A function that would produce a longer string
 * fails its row with a positioned error instead — before allocating, where the length is known in advance
 * (REPEAT, LPAD, RPAD, REPLACE), and right after otherwise (concatenations are cheap ropes until read).
 */
import { ExpressionError } from './eval-error.js';
import type { FunctionEnv } from './function-types.js';

/** The default of `table.exec.max-string-length`: 10 Mi characters (UTF-16 code units). */
export const DEFAULT_MAX_STRING_LENGTH = 10_485_760;

/** The session's bound. */
export function maxStringLength(env: FunctionEnv): number {
  return env.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
}

/** The error for a result of `length` characters (undefined: too long for JavaScript itself) from `fn`. */
function tooLong(fn: string, length: number | undefined, max: number): ExpressionError {
  const size = length === undefined ? 'a string too long to build' : `a string of ${length.toLocaleString('en-US')} characters`;
  return new ExpressionError(
    `${fn} would produce ${size}, more than the limit of ${max.toLocaleString('en-US')} (table.exec.max-string-length)`,
    undefined,
    "raise the limit with SET 'table.exec.max-string-length' = '<characters>' if this is intended",
  );
}

/** Throws when a result of `length` characters would be over `max` (call before building it). */
export function checkStringLength(fn: string, length: number, max: number): void {
  if (length > max) throw tooLong(fn, length, max);
}

/**
 * `impl` with its string results bounded by `max`: a longer result, or JavaScript's own "Invalid string
 * length", fails the call with a clear error.
 */
export function boundStringResult(fn: string, impl: (...args: any[]) => unknown, max: number): (...args: any[]) => unknown {
  return (...args) => {
    let out: unknown;
    try {
      out = impl(...args);
    } catch (e) {
      if (e instanceof RangeError && /Invalid string length/.test(e.message)) throw tooLong(fn, undefined, max);
      throw e;
    }
    if (typeof out === 'string' && out.length > max) throw tooLong(fn, out.length, max);
    return out;
  };
}
