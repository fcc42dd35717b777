/**
 * String functions, following Flink's semantics: positions are 1-based and count characters (code
 * points); regular expressions are Java's; most functions return NULL for NULL input.
 */
import { createHash, randomUUID } from 'node:crypto';
import { T, withNullable, type DataType } from '../../common/types.js';
import type { Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { anyNullable, checkArity, checkKinds, fixed } from './define.js';
import { DEFAULT_MAX_STRING_LENGTH, checkStringLength, maxStringLength } from '../string-limit.js';
import { compileOrNull, javaReplacement, RegexCache, UnsupportedRegexError } from './regex.js';

const STRING = T.string();
const INT = T.int();
const SURROGATE = /[\uD800-\uDFFF]/;

/** Number of characters (code points). */
export function charLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Characters [start, end) counted in code points. */
function charSlice(s: string, start: number, end?: number): string {
  if (!SURROGATE.test(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join('');
}

/**
 * SUBSTRING as Flink: `start` is 1-based; 0 means the first character; a negative start counts from the
 * end; a start beyond either end gives ''. A negative length gives NULL.
 */
export function substring(s: string, pos: number, length?: number): string | null {
  if (length !== undefined && length < 0) return null;
  const n = charLength(s);
  let start: number;
  if (pos > 0) {
    start = pos - 1;
    if (start >= n) return '';
  } else if (pos < 0) {
    start = n + pos;
    if (start < 0) return '';
  } else {
    start = 0;
  }
  const end = length === undefined || n - start < length ? n : start + length;
  return charSlice(s, start, end);
}

function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  let i = 0;
  let j = s.length;
  if (leading) while (i < j && chars.includes(s[i]!)) i++;
  if (trailing) while (j > i && chars.includes(s[j - 1]!)) j--;
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

function trimMode(mode: unknown): [boolean, boolean] {
  const m = String(mode).toUpperCase();
  return [m !== 'TRAILING', m !== 'LEADING'];
}

function pad(s: string, len: number, fill: string, left: boolean, max: number): string | null {
  if (len < 0 || fill === '') return null;
  checkStringLength(left ? 'LPAD' : 'RPAD', len, max);
  const n = charLength(s);
  if (len <= n) return charSlice(s, 0, len);
  const need = len - n;
  const fillLen = charLength(fill);
  let padding = fill.repeat(Math.ceil(need / fillLen));
  padding = charSlice(padding, 0, need);
  return left ? padding + s : s + padding;
}

/** REPEAT, refusing a result longer than `max` before building it. */
function repeat(max: number) {
  return (s: string, n: number): string => {
    if (n <= 0) return '';
    checkStringLength('REPEAT', s.length * n, max);
    return s.repeat(n);
  };
}

/** REPLACE, refusing a result longer than `max` before building it. */
function replace(max: number) {
  return (s: string, search: string, rep: string): string => {
    if (search === '') return s;
    const parts = s.split(search);
    checkStringLength('REPLACE', s.length + (parts.length - 1) * (rep.length - search.length), max);
    return parts.join(rep);
  };
}

function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    const alnum = /[\p{L}\p{N}]/u.test(c);
    out += alnum ? (inWord ? c.toLowerCase() : c.toUpperCase()) : c;
    inWord = alnum;
  }
  return out;
}

function hash(algorithm: string): (s: string) => string {
  return (s) => createHash(algorithm).update(s, 'utf8').digest('hex');
}

function splitIndex(s: string, sep: string, index: number): string | null {
  if (index < 0 || s === '') return null;
  const parts = sep === '' ? s.split(/\s/) : s.split(sep);
  return index < parts.length ? parts[index]! : null;
}

/**
 * INSTR as ksqlDB (and Oracle) define it; with two arguments it is Flink's INSTR. A negative `position`
 * counts from the end and searches backwards; `occurrence` picks the n-th match in search order.
 */
export function instr(s: string, needle: string, position = 1, occurrence = 1): number {
  if (occurrence < 1 || position === 0) return 0;
  if (position > 0) {
    let at = position - 1;
    for (let n = 0; ; n++) {
      const i = s.indexOf(needle, at);
      if (i < 0) return 0;
      if (n + 1 === occurrence) return i + 1;
      at = i + 1;
    }
  }
  let at = s.length + position;
  if (at < 0) return 0;
  for (let n = 0; ; n++) {
    const i = s.lastIndexOf(needle, at);
    if (i < 0) return 0;
    if (n + 1 === occurrence) return i + 1;
    if (i === 0) return 0;
    at = i - 1;
  }
}

function locate(needle: string, haystack: string, from?: number): number {
  const start = from === undefined ? 1 : from;
  if (start < 1) return 0;
  return haystack.indexOf(needle, start - 1) + 1;
}

/**
 * A literal regex argument compiled once, or a cache for varying patterns; invalid patterns give NULL (as in
 * Flink). A literal pattern that cannot run in linear time is refused when the call is resolved; a varying
 * one fails the row that uses it.
 */
function regexLookup(literal: unknown, global: boolean): (pattern: string) => RegExp | null {
  if (typeof literal === 'string') {
    const re = compileOrNull(literal, global);
    if (re instanceof UnsupportedRegexError) throw re;
    return () => re;
  }
  const cache = new RegexCache(global);
  return (pattern) => cache.get(pattern);
}

function regexpExtract(get: (p: string) => RegExp | null) {
  return (s: string, pattern: string, group?: number): string | null => {
    const re = get(pattern);
    if (re === null) return null;
    const m = re.exec(s);
    const g = group ?? 0;
    if (m === null || g < 0 || g >= m.length) return null;
    return m[g] ?? null;
  };
}

const concat: ScalarFunctionDef = {
  name: 'CONCAT',
  description: 'CONCAT(s1, s2, ...) – the strings joined; NULL if any is NULL',
  resolve(argTypes): Resolution<ResolvedScalar> {
    const error = checkArity('CONCAT', argTypes, 1, Infinity) ?? checkKinds('CONCAT', argTypes, ['STRING']);
    if (error) return { error };
    const impl = argTypes.length === 2 ? (a: string, b: string) => a + b : (...xs: string[]) => xs.join('');
    return { type: withNullable(STRING, anyNullable(argTypes)), impl, strict: true, deterministic: true };
  },
};

const concatWs: ScalarFunctionDef = {
  name: 'CONCAT_WS',
  description: 'CONCAT_WS(sep, s1, s2, ...) – the non-NULL strings joined with sep; NULL if sep is NULL',
  resolve(argTypes): Resolution<ResolvedScalar> {
    const error = checkArity('CONCAT_WS', argTypes, 2, Infinity) ?? checkKinds('CONCAT_WS', argTypes, ['STRING']);
    if (error) return { error };
    const impl = (sep: string | null, ...xs: (string | null)[]) => {
      if (sep === null) return null;
      let out = '';
      let first = true;
      for (const x of xs) {
        if (x === null) continue;
        out += first ? x : sep + x;
        first = false;
      }
      return out;
    };
    return { type: withNullable(STRING, argTypes[0]!.nullable), impl, strict: false, deterministic: true };
  },
};

function sameLength(ts: readonly DataType[]): DataType {
  return ts[0]?.precision !== undefined ? T.string(ts[0].precision) : STRING;
}

/** String functions. */
export const stringFunctions: readonly ScalarFunctionDef[] = [
  fixed('UPPER', 'UPPER(s) – s in upper case', ['STRING'], sameLength, (s: string) => s.toUpperCase()),
  fixed('LOWER', 'LOWER(s) – s in lower case', ['STRING'], sameLength, (s: string) => s.toLowerCase()),
  fixed('SUBSTRING', 'SUBSTRING(s, start[, len]) – len characters of s from 1-based start (negative: from the end)', ['STRING', 'INTEGER', 'INTEGER'], STRING, substring, { optional: 1, mayReturnNull: true }),
  fixed('SUBSTR', 'SUBSTR(s, start[, len]) – same as SUBSTRING', ['STRING', 'INTEGER', 'INTEGER'], STRING, substring, { optional: 1, mayReturnNull: true }),
  concat,
  concatWs,
  fixed('TRIM', "TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) – s without the given characters (default ' ') at its ends", ['STRING', 'STRING', 'STRING'], STRING, (mode: string, chars: string, s: string) => {
    const [l, r] = trimMode(mode);
    return trimChars(s, chars, l, r);
  }, {
    specialize: (site) => {
      if (typeof site.literalArgs[0] !== 'string') return undefined;
      const [l, r] = trimMode(site.literalArgs[0]);
      return (_m: string, chars: string, s: string) => trimChars(s, chars, l, r);
    },
  }),
  fixed('LTRIM', "LTRIM(s[, chars]) – s without leading chars (default ' ')", ['STRING', 'STRING'], STRING, (s: string, chars?: string) => trimChars(s, chars ?? ' ', true, false), { optional: 1 }),
  fixed('RTRIM', "RTRIM(s[, chars]) – s without trailing chars (default ' ')", ['STRING', 'STRING'], STRING, (s: string, chars?: string) => trimChars(s, chars ?? ' ', false, true), { optional: 1 }),
  fixed('BTRIM', "BTRIM(s[, chars]) – s without leading and trailing chars (default ' ')", ['STRING', 'STRING'], STRING, (s: string, chars?: string) => trimChars(s, chars ?? ' ', true, true), { optional: 1 }),
  fixed('CHAR_LENGTH', 'CHAR_LENGTH(s) – number of characters in s', ['STRING'], INT, charLength),
  fixed('CHARACTER_LENGTH', 'CHARACTER_LENGTH(s) – same as CHAR_LENGTH', ['STRING'], INT, charLength),
  fixed('REPLACE', 'REPLACE(s, search, replacement) – s with every occurrence of search replaced', ['STRING', 'STRING', 'STRING'], STRING, replace(DEFAULT_MAX_STRING_LENGTH), {
    specialize: (_site, _types, env) => replace(maxStringLength(env)),
  }),
  fixed('REGEXP_EXTRACT', 'REGEXP_EXTRACT(s, regex[, group]) – the group (default 0: whole match) of the first match; NULL if none', ['STRING', 'STRING', 'INTEGER'], STRING, regexpExtract(regexLookup(undefined, false)), {
    optional: 1,
    mayReturnNull: true,
    specialize: (site) => (typeof site.literalArgs[1] === 'string' ? regexpExtract(regexLookup(site.literalArgs[1], false)) : undefined),
  }),
  fixed('REGEXP_REPLACE', 'REGEXP_REPLACE(s, regex, replacement) – s with every match of regex replaced ($1 refers to groups)', ['STRING', 'STRING', 'STRING'], STRING, (() => {
    const get = regexLookup(undefined, true);
    return (s: string, p: string, r: string) => {
      const re = get(p);
      return re === null ? null : s.replace(re, javaReplacement(r));
    };
  })(), {
    mayReturnNull: true,
    specialize: (site) => {
      if (typeof site.literalArgs[1] !== 'string') return undefined;
      const get = regexLookup(site.literalArgs[1], true);
      const literalRep = typeof site.literalArgs[2] === 'string' ? javaReplacement(site.literalArgs[2]) : undefined;
      return (s: string, p: string, r: string) => {
        const re = get(p);
        return re === null ? null : s.replace(re, literalRep ?? javaReplacement(r));
      };
    },
  }),
  fixed('REGEXP', 'REGEXP(s, regex) – TRUE when some substring of s matches regex', ['STRING', 'STRING'], T.boolean(), (() => {
    const get = regexLookup(undefined, false);
    return (s: string, p: string) => get(p)?.test(s) ?? null;
  })(), {
    mayReturnNull: true,
    specialize: (site) => {
      if (typeof site.literalArgs[1] !== 'string') return undefined;
      const re = regexLookup(site.literalArgs[1], false)('');
      return (s: string) => (re === null ? null : re.test(s));
    },
  }),
  fixed('SPLIT_INDEX', 'SPLIT_INDEX(s, sep, index) – the 0-based index-th part of s split by sep; NULL when out of range', ['STRING', 'STRING', 'INTEGER'], STRING, splitIndex, { mayReturnNull: true }),
  fixed('POSITION', 'POSITION(needle IN s) – 1-based position of needle in s, 0 when absent', ['STRING', 'STRING'], INT, (needle: string, s: string) => s.indexOf(needle) + 1),
  fixed('LOCATE', 'LOCATE(needle, s[, from]) – 1-based position of needle in s at or after from, 0 when absent', ['STRING', 'STRING', 'INTEGER'], INT, locate, { optional: 1 }),
  fixed('INSTR', 'INSTR(s, needle[, position[, occurrence]]) – 1-based position of the occurrence-th needle in s searching from position (negative: backwards from the end), 0 when absent', ['STRING', 'STRING', 'INTEGER', 'INTEGER'], INT, instr, { optional: 2 }),
  fixed('LPAD', 'LPAD(s, len, pad) – s left-padded with pad (or shortened) to len characters', ['STRING', 'INTEGER', 'STRING'], STRING, (s: string, n: number, p: string) => pad(s, n, p, true, DEFAULT_MAX_STRING_LENGTH), {
    mayReturnNull: true,
    specialize: (_site, _types, env) => (s: string, n: number, p: string) => pad(s, n, p, true, maxStringLength(env)),
  }),
  fixed('RPAD', 'RPAD(s, len, pad) – s right-padded with pad (or shortened) to len characters', ['STRING', 'INTEGER', 'STRING'], STRING, (s: string, n: number, p: string) => pad(s, n, p, false, DEFAULT_MAX_STRING_LENGTH), {
    mayReturnNull: true,
    specialize: (_site, _types, env) => (s: string, n: number, p: string) => pad(s, n, p, false, maxStringLength(env)),
  }),
  fixed('INITCAP', 'INITCAP(s) – each word capitalized, the rest lower case', ['STRING'], STRING, initcap),
  fixed('REVERSE', 'REVERSE(s) – s reversed', ['STRING'], STRING, (s: string) => Array.from(s).reverse().join('')),
  fixed('REPEAT', 'REPEAT(s, n) – s repeated n times', ['STRING', 'INTEGER'], STRING, repeat(DEFAULT_MAX_STRING_LENGTH), {
    specialize: (_site, _types, env) => repeat(maxStringLength(env)),
  }),
  fixed('LEFT', 'LEFT(s, n) – the first n characters of s', ['STRING', 'INTEGER'], STRING, (s: string, n: number) => (n <= 0 ? '' : charSlice(s, 0, n))),
  fixed('RIGHT', 'RIGHT(s, n) – the last n characters of s', ['STRING', 'INTEGER'], STRING, (s: string, n: number) => {
    if (n <= 0) return '';
    const len = charLength(s);
    return n >= len ? s : charSlice(s, len - n);
  }),
  fixed('MD5', 'MD5(s) – MD5 digest of s as 32 hex digits', ['STRING'], STRING, hash('md5')),
  fixed('SHA1', 'SHA1(s) – SHA-1 digest of s as hex digits', ['STRING'], STRING, hash('sha1')),
  fixed('SHA256', 'SHA256(s) – SHA-256 digest of s as hex digits', ['STRING'], STRING, hash('sha256')),
  fixed('SHA2', 'SHA2(s, bits) – SHA-2 digest (224, 256, 384 or 512 bits) of s as hex digits', ['STRING', 'INTEGER'], STRING, (s: string, bits: number) => {
    if (bits !== 224 && bits !== 256 && bits !== 384 && bits !== 512) return null;
    return createHash(`sha${bits}`).update(s, 'utf8').digest('hex');
  }, { mayReturnNull: true }),
  fixed('TO_BASE64', 'TO_BASE64(s) – base64 encoding of the UTF-8 bytes of s', ['STRING'], STRING, (s: string) => Buffer.from(s, 'utf8').toString('base64')),
  fixed('FROM_BASE64', 'FROM_BASE64(s) – the string whose UTF-8 bytes s encodes in base64', ['STRING'], STRING, (s: string) => Buffer.from(s, 'base64').toString('utf8')),
  fixed('UUID', 'UUID() – a random UUID string', [], STRING, () => randomUUID(), { notNull: true, deterministic: false }),
  fixed('ASCII', 'ASCII(s) – code of the first character of s (0 for an empty string)', ['STRING'], INT, (s: string) => (s === '' ? 0 : s.charCodeAt(0))),
  fixed('CHR', 'CHR(n) – the character with code n mod 256', ['INTEGER'], STRING, (n: number) => (n < 0 ? '' : String.fromCharCode(n % 256))),
];
