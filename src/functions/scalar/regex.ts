/** Java-style regular expressions (as Flink's REGEXP_* functions take them) translated to JavaScript. */
import { ExpressionError } from '../eval-error.js';

const INLINE_FLAGS = /^\(\?([imsux]+)\)/;

/**
 * Compiles a Java regular expression: leading inline flags `(?i)`, `(?s)`, `(?m)` become JavaScript
 * flags, `\A` / `\z` / `\Z` become anchors, possessive quantifiers become greedy ones. Other syntax is
 * shared by both dialects. Throws an {@link ExpressionError} when the pattern is invalid.
 */
export function compileJavaRegex(pattern: string, global = false): RegExp {
  let source = pattern;
  let flags = global ? 'g' : '';
  const m = INLINE_FLAGS.exec(source);
  if (m) {
    for (const f of m[1]!) if ((f === 'i' || f === 's' || f === 'm') && !flags.includes(f)) flags += f;
    source = source.slice(m[0].length);
  }
  source = source
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$')
    .replace(/([*+?}])\+/g, '$1');
  try {
    return new RegExp(source, flags);
  } catch {
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
 * patterns are remembered as null.
 */
export class RegexCache {
  private readonly cache = new Map<string, RegExp | null>();
  constructor(private readonly global = false) {}

  /** The compiled pattern, or null when it is invalid. */
  get(pattern: string): RegExp | null {
    let re = this.cache.get(pattern);
    if (re === undefined) {
      try {
        re = compileJavaRegex(pattern, this.global);
      } catch {
        re = null;
      }
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(pattern, re);
    }
    return re;
  }
}
