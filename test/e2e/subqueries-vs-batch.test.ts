/**
 * Subqueries in expressions through the engine: IN / NOT IN / EXISTS / NOT EXISTS (semi and anti joins)
 * and scalar subqueries, over bounded shuffled inputs read from real JSON files (and over updating inputs).
 * The final state of each streaming changelog equals the batch answer computed here in plain JS, by SQL's
 * definitions (three-valued logic for IN and NOT IN). Also: pull queries over materialized views and
 * sqlite tables, EXPLAIN, and the run-time error of a scalar subquery with more than one row.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import type { PullResult } from '../../src/index.js';
import { executeAll, failureOf, materialize, prng, runQuery, sortedRows, tempDir, writeJsonLines } from './helpers.js';

interface A {
  id: number;
  k: number | null;
  x: number | null;
}
interface B {
  k: number | null;
  y: number | null;
}

/** Shuffled rows with small domains (so keys and values meet) and NULLs on both sides. */
function generate(seed: number, na: number, nb: number): { a: A[]; b: B[] } {
  const rand = prng(seed);
  const small = (n: number, nulls: number) => (rand() < nulls ? null : Math.floor(rand() * n));
  const a: A[] = [];
  for (let i = 0; i < na; i++) a.push({ id: i, k: small(40, 0.05), x: small(60, 0.05) });
  const b: B[] = [];
  // k in 0..29 only: some keys of a have no rows in b.
  for (let i = 0; i < nb; i++) b.push({ k: small(30, 0.05), y: small(50, 0.03) });
  for (const rows of [a, b] as unknown[][]) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
  }
  return { a, b };
}

/** SQL's `x IN (values)`: TRUE, FALSE or NULL (unknown). */
function sqlIn(x: number | null, values: readonly (number | null)[]): boolean | null {
  if (values.length === 0) return false;
  if (x === null) return null;
  if (values.includes(x)) return true;
  return values.includes(null) ? null : false;
}

describe('subqueries in expressions vs batch', () => {
  let dir: string;
  let data: { a: A[]; b: B[] };
  let ddl: string;

  beforeAll(() => {
    dir = tempDir();
    data = generate(7, 3000, 400);
    const pa = writeJsonLines(dir, 'a.json', data.a);
    // b is a folder of 4 files, read one after another: the subquery's result changes while a's rows are there.
    const pb = join(dir, 'b');
    mkdirSync(pb);
    for (let i = 0; i < 4; i++) writeJsonLines(pb, `b${i}.json`, data.b.slice(i * 100, (i + 1) * 100));
    ddl = `CREATE TABLE a (id INT, k INT, x INT) WITH ('connector' = 'filesystem', 'path' = '${pa}', 'format' = 'json');
      CREATE TABLE b (k INT, y INT) WITH ('connector' = 'filesystem', 'path' = '${pb}', 'format' = 'json');`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(sql: string) {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    return runQuery(eddy, sql);
  }

  const ys = () => data.b.map((r) => r.y);

  it('x IN (SELECT y FROM b): the rows whose x is among the values (a semi join)', async () => {
    const { changes } = await run('SELECT id, x FROM a WHERE x IN (SELECT y FROM b)');
    const expected = data.a.filter((r) => sqlIn(r.x, ys()) === true).map((r) => [r.id, r.x]);
    expect(expected.length).toBeGreaterThan(100);
    expect(materialize(changes)).toEqual(sortedRows(expected));
  });

  it('x NOT IN (SELECT y FROM b) with NULLs among the values: no row passes (null-aware anti join)', async () => {
    expect(ys()).toContain(null);
    const { changes } = await run('SELECT id FROM a WHERE x NOT IN (SELECT y FROM b)');
    expect(data.a.filter((r) => sqlIn(r.x, ys()) === false)).toEqual([]);
    expect(materialize(changes)).toEqual([]);
  });

  it('x NOT IN (SELECT y FROM b WHERE y IS NOT NULL): NULL x is not TRUE when the subquery has rows', async () => {
    const { changes } = await run('SELECT id, x FROM a WHERE x NOT IN (SELECT y FROM b WHERE y IS NOT NULL)');
    const values = ys().filter((y) => y !== null);
    const expected = data.a.filter((r) => sqlIn(r.x, values) === false).map((r) => [r.id, r.x]);
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.some((r) => r[1] === null)).toBe(false);
    expect(materialize(changes)).toEqual(sortedRows(expected));
  });

  it('x NOT IN an empty subquery: every row passes, NULL x too', async () => {
    const { changes } = await run('SELECT id FROM a WHERE x NOT IN (SELECT y FROM b WHERE y > 1000)');
    expect(materialize(changes)).toEqual(sortedRows(data.a.map((r) => [r.id])));
  });

  it('correlated NOT IN with another correlated condition (each pair compared)', async () => {
    const { changes } = await run('SELECT id FROM a WHERE x NOT IN (SELECT y FROM b WHERE b.k = a.k AND b.y <> a.id)');
    const expected = data.a.filter((r) => sqlIn(r.x, data.b.filter((s) => s.k !== null && s.k === r.k && s.y !== null && s.y !== r.id).map((s) => s.y)) === false).map((r) => [r.id]);
    expect(expected.length).toBeGreaterThan(100);
    expect(materialize(changes)).toEqual(sortedRows(expected));
  });

  it('correlated NOT IN (per key, NULL values on both sides)', async () => {
    const { changes } = await run('SELECT id FROM a WHERE x NOT IN (SELECT y FROM b WHERE b.k = a.k)');
    const expected = data.a.filter((r) => sqlIn(r.x, data.b.filter((s) => s.k !== null && s.k === r.k).map((s) => s.y)) === false).map((r) => [r.id]);
    expect(expected.length).toBeGreaterThan(100);
    expect(materialize(changes)).toEqual(sortedRows(expected));
  });

  it('EXISTS and NOT EXISTS, correlated on the key and a non-equality', async () => {
    const exists = (r: A) => data.b.some((s) => s.k !== null && s.k === r.k && s.y !== null && r.x !== null && s.y > r.x);
    const semi = await run('SELECT id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND b.y > a.x)');
    expect(materialize(semi.changes)).toEqual(sortedRows(data.a.filter(exists).map((r) => [r.id])));
    const anti = await run('SELECT id, k FROM a WHERE NOT EXISTS (SELECT * FROM b WHERE b.k = a.k AND b.y > a.x) AND id % 2 = 0');
    const expected = data.a.filter((r) => !exists(r) && r.id % 2 === 0).map((r) => [r.id, r.k]);
    expect(expected.length).toBeGreaterThan(100);
    expect(materialize(anti.changes)).toEqual(sortedRows(expected));
  });

  it('uncorrelated EXISTS: all rows or none', async () => {
    expect(materialize((await run('SELECT id FROM a WHERE EXISTS (SELECT * FROM b WHERE y = 7)')).changes)).toEqual(sortedRows(data.a.map((r) => [r.id])));
    expect(materialize((await run('SELECT id FROM a WHERE EXISTS (SELECT * FROM b WHERE y > 1000)')).changes)).toEqual([]);
  });

  it('over updating inputs: left rows appear and disappear as the subquery\'s result changes; the final state equals the batch answer', async () => {
    // Keys of b with exactly one row: a key enters with its first row and leaves with its second.
    const counts = new Map<number | null, number>();
    for (const s of data.b) counts.set(s.k, (counts.get(s.k) ?? 0) + 1);
    const { changes } = await run('SELECT id, k FROM a WHERE k IN (SELECT k FROM b GROUP BY k HAVING COUNT(*) = 1)');
    expect(changes.some((c) => c.kind === 3)).toBe(true);
    const expected = data.a.filter((r) => r.k !== null && counts.get(r.k) === 1).map((r) => [r.id, r.k]);
    expect(materialize(changes)).toEqual(sortedRows(expected));
    // An updating left side: per-key counts of a filtered by those of b.
    const left = await run('SELECT k, c FROM (SELECT k, COUNT(*) AS c FROM a GROUP BY k) WHERE c NOT IN (SELECT COUNT(*) FROM b GROUP BY k)');
    const perKey = new Map<number | null, number>();
    for (const r of data.a) perKey.set(r.k, (perKey.get(r.k) ?? 0) + 1);
    const bCounts = [...counts.values()];
    expect(materialize(left.changes)).toEqual(sortedRows([...perKey].filter(([, c]) => !bCounts.includes(c)).map(([k, c]) => [k, c])));
  });

  it('scalar subqueries: uncorrelated MAX in the select list and in WHERE', async () => {
    const max = Math.max(...ys().filter((y): y is number => y !== null));
    const { changes } = await run('SELECT id, (SELECT MAX(y) FROM b) AS m FROM a WHERE id < 50');
    expect(materialize(changes)).toEqual(sortedRows(data.a.filter((r) => r.id < 50).map((r) => [r.id, max])));
    const where = await run('SELECT id FROM a WHERE x + 15 > (SELECT MAX(y) FROM b)');
    expect(materialize(where.changes)).toEqual(sortedRows(data.a.filter((r) => r.x !== null && r.x + 15 > max).map((r) => [r.id])));
  });

  it('scalar subqueries: correlated COUNT (0 for a key without rows, not NULL) and SUM (NULL then)', async () => {
    const { changes } = await run('SELECT id, (SELECT COUNT(*) FROM b WHERE b.k = a.k) AS c, (SELECT SUM(y) FROM b WHERE k = a.k AND y < 10) AS s FROM a');
    const expected = data.a.map((r) => {
      const rows = data.b.filter((s) => s.k !== null && s.k === r.k);
      const small = rows.filter((s) => s.y !== null && s.y < 10);
      return [r.id, rows.length, small.length === 0 ? null : small.reduce((t, s) => t + s.y!, 0)];
    });
    expect(expected.some((e) => e[1] === 0)).toBe(true);
    expect(materialize(changes)).toEqual(sortedRows(expected));
  });

  it('a correlated scalar subquery in WHERE', async () => {
    const { changes } = await run('SELECT id FROM a WHERE x >= (SELECT MAX(y) FROM b WHERE b.k = a.k) - 3');
    const expected = data.a.filter((r) => {
      const vals = data.b.filter((s) => s.k !== null && s.k === r.k && s.y !== null).map((s) => s.y!);
      return r.x !== null && vals.length > 0 && r.x >= Math.max(...vals) - 3;
    });
    expect(materialize(changes)).toEqual(sortedRows(expected.map((r) => [r.id])));
  });

  it('a scalar subquery that returns more than one row fails the job with a positioned error', async () => {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    const err = await failureOf(eddy, 'SELECT id, (SELECT y FROM b WHERE k = 3) AS v FROM a');
    expect(err.message).toMatch(/More than one row returned by a subquery used as an expression/);
    // One row is fine.
    const one = await runQuery(eddy, 'SELECT id, (SELECT y FROM b WHERE k = 3 AND y = 1000) AS v FROM a WHERE id < 3');
    expect(materialize(one.changes)).toEqual(sortedRows(data.a.filter((r) => r.id < 3).map((r) => [r.id, null])));
  });

  it('EXPLAIN shows LeftSemiJoin / LeftAntiJoin with their state tables, and the null-aware condition of NOT IN', async () => {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    const r = await eddy.execute('EXPLAIN SELECT id FROM a WHERE x NOT IN (SELECT y FROM b WHERE b.k = a.k) AND EXISTS (SELECT * FROM b WHERE b.y = a.id)');
    if (r.kind !== 'explain') throw new Error('expected EXPLAIN');
    expect(r.text).toContain('LogicalJoin(joinType=[anti], condition=[(((x = y) OR x IS NULL OR y IS NULL) AND (k0 = k))], nullAware=[true])');
    // Correlated by an equality only: rows found by value (NullAwareAntiJoin), with the counts of each key's right rows and NULLs.
    expect(r.text).toContain('Join(joinType=[LeftAntiJoin], leftKeys=[k], rightKeys=[k], nullAware=[x NOT IN y], cleanup=[keys idle for table.exec.state.ttl]), state=[left, right, counts, inputs], changelog=[I,UB,UA,D]');
    // With another correlated condition, each pair is compared.
    const residual = await eddy.execute('EXPLAIN SELECT id FROM a WHERE x NOT IN (SELECT y FROM b WHERE b.k = a.k AND b.y <> a.id)');
    if (residual.kind !== 'explain') throw new Error('expected EXPLAIN');
    expect(residual.text).toContain('Join(joinType=[LeftAntiJoin], leftKeys=[k], rightKeys=[k], where=[(((x = y) OR x IS NULL OR y IS NULL) AND (y <> id))], cleanup=[keys idle for table.exec.state.ttl]), state=[left, right, inputs]');
    expect(r.text).toContain('Join(joinType=[LeftSemiJoin], leftKeys=[id], rightKeys=[y], cleanup=[keys idle for table.exec.state.ttl]), state=[left, right, inputs]');
  });
});

describe('subqueries in pull queries', () => {
  let dir: string;
  let eddy: Eddy;

  async function pull(sql: string): Promise<PullResult> {
    const r = await eddy.execute(sql);
    if (r.kind !== 'rows') throw new Error(`expected a pull query, got ${r.kind}`);
    return r.result;
  }

  beforeAll(async () => {
    dir = tempDir();
    const events = writeJsonLines(dir, 'events.json', [
      { k: 1, v: 10 },
      { k: 1, v: 20 },
      { k: 2, v: 5 },
      { k: 3, v: 7 },
      { k: 3, v: 1 },
      { k: 3, v: 2 },
    ]);
    eddy = new Eddy();
    await eddy.execute("SET 'table.dml-sync' = 'true'");
    await executeAll(
      eddy,
      `CREATE TABLE events (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${events}', 'format' = 'json');
       CREATE TABLE vip (k INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'db.sqlite')}', 'table-name' = 'vip');`,
    );
    await eddy.execute('INSERT INTO vip VALUES (1), (3), (4)');
    await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM events GROUP BY k');
  });
  afterAll(async () => {
    await eddy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('IN and NOT IN over a materialized view and a sqlite table', async () => {
    expect((await pull('SELECT k, c FROM per_key WHERE k IN (SELECT k FROM vip) ORDER BY k')).rows).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect((await pull('SELECT k FROM per_key WHERE k NOT IN (SELECT k FROM vip)')).rows).toEqual([[2]]);
    expect((await pull('SELECT k FROM vip WHERE NOT EXISTS (SELECT * FROM per_key p WHERE p.k = vip.k)')).rows).toEqual([[4]]);
  });

  it('scalar subqueries over a materialized view: the largest sum, and a correlated count', async () => {
    expect((await pull('SELECT k, s FROM per_key WHERE s = (SELECT MAX(s) FROM per_key)')).rows).toEqual([[1, 30]]);
    expect((await pull('SELECT k, (SELECT COUNT(*) FROM per_key p WHERE p.k = vip.k) AS n FROM vip ORDER BY k')).rows).toEqual([
      [1, 1],
      [3, 1],
      [4, 0],
    ]);
  });
});
