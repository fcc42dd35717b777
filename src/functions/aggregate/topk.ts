/**
 * ksqlDB's TOPK(x, k) and TOPKDISTINCT(x, k): the k greatest non-NULL values of a group as an ARRAY, greatest
 * first; TOPK keeps duplicates, TOPKDISTINCT counts each value once.
 *
 * The accumulator is a list of [value, copies] sorted greatest first. To retract exactly it keeps every
 * value (as MIN/MAX do); for inputs that never retract, `appendOnly` keeps only the entries that can still
 * be among the top k (ksqlDB's own TOPK only runs on streams and keeps k values).
 */
import { T, typeToString, withNullable, withoutTimeAttribute } from '../../common/types.js';
import { compareValues } from '../../common/values.js';
import type { AggregateFunctionDef, AggregateImpl, CallSite, Resolution, ResolvedAggregate } from '../function-types.js';

/** [value, copies], greatest value first. */
type Ranked = [unknown, number][];

/** The index of `v` in `acc`, or where it belongs (as `-(index + 1)`). */
function search(acc: Ranked, v: unknown): number {
  let lo = 0;
  let hi = acc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareValues(acc[mid]![0], v);
    if (c === 0) return mid;
    if (c > 0) lo = mid + 1;
    else hi = mid;
  }
  return -(lo + 1);
}

function insert(acc: Ranked, v: unknown, copies: number): void {
  const i = search(acc, v);
  if (i >= 0) acc[i]![1] += copies;
  else acc.splice(-(i + 1), 0, [v, copies]);
}

/** Drops the entries that cannot be among the top k any more (append-only input only). */
function trim(acc: Ranked, k: number, distinct: boolean): void {
  if (distinct) {
    if (acc.length > k) acc.length = k;
    return;
  }
  let seen = 0;
  for (let i = 0; i < acc.length; i++) {
    seen += acc[i]![1];
    if (seen >= k) {
      acc.length = i + 1;
      return;
    }
  }
}

function topkImpl(k: number, distinct: boolean, appendOnly: boolean): AggregateImpl<Ranked> {
  return {
    create: () => [],
    add(acc, v) {
      if (v === null || v === undefined) return;
      insert(acc, v, 1);
      if (appendOnly) trim(acc, k, distinct);
    },
    retract(acc, v) {
      if (appendOnly) throw new Error('the append-only TOPK cannot retract');
      if (v === null || v === undefined) return;
      const i = search(acc, v);
      if (i >= 0 && --acc[i]![1] === 0) acc.splice(i, 1);
    },
    merge(acc, other) {
      for (const [v, n] of other) insert(acc, v, n);
      if (appendOnly) trim(acc, k, distinct);
    },
    result(acc) {
      const out: unknown[] = [];
      for (const [v, n] of acc) {
        for (let c = distinct ? 1 : n; c > 0 && out.length < k; c--) out.push(v);
        if (out.length >= k) break;
      }
      return out;
    },
    supportsRetract: !appendOnly,
    orderInsensitive: true,
    serialize: (acc) => acc.map(([v, n]) => [v, n]),
    deserialize: (data) => (data as Ranked).map(([v, n]) => [v, n] as [unknown, number]),
    appendOnly: appendOnly ? undefined : topkImpl(k, distinct, true),
  };
}

function topk(name: 'TOPK' | 'TOPKDISTINCT', distinct: boolean): AggregateFunctionDef {
  return {
    name,
    description: `${name}(x, k) – the k greatest${distinct ? ' distinct' : ''} non-NULL values of x as an ARRAY, greatest first`,
    literalParams: 1,
    resolve(argTypes, isDistinct, site?: CallSite): Resolution<ResolvedAggregate> {
      if (argTypes.length !== 2) return { error: `${name} expects 2 arguments (x, k), got ${argTypes.length}` };
      if (isDistinct) return { error: `${name} does not support DISTINCT` };
      const t = withoutTimeAttribute(argTypes[0]!);
      if (t.name === 'ARRAY' || t.name === 'MAP' || t.name === 'ROW' || t.name === 'BOOLEAN') return { error: `${name} cannot rank values of type ${typeToString(t)}` };
      const kType = argTypes[1]!;
      const k = Number(site?.literalArgs[1]);
      if (!['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(kType.name) || !Number.isInteger(k) || k < 1) {
        return { error: `${name}: k must be an integer literal of 1 or more, got ${String(site?.literalArgs[1])}` };
      }
      return { type: withNullable(T.array(withNullable(t, false)), false), impl: topkImpl(k, distinct, false) };
    },
  };
}

/** TOPK(x, k). */
export const topkFunction = topk('TOPK', false);
/** TOPKDISTINCT(x, k). */
export const topkDistinctFunction = topk('TOPKDISTINCT', true);
