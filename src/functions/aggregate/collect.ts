/**
 * ksqlDB's COLLECT_LIST and COLLECT_SET: the values of a group as an ARRAY, in arrival order (the set keeps
 * each distinct value once, at its first occurrence). NULL values are collected too, as ksqlDB's do.
 * Both retract exactly: COLLECT_LIST removes the latest copy of the value (as ksqlDB's `undo` does),
 * COLLECT_SET counts copies and drops a value with its last one.
 */
import { T, withNullable, withoutTimeAttribute } from '../../common/types.js';
import type { AggregateFunctionDef, AggregateImpl } from '../function-types.js';
import { sameValue } from './first-last-value.js';
import { valueKey } from './value-key.js';

const listImpl: AggregateImpl<unknown[]> = {
  create: () => [],
  add(acc, v) {
    if (v !== undefined) acc.push(v);
  },
  retract(acc, v) {
    if (v === undefined) return;
    for (let i = acc.length - 1; i >= 0; i--) {
      if (sameValue(acc[i] ?? null, v)) {
        acc.splice(i, 1);
        return;
      }
    }
  },
  merge(acc, other) {
    for (const v of other) acc.push(v);
  },
  result: (acc) => [...acc],
  supportsRetract: true,
  serialize: (acc) => [...acc],
  deserialize: (data) => [...(data as unknown[])],
};

/** Distinct values by first occurrence, each with its number of copies. */
type SetAcc = Map<unknown, { value: unknown; count: number }>;

const setImpl: AggregateImpl<SetAcc> = {
  create: () => new Map(),
  add(acc, v) {
    if (v === undefined) return;
    const key = valueKey(v);
    const e = acc.get(key);
    if (e !== undefined) e.count++;
    else acc.set(key, { value: v, count: 1 });
  },
  retract(acc, v) {
    if (v === undefined) return;
    const key = valueKey(v);
    const e = acc.get(key);
    if (e !== undefined && --e.count === 0) acc.delete(key);
  },
  merge(acc, other) {
    for (const [key, e] of other) {
      const mine = acc.get(key);
      if (mine !== undefined) mine.count += e.count;
      else acc.set(key, { value: e.value, count: e.count });
    }
  },
  result: (acc) => [...acc.values()].map((e) => e.value),
  supportsRetract: true,
  serialize: (acc) => [...acc.values()].map((e) => [e.value, e.count]),
  deserialize(data) {
    const acc: SetAcc = new Map();
    for (const [value, count] of data as [unknown, number][]) acc.set(valueKey(value), { value, count });
    return acc;
  },
};

function collect(name: 'COLLECT_LIST' | 'COLLECT_SET', what: string, impl: AggregateImpl): AggregateFunctionDef {
  return {
    name,
    description: `${name}(x) – ${what} of x as an ARRAY, in arrival order`,
    resolve(argTypes, distinct) {
      if (argTypes.length !== 1) return { error: `${name} expects 1 argument, got ${argTypes.length}` };
      if (distinct) return { error: `${name} does not support DISTINCT` };
      const element = withNullable(withoutTimeAttribute(argTypes[0]!), true);
      return { type: withNullable(T.array(element), false), impl };
    },
  };
}

/** COLLECT_LIST(x). */
export const collectListFunction = collect('COLLECT_LIST', 'every value', listImpl);
/** COLLECT_SET(x). */
export const collectSetFunction = collect('COLLECT_SET', 'the distinct values', setImpl);
