/** Small AggregateImpl implementations for operator tests (the real ones live in src/functions/aggregate). */
import type { AggregateImpl } from '../../../src/functions/function-types.js';
import type { AggCall } from '../../../src/runtime/operators/aggregate-call.js';

/** COUNT(*) (counts every row) or COUNT(x) (skips NULLs). */
export function countImpl(star: boolean): AggregateImpl<{ n: number }> {
  return {
    create: () => ({ n: 0 }),
    add: (acc, v) => {
      if (star || v !== null) acc.n++;
    },
    retract: (acc, v) => {
      if (star || v !== null) acc.n--;
    },
    merge: (acc, other) => {
      acc.n += other.n;
    },
    result: (acc) => acc.n,
    supportsRetract: true,
    orderInsensitive: true,
    serialize: (acc) => acc.n,
    deserialize: (d) => ({ n: d as number }),
  };
}

/** SUM(x) with retraction: NULL when no non-NULL value is in the group. */
export const sumImpl: AggregateImpl<{ sum: number; n: number }> = {
  create: () => ({ sum: 0, n: 0 }),
  add: (acc, v) => {
    if (v === null) return;
    acc.sum += v as number;
    acc.n++;
  },
  retract: (acc, v) => {
    if (v === null) return;
    acc.sum -= v as number;
    acc.n--;
  },
  merge: (acc, o) => {
    acc.sum += o.sum;
    acc.n += o.n;
  },
  result: (acc) => (acc.n === 0 ? null : acc.sum),
  supportsRetract: true,
  orderInsensitive: true,
  serialize: (acc) => [acc.sum, acc.n],
  deserialize: (d) => ({ sum: (d as number[])[0]!, n: (d as number[])[1]! }),
};

/** MIN(x) or MAX(x) with exact retraction, keeping a multiset of the values. */
export function extremumImpl(which: 'min' | 'max'): AggregateImpl<Map<number, number>> {
  return {
    create: () => new Map(),
    add: (acc, v) => {
      if (v !== null) acc.set(v as number, (acc.get(v as number) ?? 0) + 1);
    },
    retract: (acc, v) => {
      if (v === null) return;
      const n = (acc.get(v as number) ?? 0) - 1;
      if (n <= 0) acc.delete(v as number);
      else acc.set(v as number, n);
    },
    merge: (acc, o) => {
      for (const [v, n] of o) acc.set(v, (acc.get(v) ?? 0) + n);
    },
    result: (acc) => {
      let best: number | null = null;
      for (const v of acc.keys()) if (best === null || (which === 'min' ? v < best : v > best)) best = v;
      return best;
    },
    supportsRetract: true,
    orderInsensitive: true,
    serialize: (acc) => [...acc],
    deserialize: (d) => new Map(d as [number, number][]),
  };
}

/** LAST_VALUE(x) without retraction (to test that updating inputs reject it). */
export const lastValueImpl: AggregateImpl<{ v: unknown }> = {
  create: () => ({ v: null }),
  add: (acc, v) => {
    if (v !== null) acc.v = v;
  },
  retract: () => {
    throw new Error('LAST_VALUE cannot retract');
  },
  merge: (acc, o) => {
    if (o.v !== null) acc.v = o.v;
  },
  result: (acc) => acc.v,
  supportsRetract: false,
  serialize: (acc) => acc.v,
  deserialize: (d) => ({ v: d }),
};

/** An AggCall, named as EXPLAIN prints it. */
export function call(name: string, impl: AggregateImpl, argIndex: number, filterIndex = -1): AggCall {
  return { name, impl, argIndex, filterIndex };
}

/** The aggregate calls the property tests use over rows `[key, value, ts, flag]`. */
export function standardCalls(): AggCall[] {
  return [
    call('COUNT(*)', countImpl(true), -1),
    call('COUNT($1)', countImpl(false), 1),
    call('SUM($1)', sumImpl, 1),
    call('MIN($1)', extremumImpl('min'), 1),
    call('MAX($1)', extremumImpl('max'), 1),
    call('SUM($1) FILTER (WHERE $3)', sumImpl, 1, 3),
  ];
}

/** The results of {@link standardCalls} over a group's rows, computed directly with plain loops. */
export function standardResults(rows: readonly unknown[][]): unknown[] {
  let count = 0;
  let nonNull = 0;
  let sum: number | null = null;
  let min: number | null = null;
  let max: number | null = null;
  let filtered: number | null = null;
  for (const r of rows) {
    count++;
    const v = r[1] as number | null;
    if (v === null) continue;
    nonNull++;
    sum = (sum ?? 0) + v;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
    if (r[3] === true) filtered = (filtered ?? 0) + v;
  }
  return [count, nonNull, sum, min, max, filtered];
}
