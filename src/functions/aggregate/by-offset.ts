/**
 * ksqlDB's LATEST_BY_OFFSET and EARLIEST_BY_OFFSET: the latest / earliest value of a column in arrival
 * order (ksqlDB: by offset), or the latest / earliest N values as an ARRAY (oldest first).
 *
 * - `ignoreNulls` (default true, as ksqlDB) skips NULL values; with false a NULL is a value like any other.
 * - Like ksqlDB's, they cannot retract (ksqlDB allows them on streams only): an updating input is refused
 *   when the query is planned.
 * - Merging two accumulators (session windows) keeps the values by arrival order: every value carries a
 *   sequence number, as ksqlDB's intermediate STRUCT<SEQ, VAL> does. The counter is per process and moves
 *   past every restored sequence number, so values added after a restore sort after the restored ones.
 */
import { T, typeToString, withNullable, withoutTimeAttribute } from '../../common/types.js';
import type { AggregateFunctionDef, AggregateImpl, CallSite, Resolution, ResolvedAggregate } from '../function-types.js';

/** [sequence number, value] pairs, oldest first. */
type Entries = [number, unknown][];

let nextSequence = 0;

function sequence(): number {
  return nextSequence++;
}

/** Moves the counter past restored sequence numbers. */
function seen(entries: Entries): void {
  for (const [seq] of entries) if (seq >= nextSequence) nextSequence = seq + 1;
}

/** Keeps the `n` latest (or earliest) entries of `acc`, which is sorted by sequence. */
function trim(acc: Entries, n: number, latest: boolean): void {
  if (acc.length <= n) return;
  if (latest) acc.splice(0, acc.length - n);
  else acc.length = n;
}

/**
 * The implementation: the accumulator holds at most `n` entries in sequence order. `single`: the result
 * is the value itself (NULL when none), else an ARRAY of the values.
 */
function byOffsetImpl(latest: boolean, n: number, ignoreNulls: boolean, single: boolean): AggregateImpl<Entries> {
  return {
    create: () => [],
    add(acc, v) {
      if (v === undefined || (v === null && ignoreNulls)) return;
      // EARLIEST keeps its first n values: later ones change nothing.
      if (!latest && acc.length >= n) return;
      acc.push([sequence(), v]);
      trim(acc, n, latest);
    },
    retract() {
      throw new Error(`${latest ? 'LATEST' : 'EARLIEST'}_BY_OFFSET cannot retract`);
    },
    merge(acc, other) {
      const all = [...acc, ...other.map(([s, v]) => [s, v] as [number, unknown])];
      all.sort((a, b) => a[0] - b[0]);
      trim(all, n, latest);
      acc.length = 0;
      acc.push(...all);
    },
    result(acc) {
      if (single) return acc.length === 0 ? null : acc[0]![1];
      return acc.map(([, v]) => v);
    },
    supportsRetract: false,
    serialize: (acc) => acc.map(([s, v]) => [s, v]),
    deserialize(data) {
      const entries = (data as Entries).map(([s, v]) => [s, v] as [number, unknown]);
      seen(entries);
      return entries;
    },
  };
}

/** `name(col [, ignoreNulls])` or `name(col, n [, ignoreNulls])`, settings read from the literals. */
function byOffset(name: 'LATEST_BY_OFFSET' | 'EARLIEST_BY_OFFSET', latest: boolean): AggregateFunctionDef {
  const which = latest ? 'latest' : 'earliest';
  return {
    name,
    description: `${name}(x [, n] [, ignoreNulls]) – the ${which} value of x in arrival order (or the ${which} n values as an ARRAY); NULLs ignored unless ignoreNulls is FALSE`,
    literalParams: 2,
    resolve(argTypes, distinct, site?: CallSite): Resolution<ResolvedAggregate> {
      if (argTypes.length < 1 || argTypes.length > 3) return { error: `${name} expects 1 to 3 arguments, got ${argTypes.length}` };
      if (distinct) return { error: `${name} does not support DISTINCT` };
      const values = site?.literalArgs ?? [];
      let n: number | undefined;
      let ignoreNulls = true;
      for (let i = 1; i < argTypes.length; i++) {
        const t = argTypes[i]!;
        const v = values[i];
        if (t.name === 'BOOLEAN' && i === argTypes.length - 1) {
          if (typeof v !== 'boolean') return { error: `${name}: ignoreNulls must be TRUE or FALSE` };
          ignoreNulls = v;
        } else if (i === 1 && (t.name === 'INT' || t.name === 'BIGINT' || t.name === 'SMALLINT' || t.name === 'TINYINT')) {
          const k = Number(v);
          if (!Number.isInteger(k) || k < 1) return { error: `${name}: n must be 1 or greater, got ${String(v)}` };
          n = k;
        } else {
          return { error: `${name} expects (x [, n INT] [, ignoreNulls BOOLEAN]), got ${typeToString(t)} as argument ${i + 1}` };
        }
      }
      const t = withoutTimeAttribute(argTypes[0]!);
      if (n === undefined) return { type: withNullable(t, true), impl: byOffsetImpl(latest, 1, ignoreNulls, true) };
      return { type: withNullable(T.array(withNullable(t, true)), false), impl: byOffsetImpl(latest, n, ignoreNulls, false) };
    },
  };
}

/** LATEST_BY_OFFSET(x [, n] [, ignoreNulls]) and EARLIEST_BY_OFFSET(x [, n] [, ignoreNulls]). */
export const byOffsetFunctions: readonly AggregateFunctionDef[] = [byOffset('LATEST_BY_OFFSET', true), byOffset('EARLIEST_BY_OFFSET', false)];
