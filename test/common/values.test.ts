import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import { compareValues, formatDouble, formatValue, toJsonValue, valuesEqual } from '../../src/common/values.js';
import { localToUtc, utcToLocal } from '../../src/common/time-zone.js';

const ts = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');

describe('formatValue', () => {
  it('prints NULL for null of any type', () => {
    expect(formatValue(null, T.int())).toBe('NULL');
    expect(formatValue(null, T.string())).toBe('NULL');
  });

  it('prints booleans in lower case like Flink print output', () => {
    expect(formatValue(true, T.boolean())).toBe('true');
    expect(formatValue(false, T.boolean())).toBe('false');
  });

  it('prints doubles like Java', () => {
    expect(formatValue(1, T.double())).toBe('1.0');
    expect(formatValue(-2, T.double())).toBe('-2.0');
    expect(formatValue(0.5, T.double())).toBe('0.5');
    expect(formatValue(1e10, T.double())).toBe('1.0E10');
    expect(formatValue(1.5e-7, T.double())).toBe('1.5E-7');
    expect(formatValue(NaN, T.double())).toBe('NaN');
    expect(formatValue(-Infinity, T.double())).toBe('-Infinity');
    expect(formatDouble(123456.789)).toBe('123456.789');
  });

  it('prints decimals with exactly scale digits', () => {
    expect(formatValue(1.5, T.decimal(10, 2))).toBe('1.50');
    expect(formatValue(3, T.decimal(10, 0))).toBe('3');
    expect(formatValue(-0.001, T.decimal(10, 2))).toBe('0.00');
  });

  it('prints temporal values', () => {
    expect(formatValue(ts('2024-03-01 12:34:56.789'), T.timestamp(3))).toBe('2024-03-01 12:34:56.789');
    expect(formatValue(ts('2024-03-01 12:34:56.789'), T.timestamp(0))).toBe('2024-03-01 12:34:56');
    expect(formatValue(ts('2024-03-01 12:34:56.789'), T.timestamp(6))).toBe('2024-03-01 12:34:56.789000');
    expect(formatValue(19783, T.date())).toBe('2024-03-01');
    expect(formatValue(45_296_000, T.time())).toBe('12:34:56');
    expect(formatValue(600_000, T.intervalDayTime())).toBe('+0 00:10:00.000');
    expect(formatValue(14, T.intervalYearMonth())).toBe('+1-02');
  });

  it('prints TIMESTAMP_LTZ in the given time zone', () => {
    const instant = ts('2024-07-01 10:00:00');
    expect(formatValue(instant, T.timestampLtz(3))).toBe('2024-07-01 10:00:00.000');
    expect(formatValue(instant, T.timestampLtz(3), 'Europe/Berlin')).toBe('2024-07-01 12:00:00.000');
    expect(formatValue(instant, T.timestampLtz(3), 'Asia/Shanghai')).toBe('2024-07-01 18:00:00.000');
    expect(formatValue(instant, T.timestampLtz(3), '-05:30')).toBe('2024-07-01 04:30:00.000');
  });

  it('prints strings, arrays and maps', () => {
    expect(formatValue('abc', T.string())).toBe('abc');
    expect(formatValue([1, 2, null], T.array(T.int()))).toBe('[1, 2, NULL]');
    expect(formatValue(new Map([['a', 1]]), T.map(T.string(), T.int()))).toBe('{a=1}');
    expect(formatValue(new Uint8Array([1, 255]), T.bytes())).toBe("x'01ff'");
  });
});

describe('time zones', () => {
  it('converts between UTC and wall clock across DST', () => {
    // Berlin: CET (+1) in winter, CEST (+2) in summer.
    expect(utcToLocal(ts('2024-01-15 10:00:00'), 'Europe/Berlin')).toBe(ts('2024-01-15 11:00:00'));
    expect(localToUtc(ts('2024-07-15 12:00:00'), 'Europe/Berlin')).toBe(ts('2024-07-15 10:00:00'));
    // 2024-03-31 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00).
    // Like Java's atZone, the time moves later by the gap: 03:30 CEST = 01:30 UTC.
    expect(localToUtc(ts('2024-03-31 02:30:00'), 'Europe/Berlin')).toBe(ts('2024-03-31 01:30:00'));
    expect(localToUtc(ts('2024-11-03 01:30:00'), 'America/New_York')).toBe(ts('2024-11-03 05:30:00'));
    // 2024-10-27 02:30 happens twice; the earlier instant (CEST, +2) is chosen.
    expect(localToUtc(ts('2024-10-27 02:30:00'), 'Europe/Berlin')).toBe(ts('2024-10-27 00:30:00'));
  });
});

describe('compareValues', () => {
  it('orders NULL first', () => {
    expect(compareValues(null, 1)).toBeLessThan(0);
    expect(compareValues(1, null)).toBeGreaterThan(0);
    expect(compareValues(null, null)).toBe(0);
  });

  it('orders numbers, strings, booleans and arrays', () => {
    expect([3, -1, 2.5, 0].sort(compareValues)).toEqual([-1, 0, 2.5, 3]);
    expect(['b', 'B', 'a', 'ab'].sort(compareValues)).toEqual(['B', 'a', 'ab', 'b']);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues([1, 2], [1, 3])).toBeLessThan(0);
    expect(compareValues([1, 2], [1, 2, 0])).toBeLessThan(0);
    expect(compareValues([1, 2], [1, 2])).toBe(0);
    expect(compareValues(NaN, Infinity)).toBeGreaterThan(0);
  });
});

describe('valuesEqual', () => {
  it('compares scalars and structures', () => {
    expect(valuesEqual(1, 1)).toBe(true);
    expect(valuesEqual('a', 'b')).toBe(false);
    expect(valuesEqual(NaN, NaN)).toBe(false);
    expect(valuesEqual([1, [2, 3]], [1, [2, 3]])).toBe(true);
    expect(valuesEqual([1, null], [1, null])).toBe(true);
    expect(valuesEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(valuesEqual(new Map([['k', 1]]), new Map([['k', 1]]))).toBe(true);
  });
});

describe('toJsonValue', () => {
  it('renders temporal values as text and rows as objects', () => {
    expect(toJsonValue(ts('2024-03-01 00:00:00'), T.timestamp(3))).toBe('2024-03-01 00:00:00.000');
    expect(toJsonValue(ts('2024-03-01 00:00:00'), T.timestampLtz(3))).toBe('2024-03-01 00:00:00.000Z');
    expect(toJsonValue(19783, T.date())).toBe('2024-03-01');
    expect(toJsonValue([1, 'x'], T.row([{ name: 'a', type: T.int() }, { name: 'b', type: T.string() }]))).toEqual({ a: 1, b: 'x' });
    expect(toJsonValue(null, T.int())).toBe(null);
    expect(toJsonValue(1.5, T.double())).toBe(1.5);
  });
});
