/**
 * ksqlDB's scalar functions, against values worked out by hand (most from ksqlDB's own documentation
 * examples) or computed here with Date.UTC.
 */
import { describe, expect, it } from 'vitest';
import { T, typeToString } from '../../src/common/types.js';
import { evalFn, fixedEnv, resolveError, resolveFn, typed } from './helpers.js';

const NULL_STR = typed(null, T.string());
const big = (v: number) => typed(v, T.bigint());
const ts = (v: number) => typed(v, T.timestamp(3));

describe('ksqlDB string functions', () => {
  it('UCASE, LCASE, LEN, AS_VALUE', () => {
    expect(evalFn('UCASE', ['abC'])).toBe('ABC');
    expect(evalFn('LCASE', ['AbC'])).toBe('abc');
    expect(evalFn('LEN', ['hello'])).toBe(5);
    expect(evalFn('LEN', ['a😀b'])).toBe(3);
    expect(evalFn('LEN', [typed(new Uint8Array([1, 2, 3, 4]), T.bytes())])).toBe(4);
    expect(evalFn('LEN', [NULL_STR])).toBe(null);
    expect(resolveError('LEN', [T.int()])).toBe('LEN expects a STRING or BYTES argument, got INT');
    expect(evalFn('AS_VALUE', [42])).toBe(42);
    expect(typeToString(resolveFn('AS_VALUE', [big(1)]).type)).toBe('BIGINT');
  });

  it('SPLIT keeps empty parts and splits into characters on an empty delimiter', () => {
    expect(evalFn('SPLIT', ['a,b,,c', ','])).toEqual(['a', 'b', '', 'c']);
    expect(evalFn('SPLIT', [',a,', ','])).toEqual(['', 'a', '']);
    expect(evalFn('SPLIT', ['abc', 'x'])).toEqual(['abc']);
    expect(evalFn('SPLIT', ['abc', ''])).toEqual(['a', 'b', 'c']);
    expect(evalFn('SPLIT', ['a--b', '--'])).toEqual(['a', 'b']);
    expect(evalFn('SPLIT', [NULL_STR, ','])).toBe(null);
    expect(typeToString(resolveFn('SPLIT', ['a', ',']).type)).toBe('ARRAY<STRING NOT NULL>');
  });

  it('MASK and its variants (ksqlDB documentation examples)', () => {
    expect(evalFn('MASK', ['My Test $123'])).toBe('Xx-Xxxx--nnn');
    expect(evalFn('MASK', ['My Test $123', '*', NULL_STR, '1', NULL_STR])).toBe('*y *est $111');
    expect(evalFn('MASK_KEEP_LEFT', ['My Test $123', 4])).toBe('My Txxx--nnn');
    expect(evalFn('MASK_KEEP_RIGHT', ['My Test $123', 4])).toBe('Xx-Xxxx-$123');
    expect(evalFn('MASK_LEFT', ['My Test $123', 4])).toBe('Xx-Xest $123');
    expect(evalFn('MASK_RIGHT', ['My Test $123', 4])).toBe('My Test -nnn');
    expect(evalFn('MASK_LEFT', ['ab', 10])).toBe('xx');
    expect(evalFn('MASK_LEFT', ['ab', -1])).toBe(null);
    expect(evalFn('MASK', [NULL_STR])).toBe(null);
  });

  it('INSTR with position and occurrence (ksqlDB documentation examples)', () => {
    expect(evalFn('INSTR', ['CORPORATE FLOOR', 'OR'])).toBe(2);
    expect(evalFn('INSTR', ['CORPORATE FLOOR', 'OR', 3])).toBe(5);
    expect(evalFn('INSTR', ['CORPORATE FLOOR', 'OR', 3, 2])).toBe(14);
    expect(evalFn('INSTR', ['CORPORATE FLOOR', 'OR', -3])).toBe(5);
    expect(evalFn('INSTR', ['CORPORATE FLOOR', 'OR', -3, 2])).toBe(2);
    expect(evalFn('INSTR', ['CORPORATE FLOOR', 'MISSING'])).toBe(0);
    expect(evalFn('INSTR', ['CORPORATE FLOOR', 'OR', 3, 3])).toBe(0);
  });

  it('LPAD, RPAD, CONCAT_WS, IFNULL and SUBSTRING behave as ksqlDB documents', () => {
    expect(evalFn('LPAD', ['Foo', 7, 'Bar'])).toBe('BarBFoo');
    expect(evalFn('LPAD', ['Foo', 2, 'Bar'])).toBe('Fo');
    expect(evalFn('LPAD', ['', 2, 'Bar'])).toBe('Ba');
    expect(evalFn('LPAD', ['123', 5, '0'])).toBe('00123');
    expect(evalFn('RPAD', ['Foo', 7, 'Bar'])).toBe('FooBarB');
    expect(evalFn('RPAD', ['Foo', 7, ''])).toBe(null);
    expect(evalFn('CONCAT_WS', [', ', 'apple', 'banana', NULL_STR, 'date'])).toBe('apple, banana, date');
    expect(evalFn('IFNULL', [NULL_STR, 'alt'])).toBe('alt');
    expect(evalFn('SUBSTRING', ['stream', 1, 4])).toBe('stre');
    expect(evalFn('SUBSTRING', ['stream', 3])).toBe('ream');
    expect(evalFn('SUBSTRING', ['stream', -3, 2])).toBe('ea');
  });

  it('EXTRACTJSONFIELD reads a JSONPath', () => {
    const msg = '{"log":{"cloud":"gcp836Csd","app":"ksProcessor","instance":4,"tags":["a",{"b":2}],"none":null}}';
    expect(evalFn('EXTRACTJSONFIELD', [msg, '$.log.cloud'], { literal: true })).toBe('gcp836Csd');
    expect(evalFn('EXTRACTJSONFIELD', [msg, '$.log.instance'], { literal: true })).toBe('4');
    expect(evalFn('EXTRACTJSONFIELD', [msg, "$['log']['app']"], { literal: true })).toBe('ksProcessor');
    expect(evalFn('EXTRACTJSONFIELD', [msg, '$.log.tags[1]'], { literal: true })).toBe('{"b":2}');
    expect(evalFn('EXTRACTJSONFIELD', [msg, '$.log.tags[0]'])).toBe('a');
    expect(evalFn('EXTRACTJSONFIELD', [msg, '$.log.missing'])).toBe(null);
    expect(evalFn('EXTRACTJSONFIELD', [msg, '$.log.none'])).toBe(null);
    expect(evalFn('EXTRACTJSONFIELD', [msg, '$.log.tags[5]'])).toBe(null);
    expect(evalFn('EXTRACTJSONFIELD', ['{not json', '$.a'])).toBe(null);
    expect(() => resolveFn('EXTRACTJSONFIELD', [msg, '$.log[*]'], { literal: true })).toThrow("EXTRACTJSONFIELD: unsupported JSON path '$.log[*]'");
  });
});

describe('ksqlDB date and time functions', () => {
  // 1700000000000 ms = 2023-11-14 22:13:20 UTC (Berlin is UTC+1 in November, New York UTC-5).
  const T0 = 1_700_000_000_000;
  const FMT = 'yyyy-MM-dd HH:mm:ss.SSS';

  it('TIMESTAMPTOSTRING formats epoch milliseconds, in the session zone or the given one', () => {
    expect(evalFn('TIMESTAMPTOSTRING', [big(T0), FMT])).toBe('2023-11-14 22:13:20.000');
    expect(evalFn('TIMESTAMPTOSTRING', [big(T0 + 7), FMT, 'Europe/Berlin'])).toBe('2023-11-14 23:13:20.007');
    expect(evalFn('TIMESTAMPTOSTRING', [big(T0), FMT, 'America/New_York'])).toBe('2023-11-14 17:13:20.000');
    expect(evalFn('TIMESTAMPTOSTRING', [big(T0), FMT], { env: fixedEnv('Asia/Tokyo') })).toBe('2023-11-15 07:13:20.000');
    expect(evalFn('TIMESTAMPTOSTRING', [big(T0), FMT, 'Not/AZone'])).toBe(null);
    expect(evalFn('TIMESTAMPTOSTRING', [typed(null, T.bigint()), FMT])).toBe(null);
  });

  it('STRINGTOTIMESTAMP reads text into epoch milliseconds', () => {
    expect(evalFn('STRINGTOTIMESTAMP', ['2023-11-14 22:13:20.000', FMT])).toBe(T0);
    expect(evalFn('STRINGTOTIMESTAMP', ['2023-11-14 23:13:20.000', FMT, 'Europe/Berlin'])).toBe(T0);
    expect(evalFn('STRINGTOTIMESTAMP', ['2023-11-14T23:13:20+0100', "yyyy-MM-dd'T'HH:mm:ssZ"])).toBe(T0);
    expect(evalFn('STRINGTOTIMESTAMP', ['2023-11-14', FMT])).toBe(null);
    expect(typeToString(resolveFn('STRINGTOTIMESTAMP', ['x', FMT]).type)).toBe('BIGINT');
  });

  it('FORMAT_TIMESTAMP and PARSE_TIMESTAMP work on TIMESTAMP values (UTC unless a zone is given)', () => {
    const t = Date.UTC(2021, 5, 30, 12, 18, 39, 446);
    expect(evalFn('PARSE_TIMESTAMP', ['2021-06-30 12:18:39.446', FMT])).toBe(t);
    expect(evalFn('PARSE_TIMESTAMP', ['2021-06-30 14:18:39.446', FMT, 'Europe/Paris'])).toBe(t);
    expect(evalFn('PARSE_TIMESTAMP', ['June 30', FMT])).toBe(null);
    expect(typeToString(resolveFn('PARSE_TIMESTAMP', ['x', FMT]).type)).toBe('TIMESTAMP(3)');
    expect(evalFn('FORMAT_TIMESTAMP', [ts(t), "yyyy-MM-dd'T'HH:mm:ss.SSS"])).toBe('2021-06-30T12:18:39.446');
    expect(evalFn('FORMAT_TIMESTAMP', [ts(t), 'yyyy-MM-dd HH:mm', 'Asia/Tokyo'])).toBe('2021-06-30 21:18');
    expect(evalFn('FORMAT_TIMESTAMP', [ts(t), 'HH:mm'], { env: fixedEnv('Asia/Tokyo') })).toBe('12:18');
    expect(resolveError('FORMAT_TIMESTAMP', [T.string(), T.string()])).toBe('FORMAT_TIMESTAMP expects a TIMESTAMP as argument 1, got STRING');
  });

  it('dates as days since 1970-01-01: DATETOSTRING, STRINGTODATE, FORMAT_DATE, PARSE_DATE, UNIX_DATE', () => {
    // 1970..2021 has 52 years with 13 leap days: 2022-01-01 is day 18993, so 2022-01-08 is day 19000.
    expect(evalFn('DATETOSTRING', [19000, 'yyyy-MM-dd'])).toBe('2022-01-08');
    expect(evalFn('STRINGTODATE', ['2022-01-08', 'yyyy-MM-dd'])).toBe(19000);
    expect(evalFn('STRINGTODATE', ['08/01/2022', 'dd/MM/yyyy'])).toBe(19000);
    expect(evalFn('FORMAT_DATE', [typed(19000, T.date()), 'dd.MM.yyyy'])).toBe('08.01.2022');
    expect(evalFn('PARSE_DATE', ['2022-01-08', 'yyyy-MM-dd'])).toBe(19000);
    expect(evalFn('UNIX_DATE', [typed(19000, T.date())])).toBe(19000);
    // fixedEnv's now is 2024-01-15 10:30 UTC: 19723 days to 2024-01-01, plus 14.
    expect(evalFn('UNIX_DATE', [])).toBe(19737);
  });

  it('UNIX_TIMESTAMP(ts) is milliseconds (ksqlDB); UNIX_TIMESTAMP() keeps Flink seconds', () => {
    expect(evalFn('UNIX_TIMESTAMP', [ts(T0 + 123)])).toBe(T0 + 123);
    expect(evalFn('UNIX_TIMESTAMP', [])).toBe(Date.UTC(2024, 0, 15, 10, 30, 0) / 1000);
  });
});
