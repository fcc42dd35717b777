import { describe, expect, it } from 'vitest';
import { T, asTimeAttribute, type DataType } from '../../src/common/types.js';
import { implicitCastAllowed, resolveCast, type CastFn } from '../../src/functions/cast.js';
import { ExpressionError } from '../../src/functions/eval-error.js';
import { isResolutionError } from '../../src/functions/function-types.js';

const ts = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');

function cast(from: DataType, to: DataType, timeZone = 'UTC'): CastFn {
  const r = resolveCast(from, to, false, timeZone);
  if (isResolutionError(r)) throw new Error(r.error);
  return r;
}

function tryCast(from: DataType, to: DataType): CastFn {
  const r = resolveCast(from, to, true);
  if (isResolutionError(r)) throw new Error(r.error);
  return r;
}

describe('CAST between numbers', () => {
  it('truncates toward zero when going to integers', () => {
    expect(cast(T.double(), T.int())(2.9)).toBe(2);
    expect(cast(T.double(), T.int())(-2.9)).toBe(-2);
    expect(cast(T.decimal(10, 2), T.bigint())(-7.99)).toBe(-7);
  });

  it('fails on overflow, with the value in the message', () => {
    expect(() => cast(T.int(), T.tinyint())(300)).toThrow("Cannot cast 300 to TINYINT");
    expect(() => cast(T.double(), T.int())(3e10)).toThrow(ExpressionError);
    expect(() => cast(T.double(), T.int())(NaN)).toThrow(ExpressionError);
    expect(cast(T.int(), T.tinyint())(-128)).toBe(-128);
  });

  it('rounds half up to the DECIMAL scale and checks the precision', () => {
    expect(cast(T.double(), T.decimal(10, 2))(1.005)).toBe(1.01);
    expect(cast(T.double(), T.decimal(10, 2))(-1.005)).toBe(-1.01);
    expect(cast(T.double(), T.decimal(10, 0))(2.5)).toBe(3);
    expect(() => cast(T.double(), T.decimal(4, 2))(123.4)).toThrow('Cannot cast 123.4 to DECIMAL(4, 2)');
    expect(cast(T.double(), T.decimal(4, 2))(99.99)).toBe(99.99);
  });

  it('converts booleans to and from numbers', () => {
    expect(cast(T.boolean(), T.int())(true)).toBe(1);
    expect(cast(T.int(), T.boolean())(0)).toBe(false);
    expect(cast(T.int(), T.boolean())(-3)).toBe(true);
  });

  it('passes NULL through', () => {
    expect(cast(T.string(), T.int())(null)).toBe(null);
    expect(cast(T.null(), T.timestamp(3))(null)).toBe(null);
  });
});

describe('CAST from STRING', () => {
  it('parses integers strictly (trimmed; a fraction is truncated)', () => {
    expect(cast(T.string(), T.int())(' 42 ')).toBe(42);
    expect(cast(T.string(), T.int())('-7')).toBe(-7);
    expect(cast(T.string(), T.int())('1.9')).toBe(1);
    expect(() => cast(T.string(), T.int())('abc')).toThrow("Cannot cast 'abc' to INT");
    expect(() => cast(T.string(), T.int())('')).toThrow(ExpressionError);
    expect(() => cast(T.string(), T.int())('12abc')).toThrow(ExpressionError);
    expect(() => cast(T.string(), T.smallint())('40000')).toThrow(ExpressionError);
  });

  it('parses doubles and decimals', () => {
    expect(cast(T.string(), T.double())('1.5e3')).toBe(1500);
    expect(cast(T.string(), T.double())('NaN')).toBeNaN();
    expect(cast(T.string(), T.double())('-Infinity')).toBe(-Infinity);
    expect(() => cast(T.string(), T.double())('1,5')).toThrow(ExpressionError);
    expect(cast(T.string(), T.decimal(5, 1))('12.34')).toBe(12.3);
    expect(cast(T.string(), T.decimal(5, 1))('12.35')).toBe(12.4);
  });

  it('parses booleans case-insensitively', () => {
    expect(cast(T.string(), T.boolean())('TRUE')).toBe(true);
    expect(cast(T.string(), T.boolean())('false')).toBe(false);
    expect(cast(T.string(), T.boolean())('yes')).toBe(true);
    expect(() => cast(T.string(), T.boolean())('maybe')).toThrow("Cannot cast 'maybe' to BOOLEAN");
  });

  it('parses dates, times and timestamps', () => {
    expect(cast(T.string(), T.date())('2024-03-01')).toBe(19783);
    expect(cast(T.string(), T.time())('12:34:56')).toBe(45_296_000);
    expect(cast(T.string(), T.timestamp(3))('2024-03-01 12:34:56.789')).toBe(ts('2024-03-01 12:34:56.789'));
    expect(cast(T.string(), T.timestamp(0))('2024-03-01 12:34:56.789')).toBe(ts('2024-03-01 12:34:56'));
    expect(() => cast(T.string(), T.timestamp(3))('2024-13-01 00:00:00')).toThrow(ExpressionError);
    expect(() => cast(T.string(), T.date())('yesterday')).toThrow(ExpressionError);
  });

  it('reads TIMESTAMP_LTZ text in the session time zone unless it has an offset', () => {
    expect(cast(T.string(), T.timestampLtz(3), 'Asia/Shanghai')('2024-03-01 08:00:00')).toBe(ts('2024-03-01 00:00:00'));
    expect(cast(T.string(), T.timestampLtz(3), 'Asia/Shanghai')('2024-03-01T08:00:00Z')).toBe(ts('2024-03-01 08:00:00'));
  });

  it('truncates to VARCHAR length', () => {
    expect(cast(T.string(), T.string(3))('abcdef')).toBe('abc');
  });
});

describe('CAST to STRING', () => {
  it('renders each type', () => {
    expect(cast(T.boolean(), T.string())(true)).toBe('TRUE');
    expect(cast(T.int(), T.string())(-5)).toBe('-5');
    expect(cast(T.double(), T.string())(2)).toBe('2.0');
    expect(cast(T.decimal(10, 3), T.string())(1.5)).toBe('1.500');
    expect(cast(T.timestamp(3), T.string())(ts('2024-03-01 12:00:00'))).toBe('2024-03-01 12:00:00.000');
    expect(cast(T.timestampLtz(3), T.string(), 'Europe/Berlin')(ts('2024-03-01 12:00:00'))).toBe('2024-03-01 13:00:00.000');
    expect(cast(T.date(), T.string())(0)).toBe('1970-01-01');
    expect(cast(T.intervalDayTime(), T.string())(90_061_001)).toBe('+1 01:01:01.001');
    expect(cast(T.intervalYearMonth(), T.string())(-13)).toBe('-1-01');
    expect(cast(T.array(T.int()), T.string())([1, 2])).toBe('[1, 2]');
  });
});

describe('CAST between temporal types', () => {
  it('TIMESTAMP to DATE, TIME and back', () => {
    expect(cast(T.timestamp(3), T.date())(ts('2024-03-01 23:59:59'))).toBe(19783);
    expect(cast(T.timestamp(3), T.date())(ts('1969-12-31 12:00:00'))).toBe(-1);
    expect(cast(T.timestamp(3), T.time(0))(ts('2024-03-01 12:34:56.789'))).toBe(45_296_000);
    expect(cast(T.date(), T.timestamp(3))(19783)).toBe(ts('2024-03-01 00:00:00'));
  });

  it('TIMESTAMP <-> TIMESTAMP_LTZ uses the session time zone', () => {
    expect(cast(T.timestamp(3), T.timestampLtz(3), 'Europe/Berlin')(ts('2024-07-01 12:00:00'))).toBe(ts('2024-07-01 10:00:00'));
    expect(cast(T.timestampLtz(3), T.timestamp(3), 'Europe/Berlin')(ts('2024-07-01 10:00:00'))).toBe(ts('2024-07-01 12:00:00'));
    expect(cast(T.timestampLtz(3), T.date(), 'Asia/Tokyo')(ts('2024-07-01 20:00:00'))).toBe(cast(T.string(), T.date())('2024-07-02'));
  });

  it('drops fraction digits beyond the target precision', () => {
    expect(cast(T.timestamp(3), T.timestamp(0))(ts('2024-03-01 00:00:01.999'))).toBe(ts('2024-03-01 00:00:01'));
    expect(cast(T.timestamp(3), T.timestamp(1))(ts('1969-12-31 23:59:59.999'))).toBe(ts('1969-12-31 23:59:59.900'));
  });

  it('time attributes cast like plain timestamps', () => {
    expect(cast(asTimeAttribute(T.timestamp(3), 'rowtime'), T.timestamp(3))(5)).toBe(5);
  });
});

describe('unsupported casts', () => {
  it('reports the pair of types', () => {
    const r = resolveCast(T.bigint(), T.timestamp(3), false);
    expect(isResolutionError(r) && r.error).toMatch(/^Cannot cast BIGINT to TIMESTAMP\(3\)/);
    const r2 = resolveCast(T.date(), T.int(), false);
    expect(isResolutionError(r2) && r2.error).toBe('Cannot cast DATE to INT');
    expect(isResolutionError(resolveCast(T.boolean(), T.date(), true))).toBe(true);
  });
});

describe('TRY_CAST', () => {
  it('gives NULL instead of failing', () => {
    expect(tryCast(T.string(), T.int())('abc')).toBe(null);
    expect(tryCast(T.int(), T.tinyint())(1000)).toBe(null);
    expect(tryCast(T.string(), T.timestamp(3))('nope')).toBe(null);
    expect(tryCast(T.string(), T.int())('12')).toBe(12);
  });
});

describe('implicitCastAllowed', () => {
  it('allows widening only', () => {
    expect(implicitCastAllowed(T.int(), T.bigint())).toBe(true);
    expect(implicitCastAllowed(T.bigint(), T.int())).toBe(false);
    expect(implicitCastAllowed(T.int(), T.double())).toBe(true);
    expect(implicitCastAllowed(T.double(), T.int())).toBe(false);
    expect(implicitCastAllowed(T.int(), T.decimal(10, 0))).toBe(true);
    expect(implicitCastAllowed(T.int(), T.decimal(5, 0))).toBe(false);
    expect(implicitCastAllowed(T.decimal(5, 2), T.decimal(10, 3))).toBe(true);
    expect(implicitCastAllowed(T.double(), T.decimal(10, 2))).toBe(false);
    expect(implicitCastAllowed(T.null(), T.string())).toBe(true);
    expect(implicitCastAllowed(T.string(5), T.string())).toBe(true);
    expect(implicitCastAllowed(T.timestamp(0), T.timestamp(3))).toBe(true);
    expect(implicitCastAllowed(T.date(), T.timestamp(3))).toBe(true);
    expect(implicitCastAllowed(asTimeAttribute(T.timestamp(3), 'rowtime'), T.timestamp(3))).toBe(true);
    expect(implicitCastAllowed(T.string(), T.int())).toBe(false);
    expect(implicitCastAllowed(T.timestamp(3), T.timestampLtz(3))).toBe(false);
  });
});
