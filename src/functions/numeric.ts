/** Numeric helpers shared by operators, math functions, casts and aggregates: rounding, ranges, wrapping. */
import { T, type DataType, type TypeName } from '../common/types.js';
import { decimalValue, divideHalfUp, fitsPrecision, pow10, rescale, toScaled, type DecimalValue } from '../common/decimal.js';
import { ExpressionError } from './eval-error.js';

/** Smallest and largest value of each integral type, exactly. */
export const INTEGRAL_RANGE: Partial<Record<TypeName, readonly [bigint, bigint]>> = {
  TINYINT: [-128n, 127n],
  SMALLINT: [-32768n, 32767n],
  INT: [-2147483648n, 2147483647n],
  BIGINT: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * Rounds half away from zero to `scale` fraction digits (Java `BigDecimal.HALF_UP` applied to the
 * shortest decimal text of the double, as Flink's `ROUND` does via `BigDecimal.valueOf`), so
 * `roundHalfUp(1.005, 2) = 1.01`. A negative scale rounds to tens, hundreds, ...
 */
export function roundHalfUp(x: number, scale: number): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const abs = Math.abs(x);
  const shifted = shiftDecimal(abs, scale);
  const rounded = Math.round(shifted);
  return sign * shiftDecimal(rounded, -scale) + 0;
}

/** Truncates toward zero to `scale` fraction digits (TRUNCATE, casts to integral types). */
export function truncateTo(x: number, scale: number): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const t = Math.floor(shiftDecimal(Math.abs(x), scale));
  return sign * shiftDecimal(t, -scale) + 0;
}

/** x * 10^scale computed on the decimal text (exact for the digits the double shows). */
function shiftDecimal(x: number, scale: number): number {
  if (scale === 0) return x;
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return Number(`${s}e${scale}`);
  return Number(`${s.slice(0, e)}e${Number(s.slice(e + 1)) + scale}`);
}

/** Wraps an integral result to its type's width as Java's int arithmetic does (BIGINT is left as is). */
export function wrapIntegral(x: number, type: TypeName): number {
  switch (type) {
    case 'TINYINT':
      return (x << 24) >> 24;
    case 'SMALLINT':
      return (x << 16) >> 16;
    case 'INT':
      return x | 0;
    default:
      return x;
  }
}

/** Builds DECIMAL(p, s) keeping p within 38 and s within p, reducing the scale (not below 6) to fit, as Flink. */
export function boundedDecimal(precision: number, scale: number): DataType {
  if (precision <= 38) return T.decimal(precision, Math.min(scale, precision));
  const intDigits = precision - scale;
  const minScale = Math.min(scale, 6);
  const s = Math.max(38 - intDigits, minScale);
  return T.decimal(38, s);
}


/** The arithmetic operators with DECIMAL forms. */
export type DecimalOp = '+' | '-' | '*' | '/' | '%';

/**
 * Compiles exact DECIMAL arithmetic `a op b` for operands of scales `scaleA`/`scaleB` (integral operands have
 * scale 0) giving DECIMAL(precision, scale): the exact result, rounded half up to `scale` (division rounds the
 * exact quotient, as Java's `BigDecimal.divide(b, scale, HALF_UP)` in Flink), NULL when it does not fit the
 * precision (Flink's DECIMAL overflow). Two number-form operands take a double fast path whenever the
 * scaled integers involved stay below 2^50, where every step is provably exact; anything else is computed
 * on bigints. Division by zero throws.
 */
export function decimalArithmetic(op: DecimalOp, scaleA: number, scaleB: number, precision: number, scale: number): (a: unknown, b: unknown) => DecimalValue | null {
  const exact = (a: unknown, b: unknown): DecimalValue | null => {
    const x = toScaled(a);
    const y = toScaled(b);
    let u: bigint;
    switch (op) {
      case '+':
      case '-': {
        const s = Math.max(x.scale, y.scale);
        const p = rescale(x, s);
        const q = rescale(y, s);
        u = rescale({ unscaled: op === '+' ? p + q : p - q, scale: s }, scale);
        break;
      }
      case '*':
        u = rescale({ unscaled: x.unscaled * y.unscaled, scale: x.scale + y.scale }, scale);
        break;
      case '/':
        if (y.unscaled === 0n) throw new ExpressionError('Division by zero');
        // x / y at `scale` = (x.u * 10^(scale + y.s)) / (y.u * 10^x.s), rounded.
        u = divideHalfUp(x.unscaled * pow10(scale + y.scale), y.unscaled * pow10(x.scale));
        break;
      case '%': {
        if (y.unscaled === 0n) throw new ExpressionError('Division by zero');
        const s = Math.max(x.scale, y.scale);
        u = rescale({ unscaled: rescale(x, s) % rescale(y, s), scale: s }, scale);
        break;
      }
    }
    return fitsPrecision(u, precision) ? decimalValue(u, scale) : null;
  };
  const fastAdd = (op === '+' || op === '-') && scale >= scaleA && scale >= scaleB && scale <= 15;
  const fastMultiply = op === '*' && scale === scaleA + scaleB && scale <= 15;
  if (!fastAdd && !fastMultiply) return exact;
  const f = 10 ** scale;
  const fa = 10 ** scaleA;
  const fb = 10 ** scaleB;
  const LIMIT = 2 ** 50;
  if (fastMultiply) {
    return (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const x = Math.round(a * fa);
        const y = Math.round(b * fb);
        const r = x * y;
        if (x < LIMIT && x > -LIMIT && y < LIMIT && y > -LIMIT && r < 1e15 && r > -1e15) return r / f + 0;
      }
      return exact(a, b);
    };
  }
  const sign = op === '+' ? 1 : -1;
  return (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') {
      const x = Math.round(a * f);
      const y = Math.round(b * f);
      const r = x + sign * y;
      if (x < LIMIT && x > -LIMIT && y < LIMIT && y > -LIMIT && r < 1e15 && r > -1e15) return r / f + 0;
    }
    return exact(a, b);
  };
}

/**
 * Converts an exact numeric value of any form to DECIMAL(precision, scale), rounding half up; undefined
 * when it does not fit.
 */
export function toDecimal(v: unknown, precision: number, scale: number): DecimalValue | undefined {
  const u = rescale(toScaled(v), scale);
  return fitsPrecision(u, precision) ? decimalValue(u, scale) : undefined;
}
