/**
 * The store's writer thread: a checkpoint's commit completes asynchronously, and until it is durable the
 * state tables answer reads of what they handed over (evicted entries, the checkpoint's changes, deletions,
 * dropped namespaces) themselves; what becomes durable is exactly the snapshot taken at the checkpoint.
 * Also the binary encoding of entries and the refusal of state written in the old format.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EddyError } from '../../../src/common/errors.js';
import { pack, packKey, unpack } from '../../../src/runtime/state/packed.js';
import { SqliteStateStore, STATE_FORMAT_VERSION } from '../../../src/runtime/state/sqlite-state-store.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import type { Namespace, StateKey, StateTable, ValueCodec } from '../../../src/runtime/state/state-types.js';
import { tempDir } from '../../e2e/helpers.js';

const cp = (id: number) => ({ id, time: id, sources: { s: id }, sinks: {} });

let stores: SqliteStateStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

type Value = { n: number; big?: string };

/**
 * A store with a writer thread and its table `t`. With `inPlace`, the table tracks changes in the values
 * (TableRequest.inPlace); `t.get` then hands out copies without the table's `changedIn`, so that the
 * same expectations hold for both.
 */
function openStore(path: string, restoring: boolean, maxEntries = 1000, inPlace = false) {
  const store = new SqliteStateStore(path, 'NORMAL', { worker: true });
  stores.push(store);
  const backend = new StateBackend(store, restoring, { maxEntries });
  const plain = (v: Value | undefined): Value | undefined => {
    if (v === undefined) return undefined;
    const { changedIn: _, ...rest } = v as Value & { changedIn?: number };
    return rest;
  };
  const codec: ValueCodec<Value> = { encode: (v) => plain(v), decode: (d) => ({ ...(d as Value), changedIn: 0 }) };
  const table = backend.forOperator('op').table<Value>('t', codec, { inPlace });
  const t: StateTable<Value> = {
    get: (key: StateKey, ns?: Namespace) => plain(table.get(key, ns)),
    put: (key, value, ns) => table.put(key, value, ns),
    delete: (key, ns) => table.delete(key, ns),
    namespace: (ns) => table.namespace(ns),
    deleteNamespace: (ns) => table.deleteNamespace(ns),
    namespaces: () => table.namespaces(),
    get size() {
      return table.size;
    },
  };
  return { store, backend, t };
}

describe('packed encoding', () => {
  it('round-trips plain data exactly', () => {
    const values = [null, true, false, 0, 1, 127, 128, 300, -1, -5000, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 60, 0.5, -0, NaN, Infinity, -Infinity, '', 'a', 'ü€😀', 'x'.repeat(1000),
      [], [1, [2, [3]]], {}, { a: 1, b: [null, 'x'] }, JSON.parse('{"__proto__": 1}')];
    for (const v of values) expect(Object.is(unpack(pack(v)), v) || JSON.stringify(unpack(pack(v))) === JSON.stringify(v)).toBe(true);
    expect(Object.is(unpack(pack(-0)), -0)).toBe(true);
    expect(Object.getOwnPropertyNames(unpack(pack(JSON.parse('{"__proto__": 1}'))) as object)).toEqual(['__proto__']);
  });

  it('encodes keys canonically: -0 is the key 0, numbers and strings differ', () => {
    expect(packKey(-0)).toEqual(packKey(0));
    expect(packKey(1)).not.toEqual(packKey('1'));
    expect(packKey(null)).not.toEqual(packKey(false));
  });
});

describe.each([
  ['changes tracked by the table', false],
  ['changes tracked in the values', true],
])('a store with a writer thread (%s)', (_, inPlace) => {
  const open = (path: string, restoring: boolean, maxEntries = 1000) => openStore(path, restoring, maxEntries, inPlace);

  it('commits asynchronously; evicted and in-flight entries read back with their latest values', async () => {
    const path = join(tempDir(), 's.db');
    const a = open(path, false);
    for (let i = 0; i < 5000; i++) a.t.put(i, { n: i });
    a.backend.maintain(); // evicts down to 900, hands the evicted entries to the worker
    expect(a.t.size).toBeLessThanOrEqual(1000);
    // Not committed, so the store's own connection cannot see them: the table answers.
    for (let i = 0; i < 5000; i += 13) expect(a.t.get(i)).toEqual({ n: i });
    a.t.delete(7);
    a.t.put(8, { n: -8 });
    const durable = a.store.commit(cp(1), () => a.backend.writeChanges());
    // While the commit is under way: change more, evict everything again, read back.
    for (let i = 0; i < 5000; i += 2) a.t.put(i, { n: i + 1_000_000 });
    a.t.deleteNamespace('other');
    a.backend.maintain();
    const latest = (i: number) => (i === 7 ? undefined : { n: i % 2 === 0 ? i + 1_000_000 : i });
    for (let i = 0; i < 5000; i += 11) expect(a.t.get(i)).toEqual(latest(i));
    expect(a.t.get(7)).toBeUndefined();
    await durable;
    // After the commit, the same answers (now partly from the store).
    for (let i = 1; i < 5000; i += 17) expect(a.t.get(i)).toEqual(latest(i));
    await a.store.close();

    // What is durable is the checkpoint's snapshot, not the changes made while it was written.
    const b = open(path, true);
    expect(b.store.latestCheckpoint()).toEqual(cp(1));
    for (let i = 0; i < 5000; i += 9) expect(b.t.get(i)).toEqual(i === 7 ? undefined : i === 8 ? { n: -8 } : { n: i });
    expect(b.t.get(7)).toBeUndefined();
  });

  it('makes durable the values as they were at the checkpoint, even when they change in place while it is written', async () => {
    // Operators change their values in place (accumulators) and put them again. Whatever way a checkpoint
    // takes its snapshot, a change made after it began must not reach it. Both ways a flush walks a table:
    // namespace '' has most of its entries changed (walked in map order), namespace 'few' a few.
    const path = join(tempDir(), 's.db');
    const a = open(path, false, 100_000);
    const values = new Map<string, { n: number }>();
    const put = (key: number, ns: string, n: number) => {
      const id = `${ns}/${key}`;
      let v = values.get(id);
      if (v) v.n = n; // in place, as an accumulator
      else values.set(id, (v = { n }));
      a.t.put(key, v, ns);
    };
    for (let i = 0; i < 1000; i++) {
      put(i, '', i);
      put(i, 'few', i);
    }
    await a.store.commit(cp(1), () => a.backend.writeChanges());
    for (let i = 0; i < 900; i++) put(i, '', i + 10_000);
    for (let i = 0; i < 5; i++) put(i, 'few', i + 10_000);
    a.t.delete(999, '');
    const durable = a.store.commit(cp(2), () => a.backend.writeChanges());
    // After the checkpoint began, before it is durable: change the same objects again, in place.
    for (let i = 0; i < 1000; i++) {
      put(i, '', -1);
      put(i, 'few', -1);
    }
    await durable;
    await a.store.close();

    const b = open(path, true, 100_000);
    expect(b.store.latestCheckpoint()).toEqual(cp(2));
    for (let i = 0; i < 1000; i++) {
      expect(b.t.get(i, '')).toEqual(i === 999 ? undefined : { n: i < 900 ? i + 10_000 : i });
      expect(b.t.get(i, 'few')).toEqual({ n: i < 5 ? i + 10_000 : i });
    }
  });

  it('hands a large checkpoint that is waited for to the worker in chunks while encoding it, still as one transaction', async () => {
    const path = join(tempDir(), 's.db');
    const a = open(path, false, 1_000_000);
    const big = 'x'.repeat(100);
    a.t.put(-1, { n: -1 });
    await a.store.commit(cp(1), () => a.backend.writeChanges()); // starts the worker
    const worker = (a.store as unknown as { worker: { postMessage(m: { type: string }, t?: unknown): void } }).worker;
    const posted: string[] = [];
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (m, t) => {
      posted.push(m.type);
      post(m, t);
    };
    for (let i = 0; i < 30_000; i++) a.t.put(i, { n: i, big } as { n: number });
    await a.store.commit(cp(2), () => a.backend.writeChanges(), { stream: true });
    expect(posted.filter((t) => t === 'write').length).toBeGreaterThan(1); // ~3 MB in 1 MB chunks
    expect(posted.at(-1)).toBe('commit');
    // Not streamed (a periodic checkpoint): one message.
    for (let i = 0; i < 30_000; i++) a.t.put(i, { n: i + 1, big } as { n: number });
    posted.length = 0;
    await a.store.commit(cp(3), () => a.backend.writeChanges());
    expect(posted).toEqual(['commit']);

    // A checkpoint whose state fails half-way (after chunks went to the worker) leaves nothing behind.
    for (let i = 0; i < 30_000; i++) a.t.put(i, { n: -i, big } as { n: number });
    const failing = () => {
      a.backend.writeChanges();
      throw new Error('boom');
    };
    expect(() => a.store.commit(cp(4), failing, { stream: true })).toThrow('boom');
    expect(posted.filter((t) => t === 'write').length).toBeGreaterThan(1);
    await a.store.close();
    const b = open(path, true);
    expect(b.store.latestCheckpoint()).toEqual(cp(3));
    for (let i = 0; i < 30_000; i += 997) expect(b.t.get(i)).toEqual({ n: i + 1, big });
  });

  it('sees namespaces dropped and deletions made before a commit that is still under way', async () => {
    const path = join(tempDir(), 's.db');
    const a = open(path, false);
    for (let w = 0; w < 5; w++) for (let i = 0; i < 400; i++) a.t.put(i, { n: w * 1000 + i }, w);
    await a.store.commit(cp(1), () => a.backend.writeChanges());
    a.t.deleteNamespace(0);
    a.t.delete(5, 1);
    const durable = a.store.commit(cp(2), () => a.backend.writeChanges());
    for (let i = 0; i < 2000; i++) a.t.put(`x${i}`, { n: i }, 9); // evicts the windows' entries
    a.backend.maintain();
    expect([...a.t.namespace(0)]).toEqual([]);
    expect(a.t.get(5, 1)).toBeUndefined();
    expect(a.t.get(6, 1)).toEqual({ n: 1006 });
    expect([...a.t.namespace(2)].length).toBe(400);
    expect(new Set(a.t.namespaces())).toEqual(new Set([1, 2, 3, 4, 9]));
    await durable;
    expect([...a.t.namespace(0)]).toEqual([]);
    expect(a.t.get(5, 1)).toBeUndefined();
    expect([...a.t.namespace(1)].length).toBe(399);
  });

  it('loses everything after the last durable commit when the process ends (close without commit)', async () => {
    const path = join(tempDir(), 's.db');
    const a = open(path, false);
    for (let i = 0; i < 3000; i++) a.t.put(i, { n: i });
    await a.store.commit(cp(1), () => a.backend.writeChanges());
    for (let i = 0; i < 3000; i++) a.t.put(i, { n: -i });
    a.backend.maintain(); // evicted changes written into the open transaction
    await a.store.close();
    const b = open(path, true);
    for (let i = 0; i < 3000; i += 7) expect(b.t.get(i)).toEqual({ n: i });
  });
});

describe('a writer thread that ended', () => {
  it('fails later commits, and close() still resolves (a job ending after its writer died does not hang)', async () => {
    const a = openStore(join(tempDir(), 's.db'), false);
    a.t.put(1, { n: 1 });
    await a.store.commit(cp(1), () => a.backend.writeChanges());
    await (a.store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    a.t.put(2, { n: 2 });
    expect(() => a.store.commit(cp(2), () => a.backend.writeChanges())).toThrow('the state writer thread ended');
    const closed = await Promise.race([a.store.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('hung'), 2000))]);
    expect(closed).toBe('closed');
  });
});

describe('the writer thread as a module file', () => {
  it('runs from the compiled package too (dist/src/..., as bin/eddy.js does): commits there are durable', async () => {
    // Under vitest this file imports the TypeScript sources; the package imports the build's modules, whose
    // writer thread is the state-writer-worker.js next to them.
    const dist = new URL('../../../dist/src/runtime/state/sqlite-state-store.js', import.meta.url).href;
    const { SqliteStateStore: BuiltStore } = (await import(dist)) as { SqliteStateStore: typeof SqliteStateStore };
    const { StateBackend: BuiltBackend } = (await import(new URL('../../../dist/src/runtime/state/state-backend.js', import.meta.url).href)) as { StateBackend: typeof StateBackend };
    const path = join(tempDir(), 's.db');
    const store = new BuiltStore(path, 'NORMAL', { worker: true });
    const backend = new BuiltBackend(store, false, { maxEntries: 1000 });
    const t = backend.forOperator('op').table<Value>('t', { encode: (v) => v, decode: (d) => d as Value });
    for (let i = 0; i < 3000; i++) t.put(i, { n: i * 2 });
    await store.commit(cp(1), () => backend.writeChanges());
    expect((store as unknown as { worker?: unknown }).worker).toBeDefined();
    await store.close();
    // Read back with the sources' store, on this thread.
    const b = openStore(path, true);
    expect(b.store.latestCheckpoint()).toEqual(cp(1));
    for (let i = 0; i < 3000; i += 7) expect(b.t.get(i)).toEqual({ n: i * 2 });
  });
});

describe('state format', () => {
  it(`refuses state written in format 1 (JSON text) with a clear message`, () => {
    const path = join(tempDir(), 'old.db');
    const db = new Database(path);
    db.exec("CREATE TABLE eddy_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO eddy_meta VALUES ('format_version', '1');");
    db.exec('CREATE TABLE eddy_state (tbl TEXT NOT NULL, ns TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, t INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, ns, k)) WITHOUT ROWID;');
    db.close();
    let error: unknown;
    try {
      new SqliteStateStore(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EddyError);
    expect((error as EddyError).message).toContain(`has format version 1; this Eddy reads version ${STATE_FORMAT_VERSION}`);
    expect((error as EddyError).diagnostics[0]!.hint).toContain('--fresh');
  });
});
