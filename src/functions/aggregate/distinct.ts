/** The DISTINCT wrapper: feeds an aggregate each distinct non-NULL value once, with exact retraction. */
import type { AggregateImpl } from '../function-types.js';
import { valueKey } from './value-key.js';

interface Seen {
  value: unknown;
  count: number;
}

interface DistinctAcc<A> {
  inner: A;
  seen: Map<unknown, Seen>;
}

/**
 * Wraps `impl` with DISTINCT semantics: a value→count map inside the accumulator forwards `add` only on a
 * value's first occurrence and `retract` only on its last removal. NULLs are never forwarded (every
 * aggregate ignores them). Merging re-adds the values the other side saw that this one had not.
 */
export function distinctAggregate<A>(impl: AggregateImpl<A>): AggregateImpl<DistinctAcc<A>> {
  return {
    create: () => ({ inner: impl.create(), seen: new Map() }),
    add(acc, v) {
      if (v === null || v === undefined) return;
      const key = valueKey(v);
      const s = acc.seen.get(key);
      if (s !== undefined) {
        s.count++;
        return;
      }
      acc.seen.set(key, { value: v, count: 1 });
      impl.add(acc.inner, v);
    },
    retract(acc, v) {
      if (v === null || v === undefined) return;
      const key = valueKey(v);
      const s = acc.seen.get(key);
      if (s === undefined) return;
      if (--s.count > 0) return;
      acc.seen.delete(key);
      impl.retract(acc.inner, s.value);
    },
    merge(acc, other) {
      for (const [key, s] of other.seen) {
        const mine = acc.seen.get(key);
        if (mine !== undefined) {
          mine.count += s.count;
        } else {
          acc.seen.set(key, { value: s.value, count: s.count });
          impl.add(acc.inner, s.value);
        }
      }
    },
    result: (acc) => impl.result(acc.inner),
    supportsRetract: impl.supportsRetract,
    orderInsensitive: impl.orderInsensitive,
    serialize: (acc) => ({ inner: impl.serialize(acc.inner), seen: [...acc.seen.values()].map((s) => [s.value, s.count]) }),
    deserialize(data) {
      const d = data as { inner: unknown; seen: [unknown, number][] };
      const seen = new Map<unknown, Seen>();
      for (const [value, count] of d.seen) seen.set(valueKey(value), { value, count });
      return { inner: impl.deserialize(d.inner), seen };
    },
  };
}
