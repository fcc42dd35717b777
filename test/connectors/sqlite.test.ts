import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { findConnector } from '../../src/connectors/index.js';
import { sqliteConnector, type SqliteSinkCommit } from '../../src/connectors/sqlite.js';
import type { ConnectorContext, SinkWriter, SourceChunk, SourceReader } from '../../src/runtime/connector.js';
import { DELETE, INSERT, insertBatch, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../../src/runtime/changelog.js';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { parseTimestamp } from '../../src/common/time.js';
import { testContext } from './context.js';

let dir: string;
let db: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-sqlite-'));
  db = join(dir, 'sub', 'out.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const keyed: Schema = [
  { name: 'id', type: withNullable(T.bigint(), false) },
  { name: 'name', type: T.string() },
  { name: 'n', type: T.int() },
];
const plain: Schema = [
  { name: 'id', type: T.bigint() },
  { name: 'name', type: T.string() },
];

const throughJson = <V>(v: V): V => JSON.parse(JSON.stringify(v)) as V;

function context(schema: Schema, extra: Partial<ConnectorContext> = {}, table = 'results'): ConnectorContext {
  return { ...testContext(schema, { connector: 'sqlite', path: db, 'table-name': table }, 'out'), ...extra };
}

function sink(schema: Schema, extra: Partial<ConnectorContext> = {}, table = 'results'): SinkWriter {
  return sqliteConnector.createSink!(context(schema, extra, table));
}

function batch(...changes: [RowKind, Row][]) {
  return { rows: changes.map((c) => c[1]), kinds: changes.map((c) => c[0]) };
}

/** The table's rows, by SQL. */
function query(sql: string): unknown[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all();
  } finally {
    conn.close();
  }
}

async function readBack(schema: Schema, table = 'results', restored?: unknown): Promise<{ chunks: SourceChunk[]; reader: SourceReader }> {
  const reader = sqliteConnector.createSource!({ ...context(schema, {}, table), restored });
  await reader.open();
  const chunks: SourceChunk[] = [];
  for (let c = await reader.next(); c !== null; c = await reader.next()) chunks.push(c);
  await reader.close();
  return { chunks, reader };
}

describe('sqlite sink', () => {
  it('is registered, and upserts and deletes by the primary key (without checkpoints: written on flush)', async () => {
    expect(findConnector('SQLite')).toBe(sqliteConnector);
    const s = sink(keyed, { primaryKey: ['id'] });
    await s.open();
    s.write(batch([INSERT, [1, 'a', 1]], [INSERT, [2, 'b', 1]], [INSERT, [3, 'c', 1]]));
    await s.flush();
    expect(query('SELECT id, name, n FROM results ORDER BY id')).toEqual([
      { id: 1, name: 'a', n: 1 },
      { id: 2, name: 'b', n: 1 },
      { id: 3, name: 'c', n: 1 },
    ]);
    s.write(batch([UPDATE_BEFORE, [1, 'a', 1]], [UPDATE_AFTER, [1, 'a', 2]], [DELETE, [2, 'b', 1]], [UPDATE_BEFORE, [3, 'c', 1]]));
    s.write(batch([UPDATE_AFTER, [3, 'c', 2]], [INSERT, [4, null, null]]));
    await s.close();
    expect(query('SELECT id, name, n FROM results ORDER BY id')).toEqual([
      { id: 1, name: 'a', n: 2 },
      { id: 3, name: 'c', n: 2 },
      { id: 4, name: null, n: null },
    ]);
    const ddl = query("SELECT sql FROM sqlite_master WHERE name = 'results'") as { sql: string }[];
    expect(ddl[0]!.sql).toBe('CREATE TABLE "results" ("id" INTEGER NOT NULL, "name" TEXT, "n" INTEGER, PRIMARY KEY ("id"))');
    expect(query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('with checkpoints, shows nothing before commit; commit applies once (idempotent)', async () => {
    const s = sink(keyed, { primaryKey: ['id'], checkpointing: true });
    await s.open();
    s.write(batch([INSERT, [1, 'a', 1]], [INSERT, [2, 'b', 1]], [UPDATE_BEFORE, [1, 'a', 1]], [UPDATE_AFTER, [1, 'a', 5]]));
    await s.flush();
    expect(query('SELECT * FROM results')).toEqual([]);
    const info = throughJson(await s.preCommit!(1)) as SqliteSinkCommit;
    expect(info).toEqual({ table: 'results', checkpoint: 1, changes: [['u', 1, 'a', 5], ['u', 2, 'b', 1]], watermark: null });
    expect(query('SELECT * FROM results')).toEqual([]);
    await s.commit!(info);
    await s.commit!(info);
    const after = query('SELECT id, name, n FROM results ORDER BY id');
    expect(after).toEqual([
      { id: 1, name: 'a', n: 5 },
      { id: 2, name: 'b', n: 1 },
    ]);
    expect(query('SELECT * FROM _eddy_sink_commits')).toEqual([{ sink: 'results', checkpoint: 1 }]);
    // The table's freshness is written with the rows: the checkpoint and its watermark (none yet).
    expect(query('SELECT sink, checkpoint, watermark FROM _eddy_sink_progress')).toEqual([{ sink: 'results', checkpoint: 1, watermark: null }]);
    s.write(batch([DELETE, [2, 'b', 1]]));
    s.watermark!(1_700_000_000_000);
    const info2 = await s.preCommit!(2);
    expect(info2).toEqual({ table: 'results', checkpoint: 2, changes: [['d', 2]], watermark: 1_700_000_000_000 });
    await s.commit!(info2);
    expect(query('SELECT checkpoint, watermark FROM _eddy_sink_progress')).toEqual([{ checkpoint: 2, watermark: 1_700_000_000_000 }]);
    await s.commit!(info); // an older checkpoint is not applied again
    expect(query('SELECT id FROM results')).toEqual([{ id: 1 }]);
    s.write(batch([INSERT, [9, 'uncommitted', 0]]));
    await s.close();
    expect(query('SELECT id FROM results')).toEqual([{ id: 1 }]);
  });

  it('after a crash between preCommit and commit, the restored sink applies the changes exactly once', async () => {
    // An insert-only table: a change applied twice would show as a duplicate row.
    const first = sink(plain, { checkpointing: true });
    await first.open();
    first.write(insertBatch([[1, 'a'], [2, 'b']]));
    await first.commit!(throughJson(await first.preCommit!(1)));
    first.write(insertBatch([[3, 'c']]));
    const stored = throughJson(await first.preCommit!(2)); // the job stored it in checkpoint 2, then crashed
    first.write(insertBatch([[4, 'after the checkpoint']]));
    await first.flush();
    // Crash: no commit, no close.

    const rows = () => query('SELECT id, name FROM results ORDER BY rowid');
    const expected = [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }];
    const restored = sink(plain, { restored: stored, checkpointing: true });
    await restored.open();
    expect(rows()).toEqual(expected);
    // A crash during recovery: restored again from the same checkpoint, after the commit had completed.
    const again = sink(plain, { restored: stored, checkpointing: true });
    await again.open();
    expect(rows()).toEqual(expected);
    again.write(insertBatch([[4, 'd']]));
    await again.commit!(await again.preCommit!(3));
    await again.close();
    await restored.close();
    expect(rows()).toEqual([...expected, { id: 4, name: 'd' }]);
    expect(query('SELECT * FROM _eddy_sink_commits')).toEqual([{ sink: 'results', checkpoint: 3 }]);
  });

  it('a fresh start forgets the previous run’s checkpoints but keeps its rows', async () => {
    const old = sink(plain, { checkpointing: true });
    await old.open();
    old.write(insertBatch([[1, 'old']]));
    await old.commit!(await old.preCommit!(5));
    await old.close();
    const fresh = sink(plain, { checkpointing: true });
    await fresh.open();
    fresh.write(insertBatch([[2, 'new']]));
    await fresh.commit!(await fresh.preCommit!(1));
    await fresh.close();
    expect(query('SELECT id FROM results ORDER BY rowid')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('without a primary key accepts inserts only, with a clear error', async () => {
    const s = sink(plain);
    await s.open();
    s.write(insertBatch([[1, 'a'], [1, 'a']]));
    let err: unknown;
    try {
      s.write(batch([UPDATE_AFTER, [1, 'b']]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe(ErrorCode.UPDATING_INTO_APPEND_ONLY);
    expect((err as EddyError).message).toBe('Table `out`: the sqlite sink got a +U change, but the table has no PRIMARY KEY to apply it by');
    await s.close();
    expect(query('SELECT id, name FROM results')).toEqual([{ id: 1, name: 'a' }, { id: 1, name: 'a' }]);
    expect(sqliteConnector.sinkChangelogMode).toBe('all');
  });

  it('checks an existing table: columns present, and a unique key when writing by key', async () => {
    const conn = new Database(join(dir, 'pre.db'));
    conn.exec('CREATE TABLE t (id INTEGER, name TEXT, n INTEGER, extra TEXT DEFAULT \'x\'); CREATE TABLE u (id INTEGER, name TEXT, n INTEGER); CREATE UNIQUE INDEX u_id ON u (id)');
    conn.close();
    db = join(dir, 'pre.db');
    await expect(sink(keyed, { primaryKey: ['id'] }, 't').open()).rejects.toThrow(/has no PRIMARY KEY or UNIQUE index on \(id\)/);
    await expect(sink([...plain, { name: 'nope', type: T.int() }], {}, 't').open()).rejects.toThrow(/has no column 'nope'/);
    const s = sink(keyed, { primaryKey: ['id'] }, 'u');
    await s.open();
    s.write(batch([INSERT, [1, 'a', 1]], [UPDATE_AFTER, [1, 'b', 2]]));
    s.write(batch([UPDATE_AFTER, [1, 'c', 3]]));
    await s.close();
    expect(query('SELECT * FROM u')).toEqual([{ id: 1, name: 'c', n: 3 }]);
    const t = sink(plain, {}, 't');
    await t.open();
    t.write(insertBatch([[7, 'z']]));
    await t.close();
    expect(query('SELECT * FROM t')).toEqual([{ id: 7, name: 'z', n: null, extra: 'x' }]);
  });

  it('rejects commit information that does not fit the sink', async () => {
    const s = sink(keyed, { primaryKey: ['id'] });
    await expect(sink(keyed, { primaryKey: ['id'], restored: { table: 'results', checkpoint: 1, changes: [['u', 1]] } }).open()).rejects.toThrow(
      /checkpointed commit of the sqlite sink does not match its columns/,
    );
    await s.open();
    await expect(s.commit!({ table: 'other', checkpoint: 1, changes: [] })).rejects.toThrow(/checkpoint was taken writing SQLite table 'other'/);
    await s.close();
  });
});

describe('sqlite source', () => {
  const all: Schema = [
    { name: 'id', type: withNullable(T.bigint(), false) },
    { name: 'flag', type: T.boolean() },
    { name: 'x', type: T.double() },
    { name: 'price', type: T.decimal(10, 2) },
    { name: 's', type: T.string() },
    { name: 'b', type: T.bytes() },
    { name: 'ts', type: T.timestamp(3) },
    { name: 'tsz', type: T.timestampLtz(3) },
    { name: 'd', type: T.date() },
    { name: 't', type: T.time(3) },
    { name: 'arr', type: T.array(T.int()) },
    { name: 'r', type: T.row([{ name: 'a', type: T.int() }, { name: 'b', type: T.string() }]) },
  ];
  const ts = parseTimestamp('2024-03-04 05:06:07.089')!;
  const row = (id: number): Row => [id, id % 2 === 0, id === 1 ? Infinity : id / 4, 12.34, `s${id}`, new Uint8Array([id % 256, 0, 255]), ts + id, ts, 19_000 + id, 3_600_000 + id, [id, null], [id, 'x']];

  it('reads back what the sink wrote (through a checkpoint), in rowid order, all types', async () => {
    const s = sink(all, { primaryKey: ['id'], checkpointing: true });
    await s.open();
    s.write(insertBatch([row(1), row(2), row(3), [4, null, null, null, null, null, null, null, null, null, null, null]]));
    await s.commit!(throughJson(await s.preCommit!(1)));
    await s.close();
    const stored = query('SELECT ts, tsz, d, t, arr, r, flag FROM results WHERE id = 2');
    expect(stored).toEqual([{ ts: '2024-03-04 05:06:07.091', tsz: '2024-03-04 05:06:07.089Z', d: '2022-01-10', t: '01:00:00.002', arr: '[2,null]', r: '{"a":2,"b":"x"}', flag: 1 }]);
    const { chunks } = await readBack(all);
    expect(chunks).toEqual([{ split: 'results', rows: [row(1), row(2), row(3), [4, null, null, null, null, null, null, null, null, null, null, null]], splitEnded: true }]);
  });

  it('reads in chunks, resumes after its position, and fails clearly on a missing table', async () => {
    const s = sink(plain);
    await s.open();
    s.write(insertBatch(Array.from({ length: 4500 }, (_, i) => [i, `n${i}`])));
    await s.close();
    const reader = sqliteConnector.createSource!(context(plain));
    await reader.open();
    const first = await reader.next();
    expect(first!.rows.length).toBe(2000);
    expect(first!.splitEnded).toBeUndefined();
    const position = throughJson(reader.position!());
    expect(position).toEqual({ rowid: 2000 });
    await reader.close();
    const { chunks } = await readBack(plain, 'results', position);
    expect(chunks.map((c) => c.rows.length)).toEqual([2000, 500]);
    expect(chunks.flatMap((c) => c.rows.map((r) => r[0]))).toEqual(Array.from({ length: 2500 }, (_, i) => 2000 + i));
    expect(chunks.at(-1)!.splitEnded).toBe(true);

    const err = await readBack(plain, 'nope').catch((e: unknown) => e);
    expect((err as EddyError).code).toBe(ErrorCode.FILE_NOT_FOUND);
    expect((err as EddyError).message).toBe(`Table \`out\`: SQLite table 'nope' does not exist in '${db}'`);
    db = join(dir, 'missing.db');
    await expect(readBack(plain)).rejects.toThrow(/cannot open the SQLite database/);
  });

  it('reports a value that does not fit its column as a bad record at table@rowid, and goes on with the next row', async () => {
    const s = sink(plain);
    await s.open();
    await s.close();
    const conn = new Database(db);
    conn.exec("INSERT INTO results (id, name) VALUES (1, 'a'), ('abc', 'x'), (2.5, 'y'), (3, 'b'), (9e300, 'z'), (4, x'ff')");
    conn.close();
    const ctx = context(plain);
    const reader = sqliteConnector.createSource!(ctx);
    await reader.open();
    const chunk = (await reader.next())!;
    await reader.close();
    expect(chunk.rows).toEqual([[1, 'a'], [3, 'b']]);
    const reports = (ctx as ReturnType<typeof testContext>).badRecords;
    expect(reports).toEqual([
      { kind: 'wrong-type', message: 'column `id` (BIGINT): expected an integer, got "abc"', position: 'results@2', raw: '{"id":"abc","name":"x"}' },
      { kind: 'wrong-type', message: 'column `id` (BIGINT): expected an integer, got 2.5', position: 'results@3', raw: '{"id":2.5,"name":"y"}' },
      { kind: 'numeric-overflow', message: 'column `id` (BIGINT): 9e+300 is out of range for BIGINT', position: 'results@5', raw: '{"id":9e+300,"name":"z"}' },
      {
        kind: 'invalid-utf8',
        message: "column `name` (STRING): the BLOB x'ff' is not valid UTF-8 text",
        position: 'results@6',
        raw: '{"id":4,"name":"x\'ff\'"}',
      },
    ]);
    expect(chunk.describe!(1)).toEqual({ position: 'results@4', raw: '{"id":3,"name":"b"}' });

    // Under a failing policy the read stops with the error; a timestamp column reads the text as a wrong type too.
    const failing = { ...testContext([{ name: 'id', type: T.timestamp(3) }], { connector: 'sqlite', path: db, 'table-name': 'results' }, 'out', true) };
    const err = await (async () => {
      const r = sqliteConnector.createSource!(failing);
      await r.open();
      try {
        await r.next();
      } finally {
        await r.close();
      }
    })().catch((e: unknown) => e);
    expect((err as EddyError).code).toBe(ErrorCode.BAD_RECORD);
    expect(failing.badRecords.map((b) => [b.kind, b.position])).toEqual([['wrong-type', 'results@2']]);
  });

  it('reports NULL in a NOT NULL column and an integer out of the column range', async () => {
    const conn = new Database(join(dir, 'in.db'));
    conn.exec('CREATE TABLE src (id INTEGER, small INTEGER, d NUMERIC)');
    conn.exec("INSERT INTO src VALUES (1, 5, 1.25), (NULL, 5, 1), (2, 40000, 1), (3, 5, 12345.6), (4, '7', '2.5')");
    conn.close();
    const s: Schema = [
      { name: 'id', type: withNullable(T.int(), false) },
      { name: 'small', type: T.smallint() },
      { name: 'd', type: T.decimal(5, 2) },
    ];
    const ctx = testContext(s, { connector: 'sqlite', path: join(dir, 'in.db'), 'table-name': 'src' }, 'in');
    const reader = sqliteConnector.createSource!(ctx);
    await reader.open();
    const chunk = (await reader.next())!;
    await reader.close();
    expect(chunk.rows).toEqual([[1, 5, 1.25], [4, 7, 2.5]]);
    expect(ctx.badRecords.map((b) => [b.kind, b.position])).toEqual([
      ['missing-not-null', 'src@2'],
      ['numeric-overflow', 'src@3'],
      ['numeric-overflow', 'src@4'],
    ]);
  });
});
