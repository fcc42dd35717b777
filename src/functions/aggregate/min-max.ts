/**
 * MIN and MAX with exact retraction: the accumulator keeps a value→count multiset and the current extreme,
 * recomputed lazily (only when asked for) after the extreme's last copy is retracted. For inputs that never
 * retract, `appendOnly` keeps just the extreme.
 */
import { typeToString, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { compareValues } from '../../common/values.js';
import type { AggregateFunctionDef, AggregateImpl, FlatAggregate } from '../function-types.js';
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

/** Accumulator of the append-only variant: just the current extreme. */
interface BestAcc {
  best: unknown;
}

/**
 * MIN/MAX for inputs that never retract: keeps only the current extreme (numbers compared directly, other
 * types with compareValues). Cannot retract.
 */
function appendOnlyExtremeImpl(sign: 1 | -1, numeric: boolean, flat: boolean): AggregateImpl<BestAcc> {
  const better = numeric
    ? (v: unknown, best: unknown): boolean => best === null || (sign > 0 ? (v as number) > (best as number) : (v as number) < (best as number))
    : (v: unknown, best: unknown): boolean => best === null || sign * compareValues(v, best) > 0;
  return {
    create: () => ({ best: null }),
    add(acc, v) {
      if (v !== null && v !== undefined && better(v, acc.best)) acc.best = v;
    },
    retract() {
      throw new Error('the append-only MIN/MAX cannot retract');
    },
    merge(acc, other) {
      if (other.best !== null && better(other.best, acc.best)) acc.best = other.best;
    },
    result: (acc) => acc.best,
    supportsRetract: false,
    orderInsensitive: true,
    serialize: (acc) => acc.best,
    deserialize: (data) => ({ best: data ?? null }),
    flat: flat ? flatExtreme(sign) : undefined,
  };
}

/** The numeric append-only MIN/MAX with `a[at]` = 1 once it holds a value, which is `a[at + 1]`. */
function flatExtreme(sign: 1 | -1): FlatAggregate {
  return {
    width: 2,
    add(a, at, v) {
      if (v === null || v === undefined) return;
      if (a[at] === 0 || (sign > 0 ? (v as number) > a[at + 1]! : (v as number) < a[at + 1]!)) {
        a[at] = 1;
        a[at + 1] = v as number;
      }
    },
    retract() {
      throw new Error('the append-only MIN/MAX cannot retract');
    },
    merge(a, at, b, bt) {
      if (b[bt] === 0) return;
      const v = b[bt + 1]!;
      if (a[at] === 0 || (sign > 0 ? v > a[at + 1]! : v < a[at + 1]!)) {
        a[at] = 1;
        a[at + 1] = v;
      }
    },
    result: (a, at) => (a[at] === 0 ? null : a[at + 1]),
    serialized: 'nullable',
  };
}

/** sign = 1 for MAX, -1 for MIN: `v` beats `best` when sign * compare(v, best) > 0. */
function extremeImpl(sign: 1 | -1, numeric: boolean, flat: boolean): AggregateImpl<ExtremeAcc> {
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
    orderInsensitive: true,
    appendOnly: appendOnlyExtremeImpl(sign, numeric, flat),
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
      // `<` orders numbers and bigints exactly (BIGINT); a big DECIMAL is an object, compared by compareValues.
      const numeric = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'DATE', 'TIME'].includes(t.name);
      // The flat form keeps the extreme in a Float64Array, which holds no BIGINT beyond 2^53.
      return { type: withNullable(t, true), impl: extremeImpl(sign, numeric, numeric && t.name !== 'BIGINT') };
    },
  };
}

/** MIN(x). */
export const minFunction = extreme('MIN', -1);
/** MAX(x). */
export const maxFunction = extreme('MAX', 1);
