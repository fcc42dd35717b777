/**
 * The query router: how a SELECT runs — pull, push or continuous — decided from its bound plan (which
 * tables it scans, whether their sources read a snapshot) and the session's materialized views; then the
 * same decisions end to end through a session.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { FeedRunner } from '../../src/engine/pull-query.js';
import { routeQuery } from '../../src/engine/query-router.js';
import { STANDARD_DDL, TestPlanner, queryOf } from '../planner/helpers.js';
import { tempDir, writeJsonLines } from '../e2e/helpers.js';

describe('routeQuery (from plan facts)', () => {
  const tp = new TestPlanner([
    ...STANDARD_DDL,
    `CREATE TABLE kv (k INT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '/tmp/kv.db', 'table-name' = 'kv')`,
    // A materialized view's table, as the session declares it: a sqlite table (the router is told it is a view).
    `CREATE TABLE per_key (k INT, c BIGINT) WITH ('connector' = 'sqlite', 'path' = '/tmp/views.db', 'table-name' = 'per_key')`,
    `CREATE VIEW big_kv AS SELECT k, v FROM kv WHERE k > 10`,
  ]);
  const views = new Set(['per_key']);
  const route = (sql: string) => {
    const query = queryOf(sql);
    return routeQuery(query, tp.planner.scannedTables(tp.planner.bindQuery(query)), (name) => (views.has(name) ? name : undefined));
  };

  it('reports, per scanned table, whether its source reads a snapshot (views expanded)', () => {
    const facts = (sql: string) => tp.planner.scannedTables(tp.planner.bindQuery(queryOf(sql))).map((s) => [s.table.name, s.readsSnapshot]);
    expect(facts('SELECT * FROM kv')).toEqual([['kv', true]]);
    expect(facts('SELECT * FROM big_kv')).toEqual([['kv', true]]);
    expect(facts('SELECT * FROM orders')).toEqual([['orders', false]]);
    expect(facts('SELECT * FROM gen')).toEqual([['gen', false]]);
    expect(facts('SELECT o.id FROM orders AS o JOIN kv ON o.user_id = kv.k')).toEqual([
      ['orders', false],
      ['kv', true],
    ]);
  });

  it('a query over sqlite tables only is pull (also through a view), with no materialized views to read', () => {
    expect(route('SELECT v FROM kv WHERE k = 1')).toEqual({ kind: 'pull', views: [] });
    expect(route('SELECT * FROM big_kv')).toEqual({ kind: 'pull', views: [] });
  });

  it('a query over a materialized view is pull, and names the view', () => {
    expect(route('SELECT k, c FROM per_key ORDER BY c DESC LIMIT 3')).toEqual({ kind: 'pull', views: ['per_key'] });
    expect(route('SELECT kv.v, p.c FROM kv JOIN per_key AS p ON kv.k = p.k')).toEqual({ kind: 'pull', views: ['per_key'] });
  });

  it('EMIT CHANGES over a materialized view is push', () => {
    expect(route('SELECT k, c FROM per_key WHERE k <> 3 EMIT CHANGES')).toEqual({ kind: 'push', views: ['per_key'] });
    // Push even when it also reads a stream: the push executor then says what it supports.
    expect(route('SELECT p.k FROM per_key AS p JOIN orders AS o ON p.k = o.user_id EMIT CHANGES')).toEqual({ kind: 'push', views: ['per_key'] });
  });

  it('a query over a filesystem table is continuous, with or without EMIT CHANGES', () => {
    expect(route('SELECT id, amount FROM orders')).toEqual({ kind: 'continuous' });
    expect(route('SELECT id, amount FROM orders EMIT CHANGES')).toEqual({ kind: 'continuous' });
    expect(route('SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id')).toEqual({ kind: 'continuous' });
  });

  it('is continuous when any scanned table is a stream, when it asks for the changes of plain sqlite tables, and when it scans nothing', () => {
    expect(route('SELECT o.id FROM orders AS o JOIN kv ON o.user_id = kv.k')).toEqual({ kind: 'continuous' });
    expect(route('SELECT p.k FROM per_key AS p JOIN orders AS o ON p.k = o.user_id')).toEqual({ kind: 'continuous' });
    expect(route('SELECT * FROM kv EMIT CHANGES')).toEqual({ kind: 'continuous' });
    expect(route('SELECT 1 AS one')).toEqual({ kind: 'continuous' });
  });
});

describe('routing through a session', () => {
  const sessions: Eddy[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const e of sessions.splice(0)) await e.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function session(): Promise<{ eddy: Eddy; dir: string }> {
    const dir = tempDir();
    dirs.push(dir);
    const eddy = new Eddy();
    sessions.push(eddy);
    const input = writeJsonLines(dir, 'in.json', [
      { k: 1, v: 10 },
      { k: 2, v: 20 },
      { k: 1, v: 5 },
    ]);
    await eddy.execute("SET 'table.dml-sync' = 'true'");
    await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
    await eddy.execute(`CREATE TABLE kv (k INT, v BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'kv.db')}', 'table-name' = 'kv')`);
    return { eddy, dir };
  }

  it('answers a SELECT over a sqlite table as a pull query: final rows, no job', async () => {
    const { eddy } = await session();
    await eddy.execute('INSERT INTO kv SELECT k, SUM(v) FROM t GROUP BY k');
    const r = await eddy.execute('SELECT k, v FROM kv ORDER BY k');
    if (r.kind !== 'rows') throw new Error(`expected rows, got ${r.kind}`);
    expect(r.result.rows).toEqual([
      [1, 15],
      [2, 20],
    ]);
    expect(eddy.running()).toEqual([]);
  });

  it('pulls from a materialized view, pushes its changes with EMIT CHANGES, and runs a filesystem table continuously', async () => {
    const { eddy } = await session();
    const created = await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, SUM(v) AS s FROM t GROUP BY k');
    if (created.kind !== 'job') throw new Error('expected a job');

    const pulled = await eddy.execute('SELECT k, s FROM per_key WHERE k = 1');
    if (pulled.kind !== 'rows') throw new Error(`expected rows, got ${pulled.kind}`);
    expect(pulled.result.rows).toEqual([[1, 15]]);

    const pushed = await eddy.execute('SELECT k, s FROM per_key EMIT CHANGES');
    if (pushed.kind !== 'query') throw new Error(`expected a query, got ${pushed.kind}`);
    expect(pushed.query.job).toBeInstanceOf(FeedRunner);
    // The view's job has ended (its input is bounded), so the push query ends after the current rows.
    const pushedRows = (await pushed.query.collect()).flatMap((b) => b.rows);
    expect(pushedRows.sort()).toEqual([
      [1, 15],
      [2, 20],
    ]);

    const streamed = await eddy.execute('SELECT k, v FROM t WHERE v > 5');
    if (streamed.kind !== 'query') throw new Error(`expected a query, got ${streamed.kind}`);
    expect(streamed.query.job).not.toBeInstanceOf(FeedRunner);
    expect((await streamed.query.collect()).flatMap((b) => b.rows)).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });
});
