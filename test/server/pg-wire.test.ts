/**
 * The Postgres wire protocol with the real node-postgres client: DDL, queries over a bounded table, the
 * extended protocol with parameters and row limits, push queries, type OIDs and text, errors with SQLSTATE
 * and position, cancelling, and password authentication.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pgClient, startTestServer, tempDir, writeJsonLines, type TestServer } from './helpers.js';

/** Type parsers that hand back the text the server sent, to check it exactly. */
const rawText = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

const ORDERS = [
  { id: 1, name: 'alice', amount: 12.5, paid: true, ts: '2024-01-01 10:00:00.120', qty: 3 },
  { id: 2, name: 'bob', amount: 7.25, paid: false, ts: '2024-01-01 10:00:01.000', qty: 1 },
  { id: 3, name: "O'Brien", amount: 30, paid: true, ts: '2024-01-02 23:59:59.999', qty: 2 },
  { id: 4, name: 'alice', amount: 0.1, paid: false, ts: '2024-01-03 00:00:00.000', qty: 5 },
];

/** Sends a CancelRequest for a connection, as libpq does on a new socket. */
function sendCancel(port: number, processId: number, secretKey: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0);
      msg.writeInt32BE(80877102, 4);
      msg.writeInt32BE(processId, 8);
      msg.writeInt32BE(secretKey, 12);
      socket.end(msg);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

describe('Postgres wire protocol (node-postgres)', () => {
  let server: TestServer;
  let client: pg.Client;
  const tmp = tempDir();
  const livePath = join(tmp.dir, 'live.json');

  beforeAll(async () => {
    server = await startTestServer({ httpPort: null });
    client = await pgClient(server.pgPort);
    const ordersPath = join(tmp.dir, 'orders.json');
    writeJsonLines(ordersPath, ORDERS);
    writeJsonLines(livePath, [{ id: 1, name: 'a' }]);
    await client.query(`CREATE TABLE orders (id BIGINT, name STRING, amount DOUBLE, paid BOOLEAN, ts TIMESTAMP(3), qty INT)
      WITH ('connector' = 'filesystem', 'path' = '${ordersPath}', 'format' = 'json')`);
    await client.query(`CREATE TABLE live (id BIGINT, name STRING)
      WITH ('connector' = 'filesystem', 'path' = '${livePath}', 'format' = 'json', 'source.monitor-interval' = '100ms')`);
  });

  afterAll(async () => {
    await client?.end();
    await server?.close();
    tmp.cleanup();
  });

  it('runs DDL and answers with a command tag', async () => {
    const res = await client.query(`CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 10`);
    expect(res.command).toBe('CREATE');
    expect(res.rows).toEqual([]);
  });

  it('returns the rows of a query over a bounded table, with Postgres types', async () => {
    const res = await client.query({ text: 'SELECT id, name, amount, paid, ts FROM orders', types: rawText });
    expect(res.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['id', 20],
      ['name', 25],
      ['amount', 701],
      ['paid', 16],
      ['ts', 1114],
    ]);
    expect(res.rows).toEqual([
      { id: '1', name: 'alice', amount: '12.5', paid: 't', ts: '2024-01-01 10:00:00.12' },
      { id: '2', name: 'bob', amount: '7.25', paid: 'f', ts: '2024-01-01 10:00:01' },
      { id: '3', name: "O'Brien", amount: '30', paid: 't', ts: '2024-01-02 23:59:59.999' },
      { id: '4', name: 'alice', amount: '0.1', paid: 'f', ts: '2024-01-03 00:00:00' },
    ]);
    expect(res.command).toBe('SELECT');
    expect(res.rowCount).toBe(4);
  });

  it('collapses an updating bounded query into its final rows', async () => {
    const res = await client.query('SELECT name, COUNT(*) AS n, SUM(qty) AS q FROM orders GROUP BY name');
    // alice: orders 1 and 4 (qty 3 + 5); bob: order 2; O'Brien: order 3.
    const rows = res.rows.map((r: { name: string; n: string; q: number }) => [r.name, Number(r.n), Number(r.q)]).sort();
    expect(rows).toEqual([
      ["O'Brien", 1, 2],
      ['alice', 2, 8],
      ['bob', 1, 1],
    ]);
  });

  it('binds $n parameters of the extended protocol as typed values', async () => {
    const res = await client.query('SELECT id, name FROM orders WHERE amount > $1 AND name <> $2', [10, 'bob']);
    expect(res.rows).toEqual([
      { id: '1', name: 'alice' },
      { id: '3', name: "O'Brien" },
    ]);
    // A quote inside a string parameter stays inside the literal.
    const quoted = await client.query('SELECT id FROM orders WHERE name = $1', ["O'Brien"]);
    expect(quoted.rows).toEqual([{ id: '3' }]);
    // A string that looks like SQL is only a string.
    const injection = await client.query('SELECT id FROM orders WHERE name = $1', ["x' OR TRUE OR name = '"]);
    expect(injection.rows).toEqual([]);
    // A prepared statement reused with other values.
    const named = { name: 'by-id', text: 'SELECT name FROM orders WHERE id = $1' };
    expect((await client.query({ ...named, values: [2] })).rows).toEqual([{ name: 'bob' }]);
    expect((await client.query({ ...named, values: [4] })).rows).toEqual([{ name: 'alice' }]);
    // `${name}` in a bound value is text, not a script variable to substitute.
    const variable = await client.query('SELECT $1 AS v FROM orders WHERE id = 1', ['price is ${amount}']);
    expect(variable.rows).toEqual([{ v: 'price is ${amount}' }]);
    // A negative number next to a minus sign does not become a `--` comment.
    expect((await client.query('SELECT id FROM orders WHERE id = 3 -$1', [-1])).rows).toEqual([{ id: '4' }]);
  });

  it('treats a parameter value as data, never as SQL', async () => {
    // Compared with a STRING column: the value is one string, whatever it holds.
    for (const value of ["'; DROP TABLE orders; --", '1 OR 1=1', "alice' OR '1'='1", "x' OR TRUE OR name = '"]) {
      expect((await client.query('SELECT id FROM orders WHERE name = $1', [value])).rows).toEqual([]);
    }
    // Returned as it was sent, quotes, semicolons, dollars and all.
    const nasty = "'; DROP TABLE orders; -- $1 ${amount} \\ \u0000?";
    expect((await client.query('SELECT $1 AS v', [nasty])).rows).toEqual([{ v: nasty }]);
    // Compared with a BIGINT column, `1 OR 1=1` is not a number: an error, not four rows.
    const notNumber = await client.query('SELECT id FROM orders WHERE id = $1', ['1 OR 1=1']).catch((e: pg.DatabaseError) => e);
    expect(notNumber).toMatchObject({ code: '22P02', position: '34', message: "Invalid value for parameter $1 (BIGINT): '1 OR 1=1' is not an integer" });
    // The table is still there, with its four rows.
    expect((await client.query('SELECT COUNT(*) AS n FROM orders')).rows).toEqual([{ n: '4' }]);
  });

  it('gives an untyped parameter the type of its context, and NULL as NULL', async () => {
    // amount is DOUBLE: '7.25' is 7.25 (as a string it would not compare with a DOUBLE at all).
    expect((await client.query('SELECT id FROM orders WHERE amount = $1', ['7.25'])).rows).toEqual([{ id: '2' }]);
    // ts is TIMESTAMP(3); paid is BOOLEAN; qty is INT, in arithmetic.
    expect((await client.query('SELECT id FROM orders WHERE ts >= $1 AND paid = $2', ['2024-01-02 00:00:00', true])).rows).toEqual([{ id: '3' }]);
    expect((await client.query('SELECT id FROM orders WHERE qty * $1 > 8', ['3'])).rows).toEqual([{ id: '1' }, { id: '4' }]);
    // BETWEEN and IN take the tested column's type; CAST gives its target type.
    expect((await client.query('SELECT id FROM orders WHERE id BETWEEN $1 AND $2', ['2', '3'])).rows).toEqual([{ id: '2' }, { id: '3' }]);
    expect((await client.query('SELECT id FROM orders WHERE id IN ($1, $2)', ['1', '4'])).rows).toEqual([{ id: '1' }, { id: '4' }]);
    const cast = await client.query({ text: 'SELECT CAST($1 AS INT) + 1 AS n', values: ['41'], types: rawText });
    expect([cast.fields[0]!.dataTypeID, cast.rows[0]]).toEqual([23, { n: '42' }]);
    // Nowhere to take a type from: STRING (text, OID 25).
    const plain = await client.query({ text: 'SELECT $1 AS v', values: ['42'], types: rawText });
    expect([plain.fields[0]!.dataTypeID, plain.rows[0]]).toEqual([25, { v: '42' }]);
    // NULL: nothing equals it; COALESCE sees it as NULL.
    expect((await client.query('SELECT id FROM orders WHERE name = $1', [null])).rows).toEqual([]);
    expect((await client.query('SELECT COALESCE($1, $2) AS v', [null, 'none'])).rows).toEqual([{ v: 'none' }]);
    // In an aggregating query too: COUNT(*) is BIGINT.
    const having = await client.query('SELECT name FROM orders GROUP BY name HAVING COUNT(*) > $1', ['1']);
    expect(having.rows).toEqual([{ name: 'alice' }]);
  });

  it('binds the parameters of an INSERT (planned again in the job thread) as data', async () => {
    const notesPath = join(tmp.dir, 'notes.json');
    await client.query(`CREATE TABLE notes (id BIGINT, note STRING) WITH ('connector' = 'filesystem', 'path' = '${notesPath}', 'format' = 'json')`);
    await client.query(`SET 'table.dml-sync' = 'true'`);
    try {
      const res = await client.query('INSERT INTO notes SELECT id, $1 FROM orders WHERE id = $2 OR name = $3', ["'; DROP TABLE orders; --", 2, '1 OR 1=1']);
      expect(res.command).toBe('INSERT');
    } finally {
      await client.query(`RESET 'table.dml-sync'`);
    }
    // Order 2 only: `1 OR 1=1` is a name no order has.
    const lines = readFileSync(notesPath, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ id: 2, note: "'; DROP TABLE orders; --" }]);
    expect((await client.query('SELECT COUNT(*) AS n FROM orders')).rows).toEqual([{ n: '4' }]);
  });

  it('refuses a $n with no value, outside the extended protocol', async () => {
    // The simple protocol has no values to bind: `client.query` without values sends a simple Query.
    const simple = await client.query('SELECT id FROM orders WHERE id = $1').catch((e: pg.DatabaseError) => e);
    expect(simple).toMatchObject({ code: '22P02', position: '34', message: 'Parameter $1 has no value', detail: 'EDDY-S005' });
  });

  it('hands rows out in pieces when Execute has a row limit (PortalSuspended)', async () => {
    // node-postgres sends Execute with a limit of `rows` and executes again after each PortalSuspended.
    const query = new pg.Query({ text: 'SELECT id FROM orders WHERE id > $1', values: [0], rows: 3 } as pg.QueryConfig);
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      const got: unknown[] = [];
      query.on('row', (r: unknown) => got.push(r));
      query.on('end', () => resolve(got));
      query.on('error', reject);
      void client.query(query);
    });
    expect(rows).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }, { id: '4' }]);
  });

  it('renders every kind of value as Postgres does', async () => {
    const sql = `SELECT CAST(1.5 AS DECIMAL(10,2)) AS d, CAST(0.1 AS FLOAT) AS f, CAST(1e20 AS DOUBLE) AS dd,
      CAST(0.00001 AS DOUBLE) AS small, TRUE AS b, DATE '2024-02-29' AS dt, TIME '10:00:01' AS t,
      INTERVAL '1' DAY AS i, TO_TIMESTAMP_LTZ(1704103200123, 3) AS ltz, CAST(-7 AS SMALLINT) AS s,
      CAST(9007199254740991 AS BIGINT) AS big, CAST(NULL AS STRING) AS n`;
    const raw = await client.query({ text: sql, types: rawText });
    expect(raw.fields.map((f) => f.dataTypeID)).toEqual([1700, 700, 701, 701, 16, 1082, 1083, 1186, 1184, 21, 20, 25]);
    expect(raw.rows[0]).toEqual({
      d: '1.50',
      f: '0.1',
      dd: '1e+20',
      small: '1e-05',
      b: 't',
      dt: '2024-02-29',
      t: '10:00:01',
      i: '1 day',
      ltz: '2024-01-01 10:00:00.123+00',
      s: '-7',
      big: '9007199254740991',
      n: null,
    });
    // node-postgres's own parsers read them back as the values they are.
    const parsed = (await client.query(sql)).rows[0] as Record<string, unknown>;
    expect(parsed['ltz']).toEqual(new Date(Date.UTC(2024, 0, 1, 10, 0, 0, 123)));
    expect(parsed['f']).toBe(0.1);
    expect(parsed['dd']).toBe(1e20);
    expect(parsed['b']).toBe(true);
    expect(parsed['s']).toBe(-7);
    expect(parsed['d']).toBe('1.50');
    expect(parsed['big']).toBe('9007199254740991');
  });

  it('reports errors with SQLSTATE, position and hint, and the connection goes on', async () => {
    const syntax = await client.query('SELEC 1').catch((e: pg.DatabaseError) => e);
    expect(syntax).toMatchObject({ code: '42601', position: '1', detail: 'EDDY-P001', hint: 'did you mean `SELECT`?' });
    const missing = await client.query('SELECT * FROM nope').catch((e: pg.DatabaseError) => e);
    expect(missing).toMatchObject({ code: '42P01', position: '15', message: "Table or view 'nope' does not exist" });
    // In the extended protocol the position points into the statement as written, before binding.
    const column = await client.query('SELECT id FROM orders WHERE name = $1 AND nosuch = 1', ['a much longer value than $1']).catch((e: pg.DatabaseError) => e);
    expect(column).toMatchObject({ code: '42703', position: '43' });
    // A value that is not valid for the parameter's type: at the parameter.
    const param = await client.query('SELECT id FROM orders WHERE id = $1', ['x']).catch((e: pg.DatabaseError) => e);
    expect(param).toMatchObject({ code: '22P02', position: '34', message: "Invalid value for parameter $1 (BIGINT): 'x' is not an integer" });
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs the statements of a simple query in order and stops at the first error', async () => {
    const err = await client.query(`SET 'pipeline.name' = 'a'; SELECT * FROM nope; SET 'pipeline.name' = 'b'`).catch((e: pg.DatabaseError) => e);
    // The position counts from the start of the whole string: `nope` is at character 42.
    expect(err).toMatchObject({ code: '42P01', position: '42' });
    const settings = await client.query('SET');
    const name = (settings.rows as { key: string; value: string }[]).find((r) => r.key === 'pipeline.name');
    expect(name?.value).toBe('a');
    await client.query(`RESET 'pipeline.name'`);
  });

  it('answers the session statements clients send', async () => {
    expect((await client.query('SELECT version()')).rows[0].version).toMatch(/^PostgreSQL 14\.0 \(Eddy /);
    expect((await client.query("SET application_name = 'x'")).command).toBe('SET');
    expect((await client.query('SHOW application_name')).rows).toEqual([{ application_name: 'x' }]);
    expect((await client.query('SHOW TimeZone')).rows).toEqual([{ timezone: 'UTC' }]);
    expect((await client.query('BEGIN')).command).toBe('BEGIN');
    expect((await client.query('COMMIT')).command).toBe('COMMIT');
    const catalog = await client.query('SELECT relname FROM pg_catalog.pg_class').catch((e: pg.DatabaseError) => e);
    expect(catalog).toMatchObject({ code: '0A000', detail: 'EDDY-S003' });
    expect((await client.query('SELECT current_database()')).rows).toEqual([{ current_database: 'anything' }]);
  });

  it('shows timestamptz in the session time zone', async () => {
    await client.query(`SET TIME ZONE 'Asia/Kolkata'`);
    try {
      const res = await client.query({ text: 'SELECT TO_TIMESTAMP_LTZ(1704103200000, 3) AS t', types: rawText });
      expect(res.rows[0].t).toBe('2024-01-01 15:30:00+05:30');
      // A fixed offset is a time zone too (as in Eddy's table.local-time-zone); an unknown name is refused.
      await client.query(`SET TIME ZONE '-03:00'`);
      expect((await client.query({ text: 'SELECT TO_TIMESTAMP_LTZ(1704103200000, 3) AS t', types: rawText })).rows[0].t).toBe('2024-01-01 07:00:00-03');
      await expect(client.query(`SET TIME ZONE 'Mars/Olympus'`)).rejects.toThrow('invalid value for parameter "TimeZone": "Mars/Olympus"');
    } finally {
      await client.query(`SET TIME ZONE 'UTC'`);
    }
  });

  it('streams a push query until its LIMIT, seeing rows appended meanwhile', async () => {
    const pending = client.query('SELECT id, name FROM live LIMIT 3');
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(livePath, [{ id: 2, name: 'b' }, { id: 3, name: 'c' }, { id: 4, name: 'd' }].map((r) => JSON.stringify(r) + '\n').join(''));
    const res = await pending;
    expect(res.fields.map((f) => f.name)).toEqual(['op', 'id', 'name']);
    expect(res.rows).toEqual([
      { op: '+I', id: '1', name: 'a' },
      { op: '+I', id: '2', name: 'b' },
      { op: '+I', id: '3', name: 'c' },
    ]);
  });

  it('cancels a push query on CancelRequest', async () => {
    const other = await pgClient(server.pgPort);
    try {
      const pending = other.query('SELECT id FROM live').catch((e: pg.DatabaseError) => e);
      await eventually(async () => (await client.query('SHOW JOBS')).rows.length === 1);
      const { processID, secretKey } = other as unknown as { processID: number; secretKey: number };
      await sendCancel(server.pgPort, processID, secretKey);
      expect(await pending).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      await eventually(async () => (await client.query('SHOW JOBS')).rows.length === 0);
      expect((await other.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await other.end();
    }
  });

  it('cancels a push query when its client disconnects', async () => {
    const other = await pgClient(server.pgPort);
    other.on('error', () => {});
    void other.query('SELECT id FROM live').catch(() => {});
    await eventually(async () => (await client.query('SHOW JOBS')).rows.length === 1);
    (other as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await eventually(async () => (await client.query('SHOW JOBS')).rows.length === 0);
  });
});

describe('Postgres password authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ httpPort: null, pgPassword: 's3cret' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('accepts the right password for any user and refuses a wrong one', async () => {
    const ok = await pgClient(server.pgPort, { user: 'whoever', password: 's3cret' });
    expect((await ok.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    await ok.end();
    const wrong = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'whoever', password: 'nope' });
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
  });
});
