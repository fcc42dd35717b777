/**
 * Lookup joins through the engine API: orders (a file source with a PROCTIME() column) joined with a
 * `sqlite` table by key. A continuous query sees the SQLite file change between rows (without a cache: at
 * once; with a PARTIAL cache: after the cached row expires); a bounded LEFT join equals a join computed
 * here; EXPLAIN shows the LookupJoin (no state, its cache); the lookup.* options are validated like other
 * WITH options; a table that cannot be looked up is refused as Flink refuses it. All errors are positioned.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { Row } from '../../src/runtime/changelog.js';
import { tempDir } from '../e2e/helpers.js';
import { eventually } from '../server/helpers.js';

const sessions: Eddy[] = [];
const dbs: Database.Database[] = [];
afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
  for (const d of dbs.splice(0)) d.close();
});

/** A session with `products` in a SQLite file (ids 1..5, price id * 1.5) and an empty orders file. */
async function setup(dimOptions = '', monitor = true) {
  const dir = tempDir();
  const dbPath = join(dir, 'dim.db');
  const db = new Database(dbPath);
  dbs.push(db);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price REAL)');
  for (let id = 1; id <= 5; id++) db.prepare('INSERT INTO products VALUES (?, ?, ?)').run(id, `p${id}`, id * 1.5);
  const orders = join(dir, 'orders.json');
  writeFileSync(orders, '');
  const eddy = new Eddy();
  sessions.push(eddy);
  await eddy.execute(
    `CREATE TABLE orders (id INT, product_id INT, qty INT, proc AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = '${orders}', 'format' = 'json'${monitor ? ", 'source.monitor-interval' = '50ms'" : ''})`,
  );
  await eddy.execute(`CREATE TABLE products (id INT, name STRING, price DOUBLE, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${dbPath}', 'table-name' = 'products'${dimOptions})`);
  const add = (...rows: object[]) => appendFileSync(orders, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  return { eddy, db, add, orders };
}

const JOIN = 'SELECT o.id, o.qty, p.name, p.price FROM orders AS o JOIN products FOR SYSTEM_TIME AS OF o.proc AS p ON o.product_id = p.id';

/** Starts a continuous query; returns its rows as they come. */
async function stream(eddy: Eddy, sql: string): Promise<{ rows: Row[]; cancel: () => Promise<void> }> {
  const r = await eddy.execute(sql);
  if (r.kind !== 'query') throw new Error(`expected a continuous query, got ${r.kind}`);
  const rows: Row[] = [];
  r.query.onChanges((b) => rows.push(...b.rows));
  return { rows, cancel: async () => void (await r.query.cancel(), await r.query.done.catch(() => {})) };
}

async function failure(p: Promise<unknown>): Promise<EddyError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(EddyError);
  return e as EddyError;
}

/** The text an error's first diagnostic points at. */
function pointedAt(err: EddyError, sql: string): string {
  const span = err.diagnostics[0]!.span!;
  expect(span, err.message).toBeDefined();
  return sql.slice(span.start, span.end);
}

describe('lookup joins (FOR SYSTEM_TIME AS OF a PROCTIME() column) against sqlite tables', () => {
  it('without a cache, a row sees the SQLite file as it is when the row is processed', async () => {
    const { eddy, db, add } = await setup();
    const q = await stream(eddy, JOIN);
    add({ id: 1, product_id: 2, qty: 1 });
    await eventually(() => q.rows.length === 1);
    expect(q.rows[0]).toEqual([1, 1, 'p2', 3]);
    db.prepare("UPDATE products SET price = 99, name = 'new' WHERE id = 2").run();
    add({ id: 2, product_id: 2, qty: 2 });
    await eventually(() => q.rows.length === 2);
    expect(q.rows[1]).toEqual([2, 2, 'new', 99]);
    await q.cancel();
  }, 30_000);

  it("with 'lookup.cache' = 'PARTIAL', a row sees the cached value until it expires", async () => {
    const { eddy, db, add } = await setup(", 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.expire-after-write' = '1500 ms', 'lookup.partial-cache.max-rows' = '100'");
    const q = await stream(eddy, JOIN);
    add({ id: 1, product_id: 3, qty: 1 });
    await eventually(() => q.rows.length === 1);
    const firstSeen = Date.now();
    db.prepare('UPDATE products SET price = 42 WHERE id = 3').run();
    add({ id: 2, product_id: 3, qty: 1 });
    await eventually(() => q.rows.length === 2);
    // Still within 1.5 s of the first read (checked, so a slow machine cannot make this pass wrongly).
    if (Date.now() - firstSeen < 1_500) expect(q.rows[1]).toEqual([2, 1, 'p3', 4.5]);
    await new Promise((r) => setTimeout(r, 1_600));
    add({ id: 3, product_id: 3, qty: 1 });
    await eventually(() => q.rows.length === 3);
    expect(q.rows[2]).toEqual([3, 1, 'p3', 42]);
    await q.cancel();
  }, 30_000);

  it('a bounded LEFT lookup join equals the join computed here; EXPLAIN shows the LookupJoin, its cache and no state', async () => {
    const { eddy, add } = await setup(", 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '2'", false);
    const orders = Array.from({ length: 60 }, (_, i) => ({ id: i, product_id: i % 9 === 8 ? null : (i * 7) % 9, qty: 1 + (i % 4) }));
    add(...orders);
    const sql = JOIN.replace(' JOIN products', ' LEFT JOIN products') + ' WHERE o.qty > 1';
    const explained = await eddy.execute(`EXPLAIN ${sql}`);
    if (explained.kind !== 'explain') throw new Error('expected EXPLAIN text');
    expect(explained.text).toMatch(/LookupJoin\(table=\[products\], joinType=\[LeftOuterJoin\], lookup=\[id=product_id\], cache=\[PARTIAL\]\), changelog=\[I\]/);
    expect(explained.text).not.toMatch(/LookupJoin[^\n]*state=/);
    expect(explained.text).not.toMatch(/TableSourceScan\(table=\[products\]/);
    const q = await stream(eddy, sql);
    const want = orders
      .filter((o) => o.qty > 1)
      .map((o) => (o.product_id !== null && o.product_id >= 1 && o.product_id <= 5 ? [o.id, o.qty, `p${o.product_id}`, o.product_id * 1.5] : [o.id, o.qty, null, null]));
    await eventually(() => q.rows.length >= want.length);
    expect(q.rows.map((r) => JSON.stringify(r)).sort()).toEqual(want.map((r) => JSON.stringify(r)).sort());
    expect(want.filter((r) => r[2] === null).length).toBeGreaterThan(5);
  }, 30_000);

  it("the table's computed columns are computed on the rows looked up; conditions on them are checked on each row found", async () => {
    const { eddy, add, db } = await setup('', false);
    const path = db.name;
    await eddy.execute(`CREATE TABLE labelled (id INT, name STRING, label AS UPPER(name)) WITH ('connector' = 'sqlite', 'path' = '${path}', 'table-name' = 'products')`);
    add(...[1, 2, 3, 6].map((id) => ({ id, product_id: id, qty: 1 })));
    const sql = "SELECT o.id, p.label FROM orders AS o LEFT JOIN labelled FOR SYSTEM_TIME AS OF o.proc AS p ON o.product_id = p.id AND p.label <> 'P2'";
    const explained = await eddy.execute(`EXPLAIN ${sql}`);
    if (explained.kind !== 'explain') throw new Error('expected EXPLAIN text');
    expect(explained.text).toMatch(/LookupJoin\(table=\[labelled\], joinType=\[LeftOuterJoin\], lookup=\[id=product_id\], where=\[\(label <> 'P2'\)\], cache=\[NONE\]\)/);
    const q = await stream(eddy, sql);
    await eventually(() => q.rows.length >= 4);
    expect(q.rows.map((r) => JSON.stringify(r)).sort()).toEqual([[1, 'P1'], [2, null], [3, 'P3'], [6, null]].map((r) => JSON.stringify(r)));
  }, 30_000);

  it('validates the lookup options like other WITH options, each error at the option it is about', async () => {
    const eddy = new Eddy();
    sessions.push(eddy);
    const cases: [string, string, RegExp][] = [
      ["'lookup.cache' = 'FULL'", "'FULL'", /Invalid value 'FULL' for option 'lookup.cache'; expected one of: NONE, PARTIAL/],
      ["'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '0'", "'0'", /expected a positive integer/],
      ["'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.expire-after-write' = 'soon'", "'soon'", /expected a duration/],
      ["'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.cache-missing-key' = 'yes'", "'yes'", /expected one of: true, false/],
      ["'lookup.partial-cache.max-rows' = '10'", "'10'", /applies only with 'lookup.cache' = 'PARTIAL'/],
      ["'lookup.cache' = 'PARTIAL'", "'PARTIAL'", /A PARTIAL lookup cache needs a limit/],
      ["'lookup.max-retries' = '3'", "'lookup.max-retries'", /Unknown option 'lookup.max-retries' for connector 'sqlite'/],
    ];
    for (const [options, at, message] of cases) {
      const sql = `CREATE TABLE dim (id INT) WITH ('connector' = 'sqlite', 'path' = '/tmp/x.db', 'table-name' = 'dim', ${options})`;
      const err = await failure(eddy.execute(sql));
      expect(err.message, options).toMatch(message);
      expect(pointedAt(err, sql), options).toBe(at);
    }
  });

  it('refuses, positioned: a table that cannot be looked up (Flink: processing-time temporal join), a RIGHT join, a computed lookup key', async () => {
    const { eddy } = await setup('', false);
    await eddy.execute("CREATE TABLE gen (id INT, name STRING) WITH ('connector' = 'datagen')");
    const cases: [string, string, RegExp][] = [
      ['SELECT * FROM orders o JOIN gen FOR SYSTEM_TIME AS OF o.proc AS f ON o.product_id = f.id', 'gen FOR SYSTEM_TIME AS OF o.proc AS f', /Processing-time temporal join is not supported yet: table 'gen' \(connector 'datagen'\) cannot be looked up/],
      ['SELECT * FROM orders o RIGHT JOIN products FOR SYSTEM_TIME AS OF o.proc AS p ON o.product_id = p.id', 'RIGHT JOIN products', /must be an INNER or LEFT join/],
      ['SELECT * FROM orders o JOIN products FOR SYSTEM_TIME AS OF o.proc AS p ON o.qty > p.id', 'JOIN products', /needs an equality condition/],
    ];
    for (const [sql, at, message] of cases) {
      const err = await failure(eddy.execute(sql));
      expect(err.message, sql).toMatch(message);
      expect(pointedAt(err, sql), sql).toContain(at);
    }
  });
});

describe('lookup joins against filesystem tables (a bounded side input, read once when the join opens)', () => {
  /** Orders with product ids 0..7 (and one NULL), and a side input directory of two files. */
  async function fileSetup(sideOptions = '') {
    const { eddy, add } = await setup('', false);
    const dir = join(tempDir(), 'side');
    mkdirSync(dir);
    // Product 3 has two rows (one in each file); 5 only a row with a NULL id elsewhere; 6 is missing.
    writeFileSync(join(dir, 'a.csv'), '1,one\n2,two\n3,three\n');
    writeFileSync(join(dir, 'b.csv'), '3,drei\nnot-a-number,bad\n,nameless\n4,four\r\n');
    writeFileSync(join(dir, '_SUCCESS'), '');
    writeFileSync(join(dir, '.hidden.csv'), '6,hidden\n');
    await eddy.execute(`CREATE TABLE side (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv'${sideOptions})`);
    add(...[0, 1, 2, 3, 4, 5, 6, null].map((p, i) => ({ id: i, product_id: p, qty: 1 })));
    return { eddy, dir };
  }

  it("a LEFT join equals the join computed here: every data file of the directory, every row of a key, NULL keys never match; bad records follow 'errors.policy'", async () => {
    const { eddy } = await fileSetup(", 'errors.policy' = 'skip'");
    const r = await eddy.execute('SELECT o.id, o.product_id, s.name FROM orders AS o LEFT JOIN side FOR SYSTEM_TIME AS OF o.proc AS s ON o.product_id = s.id');
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    const rows: Row[] = [];
    r.query.onChanges((b) => rows.push(...b.rows));
    await r.query.done;
    const side: [number, string][] = [[1, 'one'], [2, 'two'], [3, 'three'], [3, 'drei'], [4, 'four']];
    const want: unknown[][] = [];
    for (const [i, p] of [0, 1, 2, 3, 4, 5, 6, null].entries()) {
      const found = side.filter(([id]) => p !== null && id === p);
      if (found.length === 0) want.push([i, p, null]);
      for (const [, name] of found) want.push([i, p, name]);
    }
    expect(rows.map((x) => JSON.stringify(x)).sort()).toEqual(want.map((x) => JSON.stringify(x)).sort());
  }, 30_000);

  it("fails the query at the bad record under the default 'errors.policy' (fail), naming the file and line; a changelog format cannot be looked up", async () => {
    const { eddy, dir } = await fileSetup();
    const sql = 'SELECT o.id, s.name FROM orders AS o JOIN side FOR SYSTEM_TIME AS OF o.proc AS s ON o.product_id = s.id';
    const r = await eddy.execute(sql);
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    const err = await failure(r.query.done);
    expect(err.message).toContain(`${join(dir, 'b.csv')}:2`);
    await eddy.execute(`CREATE TABLE changes (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'a.csv')}', 'format' = 'debezium-json')`);
    const c = await eddy.execute(sql.replace('JOIN side', 'JOIN changes'));
    if (c.kind !== 'query') throw new Error(`expected a query, got ${c.kind}`);
    expect((await failure(c.query.done)).message).toMatch(/Table `changes` cannot be looked up: its format 'debezium-json' holds changes/);
  }, 30_000);
});
