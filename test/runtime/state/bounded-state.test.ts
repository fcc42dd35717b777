/**
 * State that outgrows its memory budget: evicted entries are read back from SQLite, restores are lazy,
 * anything written since the last checkpoint disappears with a crash, and idle entries expire with a TTL.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { SqliteStateStore } from '../../../src/runtime/state/sqlite-state-store.js';
import { tempDir } from '../../e2e/helpers.js';

const cp = (id: number) => ({ id, time: id, sources: {}, sinks: {} });

function open(path: string, restoring: boolean, options = {}) {
  const store = new SqliteStateStore(path);
  const backend = new StateBackend(store, restoring, { maxEntries: 1000, ...options });
  return { store, backend };
}

describe('bounded state tables', () => {
  it('keep at most the budget in memory and read evicted entries back', () => {
    const { store, backend } = open(join(tempDir(), 's.db'), false);
    const t = backend.forOperator('op').table<{ n: number }>('t');
    for (let i = 0; i < 10_000; i++) t.put(i, { n: i * 2 });
    backend.maintain(); // what the job does between chunks
    expect(t.size).toBeLessThanOrEqual(1000);
    for (let i = 0; i < 10_000; i += 7) expect(t.get(i)).toEqual({ n: i * 2 });
    expect(t.get(10_001)).toBeUndefined();
    t.delete(3);
    expect(t.get(3)).toBeUndefined();
    store.close();
  });

  it('merge memory and the store when iterating a namespace, honouring deletes and dropped namespaces', () => {
    const { store, backend } = open(join(tempDir(), 's.db'), false);
    const t = backend.forOperator('op').table<number>('w');
    for (let i = 0; i < 3000; i++) t.put(i, i, i % 3);
    backend.maintain();
    t.delete(0, 0);
    t.put(1, 100, 1);
    const ns1 = new Map(t.namespace(1));
    expect(ns1.size).toBe(1000);
    expect(ns1.get(1)).toBe(100);
    expect(new Map(t.namespace(0)).has(0)).toBe(false);
    expect(new Map(t.namespace(0)).size).toBe(999);
    t.deleteNamespace(2);
    expect([...t.namespace(2)]).toEqual([]);
    expect([...t.namespaces()].sort()).toEqual([0, 1]);
    store.close();
  });

  it('restore lazily: nothing is loaded until used, everything is there', () => {
    const path = join(tempDir(), 's.db');
    const a = open(path, false);
    const t = a.backend.forOperator('op').table<number>('t');
    for (let i = 0; i < 5000; i++) t.put(`k${i}`, i);
    a.store.commit(cp(1), () => a.backend.writeChanges());
    a.store.close();

    const b = open(path, true);
    const r = b.backend.forOperator('op').table<number>('t');
    expect(r.size).toBe(0);
    expect(r.get('k4999')).toBe(4999);
    expect(r.get('k0')).toBe(0);
    expect(r.size).toBe(2);
    expect(new Map(r.namespace('')).size).toBe(5000);
    b.store.close();
  });

  it('roll back what was evicted since the last checkpoint when the process dies', () => {
    const path = join(tempDir(), 's.db');
    const a = open(path, false);
    const t = a.backend.forOperator('op').table<number>('t');
    for (let i = 0; i < 2000; i++) t.put(i, 1);
    a.store.commit(cp(1), () => a.backend.writeChanges());
    // After the checkpoint: overwrite everything (most of it gets evicted into the open transaction).
    for (let i = 0; i < 2000; i++) t.put(i, 2);
    for (let i = 2000; i < 4000; i++) t.put(i, 2);
    a.backend.maintain();
    a.store.close(); // no checkpoint: as after a crash

    const b = open(path, true);
    const r = b.backend.forOperator('op').table<number>('t');
    expect(new Map(r.namespace('')).size).toBe(2000);
    for (let i = 0; i < 2000; i += 97) expect(r.get(i)).toBe(1);
    expect(r.get(3000)).toBeUndefined();
    b.store.close();
  });

  it('expire entries idle longer than the TTL, in memory and in the store', () => {
    let now = 1_000_000;
    const path = join(tempDir(), 's.db');
    const a = open(path, false, { ttlMs: 60_000, now: () => now });
    const t = a.backend.forOperator('op').table<number>('g', undefined, { ttl: true });
    const untimed = a.backend.forOperator('op').table<number>('windows');
    for (let i = 0; i < 3000; i++) t.put(i, i);
    a.backend.maintain();
    untimed.put('w', 1);
    now += 30_000;
    for (let i = 0; i < 10; i++) t.put(i, -i); // refreshed
    now += 40_000; // 70 s after the first writes, 40 s after the refresh
    a.backend.expire(now);
    expect(t.get(5)).toBe(-5);
    expect(t.get(500)).toBeUndefined();
    expect(t.get(2999)).toBeUndefined();
    expect(untimed.get('w')).toBe(1); // tables that did not ask for a TTL keep everything
    a.store.commit(cp(1), () => a.backend.writeChanges());
    a.store.close();

    const b = open(path, true, { ttlMs: 60_000, now: () => now });
    const r = b.backend.forOperator('op').table<number>('g', undefined, { ttl: true });
    expect(new Map(r.namespace('')).size).toBe(10);
    b.store.close();
  });
});
