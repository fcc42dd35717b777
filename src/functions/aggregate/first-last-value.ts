/**
 * FIRST_VALUE and LAST_VALUE: the first / last non-NULL value in arrival order. To retract exactly, the
 * accumulator keeps every value in order, run-length encoded (consecutive equal values share an entry).
 */
import { withNullable, withoutTimeAttribute } from '../../common/types.js';
import { valuesEqual } from '../../common/values.js';
import type { AggregateFunctionDef, AggregateImpl } from '../function-types.js';

/** Runs of [value, count] in arrival order. */
type OrderedAcc = [unknown, number][];

/** True when two values are the same SQL value. */
export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || valuesEqual(a, b);
}

/** Appends a run of `count` copies of `v`. */
function append(acc: OrderedAcc, v: unknown, count: number): void {
  const last = acc[acc.length - 1];
  if (last !== undefined && sameValue(last[0], v)) last[1] += count;
  else acc.push([v, count]);
}

/**
 * Shared implementation. Retracting removes the earliest copy of the value (a retraction undoes the
 * oldest matching row, as updates of earlier rows do).
 */
function orderedImpl(pick: 'first' | 'last'): AggregateImpl<OrderedAcc> {
  return {
    create: () => [],
    add(acc, v) {
      if (v === null || v === undefined) return;
      append(acc, v, 1);
    },
    retract(acc, v) {
      if (v === null || v === undefined) return;
      for (let i = 0; i < acc.length; i++) {
        const run = acc[i]!;
        if (!sameValue(run[0], v)) continue;
        if (--run[1] === 0) {
          acc.splice(i, 1);
          // Joining the neighbours keeps runs maximal.
          const prev = acc[i - 1];
          const next = acc[i];
          if (prev !== undefined && next !== undefined && sameValue(prev[0], next[0])) {
            prev[1] += next[1];
            acc.splice(i, 1);
          }
        }
        return;
      }
    },
    merge(acc, other) {
      for (const [v, n] of other) append(acc, v, n);
    },
    result(acc) {
      if (acc.length === 0) return null;
      return pick === 'first' ? acc[0]![0] : acc[acc.length - 1]![0];
    },
    supportsRetract: true,
    serialize: (acc) => acc.map(([v, n]) => [v, n]),
    deserialize: (data) => (data as OrderedAcc).map(([v, n]) => [v, n] as [unknown, number]),
  };
}

function ordered(name: 'FIRST_VALUE' | 'LAST_VALUE', pick: 'first' | 'last'): AggregateFunctionDef {
  return {
    name,
    description: `${name}(x) – the ${pick} non-NULL value in arrival order`,
    resolve(argTypes, distinct) {
      if (argTypes.length !== 1) return { error: `${name} expects 1 argument, got ${argTypes.length}` };
      if (distinct) return { error: `${name} does not support DISTINCT` };
      return { type: withNullable(withoutTimeAttribute(argTypes[0]!), true), impl: orderedImpl(pick) };
    },
  };
}

/** FIRST_VALUE(x). */
export const firstValueFunction = ordered('FIRST_VALUE', 'first');
/** LAST_VALUE(x). */
export const lastValueFunction = ordered('LAST_VALUE', 'last');
