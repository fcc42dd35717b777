import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EddyError } from '../../../src/common/errors.js';
import { SqliteStateStore, STATE_FORMAT_VERSION, type CheckpointData } from '../../../src/runtime/state/sqlite-state-store.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { tempDir } from '../operators/checkpoint-run.js';

const checkpoint = (id: number, sources: Record<string, unknown> = {}): CheckpointData => ({ id, time: 1000 + id, sources, sinks: { out: { txn: id } } });

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

/** A path for a state database in a fresh temporary directory (removed after the test). */
function dbPath(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return join(dir, 'state.sqlite');
}

function openStore(path: string): SqliteStateStore {
  const store = new SqliteStateStore(path);
  cleanups.push(() => store.close());
  return store;
}

/** Everything a backend's operator `op` holds in tables `t` (namespace, key, value) and value `v`. */
function contents(backend: StateBackend): { rows: unknown[]; value: unknown } {
  const state = backend.forOperator('op');
  const t = state.table<unknown>('t');
  const rows: unknown[] = [];
  for (const ns of t.namespaces()) for (const [k, v] of t.namespace(ns)) rows.push([ns, k, v]);
  rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { rows, value: state.value<unknown>('v').get() };
}

describe('SqliteStateStore', () => {
  it('starts empty, with no checkpoint', () => {
    const store = openStore(dbPath());
    expect(store.latestCheckpoint()).toBeUndefined();
    expect([...store.tableRows('op/t')]).toEqual([]);
    expect(store.value('op/v')).toBeUndefined();
    expect(store.meta('format_version')).toBe(String(STATE_FORMAT_VERSION));
  });

  it('round-trips tables (every key type, number and string namespaces) and values through a checkpoint', () => {
    const path = dbPath();
    const store = openStore(path);
    const backend = new StateBackend(store);
    const state = backend.forOperator('op');
    const t = state.table<unknown>('t');
    t.put('a', { deep: [1, 'x', null] });
    t.put(1, 'one', 5);
    t.put(true, 2.5, '5'); // the string namespace '5' is not the number 5
    t.put(null, [true], -3);
    state.value<number>('v').set(42);
    store.commit(checkpoint(1, { src: { offset: 10 } }), () => backend.writeChanges());
    const before = contents(backend);
    store.close();

    const store2 = openStore(path);
    expect(store2.latestCheckpoint()).toEqual(checkpoint(1, { src: { offset: 10 } }));
    const restored = new StateBackend(store2, true);
    expect(contents(restored)).toEqual(before);
    const t2 = restored.forOperator('op').table<unknown>('t');
    expect(t2.get(1, 5)).toBe('one');
    expect(t2.get(true, '5')).toBe(2.5);
    expect(t2.get(true, 5)).toBeUndefined();
    expect(restored.forOperator('op').restored).toBe(true);
    // Without `restoring`, the same store gives empty state.
    expect(contents(new StateBackend(store2))).toEqual({ rows: [], value: undefined });
  });

  it('writes only changes at later checkpoints: updates, deletes and dropped namespaces reach the store', () => {
    const path = dbPath();
    const store = openStore(path);
    const backend = new StateBackend(store);
    const t = backend.forOperator('op').table<number>('t');
    t.put('a', 1, 10);
    t.put('b', 2, 10);
    t.put('c', 3, 20);
    t.put('d', 4);
    store.commit(checkpoint(1), () => backend.writeChanges());
    t.put('a', 100, 10);
    t.deleteNamespace(20);
    t.delete('d');
    t.put('e', 5, 30);
    store.commit(checkpoint(2), () => backend.writeChanges());
    expect(contents(backend).rows).toEqual([
      [10, 'a', 100],
      [10, 'b', 2],
      [30, 'e', 5],
    ]);
    store.close();
    const restored = new StateBackend(openStore(path), true);
    expect(contents(restored)).toEqual(contents(backend));
  });

  it('a checkpoint that fails inside its transaction leaves the previous checkpoint intact', () => {
    const path = dbPath();
    const store = openStore(path);
    const backend = new StateBackend(store);
    const state = backend.forOperator('op');
    const t = state.table<number>('t');
    t.put('a', 1);
    t.put('b', 2, 7);
    state.value<number>('v').set(1);
    store.commit(checkpoint(1), () => backend.writeChanges());
    const committed = contents(backend);

    t.put('a', 99);
    t.deleteNamespace(7);
    t.put('c', 3);
    state.value<number>('v').set(2);
    expect(() =>
      store.commit(checkpoint(2), () => {
        backend.writeChanges();
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(store.latestCheckpoint()?.id).toBe(1);
    store.close();

    const store2 = openStore(path);
    expect(store2.latestCheckpoint()).toEqual(checkpoint(1));
    expect(contents(new StateBackend(store2, true))).toEqual(committed);
  });

  it('keeps only the latest checkpoint record', () => {
    const store = openStore(dbPath());
    const backend = new StateBackend(store);
    store.commit(checkpoint(1), () => backend.writeChanges());
    store.commit(checkpoint(2), () => backend.writeChanges());
    expect(store.latestCheckpoint()?.id).toBe(2);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM eddy_checkpoint').get()).toEqual({ n: 1 });
  });

  it('refuses a store written in another format version, with a clear message', () => {
    const path = dbPath();
    const store = new SqliteStateStore(path);
    store.setMeta('format_version', String(STATE_FORMAT_VERSION + 1));
    store.close();
    let error: unknown;
    try {
      openStore(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EddyError);
    expect((error as EddyError).message).toContain(`format version ${STATE_FORMAT_VERSION + 1}`);
    expect((error as EddyError).message).toContain(`reads version ${STATE_FORMAT_VERSION}`);
  });

  it('clear() removes all state and checkpoints but keeps the format version', () => {
    const path = dbPath();
    const store = openStore(path);
    const backend = new StateBackend(store);
    backend.forOperator('op').table<number>('t').put('a', 1);
    backend.forOperator('op').value<number>('v').set(1);
    store.commit(checkpoint(1), () => backend.writeChanges());
    store.clear();
    expect(store.latestCheckpoint()).toBeUndefined();
    expect(contents(new StateBackend(store, true))).toEqual({ rows: [], value: undefined });
    expect(store.meta('format_version')).toBe(String(STATE_FORMAT_VERSION));
  });
});

describe('StateBackend', () => {
  it('without a store keeps state in memory, tracks nothing and writes nothing', () => {
    const backend = new StateBackend();
    const state = backend.forOperator('op');
    expect(state.restored).toBe(false);
    const t = state.table<number>('t');
    t.put('a', 1);
    t.put('b', 2, 3);
    state.value<number>('v').set(1);
    expect(backend.entries).toBe(2);
    backend.writeChanges(); // a no-op
    expect(contents(backend)).toEqual({ rows: [['', 'a', 1], [3, 'b', 2]], value: 1 });
  });

  it('names state per operator and hands out the same table for the same name', () => {
    const path = dbPath();
    const store = openStore(path);
    const backend = new StateBackend(store);
    const a = backend.forOperator('A#1');
    const b = backend.forOperator('B#2');
    expect(a.table('t')).toBe(a.table('t'));
    a.table<number>('t').put('k', 1);
    b.table<number>('t').put('k', 2);
    store.commit(checkpoint(1), () => backend.writeChanges());
    expect([...store.tableRows('A#1/t')]).toEqual([{ ns: '', key: 'k', data: 1 }]);
    expect([...store.tableRows('B#2/t')]).toEqual([{ ns: '', key: 'k', data: 2 }]);
  });

  it('encodes with the table codec when writing and decodes when restoring', () => {
    const path = dbPath();
    const store = openStore(path);
    const codec = { encode: (m: Map<string, number>) => [...m], decode: (d: unknown) => new Map(d as [string, number][]) };
    const backend = new StateBackend(store);
    backend.forOperator('op').table('maps', codec).put('k', new Map([['x', 1]]));
    store.commit(checkpoint(1), () => backend.writeChanges());
    store.close();
    const restored = new StateBackend(openStore(path), true);
    expect(restored.forOperator('op').table('maps', codec).get('k')).toEqual(new Map([['x', 1]]));
  });
});
