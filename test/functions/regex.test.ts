/**
 * Regular expressions run in linear time: patterns that make a backtracking engine take exponential or
 * quadratic time (`^(a|a)+$`, `(x+x+)+y`, `\d+x`, LIKE with many `%`) answer at once; Java (Flink) syntax
 * is kept for the patterns a linear engine can run; backreferences and lookaround are refused clearly.
 * Without the linear engine the "evil" cases below would not finish (2^40 steps) and the test would time out.
 */
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/functions/eval-error.js';
import { LINEAR_ENGINE_AVAILABLE } from '../../src/functions/scalar/linear-regex.js';
import { UnsupportedRegexError, compileJavaRegex } from '../../src/functions/scalar/regex.js';
import { evalFn, resolveFn } from './helpers.js';

const EVIL_INPUT = 'a'.repeat(40) + 'b';

describe('linear-time matching', () => {
  it('this Node.js has the linear engine', () => {
    expect(LINEAR_ENGINE_AVAILABLE).toBe(true);
  });

  it.each([true, false])('REGEXP, REGEXP_EXTRACT and REGEXP_REPLACE answer evil patterns at once (literal: %s)', (literal) => {
    expect(evalFn('REGEXP', [EVIL_INPUT, '^(a|a)+$'], { literal })).toBe(false);
    expect(evalFn('REGEXP', [EVIL_INPUT.slice(0, -1), '^(a|a)+$'], { literal })).toBe(true);
    expect(evalFn('REGEXP', ['x'.repeat(5000), '(x+x+)+y'], { literal })).toBe(false);
    expect(evalFn('REGEXP_EXTRACT', [EVIL_INPUT, '^(a*)*$', 1], { literal })).toBe(null);
    expect(evalFn('REGEXP_REPLACE', [EVIL_INPUT, '(a|aa)+c', 'X'], { literal })).toBe(EVIL_INPUT);
    // Quadratic for a backtracking engine (a match attempt from each of 100,000 positions).
    expect(evalFn('REGEXP', ['1'.repeat(100_000), '\\d+x'], { literal })).toBe(false);
  });

  it.each([true, false])('LIKE and SIMILAR TO answer evil patterns at once (literal: %s)', (literal) => {
    expect(evalFn('SIMILAR TO', [EVIL_INPUT, '(a|a)+'], { literal })).toBe(false);
    expect(evalFn('LIKE', ['a'.repeat(20_000), '%a%a%a%a%a%a%a%b'], { literal })).toBe(false);
    expect(evalFn('LIKE', ['a'.repeat(20_000) + 'b', '%a%a%a%a%a%a%a%b'], { literal })).toBe(true);
  });
});

describe('Java syntax on the linear engine', () => {
  const extract = (s: string, p: string, g?: number) => evalFn('REGEXP_EXTRACT', g === undefined ? [s, p] : [s, p, g]);

  it('(?i) folds ASCII letters, in classes and ranges too, as Java does without UNICODE_CASE', () => {
    expect(evalFn('REGEXP', ['HELLO', '(?i)hel'])).toBe(true);
    expect(extract('xxABCbcaD', '(?i)[a-c]+')).toBe('ABCbca');
    expect(evalFn('REGEXP', ['A', '(?i)^[^a]$'])).toBe(false);
    expect(evalFn('REGEXP', ['B', '(?i)^[^a]$'])).toBe(true);
    expect(evalFn('REGEXP', ['É', '(?i)é'])).toBe(false);
    // Escapes keep their meaning: \x41 is 'A', \d a digit; they are not letters to fold.
    expect(extract('a1A', '(?i)\\x41\\d')).toBe(null);
    expect(extract('aA1', '(?i)\\x41\\d')).toBe('A1');
  });

  it('(?s) and (?m) apply to the whole pattern', () => {
    expect(evalFn('REGEXP', ['a\nb', '(?s)a.b'])).toBe(true);
    expect(evalFn('REGEXP', ['a\nb', 'a.b'])).toBe(false);
    expect(evalFn('REGEXP', ['x\nb', '(?m)^b$'])).toBe(true);
  });

  it('\\Q...\\E quotes, \\A and \\z anchor, possessive quantifiers match as greedy ones', () => {
    expect(extract('a.*b', '\\Q.*\\E')).toBe('.*');
    expect(evalFn('REGEXP', ['abc', '\\Q.*\\E'])).toBe(false);
    expect(evalFn('REGEXP', ['ab', '\\Aab\\z'])).toBe(true);
    expect(evalFn('REGEXP', ['xab', '\\Aab'])).toBe(false);
    expect(extract('aaab', 'a++b')).toBe('aaab');
    expect(extract('1+++2', '\\++')).toBe('+++');
    expect(extract('aaa', 'a*?')).toBe('');
  });

  it('a class that starts with ] holds it, as in Java', () => {
    expect(extract('x]a]y', '[]a]+')).toBe(']a]');
    expect(extract('x]a]y', '[^]x]+')).toBe('a');
  });

  it('groups, named groups and replacements work as before', () => {
    expect(extract('foothebar', 'foo(.*?)(bar)', 1)).toBe('the');
    expect(evalFn('REGEXP_REPLACE', ['2024-03-01', '(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1'])).toBe('01/03/2024');
    expect(evalFn('REGEXP_REPLACE', ['2024-03', '(?<y>\\d+)-(?<m>\\d+)', '${m}.${y}'])).toBe('03.2024');
    expect(extract('ab12', '[a-z]{1,2}\\d{2}')).toBe('ab12');
  });

  it('counted repetitions above 16 are written out: same matches as Java', () => {
    expect(evalFn('REGEXP', ['a'.repeat(100), '^a{100}$'])).toBe(true);
    expect(evalFn('REGEXP', ['a'.repeat(99), '^a{100}$'])).toBe(false);
    expect(extract('x' + '7'.repeat(25) + 'y', '\\d{1,20}')).toBe('7'.repeat(20));
    expect(extract('x' + '7'.repeat(25) + 'y', '\\d{1,20}?')).toBe('7');
    expect(extract('x' + '7'.repeat(25) + 'y', '\\d{18,}')).toBe('7'.repeat(25));
    expect(evalFn('REGEXP', ['7'.repeat(17), '^\\d{18,}$'])).toBe(false);
    expect(extract('ab'.repeat(30), '(?:ab){17,20}+')).toBe('ab'.repeat(20));
    expect(extract('k=' + 'v'.repeat(150) + ';', 'k=(.{0,100})', 1)).toBe('v'.repeat(100));
    // Nested: 20 groups of 20 digits.
    expect(evalFn('REGEXP', ['1'.repeat(400), '^(?:\\d{20}){20}$'])).toBe(true);
    expect(evalFn('REGEXP', ['1'.repeat(399), '^(?:\\d{20}){20}$'])).toBe(false);
  });

  it('an invalid pattern still gives NULL (as Flink)', () => {
    expect(evalFn('REGEXP', ['abc', '('])).toBe(null);
    expect(evalFn('REGEXP_EXTRACT', ['abc', '(b', 0], { literal: true })).toBe(null);
  });
});

describe('same matches as the backtracking engine', () => {
  // A seeded generator of patterns whose groups cannot match the empty string (the linear engine differs
  // from the backtracking one only in captures, and rarely matches, of quantified groups that can).
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const atom = (depth: number): string => {
    const r = random();
    if (depth > 2 || r < 0.5) return pick(['a', 'b', '.', '[ab]', '[^a]', '\\d', 'x']);
    return (r < 0.75 ? '(' : '(?:') + alternation(depth + 1) + ')';
  };
  const piece = (depth: number) => atom(depth) + (depth > 0 ? pick(['', '', '+', '{2}', '+?']) : pick(['', '*', '+', '?', '*?', '+?', '{1,3}', '{2}', '??', '{0,20}']));
  const sequence = (depth: number) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => piece(depth)).join('');
  const alternation = (depth: number) => sequence(depth) + (random() < 0.3 ? `|${sequence(depth)}` : '');

  it('on random patterns and strings (groups, classes, lazy and counted repetitions, anchors)', () => {
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const pattern = (random() < 0.2 ? '^' : '') + alternation(0) + (random() < 0.2 ? '$' : '');
      const s = Array.from({ length: Math.floor(random() * 40) }, () => pick(['a', 'b', 'x', '1'])).join('');
      let compiled: RegExp;
      try {
        compiled = compileJavaRegex(pattern);
      } catch (e) {
        // A capturing group counted above 16, or a pattern too large once written out: refused, not compared.
        expect(e).toBeInstanceOf(UnsupportedRegexError);
        continue;
      }
      const backtracking = new RegExp(pattern).exec(s);
      const linear = compiled.exec(s);
      expect([pattern, s, linear && [...linear, linear.index]]).toEqual([pattern, s, backtracking && [...backtracking, backtracking.index]]);
      compared++;
    }
    expect(compared).toBeGreaterThan(2500);
  });
});

describe('patterns a linear engine cannot run', () => {
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  it('refuses backreferences and lookaround, citing the pattern and the position', () => {
    expect(() => compileJavaRegex('(a)\\1')).toThrow(UnsupportedRegexError);
    expect(message(() => compileJavaRegex('(a)\\1'))).toBe("Regular expression '(a)\\1' is not supported: backreferences cannot be matched in linear time (at character 4 of the pattern)");
    expect(message(() => compileJavaRegex('(?<x>a)\\k<x>'))).toMatch(/backreferences .* \(at character 8 of the pattern\)$/);
    expect(message(() => compileJavaRegex('(?i)a(?=b)'))).toBe("Regular expression '(?i)a(?=b)' is not supported: lookahead and lookbehind cannot be matched in linear time (at character 6 of the pattern)");
    expect(message(() => compileJavaRegex('(?<!a)b'))).toMatch(/lookahead and lookbehind/);
    expect(message(() => compileJavaRegex('(ab){20}'))).toBe(
      "Regular expression '(ab){20}' is not supported: a capturing group repeated more than 16 times cannot be matched in linear time; make it non-capturing with (?:...) (at character 8 of the pattern)",
    );
    expect(message(() => compileJavaRegex('x{5000}'))).toMatch(/the repetition \{5000\} is too large to match in linear time/);
    expect(message(() => compileJavaRegex('(?:a{16}){16}'))).toMatch(/counted repetitions above 16, or nested in one another/);
  });

  it('a literal unsupported pattern is refused when the call is resolved; a varying one fails its row', () => {
    expect(() => resolveFn('REGEXP', ['aa', '(a)\\1'], { literal: true })).toThrow(/not supported: backreferences/);
    expect(() => resolveFn('REGEXP_REPLACE', ['aa', 'a(?!b)', 'x'], { literal: true })).toThrow(/not supported: lookahead/);
    expect(() => evalFn('REGEXP_EXTRACT', ['aa', '(a)\\1', 1])).toThrow(ExpressionError);
    expect(() => resolveFn('SIMILAR TO', ['aa', 'a{100}'], { literal: true })).toThrow(/not supported: counted repetitions above 16/);
  });
});
