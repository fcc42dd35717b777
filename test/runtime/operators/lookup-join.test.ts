/**
 * LookupJoin with the sqlite connector's lookup reader on a real SQLite file that the test changes between
 * rows: without a cache each row sees the table as it is then; with a PARTIAL cache a key keeps its cached
 * rows until they expire (after write, after access), the least recently used key leaves past max-rows,
 * and missing keys are cached unless cache-missing-key is false. INNER and LEFT, NULL keys, the residual
 * condition, change kinds passed through.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { T } from '../../../src/common/types.js';
import { SqliteLookupReader } from '../../../src/connectors/sqlite.js';
import { lookupCache } from '../../../src/connectors/option-values.js';
import { DELETE, INSERT, type Row } from '../../../src/runtime/changelog.js';
import { LookupJoin } from '../../../src/runtime/operators/lookup-join.js';
import { OperatorHarness } from '../operator-harness.js';
import { tempDir } from './checkpoint-run.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A SQLite file with table dim(id, name, price) holding `rows`; returns its path and a connection to change it. */
function dimFile(rows: [number, string, number][]): { path: string; db: Database.Database } {
  const { dir, remove } = tempDir();
  const path = join(dir, 'dim.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE dim (id INTEGER PRIMARY KEY, name TEXT, price REAL)');
  const insert = db.prepare('INSERT INTO dim VALUES (?, ?, ?)');
  for (const r of rows) insert.run(...r);
  cleanups.push(() => {
    db.close();
    remove();
  });
  return { path, db };
}

/** A lookup join of rows [order, product id] with dim by id; options are the table's WITH options. */
function lookupJoin(path: string, options: Record<string, string> = {}, opts: { left?: boolean; now?: () => number; residual?: (r: readonly unknown[]) => unknown } = {}) {
  const all = { connector: 'sqlite', path, 'table-name': 'dim', ...options };
  const reader = new SqliteLookupReader({
    tableName: 'dim',
    options: all,
    schema: [
      { name: 'id', type: T.int() },
      { name: 'name', type: T.string() },
      { name: 'price', type: T.double() },
    ],
    timeZone: 'UTC',
    counter: () => ({ inc: () => {}, value: 0 }) as never,
    badRecord: () => {},
    keys: ['id'],
  });
  const cache = lookupCache(all);
  return new LookupJoin({
    keys: [(r) => r[1]],
    ...(opts.residual ? { residual: opts.residual } : {}),
    tableRow: (r) => r,
    width: 3,
    preserved: opts.left ?? false,
    reader,
    ...(cache ? { cache } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    description: 'test',
  });
}

const rowsOf = (changes: { row: Row }[]) => changes.map((c) => c.row);

describe('LookupJoin on a sqlite table', () => {
  it('without a cache, each row reads the table as it is when the row is processed', () => {
    const { path, db } = dimFile([[1, 'apple', 1.5]]);
    const h = new OperatorHarness(lookupJoin(path));
    expect(rowsOf(h.insert(['o1', 1]))).toEqual([['o1', 1, 1, 'apple', 1.5]]);
    db.prepare('UPDATE dim SET price = 2.5 WHERE id = 1').run();
    expect(rowsOf(h.insert(['o2', 1]))).toEqual([['o2', 1, 1, 'apple', 2.5]]);
    db.prepare('INSERT INTO dim VALUES (2, ?, ?)').run('pear', 3);
    db.prepare('DELETE FROM dim WHERE id = 1').run();
    expect(rowsOf(h.insert(['o3', 1], ['o4', 2]))).toEqual([['o4', 2, 2, 'pear', 3]]);
    expect(h.counter('lookups')).toBe(4);
    expect(h.counter('lookupCacheHits')).toBe(0);
  });

  it('PARTIAL with expire-after-write: the cached row until it expires, then the table again', () => {
    const { path, db } = dimFile([[1, 'apple', 1.5]]);
    let now = 0;
    const h = new OperatorHarness(lookupJoin(path, { 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.expire-after-write': '10 s' }, { now: () => now }));
    expect(rowsOf(h.insert(['o1', 1]))).toEqual([['o1', 1, 1, 'apple', 1.5]]);
    db.prepare('UPDATE dim SET price = 2.5 WHERE id = 1').run();
    now = 9_999;
    expect(rowsOf(h.insert(['o2', 1]))).toEqual([['o2', 1, 1, 'apple', 1.5]]);
    now = 10_000;
    expect(rowsOf(h.insert(['o3', 1]))).toEqual([['o3', 1, 1, 'apple', 2.5]]);
    expect([h.counter('lookups'), h.counter('lookupCacheHits')]).toEqual([2, 1]);
  });

  it('PARTIAL with expire-after-access: a key used often stays; one left unused for the duration is read again', () => {
    const { path, db } = dimFile([[1, 'apple', 1.5]]);
    let now = 0;
    const h = new OperatorHarness(lookupJoin(path, { 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.expire-after-access': '1 s' }, { now: () => now }));
    h.insert(['o1', 1]);
    db.prepare('UPDATE dim SET price = 2.5 WHERE id = 1').run();
    for (now = 900; now <= 4_500; now += 900) expect(rowsOf(h.insert(['o', 1]))).toEqual([['o', 1, 1, 'apple', 1.5]]);
    now += 1_000;
    expect(rowsOf(h.insert(['o', 1]))).toEqual([['o', 1, 1, 'apple', 2.5]]);
  });

  it('PARTIAL with max-rows: the least recently used key leaves first', () => {
    const { path, db } = dimFile([[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]);
    const op = lookupJoin(path, { 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.max-rows': '2' });
    const h = new OperatorHarness(op);
    h.insert(['o', 1], ['o', 2], ['o', 1], ['o', 3]);
    // 2 was least recently used when 3 came in.
    expect(op.cachedKeys()).toBe(2);
    db.prepare('UPDATE dim SET price = price * 10').run();
    expect(rowsOf(h.insert(['o', 1], ['o', 3], ['o', 2])).map((r) => r[4])).toEqual([1, 3, 20]);
  });

  it('cache-missing-key: a key the table lacks is cached by default, read again each time when false', () => {
    for (const [option, seen] of [[{}, null], [{ 'lookup.partial-cache.cache-missing-key': 'false' }, 'late']] as const) {
      const { path, db } = dimFile([]);
      const h = new OperatorHarness(lookupJoin(path, { 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.max-rows': '100', ...option }, { left: true }));
      expect(rowsOf(h.insert(['o1', 7]))).toEqual([['o1', 7, null, null, null]]);
      db.prepare('INSERT INTO dim VALUES (7, ?, 1)').run('late');
      expect(rowsOf(h.insert(['o2', 7]))[0]![3]).toBe(seen);
    }
  });

  it('LEFT pads rows without a match (a missing key, a NULL key, a failed residual) with NULLs; INNER drops them; change kinds pass through', () => {
    const { path } = dimFile([[1, 'apple', 1.5], [2, 'pear', 9]]);
    const residual = (r: readonly unknown[]) => (r[4] as number) < 5;
    const batch = { rows: [['o1', 1], ['o2', 2], ['o3', 3], ['o4', null]], kinds: [INSERT, INSERT, DELETE, INSERT] };
    const left = new OperatorHarness(lookupJoin(path, {}, { left: true, residual }));
    expect(left.feed(batch)).toEqual([
      { kind: '+I', row: ['o1', 1, 1, 'apple', 1.5] },
      { kind: '+I', row: ['o2', 2, null, null, null] },
      { kind: '-D', row: ['o3', 3, null, null, null] },
      { kind: '+I', row: ['o4', null, null, null, null] },
    ]);
    const inner = new OperatorHarness(lookupJoin(path, {}, { residual }));
    expect(inner.feed(batch)).toEqual([{ kind: '+I', row: ['o1', 1, 1, 'apple', 1.5] }]);
    // Watermarks pass through; the end of the input releases the table.
    expect(inner.watermark(42)).toEqual([]);
    expect(inner.watermarks).toEqual([42]);
    inner.finish();
    expect(inner.ended).toBe(true);
  });

  it('a missing database file or table fails when the operator opens, naming the table', () => {
    const { path } = dimFile([]);
    expect(() => new OperatorHarness(lookupJoin(join(path, '..', 'nope.db')))).toThrow(/cannot open the SQLite database/);
    expect(() => new OperatorHarness(lookupJoin(path, { 'table-name': 'other' }))).toThrow(/SQLite table 'other' does not exist/);
  });
});
