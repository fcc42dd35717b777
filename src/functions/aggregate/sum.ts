/** SUM, SUM0 and AVG, with exact counts so that retracting every value gives back an empty group. */
import { T, withNullable, type DataType } from '../../common/types.js';
import type { AggregateFunctionDef, AggregateImpl, FlatAggregate } from '../function-types.js';
import { roundHalfUp } from '../numeric.js';
import { distinctAggregate } from './distinct.js';
import { numericArgument } from './numeric-arg.js';

interface SumAcc {
  sum: number;
  /** Number of non-NULL values in the group. */
  n: number;
}

/** The running sum and count; `finish` turns them into the result. */
function sumLike(scale: number | undefined, finish: (sum: number, n: number) => unknown): AggregateImpl<SumAcc> {
  const round = scale === undefined ? (x: number) => x : (x: number) => roundHalfUp(x, scale);
  return {
    create: () => ({ sum: 0, n: 0 }),
    add(acc, v) {
      if (v === null || v === undefined) return;
      acc.sum = round(acc.sum + (v as number));
      acc.n++;
    },
    retract(acc, v) {
      if (v === null || v === undefined) return;
      acc.n--;
      // Floating-point sums drift; an empty group is exactly zero again.
      acc.sum = acc.n === 0 ? 0 : round(acc.sum - (v as number));
    },
    merge(acc, other) {
      acc.sum = round(acc.sum + other.sum);
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
    flat: flatSumLike(round, finish),
  };
}

/** {@link sumLike} with the sum at `a[at]` and the count at `a[at + 1]`. */
function flatSumLike(round: (x: number) => number, finish: (sum: number, n: number) => unknown): FlatAggregate {
  return {
    width: 2,
    add(a, at, v) {
      if (v === null || v === undefined) return;
      a[at] = round(a[at]! + (v as number));
      a[at + 1]++;
    },
    retract(a, at, v) {
      if (v === null || v === undefined) return;
      const n = --a[at + 1]!;
      a[at] = n === 0 ? 0 : round(a[at]! - (v as number));
    },
    merge(a, at, b, bt) {
      a[at] = round(a[at]! + b[bt]!);
      a[at + 1] += b[bt + 1]!;
    },
    result: (a, at) => finish(a[at]!, a[at + 1]!),
    serialized: 'pair',
  };
}

/** SUM's result type (Flink): the argument's type, DECIMAL(p, s) widened to DECIMAL(38, s). */
function sumType(t: DataType): DataType {
  return t.name === 'DECIMAL' ? T.decimal(38, t.scale ?? 0) : withNullable(t, true);
}

function decimalScale(t: DataType): number | undefined {
  return t.name === 'DECIMAL' ? (t.scale ?? 0) : undefined;
}

/** SUM: NULL for a group with no non-NULL values. */
export const sumFunction: AggregateFunctionDef = {
  name: 'SUM',
  description: 'SUM([DISTINCT] x) – sum of the non-NULL values; NULL when there are none',
  resolve(argTypes, distinct) {
    const t = numericArgument('SUM', argTypes);
    if ('error' in t) return t;
    const impl = sumLike(decimalScale(t), (sum, n) => (n === 0 ? null : sum));
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
    const impl = sumLike(decimalScale(t), (sum) => sum);
    return { type: withNullable(sumType(t), false), impl: distinct ? distinctAggregate(impl) : impl };
  },
};

/**
 * AVG (Flink): integral arguments give their own type with integer division truncating toward zero;
 * DECIMAL(p, s) gives DECIMAL(38, max(6, s)); FLOAT/DOUBLE give themselves. NULL for an empty group.
 */
export const avgFunction: AggregateFunctionDef = {
  name: 'AVG',
  description: 'AVG([DISTINCT] x) – average of the non-NULL values (integer division for integer types)',
  resolve(argTypes, distinct) {
    const t = numericArgument('AVG', argTypes);
    if ('error' in t) return t;
    let type: DataType;
    let finish: (sum: number, n: number) => unknown;
    if (t.name === 'DECIMAL') {
      const scale = Math.max(6, t.scale ?? 0);
      type = T.decimal(38, scale);
      finish = (sum, n) => (n === 0 ? null : roundHalfUp(sum / n, scale));
    } else if (t.name === 'FLOAT' || t.name === 'DOUBLE') {
      type = withNullable(t, true);
      finish = (sum, n) => (n === 0 ? null : sum / n);
    } else {
      type = withNullable(t, true);
      finish = (sum, n) => (n === 0 ? null : Math.trunc(sum / n) + 0);
    }
    const impl = sumLike(decimalScale(t), finish);
    return { type, impl: distinct ? distinctAggregate(impl) : impl };
  },
};
