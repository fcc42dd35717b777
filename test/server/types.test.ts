/**
 * Eddy values as Postgres text, checked against what a Postgres 14 server prints for the same values
 * (float shortest form and exponents, trimmed fractional seconds, BC dates, intervals, offsets).
 */
import { describe, expect, it } from 'vitest';
import { T } from '../../src/index.js';
import { pgColumnType, pgFloat, pgText } from '../../src/server/types.js';

const at = (iso: string) => Date.parse(iso);

describe('Postgres text of Eddy values', () => {
  it('prints floats in the shortest form, switching to exponents as Postgres does', () => {
    expect(pgFloat(0.30000000000000004, 15)).toBe('0.30000000000000004');
    expect(pgFloat(123456789012345, 15)).toBe('123456789012345');
    expect(pgFloat(1e15, 15)).toBe('1e+15');
    expect(pgFloat(1.5e300, 15)).toBe('1.5e+300');
    expect(pgFloat(0.0001, 15)).toBe('0.0001');
    expect(pgFloat(0.00001234, 15)).toBe('1.234e-05');
    expect(pgFloat(-2.5, 15)).toBe('-2.5');
    expect(pgFloat(Number.NaN, 15)).toBe('NaN');
    expect(pgFloat(-Infinity, 15)).toBe('-Infinity');
    // float4: 0.1 is stored as 0.100000001490116..., printed as the shortest text that reads back the same.
    expect(pgFloat(0.1, 6)).toBe('0.1');
    expect(pgFloat(123456, 6)).toBe('123456');
    expect(pgFloat(1000000, 6)).toBe('1e+06');
    expect(pgFloat(3.4028234663852886e38, 6)).toBe('3.4028235e+38');
  });

  it('prints timestamps with trimmed milliseconds, and timestamptz with the offset of the zone', () => {
    expect(pgText(at('2024-01-01T10:00:00.000Z'), T.timestamp(3))).toBe('2024-01-01 10:00:00');
    expect(pgText(at('2024-01-01T10:00:00.100Z'), T.timestamp(3))).toBe('2024-01-01 10:00:00.1');
    expect(pgText(at('2024-01-01T10:00:00.012Z'), T.timestamp(3))).toBe('2024-01-01 10:00:00.012');
    expect(pgText(at('2024-07-01T12:00:00.000Z'), T.timestampLtz(3))).toBe('2024-07-01 12:00:00+00');
    expect(pgText(at('2024-07-01T12:00:00.000Z'), T.timestampLtz(3), 'America/New_York')).toBe('2024-07-01 08:00:00-04');
    expect(pgText(at('2024-01-01T12:00:00.000Z'), T.timestampLtz(3), 'America/New_York')).toBe('2024-01-01 07:00:00-05');
    expect(pgText(at('2024-01-01T12:00:00.000Z'), T.timestampLtz(3), 'Asia/Kathmandu')).toBe('2024-01-01 17:45:00+05:45');
    // Year 0 is 1 BC.
    expect(pgText(Date.UTC(-1, 11, 31, 23, 0, 0), T.timestamp(3))).toBe('0002-12-31 23:00:00 BC');
  });

  it('prints dates, times, intervals, decimals, booleans, bytes and nested values', () => {
    expect(pgText(0, T.date())).toBe('1970-01-01');
    expect(pgText(-1, T.date())).toBe('1969-12-31');
    expect(pgText(36_001_500, T.time(3))).toBe('10:00:01.5');
    expect(pgText(0, T.intervalDayTime())).toBe('00:00:00');
    expect(pgText(86_400_000, T.intervalDayTime())).toBe('1 day');
    expect(pgText(2 * 86_400_000 + 3_723_400, T.intervalDayTime())).toBe('2 days 01:02:03.4');
    expect(pgText(-(86_400_000 + 1000), T.intervalDayTime())).toBe('-1 days -00:00:01');
    expect(pgText(14, T.intervalYearMonth())).toBe('1 year 2 mons');
    expect(pgText(-1, T.intervalYearMonth())).toBe('-1 mons');
    expect(pgText(24, T.intervalYearMonth())).toBe('2 years');
    expect(pgText(-0.001, T.decimal(10, 2))).toBe('0.00');
    expect(pgText(12.5, T.decimal(10, 3))).toBe('12.500');
    expect(pgText(false, T.boolean())).toBe('f');
    expect(pgText(new Uint8Array([0, 255, 16]), T.bytes())).toBe('\\x00ff10');
    expect(pgText([1, null, 3], T.array(T.int()))).toBe('[1,null,3]');
  });

  it('announces each type with its Postgres OID', () => {
    expect(pgColumnType(T.decimal(10, 2))).toEqual({ oid: 1700, size: -1, modifier: (10 << 16) + 2 + 4 });
    expect(pgColumnType(T.tinyint()).oid).toBe(21);
    expect(pgColumnType(T.map(T.string(), T.int())).oid).toBe(114);
    expect(pgColumnType(T.intervalYearMonth()).oid).toBe(1186);
  });
});
