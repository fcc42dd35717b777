/**
 * Java-style regular expressions (as Flink's REGEXP_* functions take them) translated to JavaScript, and run
 * on V8's linear-time engine (see linear-regex.ts).
 */
import { ExpressionError } from '../eval-error.js';
import { UnsupportedRegexError, caseFoldedChar, caseFoldedItems, linearRegExp } from './linear-regex.js';

export { UnsupportedRegexError } from './linear-regex.js';

const INLINE_FLAGS = /^\(\?([imsux]+)\)/;
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/-]/;

/** Escapes one character for a JavaScript regex (inside or outside a class). */
function escapeChar(c: string): string {
  return REGEX_SPECIAL.test(c) ? `\\${c}` : c;
}

/**
 * Translates a Java pattern's body (after its leading inline flags) to JavaScript source: `\\A` / `\\z` / `\\Z`
 * become anchors, `\\Q...\\E` quotes, possessive quantifiers become greedy ones, a class's leading `]` is a
 * literal, counted repetitions above what the linear engine takes are written out (see {@link expandCount}),
 * and with `foldCase` (Java's `(?i)`, ASCII letters only) letters match both cases. Refuses backreferences
 * and lookaround, which no linear-time engine can run.
 */
function translate(pattern: string, body: string, offset: number, foldCase: boolean): string {
  let out = '';
  let afterQuantifier = false;
  /** Where in `out` the last atom (what a quantifier applies to) starts; undefined after an anchor or `|`. */
  let atomStart: number | undefined;
  /** Where in `out` each open group starts. */
  const groups: number[] = [];
  const literal = (c: string) => (foldCase ? caseFoldedChar(c, escapeChar(c)) : escapeChar(c));
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const wasQuantifier: boolean = afterQuantifier;
    afterQuantifier = false;
    if (c === '\\') {
      const next = body[i + 1];
      atomStart = out.length;
      if (next === undefined) {
        out += '\\';
        continue;
      }
      i++;
      if (next === 'Q') {
        const end = body.indexOf('\\E', i + 1);
        const quoted = body.slice(i + 1, end < 0 ? body.length : end);
        for (const q of quoted) {
          atomStart = out.length;
          out += literal(q);
        }
        i = end < 0 ? body.length : end + 1;
      } else if (next === 'A') out += '^';
      else if (next === 'z' || next === 'Z') out += '$';
      else if ((next >= '1' && next <= '9') || (next === 'k' && body[i + 1] === '<')) {
        throw new UnsupportedRegexError(pattern, 'backreferences cannot be matched in linear time', offset + i - 1);
      } else {
        const len = escapeLength(body, i);
        out += '\\' + body.slice(i, i + len);
        i += len - 1;
      }
    } else if (c === '[') {
      const end = classEnd(body, i);
      atomStart = out.length;
      out += translateClass(body.slice(i + 1, end), foldCase);
      i = end;
    } else if (c === '(') {
      const kind = body.slice(i + 2, i + 4);
      if (body[i + 1] === '?' && (kind[0] === '=' || kind[0] === '!' || kind === '<=' || kind === '<!')) {
        throw new UnsupportedRegexError(pattern, 'lookahead and lookbehind cannot be matched in linear time', offset + i);
      }
      groups.push(out.length);
      atomStart = undefined;
      out += c;
    } else if (c === ')') {
      atomStart = groups.pop();
      out += c;
    } else if (c === '{' && atomStart !== undefined && COUNTED.test(body.slice(i))) {
      const m = COUNTED.exec(body.slice(i))!;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      i += m[0].length - 1;
      if (min <= LINEAR_MAX_COUNT && (max === undefined || max <= LINEAR_MAX_COUNT)) {
        out += m[0];
        afterQuantifier = true;
      } else {
        const lazy = body[i + 1] === '?';
        if (lazy || body[i + 1] === '+') i++;
        out = out.slice(0, atomStart) + expandCount(pattern, out.slice(atomStart), min, max, lazy, offset + i);
      }
      atomStart = undefined;
    } else if (c === '+' && wasQuantifier) {
      // A possessive quantifier (`a*+`): matched as the greedy one.
    } else if (c === '*' || c === '+' || c === '?') {
      out += c;
      // `a*?` is lazy, not possessive; only `?` after a quantifier is a modifier.
      afterQuantifier = c !== '?' || !wasQuantifier;
      atomStart = undefined;
    } else if (c === '^' || c === '$' || c === '|') {
      atomStart = undefined;
      out += c;
    } else {
      atomStart = out.length;
      out += c === '.' ? c : literal(c);
    }
  }
  return out;
}

/** `{m}`, `{m,}` or `{m,n}` at the start of the text. */
const COUNTED = /^\{(\d+)(,(\d*))?\}/;
/** The highest count V8's linear engine takes in `{m,n}`. */
const LINEAR_MAX_COUNT = 16;
/** The longest source a written-out repetition may give (matching time grows with the pattern's length). */
const MAX_EXPANDED = 4096;

/**
 * `atom{min,max}` written out for the linear engine, which refuses counts above 16: `min` copies, then
 * `max - min` nested optional ones (`{min,}`: then `atom*`). A capturing group inside cannot be copied (its
 * number would change), and the result must stay under {@link MAX_EXPANDED} characters.
 */
function expandCount(pattern: string, atom: string, min: number, max: number | undefined, lazy: boolean, at: number): string {
  if (/(^|[^\\])\((?!\?)|\(\?<[^=!]/.test(atom)) {
    throw new UnsupportedRegexError(pattern, `a capturing group repeated more than ${LINEAR_MAX_COUNT} times cannot be matched in linear time; make it non-capturing with (?:...)`, at);
  }
  const once = `(?:${atom})`;
  const optional = max === undefined ? 0 : max - min;
  if (max !== undefined && max < min) throw new ExpressionError(`Invalid regular expression '${pattern}'`);
  if ((min + optional) * (once.length + 4) > MAX_EXPANDED) {
    throw new UnsupportedRegexError(pattern, `the repetition {${min}${max === min ? '' : `,${max ?? ''}`}} is too large to match in linear time`, at);
  }
  const q = lazy ? '??' : '?';
  let tail = max === undefined ? `${once}*${lazy ? '?' : ''}` : '';
  for (let k = 0; k < optional; k++) tail = `(?:${once}${tail})${q}`;
  return once.repeat(min) + tail;
}

/** How many characters an escape starting at `body[i]` (the character after the backslash) spans. */
function escapeLength(body: string, i: number): number {
  const c = body[i]!;
  const braced = (from: number) => {
    const end = body.indexOf('}', from);
    return end < 0 ? 1 : end - i + 1;
  };
  if (c === 'x') return body[i + 1] === '{' ? braced(i + 1) : 3;
  if (c === 'u') return 5;
  if (c === 'c') return 2;
  if (c === 'p' || c === 'P') return body[i + 1] === '{' ? braced(i + 1) : 2;
  return 1;
}

/** The index of the `]` that closes the class opened at `body[open]` (Java: a `]` right after `[` or `[^` is literal). */
function classEnd(body: string, open: number): number {
  let i = open + 1;
  if (body[i] === '^') i++;
  if (body[i] === ']') i++;
  for (; i < body.length; i++) {
    if (body[i] === '\\') i += escapeLength(body, i + 1);
    else if (body[i] === ']') return i;
  }
  return body.length;
}

/** A class body (between the brackets) in JavaScript syntax, with the other case of its letters when `foldCase`. */
function translateClass(inner: string, foldCase: boolean): string {
  let out = '[';
  let i = 0;
  if (inner[0] === '^') {
    out += '^';
    i = 1;
  }
  const ranges: [number, number][] = [];
  let prev: number | undefined;
  for (; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '\\') {
      const len = escapeLength(inner, i + 1);
      out += inner.slice(i, i + 1 + len);
      i += len;
      prev = undefined;
    } else if (c === '-' && prev !== undefined && i + 1 < inner.length && inner[i + 1] !== '\\') {
      const hi = inner.charCodeAt(i + 1);
      out += `-${escapeChar(inner[i + 1]!)}`;
      ranges[ranges.length - 1] = [prev, hi];
      i++;
      prev = undefined;
    } else {
      out += c === ']' || c === '[' ? `\\${c}` : c;
      prev = inner.charCodeAt(i);
      ranges.push([prev, prev]);
    }
  }
  return out + (foldCase ? caseFoldedItems(ranges) : '') + ']';
}

/**
 * Compiles a Java regular expression to run in linear time: leading inline flags `(?i)`, `(?s)`, `(?m)`
 * apply to the whole pattern (`i` folds ASCII letters, as Java does without UNICODE_CASE); see
 * {@link translate} for the rest. Throws an {@link UnsupportedRegexError} for a pattern that cannot run in
 * linear time, and an {@link ExpressionError} when the pattern is invalid.
 */
export function compileJavaRegex(pattern: string, global = false): RegExp {
  let body = pattern;
  let flags = global ? 'g' : '';
  let foldCase = false;
  const m = INLINE_FLAGS.exec(body);
  if (m) {
    for (const f of m[1]!) {
      if (f === 'i') foldCase = true;
      else if ((f === 's' || f === 'm') && !flags.includes(f)) flags += f;
    }
    body = body.slice(m[0].length);
  }
  const source = translate(pattern, body, m ? m[0].length : 0, foldCase);
  try {
    return linearRegExp(source, flags, pattern);
  } catch (e) {
    if (e instanceof UnsupportedRegexError) throw e;
    throw new ExpressionError(`Invalid regular expression '${pattern}'`);
  }
}

/** Translates a Java replacement string (`$1`, `${name}`, `\$` for a literal dollar) to JavaScript's syntax. */
export function javaReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\' && i + 1 < replacement.length) {
      const next = replacement[++i]!;
      out += next === '$' ? '$$' : next;
    } else if (c === '$' && replacement[i + 1] === '{') {
      const end = replacement.indexOf('}', i);
      if (end < 0) throw new ExpressionError(`Invalid replacement '${replacement}'`);
      out += `$<${replacement.slice(i + 2, end)}>`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

const MAX_CACHED = 256;

/**
 * Compiled regexes by pattern, for patterns that are not literals (usually few distinct ones). Invalid
 * patterns are remembered as null; patterns that cannot run in linear time as their error, thrown again.
 */
export class RegexCache {
  private readonly cache = new Map<string, RegExp | null | UnsupportedRegexError>();
  constructor(private readonly global = false) {}

  /** The compiled pattern, or null when it is invalid; throws an UnsupportedRegexError for an unsafe one. */
  get(pattern: string): RegExp | null {
    let re = this.cache.get(pattern);
    if (re === undefined) {
      re = compileOrNull(pattern, this.global);
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(pattern, re);
    }
    if (re instanceof UnsupportedRegexError) throw re;
    return re;
  }
}

/** The compiled pattern; null when it is invalid (Flink gives NULL then); the error when it is unsupported. */
export function compileOrNull(pattern: string, global: boolean): RegExp | null | UnsupportedRegexError {
  try {
    return compileJavaRegex(pattern, global);
  } catch (e) {
    if (e instanceof UnsupportedRegexError) return e;
    return null;
  }
}
