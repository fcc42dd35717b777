/**
 * The changelog formats through SQL: a hand-written debezium-json (and canal-json) file read by the filesystem
 * source feeds a GROUP BY whose final rows equal the aggregate of the rows the changelog leaves, computed by
 * hand; an updating query written to a debezium-json file reads back to the same answer; the formats' checks at
 * CREATE TABLE (raw's one column, avro not in files, a mismatched avro.schema).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import { tempDir } from '../e2e/helpers.js';

const sessions: Eddy[] = [];
afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
});

async function session(): Promise<{ eddy: Eddy; dir: string }> {
  const eddy = new Eddy();
  sessions.push(eddy);
  await eddy.execute("SET 'table.dml-sync' = 'true'");
  return { eddy, dir: tempDir() };
}

async function rows(eddy: Eddy, sql: string): Promise<readonly unknown[][]> {
  const r = await eddy.execute(sql);
  if (r.kind !== 'rows') throw new Error(`expected rows, got ${r.kind}`);
  return r.result.rows;
}

async function failure(p: Promise<unknown>): Promise<EddyError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(EddyError);
  return e as EddyError;
}

const ev = (op: string, before: object | null, after: object | null) => JSON.stringify({ before, after, op, source: { table: 'products' }, ts_ms: 0 });

// A product catalog's changelog: after it, the products are
//   1 tools 5.0 (inserted 2.5, updated to 5.0), 3 toys 1.0 (snapshot), 4 tools 7.5 (moved from toys),
//   and 2 (toys 4.0) was deleted.
// So: tools = 5.0 + 7.5 = 12.5 over 2 products; toys = 1.0 over 1 product.
const CHANGELOG = [
  ev('r', null, { id: 3, category: 'toys', weight: 1.0 }),
  ev('c', null, { id: 1, category: 'tools', weight: 2.5 }),
  ev('c', null, { id: 2, category: 'toys', weight: 4.0 }),
  ev('c', null, { id: 4, category: 'toys', weight: 7.5 }),
  ev('u', { id: 1, category: 'tools', weight: 2.5 }, { id: 1, category: 'tools', weight: 5.0 }),
  ev('u', { id: 4, category: 'toys', weight: 7.5 }, { id: 4, category: 'tools', weight: 7.5 }),
  ev('d', { id: 2, category: 'toys', weight: 4.0 }, null),
];
const EXPECTED = [
  ['tools', 12.5, 2],
  ['toys', 1, 1],
];

/** Runs `INSERT INTO <name> <select>` into a new sqlite table (category, total, n) keyed by category; returns its rows. */
async function aggregateInto(eddy: Eddy, dir: string, name: string, select: string): Promise<readonly unknown[][]> {
  await eddy.execute(`CREATE TABLE ${name} (category STRING, total DOUBLE, n BIGINT, PRIMARY KEY (category) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, `${name}.db`)}', 'table-name' = '${name}')`);
  await eddy.execute(`INSERT INTO ${name} ${select}`);
  return rows(eddy, `SELECT category, total, n FROM ${name} ORDER BY category`);
}

/** Writes the CHANGELOG to a file and declares `products` over it in debezium-json. */
async function debeziumProducts(eddy: Eddy, dir: string): Promise<void> {
  const input = join(dir, 'products.json');
  writeFileSync(input, CHANGELOG.join('\n') + '\n');
  await eddy.execute(`CREATE TABLE products (id INT, category STRING, weight DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'debezium-json')`);
}

describe('changelog formats in SQL', () => {
  it('aggregates a debezium-json file into the answer of the rows its changes leave', async () => {
    const { eddy, dir } = await session();
    await debeziumProducts(eddy, dir);
    expect(await aggregateInto(eddy, dir, 'per_category', 'SELECT category, SUM(weight), COUNT(*) FROM products GROUP BY category')).toEqual(EXPECTED);
  });

  it('aggregates a canal-json file whose messages hold several rows', async () => {
    const { eddy, dir } = await session();
    const input = join(dir, 'products.json');
    const msg = (type: string, data: object[], old?: object[]) => JSON.stringify({ data, old: old ?? null, database: 'shop', table: 'products', type, isDdl: false });
    writeFileSync(
      input,
      [
        msg('INSERT', [{ id: 3, category: 'toys', weight: 1.0 }, { id: 1, category: 'tools', weight: 2.5 }, { id: 2, category: 'toys', weight: 4.0 }]),
        JSON.stringify({ data: null, database: 'shop', table: 'products', type: 'CREATE', isDdl: true, sql: 'CREATE TABLE products (...)' }),
        msg('INSERT', [{ id: 4, category: 'toys', weight: 7.5 }]),
        msg('INSERT', [{ id: 9, category: 'other', weight: 100 }]).replace('"products"', '"archive"'), // another table: not read
        msg('UPDATE', [{ id: 1, category: 'tools', weight: 5.0 }, { id: 4, category: 'tools', weight: 7.5 }], [{ weight: 2.5 }, { category: 'toys' }]),
        msg('DELETE', [{ id: 2, category: 'toys', weight: 4.0 }]),
      ].join('\n') + '\n',
    );
    await eddy.execute(
      `CREATE TABLE products (id INT, category STRING, weight DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'canal-json', 'canal-json.table.include' = 'products')`,
    );
    expect(await aggregateInto(eddy, dir, 'per_category', 'SELECT category, SUM(weight), COUNT(*) FROM products GROUP BY category')).toEqual(EXPECTED);
  });

  it('writes an updating query to a debezium-json file (a filesystem sink accepts updates in a changelog format), which reads back to the same answer', async () => {
    const { eddy, dir } = await session();
    await debeziumProducts(eddy, dir);
    const out = join(dir, 'totals.json');
    await eddy.execute(`CREATE TABLE totals (category STRING, total DOUBLE, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'debezium-json')`);
    await eddy.execute('INSERT INTO totals SELECT category, SUM(weight), COUNT(*) FROM products GROUP BY category');
    const events = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string; before: unknown; after: unknown });
    // Replaying the written events by hand (a "d" deletes what a "c" wrote) gives the answer.
    const state = new Map<string, string>();
    for (const e of events) {
      if (e.op === 'c') state.set(JSON.stringify(e.after), JSON.stringify(e.after));
      else expect(state.delete(JSON.stringify(e.before))).toBe(true);
    }
    expect([...state.values()].map((s) => JSON.parse(s)).sort((a, b) => a.category.localeCompare(b.category))).toEqual([
      { category: 'tools', total: 12.5, n: 2 },
      { category: 'toys', total: 1, n: 1 },
    ]);
    // And Eddy reads them back as changes.
    await eddy.execute(`CREATE TABLE totals_in (category STRING, total DOUBLE, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'debezium-json')`);
    expect(await aggregateInto(eddy, dir, 'again', 'SELECT category, SUM(total), SUM(n) FROM totals_in GROUP BY category')).toEqual(EXPECTED);
  });

  it('still refuses an updating query into a json file', async () => {
    const { eddy, dir } = await session();
    await debeziumProducts(eddy, dir);
    await eddy.execute(`CREATE TABLE totals (category STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'o.json')}', 'format' = 'json')`);
    const e = await failure(eddy.execute('INSERT INTO totals SELECT category, COUNT(*) FROM products GROUP BY category'));
    expect(e.message).toMatch(/only accepts inserts/);
  });

  it('reports a bad change with its position under the error policy', async () => {
    const { eddy, dir } = await session();
    const input = join(dir, 'products.json');
    writeFileSync(input, [CHANGELOG[1], '{"before":null,"after":{"id":5},"op":"x"}', CHANGELOG[2]].join('\n') + '\n');
    await eddy.execute(`CREATE TABLE products (id INT, category STRING, weight DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'debezium-json')`);
    const r = await eddy.execute('SELECT id FROM products');
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    const e = await failure(r.query.collect());
    expect(e.message).toMatch(/products\.json:2/);
    expect(e.message).toMatch(/invalid-change/);
    expect(e.message).toMatch(/unknown "op" "x"/);
  });

  it("skips bad changes with Flink's debezium-json.ignore-parse-errors (errors.policy = skip)", async () => {
    const { eddy, dir } = await session();
    const input = join(dir, 'products.json');
    writeFileSync(input, [CHANGELOG[1], '{"before":null,"after":{"id":5},"op":"x"}', '{"after":{"id":6}}', CHANGELOG[2]].join('\n') + '\n');
    await eddy.execute(
      `CREATE TABLE products (id INT, category STRING, weight DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'debezium-json', 'debezium-json.ignore-parse-errors' = 'true')`,
    );
    const r = await eddy.execute('SELECT id FROM products');
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    const got = (await r.query.collect()).flatMap((b) => b.rows);
    expect(got).toEqual([[1], [2]]);
  });

  it('checks the formats against the columns at CREATE TABLE', async () => {
    const { eddy, dir } = await session();
    const path = join(dir, 'x.txt');
    const two = await failure(eddy.execute(`CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'raw')`));
    expect(two.message).toMatch(/'raw' format reads and writes one column, but the table has 2: a, b/);
    const int = await failure(eddy.execute(`CREATE TABLE r (a INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'raw')`));
    expect(int.message).toMatch(/a STRING or BYTES column, but `a` is INT/);
    const avro = await failure(eddy.execute(`CREATE TABLE r (a INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'avro')`));
    expect(avro.message).toMatch(/'avro' records are bytes/);
    const schema = await failure(
      eddy.execute(`CREATE TABLE r (a INT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'avro', 'avro.schema' = '"string"')`),
    );
    expect(schema.message).toMatch(/'avro.schema': the schema must be a record/);
    // A computed column is not the raw column.
    await eddy.execute(`CREATE TABLE ok (line STRING, n AS CHAR_LENGTH(line)) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'raw')`);
  });

  it('reads and writes lines as a raw STRING column', async () => {
    const { eddy, dir } = await session();
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'hello world\n{"not":"json"}\n\nlast');
    await eddy.execute(`CREATE TABLE lines (line STRING) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'raw')`);
    const out = join(dir, 'out.txt');
    await eddy.execute(`CREATE TABLE upper_lines (line STRING) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'raw')`);
    await eddy.execute('INSERT INTO upper_lines SELECT UPPER(line) FROM lines');
    expect(readFileSync(out, 'utf8')).toBe('HELLO WORLD\n{"NOT":"JSON"}\n\nLAST\n');
  });
});
