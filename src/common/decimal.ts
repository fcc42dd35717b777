/**
 * DECIMAL values, exact. A value whose double gives it back (the double's shortest text, `String(n)`, is
 * the value: every value of up to 15 significant digits, every integer up to 2^53) is that JS number, so it
 * costs nothing over a double and compares with `<` and `===` correctly. Any other value is a
 * {@link BigDecimal}, a plain
 * object holding its exact text (plain data: it survives JSON, state codecs and worker messages). The form
 * is canonical: equal values have equal representations. Arithmetic works on {@link Scaled} (a bigint and a
 * scale) whenever the number fast path cannot prove its result exact.
 */

/** A DECIMAL value no double gives back: its text, plain notation, no trailing fraction zeros. */
export interface BigDecimal {
  readonly decimal: string;
}

/** A DECIMAL value: a number (when its double gives it back) or a {@link BigDecimal}. */
export type DecimalValue = number | BigDecimal;

/** An exact decimal: `unscaled × 10^-scale`. */
export interface Scaled {
  readonly unscaled: bigint;
  readonly scale: number;
}

/** Below this many units (15 digits), a decimal always reads back from its double: no check needed. */
const NUMBER_DIGITS = 10n ** 15n;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function isBigDecimal(v: unknown): v is BigDecimal {
  return typeof v === 'object' && v !== null && typeof (v as { decimal?: unknown }).decimal === 'string';
}

const POW10: bigint[] = [];
/** 10^n as a bigint (cached). */
export function pow10(n: number): bigint {
  if (n < 64) return (POW10[n] ??= 10n ** BigInt(n));
  return 10n ** BigInt(n);
}

/**
 * Reads decimal text exactly: digits with an optional point and exponent (`-12.50`, `.5`, `1e-7`);
 * undefined for anything else. The scale is never negative (`1e3` is 1000 at scale 0).
 */
export function parseDecimal(text: string): Scaled | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp] = m;
  if (int === '' && frac === '') return undefined;
  let unscaled = BigInt((int || '0') + frac);
  let scale = frac.length - (exp === undefined ? 0 : Number(exp));
  if (!Number.isSafeInteger(scale) || Math.abs(scale) > 10_000) return undefined;
  if (scale < 0) {
    unscaled *= pow10(-scale);
    scale = 0;
  }
  return { unscaled: sign === '-' ? -unscaled : unscaled, scale };
}

/**
 * Any exact numeric value (integral number or bigint, number-form or big DECIMAL) as a {@link Scaled}.
 * A double (from FLOAT/DOUBLE) is taken by its shortest text, as Java's `BigDecimal.valueOf(double)`.
 */
export function toScaled(v: unknown): Scaled {
  if (typeof v === 'bigint') return { unscaled: v, scale: 0 };
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return { unscaled: BigInt(v), scale: 0 };
    return parseDecimal(String(v))!;
  }
  return parseDecimal((v as BigDecimal).decimal)!;
}

/** `a / b` rounded half away from zero (b ≠ 0). */
export function divideHalfUp(a: bigint, b: bigint): bigint {
  const negative = a < 0n !== b < 0n;
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  let q = x / y;
  if ((x % y) * 2n >= y) q += 1n;
  return negative ? -q : q;
}

/** The unscaled value of `s` at `scale`, rounding half away from zero when digits are dropped. */
export function rescale(s: Scaled, scale: number): bigint {
  if (scale >= s.scale) return s.unscaled * pow10(scale - s.scale);
  return divideHalfUp(s.unscaled, pow10(s.scale - scale));
}

/** The unscaled value of `s` at `scale`, truncating toward zero when digits are dropped. */
export function rescaleDown(s: Scaled, scale: number): bigint {
  if (scale >= s.scale) return s.unscaled * pow10(scale - s.scale);
  return s.unscaled / pow10(s.scale - scale);
}

/** True when `unscaled` has at most `precision` digits. */
export function fitsPrecision(unscaled: bigint, precision: number): boolean {
  const limit = pow10(precision);
  return unscaled < limit && unscaled > -limit;
}

/** The canonical DECIMAL value of `unscaled × 10^-scale`. */
export function decimalValue(unscaled: bigint, scale: number): DecimalValue {
  if (unscaled < NUMBER_DIGITS && unscaled > -NUMBER_DIGITS) return Number(`${unscaled}e-${scale}`) + 0;
  const text = plainText(unscaled, scale);
  const n = Number(text);
  return Number.isFinite(n) && exactNumberText(n) === text ? n : { decimal: text };
}

/** Plain text of `unscaled × 10^-scale`, trailing fraction zeros removed (`-12.5`, `0.001`, `120`). */
function plainText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  let s: string;
  if (scale <= 0) s = digits + '0'.repeat(-scale);
  else {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    const int = digits.slice(0, digits.length - scale);
    const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    s = frac ? `${int}.${frac}` : int;
  }
  return negative && s !== '0' ? `-${s}` : s;
}

/** The canonical DECIMAL value of a {@link Scaled}. */
export function scaledValue(s: Scaled): DecimalValue {
  return decimalValue(s.unscaled, s.scale);
}

/** Text of a DECIMAL value with exactly `scale` fraction digits (rounded half up if it has more). */
export function formatDecimalValue(v: unknown, scale: number): string {
  const s = Math.max(0, scale);
  const u = rescale(toScaled(v), s);
  const negative = u < 0n;
  let digits = (negative ? -u : u).toString();
  if (s > 0 && digits.length <= s) digits = '0'.repeat(s - digits.length + 1) + digits;
  const text = s === 0 ? digits : `${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s)}`;
  return negative ? `-${text}` : text;
}

/** The exact text of any exact numeric value, for JSON output: `123`, `-0.5`, `12345678901234567890.25`. */
export function exactNumberText(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return String(v);
    const s = toScaled(v);
    return plainText(s.unscaled, s.scale);
  }
  return (v as BigDecimal).decimal;
}

/** -v for a big DECIMAL. */
export function negateDecimal(v: BigDecimal): BigDecimal {
  return { decimal: v.decimal.startsWith('-') ? v.decimal.slice(1) : `-${v.decimal}` };
}

/** A DECIMAL (or BIGINT) value as the nearest double, for DOUBLE arithmetic and math functions. */
export function decimalToNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return Number((v as BigDecimal).decimal);
}

/**
 * Exact order of two exact numeric values of any form (integral numbers, bigints, number-form and big
 * decimals): negative, zero or positive.
 */
export function compareExact(a: unknown, b: unknown): number {
  if (typeof a === typeof b && typeof a !== 'object') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  const x = toScaled(a);
  const y = toScaled(b);
  const scale = Math.max(x.scale, y.scale);
  const p = rescale(x, scale);
  const q = rescale(y, scale);
  return p < q ? -1 : p > q ? 1 : 0;
}
