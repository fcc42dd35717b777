/** Mathematical functions: ABS, FLOOR, CEIL, ROUND, TRUNCATE, POWER, SQRT, logarithms, SIGN, RAND, GREATEST, ... */
import { commonType, isIntegral, T, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { compareValues } from '../../common/values.js';
import { ExpressionError } from '../eval-error.js';
import type { Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { roundHalfUp, truncateTo, wrapIntegral } from '../numeric.js';
import { compareExact, decimalValue, divideHalfUp, pow10, toScaled, type DecimalValue } from '../../common/decimal.js';
import { absInt64, canonicalInt, wrapInt64, type Int64 } from '../../common/int64.js';
import { anyNullable, checkArity, checkKinds, fixed, shown } from './define.js';

const DOUBLE = T.double();

/** The argument's own type (nullable), or INT for a NULL literal. */
function sameAsArg(ts: readonly DataType[]): DataType {
  const t = withoutTimeAttribute(ts[0]!);
  return t.name === 'NULL' ? T.int() : t;
}

/** FLOOR and CEIL keep integral and floating types; DECIMAL(p, s) becomes DECIMAL(p - s + 1, 0). */
function integralPart(ts: readonly DataType[]): DataType {
  const t = sameAsArg(ts);
  return t.name === 'DECIMAL' ? T.decimal(Math.min(38, (t.precision ?? 10) - (t.scale ?? 0) + 1), 0) : t;
}

/** ROUND/TRUNCATE(x, d): DECIMAL(p, s) keeps at most d fraction digits when d is a literal. */
function roundedType(ts: readonly DataType[], digits: unknown): DataType {
  const t = sameAsArg(ts);
  if (t.name !== 'DECIMAL') return t;
  const d = typeof digits === 'number' ? Math.max(0, digits) : ts.length === 1 ? 0 : (t.scale ?? 0);
  const scale = Math.min(t.scale ?? 0, d);
  return T.decimal(Math.min(38, (t.precision ?? 10) - (t.scale ?? 0) + scale + 1), scale);
}

function identity(x: unknown): unknown {
  return x;
}

/** Picks the implementation by the argument type: TINYINT..INT, BIGINT, DECIMAL; undefined (the default) for FLOAT/DOUBLE. */
function exactByType(
  t: DataType,
  impls: { integral: (x: number) => unknown; bigint: (x: Int64) => unknown; decimal: (x: DecimalValue) => unknown },
): ((x: any) => unknown) | undefined {
  if (t.name === 'BIGINT') return impls.bigint;
  if (t.name === 'DECIMAL') return impls.decimal;
  return isIntegral(t) ? impls.integral : undefined;
}

function absDecimal(x: DecimalValue): DecimalValue {
  return typeof x === 'number' ? Math.abs(x) : { decimal: x.decimal.replace(/^-/, '') };
}

type Rounding = 'half-up' | 'down' | 'floor' | 'ceil';

/**
 * An exact value rounded to `digits` fraction digits (negative: to tens, hundreds, ...): a DECIMAL value,
 * or a BIGINT value when `integral`.
 */
function roundExact(v: unknown, digits: number, mode: Rounding, integral: boolean): unknown {
  const s = toScaled(v);
  if (digits >= s.scale) return v;
  const unit = pow10(s.scale - digits);
  let q = mode === 'half-up' ? divideHalfUp(s.unscaled, unit) : s.unscaled / unit;
  const exact = q * unit === s.unscaled;
  if (!exact && mode === 'floor' && s.unscaled < 0n) q -= 1n;
  if (!exact && mode === 'ceil' && s.unscaled > 0n) q += 1n;
  if (digits >= 0) return integral ? canonicalInt(q) : decimalValue(q, digits);
  const whole = q * pow10(-digits);
  return integral ? wrapInt64(whole) : decimalValue(whole, 0);
}

/** ROUND/TRUNCATE for an argument of type `t`: exact for integral and DECIMAL arguments. */
function roundingImpl(t: DataType, mode: 'half-up' | 'down'): ((x: any, d?: number) => unknown) | undefined {
  if (t.name === 'DECIMAL') {
    const scale = t.scale ?? 0;
    return (x: DecimalValue, d?: number) => {
      const digits = d ?? 0;
      if (typeof x === 'number' && Math.abs(x) < 1e15 && digits > -15) return mode === 'half-up' ? roundHalfUp(x, digits) : truncateTo(x, digits);
      return roundExact(x, Math.min(digits, scale), mode, false);
    };
  }
  if (t.name === 'BIGINT') return (x: Int64, d?: number) => ((d ?? 0) >= 0 ? x : roundExact(x, d!, mode, true));
  if (isIntegral(t)) {
    const name = t.name;
    return (x: number, d?: number) => ((d ?? 0) >= 0 ? x : wrapIntegral(mode === 'half-up' ? roundHalfUp(x, d!) : truncateTo(x, d!), name));
  }
  return undefined;
}

function domainError(fn: string, v: unknown): never {
  throw new ExpressionError(`${fn} is not defined for ${String(v)}`);
}

/**
 * Java's `java.util.Random` (48-bit linear congruential generator), so that RAND(seed) gives the same
 * sequence as Flink.
 */
class JavaRandom {
  private seed: bigint;
  constructor(seed: number) {
    this.seed = (BigInt(Math.trunc(seed)) ^ 0x5deece66dn) & ((1n << 48n) - 1n);
  }
  private next(bits: number): number {
    this.seed = (this.seed * 0x5deece66dn + 0xbn) & ((1n << 48n) - 1n);
    // bits <= 31 here, so Java's (int) cast keeps the value non-negative.
    return Number(this.seed >> BigInt(48 - bits));
  }
  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) / 2 ** 53;
  }
  nextInt(bound: number): number {
    if (bound <= 0) throw new ExpressionError(`RAND_INTEGER bound must be positive, got ${bound}`);
    if ((bound & -bound) === bound) return Number((BigInt(bound) * BigInt(this.next(31))) >> 31n);
    for (;;) {
      const bits = this.next(31);
      const val = bits % bound;
      // Java rejects draws whose int arithmetic bits - val + (bound - 1) overflows.
      if (bits - val + (bound - 1) <= 2147483647) return val;
    }
  }
}

function greatestLeast(name: 'GREATEST' | 'LEAST', sign: 1 | -1): ScalarFunctionDef {
  return {
    name,
    description: `${name}(a, b, ...) – the ${sign > 0 ? 'largest' : 'smallest'} argument; NULL if any is NULL`,
    resolve(argTypes): Resolution<ResolvedScalar> {
      const arity = checkArity(name, argTypes, 1, Infinity);
      if (arity) return { error: arity };
      let t: DataType | undefined = T.null();
      for (const a of argTypes) t = t && commonType(t, withoutTimeAttribute(a));
      if (!t) return { error: `${name} arguments have incompatible types: ${argTypes.map(shown).join(', ')}` };
      const common = t;
      const impl = (...args: unknown[]) => {
        let best = args[0];
        for (let i = 1; i < args.length; i++) if (sign * compareValues(args[i], best) > 0) best = args[i];
        return best;
      };
      const coerce = argTypes.some((a) => a.name !== common.name) ? argTypes.map((a) => withNullable(common, a.nullable)) : undefined;
      return { type: withNullable(common, anyNullable(argTypes)), impl, strict: true, deterministic: true, ...(coerce ? { argTypes: coerce } : {}) };
    },
  };
}

function rand(name: 'RAND' | 'RAND_INTEGER'): ScalarFunctionDef {
  const integer = name === 'RAND_INTEGER';
  return {
    name,
    description: integer
      ? 'RAND_INTEGER([seed,] bound) – a pseudo-random INT in [0, bound)'
      : 'RAND([seed]) – a pseudo-random DOUBLE in [0, 1)',
    resolve(argTypes, _env, site): Resolution<ResolvedScalar> {
      const min = integer ? 1 : 0;
      const error = checkArity(name, argTypes, min, min + 1) ?? checkKinds(name, argTypes, ['INTEGER']);
      if (error) return { error };
      const seeded = argTypes.length === min + 1;
      const seed = seeded ? site.literalArgs[0] : undefined;
      if (seeded && typeof seed !== 'number') return { error: `${name} expects a literal seed` };
      const type = integer ? withNullable(T.int(), anyNullable(argTypes)) : withNullable(DOUBLE, anyNullable(argTypes));
      if (seeded) {
        const random = new JavaRandom(seed as number);
        const impl = integer ? (_s: number, bound: number) => random.nextInt(bound) : () => random.nextDouble();
        return { type, impl, strict: true, deterministic: false };
      }
      const impl = integer ? (bound: number) => Math.floor(Math.random() * bound) : () => Math.random();
      return { type, impl, strict: true, deterministic: false };
    },
  };
}

/** Math functions. */
export const mathFunctions: readonly ScalarFunctionDef[] = [
  fixed('ABS', 'ABS(x) – absolute value', ['NUMERIC'], sameAsArg, (x: number) => Math.abs(x), {
    specialize: (_s, ts) => exactByType(ts[0]!, { integral: (x: number) => wrapIntegral(Math.abs(x), ts[0]!.name), bigint: absInt64, decimal: absDecimal }),
    exact: true,
  }),
  fixed('FLOOR', 'FLOOR(x) – largest integer not greater than x', ['NUMERIC'], integralPart, (x: number) => Math.floor(x) + 0, {
    specialize: (_s, ts) => exactByType(ts[0]!, { integral: identity, bigint: identity, decimal: (x: DecimalValue) => roundExact(x, 0, 'floor', false) }),
    exact: true,
  }),
  fixed('CEIL', 'CEIL(x) – smallest integer not less than x', ['NUMERIC'], integralPart, (x: number) => Math.ceil(x) + 0, {
    specialize: (_s, ts) => exactByType(ts[0]!, { integral: identity, bigint: identity, decimal: (x: DecimalValue) => roundExact(x, 0, 'ceil', false) }),
    exact: true,
  }),
  fixed('CEILING', 'CEILING(x) – same as CEIL', ['NUMERIC'], integralPart, (x: number) => Math.ceil(x) + 0, {
    specialize: (_s, ts) => exactByType(ts[0]!, { integral: identity, bigint: identity, decimal: (x: DecimalValue) => roundExact(x, 0, 'ceil', false) }),
    exact: true,
  }),
  fixed('ROUND', 'ROUND(x[, d]) – x rounded half up to d decimal places (default 0)', ['NUMERIC', 'INTEGER'], (ts, site) => roundedType(ts, site.literalArgs[1]), (x: number, d?: number) => roundHalfUp(x, d ?? 0), {
    optional: 1,
    specialize: (_s, ts) => roundingImpl(ts[0]!, 'half-up'),
    exact: true,
  }),
  fixed('TRUNCATE', 'TRUNCATE(x[, d]) – x truncated toward zero to d decimal places (default 0)', ['NUMERIC', 'INTEGER'], (ts, site) => roundedType(ts, site.literalArgs[1]), (x: number, d?: number) => truncateTo(x, d ?? 0), {
    optional: 1,
    specialize: (_s, ts) => roundingImpl(ts[0]!, 'down'),
    exact: true,
  }),
  fixed('POWER', 'POWER(x, y) – x raised to the power y', ['NUMERIC', 'NUMERIC'], DOUBLE, (x: number, y: number) => Math.pow(x, y)),
  fixed('SQRT', 'SQRT(x) – square root', ['NUMERIC'], DOUBLE, (x: number) => Math.sqrt(x)),
  fixed('EXP', 'EXP(x) – e raised to the power x', ['NUMERIC'], DOUBLE, (x: number) => Math.exp(x)),
  fixed('LN', 'LN(x) – natural logarithm', ['NUMERIC'], DOUBLE, (x: number) => (x <= 0 ? domainError('LN', x) : Math.log(x))),
  fixed('LOG10', 'LOG10(x) – base-10 logarithm', ['NUMERIC'], DOUBLE, (x: number) => (x <= 0 ? domainError('LOG10', x) : Math.log10(x))),
  fixed('LOG2', 'LOG2(x) – base-2 logarithm', ['NUMERIC'], DOUBLE, (x: number) => (x <= 0 ? domainError('LOG2', x) : Math.log2(x))),
  fixed('LOG', 'LOG(x) – natural logarithm; LOG(b, x) – logarithm of x to base b', ['NUMERIC', 'NUMERIC'], DOUBLE, (a: number, b?: number) => {
    if (b === undefined) return a <= 0 ? domainError('LOG', a) : Math.log(a);
    if (a <= 0 || a === 1) return domainError('LOG with base', a);
    return b <= 0 ? domainError('LOG', b) : Math.log(b) / Math.log(a);
  }, { optional: 1 }),
  fixed('SIGN', 'SIGN(x) – -1, 0 or 1 by the sign of x', ['NUMERIC'], sameAsArg, (x: number) => Math.sign(x) + 0, {
    specialize: () => (x: unknown) => (typeof x === 'number' ? Math.sign(x) + 0 : compareExact(x, 0)),
    exact: true,
  }),
  fixed('PI', 'PI() – the constant π', [], DOUBLE, () => Math.PI, { notNull: true }),
  fixed('E', 'E() – the constant e', [], DOUBLE, () => Math.E, { notNull: true }),
  fixed('SIN', 'SIN(x) – sine', ['NUMERIC'], DOUBLE, (x: number) => Math.sin(x)),
  fixed('COS', 'COS(x) – cosine', ['NUMERIC'], DOUBLE, (x: number) => Math.cos(x)),
  fixed('TAN', 'TAN(x) – tangent', ['NUMERIC'], DOUBLE, (x: number) => Math.tan(x)),
  fixed('ASIN', 'ASIN(x) – arc sine', ['NUMERIC'], DOUBLE, (x: number) => Math.asin(x)),
  fixed('ACOS', 'ACOS(x) – arc cosine', ['NUMERIC'], DOUBLE, (x: number) => Math.acos(x)),
  fixed('ATAN', 'ATAN(x) – arc tangent', ['NUMERIC'], DOUBLE, (x: number) => Math.atan(x)),
  fixed('ATAN2', 'ATAN2(y, x) – arc tangent of y/x', ['NUMERIC', 'NUMERIC'], DOUBLE, (y: number, x: number) => Math.atan2(y, x)),
  fixed('DEGREES', 'DEGREES(x) – radians to degrees', ['NUMERIC'], DOUBLE, (x: number) => (x * 180) / Math.PI),
  fixed('RADIANS', 'RADIANS(x) – degrees to radians', ['NUMERIC'], DOUBLE, (x: number) => (x * Math.PI) / 180),
  rand('RAND'),
  rand('RAND_INTEGER'),
  greatestLeast('GREATEST', 1),
  greatestLeast('LEAST', -1),
];
