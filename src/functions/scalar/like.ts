/**
 * `LIKE` and `SIMILAR TO` pattern matching, on the linear-time regex engine (linear-regex.ts). A literal pattern is compiled once per query; simple LIKE
 * patterns (`abc`, `abc%`, `%abc`, `%abc%`) become plain string tests. There is no default escape
 * character (standard SQL and Flink); `ESCAPE 'c'` sets one.
 */
import { T, withNullable } from '../../common/types.js';
import { ExpressionError } from '../eval-error.js';
import type { CallSite, Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { anyNullable, checkArity, checkKinds } from './define.js';
import { UnsupportedRegexError, linearRegExp } from './linear-regex.js';

/** A compiled pattern: tests one string. */
export type Matcher = (s: string) => boolean;

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/**
 * One character (`_`): a surrogate pair or any single code unit. The linear-time engine runs without the
 * `u` flag, so a character outside the BMP is matched as its pair explicitly.
 */
const ANY_CHAR = '(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[\\s\\S])';

function escapeRegex(s: string): string {
  return s.replace(REGEX_SPECIAL, '\\$&');
}

function checkEscape(escape: string | undefined): void {
  if (escape !== undefined && escape.length !== 1) {
    throw new ExpressionError(`Invalid escape character '${escape}': it must be a single character`);
  }
}

/** Compiles a LIKE pattern (`%` any run, `_` one character) into a matcher of the whole string. */
export function compileLike(pattern: string, escape?: string): Matcher {
  checkEscape(escape);
  let literal = '';
  let re = '';
  let simple = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape) {
      const next = pattern[i + 1];
      if (next === undefined || (next !== '%' && next !== '_' && next !== escape)) {
        throw new ExpressionError(`Invalid escape sequence in LIKE pattern '${pattern}'`);
      }
      literal += next;
      re += escapeRegex(next);
      i++;
    } else if (c === '%') {
      re += '[\\s\\S]*';
      literal += '\u0000';
    } else if (c === '_') {
      simple = false;
      re += ANY_CHAR;
    } else {
      literal += c;
      re += escapeRegex(c);
    }
  }
  if (simple && !literal.slice(1, -1).includes('\u0000')) {
    const starts = literal.startsWith('\u0000');
    const ends = literal.length > (starts ? 1 : 0) && literal.endsWith('\u0000');
    const core = literal.slice(starts ? 1 : 0, ends ? -1 : undefined);
    if (!core.includes('\u0000')) {
      if (starts && ends) return (s) => s.includes(core);
      if (starts) return core === '' ? () => true : (s) => s.endsWith(core);
      if (ends) return (s) => s.startsWith(core);
      return (s) => s === core;
    }
  }
  const regex = linearRegExp(`^${re}$`, '', pattern);
  return (s) => regex.test(s);
}

/**
 * Compiles a SQL `SIMILAR TO` pattern: `%` and `_` as in LIKE, plus `|`, `*`, `+`, `?`, `{m,n}`, `( )` and
 * `[ ]` as in regular expressions; the whole string must match.
 */
export function compileSimilar(pattern: string, escape?: string): Matcher {
  checkEscape(escape);
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape) {
      const next = pattern[i + 1];
      if (next === undefined) throw new ExpressionError(`Invalid escape sequence in SIMILAR TO pattern '${pattern}'`);
      re += escapeRegex(next);
      i++;
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += ANY_CHAR;
    else if ('|*+?{}()[],^-'.includes(c)) re += c;
    else re += escapeRegex(c);
  }
  let regex: RegExp;
  try {
    regex = linearRegExp(`^(?:${re})$`, '', pattern);
  } catch (e) {
    if (e instanceof UnsupportedRegexError) throw e;
    throw new ExpressionError(`Invalid SIMILAR TO pattern '${pattern}'`);
  }
  return (s) => regex.test(s);
}

const MAX_CACHED = 256;

/** A matcher per pattern, remembered for patterns that vary between rows (few distinct ones in practice). */
function cachedMatcher(compile: (p: string, e?: string) => Matcher): (s: string, p: string, e?: string) => boolean {
  const cache = new Map<string, Matcher>();
  return (s, p, e) => {
    const key = e === undefined ? p : `${e}\u0000${p}`;
    let m = cache.get(key);
    if (m === undefined) {
      m = compile(p, e);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, m);
    }
    return m(s);
  };
}

function patternFunction(name: string, compile: (p: string, e?: string) => Matcher, description: string): ScalarFunctionDef {
  return {
    name,
    description,
    resolve(argTypes, _env, site: CallSite): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, 2, 3) ?? checkKinds(name, argTypes, ['STRING']);
      if (error) return { error };
      const type = withNullable(T.boolean(), anyNullable(argTypes));
      const pattern = site.literalArgs[1];
      const escape = argTypes.length === 3 ? site.literalArgs[2] : undefined;
      const escapeKnown = argTypes.length === 2 || typeof escape === 'string';
      if (typeof pattern === 'string' && escapeKnown) {
        let matcher: Matcher;
        try {
          matcher = compile(pattern, escape as string | undefined);
        } catch (e) {
          if (e instanceof ExpressionError) return { error: e.message, hint: e.diagnostics[0]!.hint };
          throw e;
        }
        return { type, impl: (s: string) => matcher(s), strict: true, deterministic: true };
      }
      return { type, impl: cachedMatcher(compile), strict: true, deterministic: true };
    },
  };
}

/** LIKE and SIMILAR TO. */
export const likeFunctions: readonly ScalarFunctionDef[] = [
  patternFunction('LIKE', compileLike, "s LIKE pattern [ESCAPE c] – TRUE when s matches pattern ('%' any run, '_' one char)"),
  patternFunction('SIMILAR TO', compileSimilar, 's SIMILAR TO pattern [ESCAPE c] – TRUE when s matches the SQL regular expression'),
];
