/**
 * BIGINT values: signed 64-bit integers, exact over the whole range. A value within ±(2^53 - 1) is a JS
 * number (the fast path every integer operation takes first); a value beyond is a `bigint`. The form is
 * canonical — a value has exactly one representation — so `===`, Map keys and state keys stay correct.
 * Arithmetic wraps on overflow as Java's `long` does, which is what Flink documents for BIGINT.
 */

/** A BIGINT value: a safe-integer number, or a bigint beyond ±(2^53 - 1). */
export type Int64 = number | bigint;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** The canonical form of an integer known to be within the 64-bit range. */
export function canonicalInt(x: bigint): Int64 {
  return x >= SAFE_MIN && x <= SAFE_MAX ? Number(x) : x;
}

/** Wraps an integer to 64 bits (Java `long` overflow) and returns its canonical form. */
export function wrapInt64(x: bigint): Int64 {
  return canonicalInt(BigInt.asIntN(64, x));
}

/** True when the integer lies within BIGINT's range. */
export function fitsInt64(x: bigint): boolean {
  return x >= INT64_MIN && x <= INT64_MAX;
}

/** A BIGINT (or any integral value) as a bigint. */
export function toBigInt(v: Int64): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** An integral value (number or bigint) as the nearest double, as Java's `(double) long`. */
export function int64ToNumber(v: Int64): number {
  return typeof v === 'number' ? v : Number(v);
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/** Reads integer text exactly (`'+12'`, `'-9223372036854775808'`); undefined when it is not an integer. */
export function parseInteger(text: string): bigint | undefined {
  const t = text.trim();
  return INTEGER_TEXT.test(t) ? BigInt(t) : undefined;
}

/** a + b, wrapping at 64 bits. */
export function addInt64(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    // Rounding is monotone: a true sum beyond the safe range never rounds back into it.
    if (r <= Number.MAX_SAFE_INTEGER && r >= Number.MIN_SAFE_INTEGER) return r;
  }
  return wrapInt64(toBigInt(a) + toBigInt(b));
}

/** a - b, wrapping at 64 bits. */
export function subtractInt64(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r <= Number.MAX_SAFE_INTEGER && r >= Number.MIN_SAFE_INTEGER) return r;
  }
  return wrapInt64(toBigInt(a) - toBigInt(b));
}

/** a * b, wrapping at 64 bits. */
export function multiplyInt64(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (r <= Number.MAX_SAFE_INTEGER && r >= Number.MIN_SAFE_INTEGER) return r + 0;
  }
  return wrapInt64(toBigInt(a) * toBigInt(b));
}

/** a / b truncated toward zero (b ≠ 0, checked by the caller); MIN / -1 wraps to MIN as in Java. */
export function divideInt64(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') return Math.trunc(a / b) + 0;
  return wrapInt64(toBigInt(a) / toBigInt(b));
}

/** a % b with the sign of a (b ≠ 0, checked by the caller). */
export function remainderInt64(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') return (a % b) + 0;
  return canonicalInt(toBigInt(a) % toBigInt(b));
}

/** -a, wrapping at 64 bits (-MIN = MIN as in Java). */
export function negateInt64(a: Int64): Int64 {
  return typeof a === 'number' ? -a + 0 : wrapInt64(-a);
}

/** |a|, wrapping at 64 bits (ABS(MIN) = MIN as Java's Math.abs). */
export function absInt64(a: Int64): Int64 {
  return typeof a === 'number' ? Math.abs(a) : wrapInt64(a < 0n ? -a : a);
}
