/**
 * MIN and MAX with exact retraction: the accumulator keeps a value→count multiset and the current extreme,
 * recomputed lazily (only when asked for) after the extreme's last copy is retracted.
 */
import { typeToString, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { compareValues } from '../../common/values.js';
import type { AggregateFunctionDef, AggregateImpl } from '../function-types.js';
import { valueKey } from './value-key.js';

interface Entry {
  value: unknown;
  count: number;
}

interface ExtremeAcc {
  entries: Map<unknown, Entry>;
  /** The current extreme, or null for an empty group; meaningless while `stale`. */
  best: unknown;
  stale: boolean;
}

/** sign = 1 for MAX, -1 for MIN: `v` beats `best` when sign * compare(v, best) > 0. */
function extremeImpl(sign: 1 | -1): AggregateImpl<ExtremeAcc> {
  const better = (v: unknown, best: unknown): boolean => best === null || sign * compareValues(v, best) > 0;
  const recompute = (acc: ExtremeAcc): void => {
    let best: unknown = null;
    for (const e of acc.entries.values()) if (better(e.value, best)) best = e.value;
    acc.best = best;
    acc.stale = false;
  };
  const addCount = (acc: ExtremeAcc, v: unknown, count: number): void => {
    const key = valueKey(v);
    const e = acc.entries.get(key);
    if (e !== undefined) e.count += count;
    else acc.entries.set(key, { value: v, count });
    if (!acc.stale && better(v, acc.best)) acc.best = v;
  };
  return {
    create: () => ({ entries: new Map(), best: null, stale: false }),
    add(acc, v) {
      if (v === null || v === undefined) return;
      addCount(acc, v, 1);
    },
    retract(acc, v) {
      if (v === null || v === undefined) return;
      const key = valueKey(v);
      const e = acc.entries.get(key);
      if (e === undefined) return;
      if (--e.count > 0) return;
      acc.entries.delete(key);
      if (!acc.stale && acc.best !== null && compareValues(v, acc.best) === 0) acc.stale = true;
    },
    merge(acc, other) {
      for (const e of other.entries.values()) addCount(acc, e.value, e.count);
    },
    result(acc) {
      if (acc.stale) recompute(acc);
      return acc.best;
    },
    supportsRetract: true,
    serialize: (acc) => [...acc.entries.values()].map((e) => [e.value, e.count]),
    deserialize(data) {
      const acc: ExtremeAcc = { entries: new Map(), best: null, stale: false };
      for (const [value, count] of data as [unknown, number][]) acc.entries.set(valueKey(value), { value, count });
      recompute(acc);
      return acc;
    },
  };
}

const NOT_COMPARABLE = new Set(['MAP', 'NULL']);

function extreme(name: 'MIN' | 'MAX', sign: 1 | -1): AggregateFunctionDef {
  return {
    name,
    description: `${name}(x) – the ${name === 'MIN' ? 'smallest' : 'largest'} non-NULL value; NULL when there is none`,
    resolve(argTypes: readonly DataType[]) {
      if (argTypes.length !== 1) return { error: `${name} expects 1 argument, got ${argTypes.length}` };
      const t = withoutTimeAttribute(argTypes[0]!);
      if (NOT_COMPARABLE.has(t.name)) return { error: `${name} expects a comparable argument, got ${typeToString(t)}` };
      // DISTINCT does not change MIN or MAX.
      return { type: withNullable(t, true), impl: extremeImpl(sign) };
    },
  };
}

/** MIN(x). */
export const minFunction = extreme('MIN', -1);
/** MAX(x). */
export const maxFunction = extreme('MAX', 1);
