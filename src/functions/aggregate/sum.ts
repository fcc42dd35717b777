/** SUM, SUM0 and AVG, with exact counts so that retracting every value gives back an empty group; BIGINT and DECIMAL sums exact. */
import { T, withNullable, type DataType } from '../../common/types.js';
import type { AggregateFunctionDef, AggregateImpl, FlatAggregate } from '../function-types.js';
import { addInt64, canonicalInt, divideInt64, subtractInt64, type Int64 } from '../../common/int64.js';
import { decimalArithmetic, wrapIntegral } from '../numeric.js';
import { distinctAggregate } from './distinct.js';
import { numericArgument } from './numeric-arg.js';

interface SumAcc {
  sum: number;
  /** Number of non-NULL values in the group. */
  n: number;
}

/** The running sum and count of TINYINT..INT, FLOAT or DOUBLE values; `finish` turns them into the result. */
function sumLike(finish: (sum: number, n: number) => unknown): AggregateImpl<SumAcc> {
  return {
    create: () => ({ sum: 0, n: 0 }),
    add(acc, v) {
      if (v === null || v === undefined) return;
      acc.sum += v as number;
      acc.n++;
    },
    retract(acc, v) {
      if (v === null || v === undefined) return;
      acc.n--;
      // Floating-point sums drift; an empty group is exactly zero again.
      acc.sum = acc.n === 0 ? 0 : acc.sum - (v as number);
    },
    merge(acc, other) {
      acc.sum += other.sum;
      acc.n += other.n;
    },
    result: (acc) => finish(acc.sum, acc.n),
    supportsRetract: true,
    orderInsensitive: true,
    serialize: (acc) => [acc.sum, acc.n],
    deserialize: (data) => {
      const [sum, n] = data as [number, number];
      return { sum, n };
    },
    flat: flatSumLike(finish),
  };
}

/** {@link sumLike} with the sum at `a[at]` and the count at `a[at + 1]`. */
function flatSumLike(finish: (sum: number, n: number) => unknown): FlatAggregate {
  return {
    width: 2,
    add(a, at, v) {
      if (v === null || v === undefined) return;
      a[at] += v as number;
      a[at + 1]++;
    },
    retract(a, at, v) {
      if (v === null || v === undefined) return;
      const n = --a[at + 1]!;
      a[at] = n === 0 ? 0 : a[at]! - (v as number);
    },
    merge(a, at, b, bt) {
      a[at] += b[bt]!;
      a[at + 1] += b[bt + 1]!;
    },
    result: (a, at) => finish(a[at]!, a[at + 1]!),
    serialized: 'pair',
  };
}

/**
 * The exact running sum of BIGINT (wrapping at 64 bits as Java's `long`, which is Flink's SUM overflow) or
 * DECIMAL values (exact, at the argument's scale; NULL once it no longer fits 38 digits, as Flink's DECIMAL
 * overflow), with the count. No flat form: a sum beyond 2^53 does not fit a Float64Array.
 */
function exactSumLike(t: DataType, finish: (sum: unknown, n: number) => unknown): AggregateImpl<ExactSumAcc> {
  const scale = t.scale ?? 0;
  const plus: (a: unknown, b: unknown) => unknown = t.name === 'BIGINT' ? (addInt64 as (a: unknown, b: unknown) => unknown) : decimalArithmetic('+', scale, scale, 38, scale);
  const minus: (a: unknown, b: unknown) => unknown =
    t.name === 'BIGINT' ? (subtractInt64 as (a: unknown, b: unknown) => unknown) : decimalArithmetic('-', scale, scale, 38, scale);
  return {
    create: () => ({ sum: 0, n: 0 }),
    add(acc, v) {
      if (v === null || v === undefined) return;
      if (acc.sum !== null) acc.sum = plus(acc.sum, v);
      acc.n++;
    },
    retract(acc, v) {
      if (v === null || v === undefined) return;
      acc.n--;
      if (acc.sum !== null) acc.sum = acc.n === 0 ? 0 : minus(acc.sum, v);
    },
    merge(acc, other) {
      acc.sum = acc.sum === null || other.sum === null ? null : plus(acc.sum, other.sum);
      acc.n += other.n;
    },
    result: (acc) => finish(acc.sum, acc.n),
    supportsRetract: true,
    orderInsensitive: true,
    serialize: (acc) => [acc.sum, acc.n],
    deserialize: (data) => {
      const [sum, n] = data as [unknown, number];
      return { sum: typeof sum === 'bigint' ? canonicalInt(sum) : sum, n };
    },
  };
}

interface ExactSumAcc {
  /** Int64 or DecimalValue; null after a DECIMAL overflow. */
  sum: unknown;
  n: number;
}

/** True for the argument types whose sum is kept exactly ({@link exactSumLike}). */
function exact(t: DataType): boolean {
  return t.name === 'BIGINT' || t.name === 'DECIMAL';
}

/** A finished sum of TINYINT/SMALLINT/INT, wrapped to the type's width as Java's int arithmetic (Flink's SUM). */
function wrapSum(t: DataType): (sum: number) => number {
  return t.name === 'TINYINT' || t.name === 'SMALLINT' || t.name === 'INT' ? (sum) => wrapIntegral(sum, t.name) : (sum) => sum;
}

/** SUM's result type (Flink): the argument's type, DECIMAL(p, s) widened to DECIMAL(38, s). */
function sumType(t: DataType): DataType {
  return t.name === 'DECIMAL' ? T.decimal(38, t.scale ?? 0) : withNullable(t, true);
}

/** SUM: NULL for a group with no non-NULL values. */
export const sumFunction: AggregateFunctionDef = {
  name: 'SUM',
  description: 'SUM([DISTINCT] x) – sum of the non-NULL values; NULL when there are none',
  resolve(argTypes, distinct) {
    const t = numericArgument('SUM', argTypes);
    if ('error' in t) return t;
    const wrap = wrapSum(t);
    const impl = exact(t) ? exactSumLike(t, (sum, n) => (n === 0 ? null : sum)) : sumLike((sum, n) => (n === 0 ? null : wrap(sum)));
    return { type: sumType(t), impl: distinct ? distinctAggregate(impl) : impl };
  },
};

/** SUM0: like SUM but 0 for an empty group. */
export const sum0Function: AggregateFunctionDef = {
  name: 'SUM0',
  description: 'SUM0([DISTINCT] x) – sum of the non-NULL values; 0 when there are none',
  resolve(argTypes, distinct) {
    const t = numericArgument('SUM0', argTypes);
    if ('error' in t) return t;
    const wrap = wrapSum(t);
    const impl = exact(t) ? exactSumLike(t, (sum) => sum) : sumLike((sum) => wrap(sum));
    return { type: withNullable(sumType(t), false), impl: distinct ? distinctAggregate(impl) : impl };
  },
};

/**
 * AVG (Flink): integral arguments give their own type with integer division truncating toward zero;
 * DECIMAL(p, s) gives DECIMAL(38, max(6, s)), the exact quotient rounded half up; FLOAT/DOUBLE give
 * themselves. NULL for an empty group.
 */
export const avgFunction: AggregateFunctionDef = {
  name: 'AVG',
  description: 'AVG([DISTINCT] x) – average of the non-NULL values (integer division for integer types)',
  resolve(argTypes, distinct) {
    const t = numericArgument('AVG', argTypes);
    if ('error' in t) return t;
    let type: DataType;
    let impl: AggregateImpl;
    if (t.name === 'DECIMAL') {
      const scale = Math.max(6, t.scale ?? 0);
      type = T.decimal(38, scale);
      const divide = decimalArithmetic('/', t.scale ?? 0, 0, 38, scale);
      impl = exactSumLike(t, (sum, n) => (n === 0 || sum === null ? null : divide(sum, n)));
    } else if (t.name === 'BIGINT') {
      type = withNullable(t, true);
      impl = exactSumLike(t, (sum, n) => (n === 0 ? null : divideInt64(sum as Int64, n)));
    } else if (t.name === 'FLOAT' || t.name === 'DOUBLE') {
      type = withNullable(t, true);
      impl = sumLike((sum, n) => (n === 0 ? null : sum / n));
    } else {
      type = withNullable(t, true);
      const wrap = wrapSum(t);
      impl = sumLike((sum, n) => (n === 0 ? null : Math.trunc(wrap(sum) / n) + 0));
    }
    return { type, impl: distinct ? distinctAggregate(impl) : impl };
  },
};
