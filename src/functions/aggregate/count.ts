/** COUNT(*) and COUNT(x): the number of rows, or of non-NULL values. */
import { T, withNullable } from '../../common/types.js';
import type { AggregateFunctionDef, AggregateImpl, FlatAggregate } from '../function-types.js';
import { distinctAggregate } from './distinct.js';

interface CountAcc {
  n: number;
}

/** Counts every row (COUNT(*), value is `undefined`) or every non-NULL value (COUNT(x)). */
function countImpl(star: boolean): AggregateImpl<CountAcc> {
  return {
    create: () => ({ n: 0 }),
    add: star
      ? (acc) => {
          acc.n++;
        }
      : (acc, v) => {
          if (v !== null && v !== undefined) acc.n++;
        },
    retract: star
      ? (acc) => {
          acc.n--;
        }
      : (acc, v) => {
          if (v !== null && v !== undefined) acc.n--;
        },
    merge: (acc, other) => {
      acc.n += other.n;
    },
    result: (acc) => acc.n,
    supportsRetract: true,
    orderInsensitive: true,
    serialize: (acc) => acc.n,
    deserialize: (data) => ({ n: data as number }),
    flat: flatCount(star),
  };
}

/** {@link countImpl} with the count at `a[at]`. */
function flatCount(star: boolean): FlatAggregate {
  return {
    width: 1,
    add: star
      ? (a, at) => {
          a[at]++;
        }
      : (a, at, v) => {
          if (v !== null && v !== undefined) a[at]++;
        },
    retract: star
      ? (a, at) => {
          a[at]--;
        }
      : (a, at, v) => {
          if (v !== null && v !== undefined) a[at]--;
        },
    merge: (a, at, b, bt) => {
      a[at] += b[bt]!;
    },
    result: (a, at) => a[at],
    serialized: 'number',
  };
}

/** COUNT: BIGINT NOT NULL; 0 for an empty group. */
export const countFunction: AggregateFunctionDef = {
  name: 'COUNT',
  description: 'COUNT(*) | COUNT([DISTINCT] x) – number of rows, or of non-NULL values of x',
  resolve(argTypes, distinct) {
    if (argTypes.length > 1) return { error: `COUNT expects 1 argument or *, got ${argTypes.length}` };
    const type = withNullable(T.bigint(), false);
    if (argTypes.length === 0) {
      if (distinct) return { error: 'COUNT(DISTINCT *) is not allowed' };
      return { type, impl: countImpl(true) };
    }
    const impl = countImpl(false);
    return { type, impl: distinct ? distinctAggregate(impl) : impl };
  },
};

/**
 * ksqlDB's COUNT_DISTINCT(x): the number of distinct non-NULL values. ksqlDB estimates it with HyperLogLog;
 * Eddy counts exactly (and can therefore retract), so the result equals COUNT(DISTINCT x).
 */
export const countDistinctFunction: AggregateFunctionDef = {
  name: 'COUNT_DISTINCT',
  description: 'COUNT_DISTINCT(x) – number of distinct non-NULL values of x (exact)',
  resolve(argTypes) {
    if (argTypes.length !== 1) return { error: `COUNT_DISTINCT expects 1 argument, got ${argTypes.length}` };
    return countFunction.resolve(argTypes, true);
  },
};
