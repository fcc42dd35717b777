/**
 * Regular expressions that run in linear time, on V8's own non-backtracking engine (the `l` flag, behind
 * `--enable-experimental-regexp-engine`). A backtracking engine takes exponential time on patterns such as
 * `^(a|a)+$` and quadratic time on `\d+x` over a long string: one query could freeze the event loop, and
 * with it every client of `eddy serve`. The linear engine matches as the backtracking one does (same
 * leftmost match, same groups) for the patterns it accepts, which excludes backreferences, lookaround and
 * the `i`, `u` and `d` flags; {@link linearRegExp} refuses those with a clear message.
 */
import { setFlagsFromString } from 'node:v8';
import { ExpressionError } from '../eval-error.js';

// The flag is read when a RegExp is created, so setting it here, before any pattern is compiled, is enough.
setFlagsFromString('--enable-experimental-regexp-engine');

/** Whether this Node.js has the linear engine (a test checks it; an upgrade that drops it must be noticed). */
export const LINEAR_ENGINE_AVAILABLE = ((): boolean => {
  try {
    return new RegExp('a', 'l').flags.includes('l');
  } catch {
    return false;
  }
})();

/**
 * A pattern Eddy will not run: it cannot be matched in linear time. Unlike an invalid pattern (which gives
 * NULL, as in Flink), this is an error, since the pattern is valid and the user must change it.
 */
export class UnsupportedRegexError extends ExpressionError {
  constructor(pattern: string, reason: string, at?: number) {
    super(
      `Regular expression '${pattern}' is not supported: ${reason}${at === undefined ? '' : ` (at character ${at + 1} of the pattern)`}`,
      undefined,
      'Eddy matches regular expressions in linear time (no backtracking), so that no pattern can freeze it; see "Regular expressions" in docs/sql.md',
    );
    this.name = 'UnsupportedRegexError';
  }
}

/**
 * Compiles a JavaScript regex source on the linear engine. `flags` may hold `g`, `m`, `s`, `y`. Throws
 * UnsupportedRegexError when the engine refuses it (e.g. a counted repetition over 16), or a SyntaxError
 * when the source is invalid.
 */
export function linearRegExp(source: string, flags: string, pattern: string): RegExp {
  if (!LINEAR_ENGINE_AVAILABLE) throw new UnsupportedRegexError(pattern, 'this Node.js has no linear-time regular expression engine');
  try {
    return new RegExp(source, flags + 'l');
  } catch (e) {
    if (e instanceof SyntaxError && /linear time/.test(e.message)) {
      // Valid JavaScript, refused only by the linear engine (the checks before this one catch
      // backreferences and lookaround, and write out large counts of REGEXP patterns): counted repetitions
      // nested in one another, or (SIMILAR TO) a count above 16.
      throw new UnsupportedRegexError(pattern, 'counted repetitions above 16, or nested in one another, cannot be matched in linear time');
    }
    throw e;
  }
}

/** `[a-z]` style ranges of a character class, as [low, high] code units. */
type Range = readonly [number, number];

const A = 65;
const Z = 90;
const a = 97;
const z = 122;

/** The ASCII letters of `range` in the other case (Java's (?i) without UNICODE_CASE folds ASCII only). */
function otherCase([lo, hi]: Range): Range[] {
  const out: Range[] = [];
  const upper: Range = [Math.max(lo, A), Math.min(hi, Z)];
  const lower: Range = [Math.max(lo, a), Math.min(hi, z)];
  if (upper[0] <= upper[1]) out.push([upper[0] + 32, upper[1] + 32]);
  if (lower[0] <= lower[1]) out.push([lower[0] - 32, lower[1] - 32]);
  return out;
}

function classChar(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The extra class items that make a class case-insensitive, for its plain characters and ranges. */
export function caseFoldedItems(ranges: readonly Range[]): string {
  let out = '';
  for (const r of ranges) for (const [lo, hi] of otherCase(r)) out += lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`;
  return out;
}

/** A literal character matched case-insensitively: `[aA]` for an ASCII letter, else itself. */
export function caseFoldedChar(c: string, escaped: string): string {
  const code = c.charCodeAt(0);
  if (c.length !== 1 || !((code >= A && code <= Z) || (code >= a && code <= z))) return escaped;
  return `[${c.toLowerCase()}${c.toUpperCase()}]`;
}
