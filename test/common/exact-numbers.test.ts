/**
 * BIGINT (int64.ts) and DECIMAL (decimal.ts) values: the canonical forms, and arithmetic checked against a
 * reference written here on bigints (Java `long` wrapping; decimal results rounded half up), on edge values
 * and on random values around 2^53, 2^63 and 10^15.
 */
import { describe, expect, it } from 'vitest';
import {
  compareExact,
  decimalValue,
  exactNumberText,
  formatDecimalValue,
  isBigDecimal,
  parseDecimal,
  toScaled,
} from '../../src/common/decimal.js';
import {
  absInt64,
  addInt64,
  canonicalInt,
  divideInt64,
  multiplyInt64,
  negateInt64,
  remainderInt64,
  subtractInt64,
  type Int64,
} from '../../src/common/int64.js';
import { compareValues, stringifyJson, valuesEqual } from '../../src/common/values.js';
import { decimalArithmetic } from '../../src/functions/numeric.js';
import { divideHalfUp, prng } from '../e2e/helpers.js';

const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);
const long = (x: bigint) => BigInt.asIntN(64, x);
const big = (v: Int64) => BigInt(v);

/** Edge values and random values near the representation boundaries. */
function int64Samples(): bigint[] {
  const rand = prng(7);
  const out = [0n, 1n, -1n, MAX, MIN, MAX - 1n, MIN + 1n, 2n ** 53n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 62n, 10n];
  for (let i = 0; i < 60; i++) {
    const base = [2n ** 53n, 2n ** 62n, MAX, 1000n][i % 4]!;
    const offset = BigInt(Math.floor(rand() * 2 ** 40)) - 2n ** 39n;
    out.push(long((rand() < 0.5 ? -1n : 1n) * (base + offset)));
  }
  return out;
}

describe('BIGINT values', () => {
  const samples = int64Samples();

  it('are numbers within ±(2^53 - 1) and bigints beyond, one form per value', () => {
    expect(canonicalInt(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(canonicalInt(2n ** 53n)).toBe(2n ** 53n);
    expect(canonicalInt(-(2n ** 53n) + 1n)).toBe(Number.MIN_SAFE_INTEGER);
    expect(canonicalInt(-(2n ** 53n))).toBe(-(2n ** 53n));
  });

  it('add, subtract, multiply, divide, take remainders, negate and ABS as Java longs', () => {
    for (const a of samples) {
      const x = canonicalInt(a);
      expect(big(negateInt64(x))).toBe(long(-a));
      expect(big(absInt64(x))).toBe(long(a < 0n ? -a : a));
      for (const b of samples.slice(0, 30)) {
        const y = canonicalInt(b);
        const results = [addInt64(x, y), subtractInt64(x, y), multiplyInt64(x, y)];
        expect(results.map(big)).toEqual([long(a + b), long(a - b), long(a * b)]);
        // Canonical: a number exactly when the value is a safe integer.
        for (const r of results) expect(typeof r === 'number').toBe(Number.isSafeInteger(Number(r)) && BigInt(Number(r)) === big(r));
        if (b !== 0n) {
          expect(big(divideInt64(x, y))).toBe(long(a / b));
          expect(big(remainderInt64(x, y))).toBe(a % b);
        }
      }
    }
    // Hand-checked: MAX + 1 wraps to MIN; MIN / -1 stays MIN; MOD(MAX, 10) is 7.
    expect(addInt64(canonicalInt(MAX), 1)).toBe(MIN);
    expect(divideInt64(canonicalInt(MIN), -1)).toBe(MIN);
    expect(remainderInt64(canonicalInt(MAX), 10)).toBe(7);
  });

  it('compare and sort exactly across forms', () => {
    const values = samples.map(canonicalInt);
    const sorted = [...values].sort(compareValues).map(big);
    expect(sorted).toEqual([...samples].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(compareValues(2n ** 53n, Number.MAX_SAFE_INTEGER)).toBeGreaterThan(0);
  });
});

/** Reference decimal arithmetic on (unscaled, scale) pairs. */
const halfUp = divideHalfUp;
const atScale = (u: bigint, from: number, to: number) => (to >= from ? u * 10n ** BigInt(to - from) : halfUp(u, 10n ** BigInt(from - to)));

describe('DECIMAL values', () => {
  it('are numbers when the double gives the value back, else their digits; parse and format exactly', () => {
    expect(decimalValue(12345n, 2)).toBe(123.45);
    expect(decimalValue(9007199254740991n, 0)).toBe(9007199254740991);
    const v = decimalValue(12345678901234567890123n, 3);
    expect(v).toEqual({ decimal: '12345678901234567890.123' });
    expect(isBigDecimal(v)).toBe(true);
    expect(decimalValue(-10000000000000000000000n, 3)).toBe(-1e19);
    expect(formatDecimalValue(v, 5)).toBe('12345678901234567890.12300');
    expect(formatDecimalValue(0.1, 18)).toBe('0.100000000000000000');
    expect(formatDecimalValue(-0.0005, 3)).toBe('-0.001');
    expect(parseDecimal('1.5e3')).toEqual({ unscaled: 1500n, scale: 0 });
    expect(parseDecimal('-.25')).toEqual({ unscaled: -25n, scale: 2 });
    expect(parseDecimal('abc')).toBeUndefined();
    expect(exactNumberText(v)).toBe('12345678901234567890.123');
    expect(stringifyJson([1, 2n ** 63n - 1n, v, 'x', null])).toBe('[1,9223372036854775807,12345678901234567890.123,"x",null]');
  });

  it('compute + - * / % exactly at Flink result scales, on random values of every form', () => {
    const rand = prng(11);
    const randomUnscaled = () => {
      const digits = 1 + Math.floor(rand() * 30);
      let s = '';
      for (let i = 0; i < digits; i++) s += String(Math.floor(rand() * 10));
      return (rand() < 0.5 ? -1n : 1n) * BigInt(s);
    };
    for (let i = 0; i < 400; i++) {
      const sa = Math.floor(rand() * 6);
      const sb = Math.floor(rand() * 6);
      const ua = randomUnscaled();
      const ub = randomUnscaled();
      const a = decimalValue(ua, sa);
      const b = decimalValue(ub, sb);
      const s = Math.max(sa, sb);
      const check = (op: '+' | '-' | '*' | '/' | '%', scale: number, expected: bigint) => {
        const got = decimalArithmetic(op, sa, sb, 38, scale)(a, b);
        const fits = expected < 10n ** 38n && expected > -(10n ** 38n);
        if (!fits) return expect(got).toBeNull();
        expect(got, `${op} ${ua}e-${sa} ${ub}e-${sb}`).toEqual(decimalValue(expected, scale));
      };
      check('+', s, atScale(ua, sa, s) + atScale(ub, sb, s));
      check('-', s, atScale(ua, sa, s) - atScale(ub, sb, s));
      check('*', sa + sb, ua * ub);
      // The product rounded to fewer digits (a result scale cut by the 38-digit bound).
      check('*', Math.min(sa, sb), atScale(ua * ub, sa + sb, Math.min(sa, sb)));
      if (ub !== 0n) {
        const q = 6 + sa;
        check('/', q, halfUp(ua * 10n ** BigInt(q + sb), ub * 10n ** BigInt(sa)));
        check('%', s, atScale(ua, sa, s) % atScale(ub, sb, s));
      }
    }
    // Hand-checked: 12345678901234567890.123 * 2 and / 3 at scale 6.
    const d = decimalValue(12345678901234567890123n, 3);
    expect(decimalArithmetic('*', 3, 0, 38, 3)(d, 2)).toEqual({ decimal: '24691357802469135780.246' });
    expect(decimalArithmetic('/', 3, 0, 38, 6)(d, 3)).toEqual({ decimal: '4115226300411522630.041' });
    expect(decimalArithmetic('+', 2, 2, 38, 2)(0.1, 0.2)).toBe(0.3);
  });

  it('compare exactly across forms (numbers, bigints, digits)', () => {
    const big1 = decimalValue(12345678901234567890123n, 3);
    const big2 = decimalValue(12345678901234567890124n, 3);
    expect(compareExact(big1, big2)).toBe(-1);
    expect(compareExact(big2, big1)).toBe(1);
    expect(compareExact(big1, 12345678901234567890n)).toBe(1);
    expect(compareExact(0.5, big1)).toBe(-1);
    expect(compareValues(big1, 1.5)).toBeGreaterThan(0);
    expect(valuesEqual(big1, decimalValue(12345678901234567890123n, 3))).toBe(true);
    expect(toScaled(0.1)).toEqual({ unscaled: 1n, scale: 1 });
  });
});
