import { describe, expect, it } from 'vitest';
import { type ChangeSink, KeyedStateTable, TrackedValueState } from '../../../src/runtime/state/keyed-state-table.js';
import type { Namespace, StateKey, ValueCodec } from '../../../src/runtime/state/state-types.js';

/** A sink that records the calls it gets, as text. */
function recorder(): ChangeSink & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    deleteNamespace: (ns: Namespace) => void calls.push(`dropNs ${JSON.stringify(ns)}`),
    upsert: (ns: Namespace, key: StateKey, data: unknown) => void calls.push(`upsert ${JSON.stringify(ns)} ${JSON.stringify(key)} ${JSON.stringify(data)}`),
    delete: (ns: Namespace, key: StateKey) => void calls.push(`delete ${JSON.stringify(ns)} ${JSON.stringify(key)}`),
  };
}

/** Values `{ n }` stored as the number n. */
const codec: ValueCodec<{ n: number }> = { encode: (v) => v.n, decode: (d) => ({ n: d as number }) };

describe('KeyedStateTable', () => {
  it('gets, puts and deletes by key and namespace, counting entries', () => {
    const t = new KeyedStateTable('t', codec, true);
    t.put('a', { n: 1 });
    t.put('a', { n: 2 });
    t.put('a', { n: 3 }, 10);
    t.put(null, { n: 4 }, 10);
    t.put(7, { n: 5 }, 'x');
    expect(t.size).toBe(4);
    expect(t.get('a')).toEqual({ n: 2 });
    expect(t.get('a', 10)).toEqual({ n: 3 });
    expect(t.get('a', 11)).toBeUndefined();
    expect([...t.namespaces()]).toEqual(['', 10, 'x']);
    expect([...t.namespace(10)]).toEqual([['a', { n: 3 }], [null, { n: 4 }]]);
    t.delete('a', 10);
    t.delete('zzz', 10); // absent: nothing happens
    expect(t.size).toBe(3);
    t.deleteNamespace(10);
    expect(t.size).toBe(2);
    expect([...t.namespace(10)]).toEqual([]);
    t.delete(7, 'x');
    expect([...t.namespaces()]).toEqual(['']); // an emptied namespace is gone
  });

  it('records the last change per entry and writes it once at a flush', () => {
    const t = new KeyedStateTable('t', codec, true);
    expect(t.changed).toBe(false);
    const v = { n: 1 };
    t.put('a', v);
    v.n = 5; // changed in place and put again: the flush encodes the value as it is then
    t.put('a', v);
    t.put('b', { n: 2 });
    t.delete('b');
    expect(t.changed).toBe(true);
    const sink = recorder();
    t.flushTo(sink);
    expect(sink.calls).toEqual(['delete "" "b"', 'upsert "" "a" 5']); // deletions first, then entries
    expect(t.changed).toBe(false);
    const again = recorder();
    t.flushTo(again);
    expect(again.calls).toEqual([]);
  });

  it('writes a dropped namespace first, then entries put into it afterwards', () => {
    const t = new KeyedStateTable('t', codec, true);
    t.put('a', { n: 1 }, 10);
    t.put('b', { n: 2 }, 20);
    t.flushTo(recorder());
    t.put('a', { n: 3 }, 10);
    t.deleteNamespace(10); // forgets the pending change to 'a' too
    t.put('c', { n: 4 }, 10);
    t.deleteNamespace(30); // never existed: still dropped in the store, harmlessly
    const sink = recorder();
    t.flushTo(sink);
    expect(sink.calls).toEqual(['dropNs 10', 'dropNs 30', 'upsert 10 "c" 4']);
  });

  it('writes the same changes, with their write times, whether a flush walks a whole namespace or its change list', () => {
    let now = 1000;
    const t = new KeyedStateTable('t', codec, true, undefined, false, { ttlMs: 1_000_000, now: () => now });
    for (let i = 0; i < 100; i++) {
      t.put(i, { n: i }); // namespace '': most entries change below (walked in map order)
      t.put(i, { n: i }, 'few'); // namespace 'few': a few change (walked in change order)
    }
    t.flushTo(recorder());
    const expected: string[] = [];
    now = 2000;
    for (let i = 99; i >= 10; i--) {
      const v = t.get(i)!;
      v.n = -i; // in place, then put again
      t.put(i, v);
    }
    t.delete(50);
    t.put(500, { n: 500 });
    t.put(7, { n: 70 }, 'few');
    t.delete(8, 'few');
    t.delete(12345, 'few'); // never there: nothing to write
    for (let i = 10; i < 100; i++) if (i !== 50) expected.push(`upsert "" ${i} ${-i} 2000`);
    expected.push('upsert "" 500 500 2000', 'upsert "few" 7 70 2000');
    const calls: string[] = [];
    t.flushTo({
      deleteNamespace: (ns) => void calls.push(`dropNs ${JSON.stringify(ns)}`),
      upsert: (ns, key, data, time) => void calls.push(`upsert ${JSON.stringify(ns)} ${JSON.stringify(key)} ${JSON.stringify(data)} ${time}`),
      delete: (ns, key) => void calls.push(`delete ${JSON.stringify(ns)} ${JSON.stringify(key)}`),
    });
    const deletions = calls.filter((c) => c.startsWith('delete'));
    expect(deletions).toEqual(['delete "" 50', 'delete "few" 8']);
    expect(calls.filter((c) => c.startsWith('upsert')).sort()).toEqual(expected.sort());
    expect(calls.indexOf('delete "" 50')).toBeLessThan(calls.findIndex((c) => c.startsWith('upsert ""')));
  });

  it('with in-place tracking, writes what the values say changed: deletions first, a put after a delete wins', () => {
    type V = { n: number; changedIn: number };
    const inPlace: ValueCodec<V> = { encode: (v) => v.n, decode: (d) => ({ n: d as number, changedIn: 0 }) };
    const t = new KeyedStateTable<V>('t', inPlace, true, undefined, false, { inPlace: true });
    const values = new Map<string, V>();
    const put = (key: number, ns: string, n: number) => {
      const id = `${ns}/${key}`;
      let v = values.get(id);
      if (v) v.n = n; // in place, as an accumulator
      else values.set(id, (v = { n, changedIn: 0 }));
      t.put(key, v, ns);
    };
    for (let i = 0; i < 100; i++) {
      put(i, '', i);
      put(i, 'few', i);
    }
    t.flushTo(recorder());
    expect(t.changed).toBe(false);
    // Namespace '': most entries change (the flush walks the namespace); 'few': a few (it walks the list).
    for (let i = 10; i < 100; i++) put(i, '', -i);
    put(20, '', -2000); // put twice in the period: written once, as it is at the flush
    t.delete(5);
    t.delete(30);
    put(30, '', 3000); // deleted, then put again (same object): an upsert, no deletion
    t.delete(40);
    values.delete('/40');
    put(40, '', 4000); // deleted, then a new value
    t.delete(50); // deleted and stays deleted
    put(7, 'few', 70);
    t.delete(8, 'few');
    t.put(8, { n: 80, changedIn: 0 }, 'few');
    t.delete(9, 'few');
    const sink = recorder();
    t.flushTo(sink);
    const expected: string[] = [];
    for (let i = 10; i < 100; i++) if (i !== 50) expected.push(`upsert "" ${i} ${i === 20 ? -2000 : i === 30 ? 3000 : i === 40 ? 4000 : -i}`);
    expected.push('upsert "few" 7 70', 'upsert "few" 8 80');
    const deletions = sink.calls.filter((c) => c.startsWith('delete'));
    expect(deletions.sort()).toEqual(['delete "" 5', 'delete "" 50', 'delete "few" 9']);
    expect(sink.calls.slice(0, 3).every((c) => c.startsWith('delete'))).toBe(true);
    expect(sink.calls.filter((c) => c.startsWith('upsert')).sort()).toEqual(expected.sort());
    const again = recorder();
    t.flushTo(again);
    expect(again.calls).toEqual([]);
  });

  it('tracks nothing without a store (memory-only jobs)', () => {
    const t = new KeyedStateTable('t', codec, false);
    t.put('a', { n: 1 });
    t.deleteNamespace(3);
    t.delete('a');
    t.put('b', { n: 1 }, 4);
    expect(t.changed).toBe(false);
    const sink = recorder();
    t.flushTo(sink);
    expect(sink.calls).toEqual([]);
    expect(t.get('b', 4)).toEqual({ n: 1 });
  });

  it('reads restored entries back from the store without marking them changed', () => {
    const stored = new Map<string, unknown>([
      ['10|a', 2],
      ['|b', 3],
    ]);
    const cold = {
      reader: {
        get: (ns: string | number, key: unknown) => {
          const data = stored.get(`${ns}|${String(key)}`);
          return data === undefined ? undefined : { data, time: 0 };
        },
        namespace: () => [],
        namespaces: () => [10, ''],
      },
      writer: { deleteNamespace: () => {}, upsert: () => {}, delete: () => {} },
      expire: () => {},
    };
    const t = new KeyedStateTable('t', codec, true, cold, true);
    expect(t.get('a', 10)).toEqual({ n: 2 });
    expect(t.get('b')).toEqual({ n: 3 });
    expect(t.get('c')).toBeUndefined();
    expect(t.size).toBe(2);
    expect(t.changed).toBe(false);
  });
});

describe('TrackedValueState', () => {
  it('hands out its encoded value once per change', () => {
    const v = new TrackedValueState('v', codec, true);
    expect(v.get()).toBeUndefined();
    expect(v.takeChange()).toBeUndefined();
    v.set({ n: 1 });
    v.set({ n: 2 });
    expect(v.changed).toBe(true);
    expect(v.takeChange()).toEqual({ data: 2 });
    expect(v.takeChange()).toBeUndefined();
    v.load(7);
    expect(v.get()).toEqual({ n: 7 });
    expect(v.changed).toBe(false);
    v.load(null);
    expect(v.get()).toBeUndefined();
  });

  it('tracks nothing without a store', () => {
    const v = new TrackedValueState('v', codec, false);
    v.set({ n: 1 });
    expect(v.get()).toEqual({ n: 1 });
    expect(v.changed).toBe(false);
    expect(v.takeChange()).toBeUndefined();
  });
});
