/** Numeric helpers shared by operators, math functions, casts and aggregates: rounding, ranges, wrapping. */
import { T, type DataType, type TypeName } from '../common/types.js';

/** Smallest and largest value of each integral type (BIGINT is limited to what a double holds exactly). */
export const INTEGRAL_RANGE: Partial<Record<TypeName, readonly [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  BIGINT: [-9223372036854775808, 9223372036854775807],
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

/** True when `x` (already rounded to `scale`) fits DECIMAL(precision, scale). */
export function fitsDecimal(x: number, precision: number, scale: number): boolean {
  return Math.abs(x) < 10 ** (precision - scale);
}
