import { describe, expect, it } from 'vitest';
import { T, typeToString } from '../../src/common/types.js';
import { evalFn, resolveError, resolveFn, typed } from './helpers.js';

const NULL_STR = typed(null, T.string());

describe('case and length', () => {
  it('UPPER, LOWER, INITCAP', () => {
    expect(evalFn('UPPER', ['abc'])).toBe('ABC');
    expect(evalFn('LOWER', ['AbC'])).toBe('abc');
    expect(evalFn('INITCAP', ['hello wORLD-foo bar2x'])).toBe('Hello World-Foo Bar2x');
    expect(evalFn('UPPER', [NULL_STR])).toBe(null);
  });

  it('reports wrong argument types', () => {
    expect(resolveError('UPPER', [T.int()])).toBe('UPPER expects a STRING argument, got INT');
    expect(resolveError('UPPER', [])).toBe('UPPER expects 1 argument, got 0');
  });

  it('CHAR_LENGTH counts characters, not UTF-16 units', () => {
    expect(evalFn('CHAR_LENGTH', ['hello'])).toBe(5);
    expect(evalFn('CHARACTER_LENGTH', [''])).toBe(0);
    expect(evalFn('CHAR_LENGTH', ['a😀b'])).toBe(3);
  });
});

describe('SUBSTRING', () => {
  it('is 1-based with an optional length', () => {
    expect(evalFn('SUBSTRING', ['Hello World', 7])).toBe('World');
    expect(evalFn('SUBSTRING', ['Hello World', 1, 5])).toBe('Hello');
    expect(evalFn('SUBSTR', ['Hello', 2, 100])).toBe('ello');
    expect(evalFn('SUBSTRING', ['Hello', 0, 2])).toBe('He');
  });

  it('counts a negative start from the end', () => {
    expect(evalFn('SUBSTRING', ['Hello', -3])).toBe('llo');
    expect(evalFn('SUBSTRING', ['Hello', -3, 2])).toBe('ll');
    expect(evalFn('SUBSTRING', ['Hello', -10])).toBe('');
  });

  it('gives an empty string past the end and NULL for a negative length', () => {
    expect(evalFn('SUBSTRING', ['Hello', 6])).toBe('');
    expect(evalFn('SUBSTRING', ['Hello', 2, -1])).toBe(null);
    expect(evalFn('SUBSTRING', ['a😀bc', 2, 2])).toBe('😀b');
    expect(evalFn('SUBSTRING', [NULL_STR, 1])).toBe(null);
  });
});

describe('concatenation', () => {
  it('CONCAT is NULL when any argument is', () => {
    expect(evalFn('CONCAT', ['a', 'b', 'c'])).toBe('abc');
    expect(evalFn('CONCAT', ['a', 'b'])).toBe('ab');
    expect(evalFn('CONCAT', ['a', NULL_STR])).toBe(null);
  });

  it('CONCAT_WS skips NULL values', () => {
    expect(evalFn('CONCAT_WS', ['-', 'a', NULL_STR, 'c'])).toBe('a-c');
    expect(evalFn('CONCAT_WS', [NULL_STR, 'a', 'b'])).toBe(null);
    expect(evalFn('CONCAT_WS', [',', NULL_STR])).toBe('');
  });
});

describe('trimming and padding', () => {
  it('TRIM with a mode and characters', () => {
    expect(evalFn('TRIM', ['BOTH', ' ', '  ab  '], { literal: true })).toBe('ab');
    expect(evalFn('TRIM', ['LEADING', ' ', '  ab  '])).toBe('ab  ');
    expect(evalFn('TRIM', ['TRAILING', ' ', '  ab  '])).toBe('  ab');
    expect(evalFn('TRIM', ['BOTH', 'xy', 'xyaxbyx'])).toBe('axb');
    expect(evalFn('TRIM', ['BOTH', NULL_STR, 'x'])).toBe(null);
    expect(evalFn('LTRIM', ['  a '])).toBe('a ');
    expect(evalFn('RTRIM', ['  a '])).toBe('  a');
    expect(evalFn('BTRIM', ['xxaxx', 'x'])).toBe('a');
  });

  it('LPAD and RPAD pad or shorten to the length', () => {
    expect(evalFn('LPAD', ['hi', 4, '??'])).toBe('??hi');
    expect(evalFn('LPAD', ['hi', 5, 'ab'])).toBe('abahi');
    expect(evalFn('LPAD', ['hi', 1, '??'])).toBe('h');
    expect(evalFn('RPAD', ['hi', 5, 'xy'])).toBe('hixyx');
    expect(evalFn('RPAD', ['hi', -1, 'x'])).toBe(null);
    expect(evalFn('RPAD', ['hi', 4, ''])).toBe(null);
  });
});

describe('searching and replacing', () => {
  it('POSITION, LOCATE, INSTR are 1-based, 0 when absent', () => {
    expect(evalFn('POSITION', ['lo', 'hello'])).toBe(4);
    expect(evalFn('POSITION', ['z', 'hello'])).toBe(0);
    expect(evalFn('LOCATE', ['l', 'hello'])).toBe(3);
    expect(evalFn('LOCATE', ['l', 'hello', 4])).toBe(4);
    expect(evalFn('LOCATE', ['l', 'hello', 5])).toBe(0);
    expect(evalFn('INSTR', ['hello', 'e'])).toBe(2);
  });

  it('REPLACE replaces every occurrence', () => {
    expect(evalFn('REPLACE', ['a.b.c', '.', '-'])).toBe('a-b-c');
    expect(evalFn('REPLACE', ['aaa', 'aa', 'b'])).toBe('ba');
    expect(evalFn('REPLACE', ['abc', '', 'x'])).toBe('abc');
  });

  it('SPLIT_INDEX is 0-based and NULL out of range', () => {
    expect(evalFn('SPLIT_INDEX', ['a,b,c', ',', 0])).toBe('a');
    expect(evalFn('SPLIT_INDEX', ['a,b,c', ',', 2])).toBe('c');
    expect(evalFn('SPLIT_INDEX', ['a,b,c', ',', 3])).toBe(null);
    expect(evalFn('SPLIT_INDEX', ['a,b,c', ',', -1])).toBe(null);
    expect(evalFn('SPLIT_INDEX', ['a,,c', ',', 1])).toBe('');
    expect(evalFn('SPLIT_INDEX', ['a::b', '::', 1])).toBe('b');
    expect(resolveFn('SPLIT_INDEX', ['a', ',', 0]).type.nullable).toBe(true);
  });
});

describe('regular expressions', () => {
  for (const literal of [true, false]) {
    it(`REGEXP_EXTRACT (${literal ? 'literal' : 'column'} pattern)`, () => {
      expect(evalFn('REGEXP_EXTRACT', ['foothebar', 'foo(.*?)(bar)', 2], { literal })).toBe('bar');
      expect(evalFn('REGEXP_EXTRACT', ['foothebar', 'foo(.*?)(bar)', 1], { literal })).toBe('the');
      expect(evalFn('REGEXP_EXTRACT', ['foothebar', 'o+t'], { literal })).toBe('oot');
      expect(evalFn('REGEXP_EXTRACT', ['abc', 'x(y)', 1], { literal })).toBe(null);
      expect(evalFn('REGEXP_EXTRACT', ['abc', '(b)', 2], { literal })).toBe(null);
      expect(evalFn('REGEXP_EXTRACT', ['abc', '(', 1], { literal })).toBe(null);
    });
  }

  it('REGEXP_REPLACE with Java group references', () => {
    expect(evalFn('REGEXP_REPLACE', ['foobar', 'oo|ar', ''], { literal: true })).toBe('fb');
    expect(evalFn('REGEXP_REPLACE', ['2024-03-01', '(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1'])).toBe('01/03/2024');
    expect(evalFn('REGEXP_REPLACE', ['a1b2', '\\d', '\\$'])).toBe('a$b$');
  });

  it('REGEXP finds a match anywhere; (?i) is honoured', () => {
    expect(evalFn('REGEXP', ['hello', 'l+'], { literal: true })).toBe(true);
    expect(evalFn('REGEXP', ['hello', '^l'])).toBe(false);
    expect(evalFn('REGEXP', ['HELLO', '(?i)hel'])).toBe(true);
  });
});

describe('other string functions', () => {
  it('REVERSE, REPEAT, LEFT, RIGHT', () => {
    expect(evalFn('REVERSE', ['abc'])).toBe('cba');
    expect(evalFn('REPEAT', ['ab', 3])).toBe('ababab');
    expect(evalFn('REPEAT', ['ab', -1])).toBe('');
    expect(evalFn('LEFT', ['hello', 2])).toBe('he');
    expect(evalFn('LEFT', ['hello', -2])).toBe('');
    expect(evalFn('RIGHT', ['hello', 3])).toBe('llo');
    expect(evalFn('RIGHT', ['hello', 10])).toBe('hello');
  });

  it('hashes and base64', () => {
    expect(evalFn('MD5', [''])).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(evalFn('SHA256', ['abc'])).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(evalFn('SHA1', ['abc'])).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(evalFn('TO_BASE64', ['hello'])).toBe('aGVsbG8=');
    expect(evalFn('FROM_BASE64', ['aGVsbG8='])).toBe('hello');
  });

  it('ASCII, CHR, UUID', () => {
    expect(evalFn('ASCII', ['A'])).toBe(65);
    expect(evalFn('ASCII', [''])).toBe(0);
    expect(evalFn('CHR', [97])).toBe('a');
    expect(evalFn('CHR', [353])).toBe('a');
    const u = evalFn('UUID', []) as string;
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const r = resolveFn('UUID', []);
    expect(r.deterministic).toBe(false);
    expect(typeToString(r.type)).toBe('STRING NOT NULL');
  });
});
