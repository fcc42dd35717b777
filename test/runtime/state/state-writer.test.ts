/**
 * The writer's applier: a batch of operations gives the same table as applying them one by one, in order,
 * although it writes long runs of upserts in key order.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packKey, unpack } from '../../../src/runtime/state/packed.js';
import { localApplier, OpWriter } from '../../../src/runtime/state/state-writer.js';
import { makeApplier, type ApplierOptions } from '../../../src/runtime/state/state-writer-applier.js';
import type { Namespace, StateKey } from '../../../src/runtime/state/state-types.js';

type Op =
  | { kind: 'upsert'; tbl: number; ns: Namespace; key: StateKey; value: number }
  | { kind: 'delete'; tbl: number; ns: Namespace; key: StateKey }
  | { kind: 'drop'; tbl: number; ns: Namespace };

function emptyStore(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE eddy_tables (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE eddy_entries (tbl INTEGER NOT NULL, ns BLOB NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, t INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, ns, k)) WITHOUT ROWID;
    CREATE TABLE eddy_values (name TEXT PRIMARY KEY, v BLOB NOT NULL);`);
  return db;
}

/** What the store holds after `ops`, applied as one batch by the applier (made with `options`). */
function applied(ops: readonly Op[], options?: ApplierOptions): string[] {
  const w = new OpWriter();
  for (const op of ops) {
    if (op.kind === 'upsert') w.upsert(op.tbl, op.ns, op.key, op.value, op.value);
    else if (op.kind === 'delete') w.delete(op.tbl, op.ns, op.key);
    else w.dropNamespace(op.tbl, op.ns);
  }
  const db = emptyStore();
  db.transaction(() => (options ? makeApplier(db, options) : localApplier(db)).apply(w.bytes()))();
  const rows = db.prepare('SELECT tbl, ns, k, v, t FROM eddy_entries').all() as { tbl: number; ns: Buffer; k: Buffer; v: Buffer; t: number }[];
  db.close();
  return rows.map((r) => `${r.tbl}|${JSON.stringify(unpack(r.ns))}|${JSON.stringify(unpack(r.k))}=${JSON.stringify(unpack(r.v))}@${r.t}`).sort();
}

/** The same, by a model that applies the operations one at a time. */
function expected(ops: readonly Op[]): string[] {
  const rows = new Map<string, string>();
  const id = (tbl: number, ns: Namespace) => `${tbl}|${JSON.stringify(ns)}|`;
  for (const op of ops) {
    if (op.kind === 'drop') {
      for (const k of [...rows.keys()]) if (k.startsWith(id(op.tbl, op.ns))) rows.delete(k);
      continue;
    }
    // Keys as the store compares them (-0 is 0).
    const k = `${id(op.tbl, op.ns)}${JSON.stringify(unpack(packKey(op.key)))}`;
    if (op.kind === 'upsert') rows.set(k, `${k}=${op.value}@${op.value}`);
    else rows.delete(k);
  }
  return [...rows.values()].sort();
}

describe('the state writer applier', () => {
  it('writes a long run of upserts in any order it likes, but the last upsert of a key wins', () => {
    const ops: Op[] = [];
    const order = Array.from({ length: 300 }, (_, i) => (i * 7919) % 300); // scattered keys
    for (const i of order) ops.push({ kind: 'upsert', tbl: 1, ns: '', key: i, value: i });
    ops.push({ kind: 'upsert', tbl: 1, ns: '', key: 5, value: -5 }, { kind: 'upsert', tbl: 1, ns: '', key: 299, value: -299 });
    ops.push({ kind: 'delete', tbl: 1, ns: '', key: 7 });
    for (let i = 0; i < 40; i++) ops.push({ kind: 'upsert', tbl: 1, ns: '', key: `s${i % 20}`, value: i }); // repeated string keys
    ops.push({ kind: 'upsert', tbl: 1, ns: '', key: 7, value: 77 });
    expect(applied(ops)).toEqual(expected(ops));
    expect(applied(ops)).toContain('1|""|5=-5@-5');
    expect(applied(ops)).toContain('1|""|"s19"=39@39');
    // The alternatives bench/state-store-micro.mjs compares give the same table.
    expect(applied(ops, { sortFrom: Infinity })).toEqual(expected(ops));
    const onConflict = 'INSERT INTO eddy_entries (tbl, ns, k, v, t) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tbl, ns, k) DO UPDATE SET v = excluded.v, t = excluded.t';
    expect(applied(ops, { upsertSql: onConflict })).toEqual(expected(ops));
  });

  it('gives the result of applying its operations one by one, for any batch', () => {
    const key = fc.oneof(fc.integer({ min: -3, max: 300 }), fc.constantFrom('a', 'b', 'ab', '', 'user-1', 'user-10'), fc.constant(null), fc.constant(-0));
    const ns = fc.constantFrom<Namespace>('', 1, 2, 'w');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 12, arbitrary: fc.record({ kind: fc.constant('upsert' as const), tbl: fc.constantFrom(1, 2), ns, key, value: fc.integer({ min: 0, max: 1000 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), tbl: fc.constantFrom(1, 2), ns, key }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), tbl: fc.constantFrom(1, 2), ns }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        expect(applied(ops)).toEqual(expected(ops));
      }),
      { numRuns: 200 },
    );
    // Mostly one table and namespace, as a checkpoint's batch: long runs that are sorted.
    const upsertOnly = fc.record({ kind: fc.constant('upsert' as const), tbl: fc.constant(1), ns: fc.constant(''), key, value: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 30, arbitrary: upsertOnly }, { weight: 1, arbitrary: op }), { minLength: 20, maxLength: 300 }), (ops) => {
        expect(applied(ops)).toEqual(expected(ops));
      }),
      { numRuns: 200 },
    );
  });
});
