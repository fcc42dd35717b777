/**
 * Exact numbers over the servers: a materialized view (its job in the job thread, its table in SQLite)
 * holding BIGINT values beyond 2^53, a wrapped BIGINT SUM and a DECIMAL(38, 3) sum, read by pull queries
 * over Postgres (node-postgres, psql) and HTTP, whose JSON has the exact digits. Expected values are
 * computed here with BigInt arithmetic.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pgClient, psql, startTestServer, tempDir, type TestServer } from './helpers.js';

const MAX = 2n ** 63n - 1n;
const long = (x: bigint) => BigInt.asIntN(64, x);

describe('exact BIGINT and DECIMAL over Postgres and HTTP', () => {
  let server: TestServer;
  let client: pg.Client;
  const tmp = tempDir();
  const input = join(tmp.dir, 'in.json');
  // Group 1: three times 2^62 (the SUM wraps), ids up to 2^63 - 1; group 2: one id just past 2^53.
  const records = [
    { k: 1, id: MAX, x: 2n ** 62n, d: '12345678901234567890.123' },
    { k: 1, id: 1234567890123456789n, x: 2n ** 62n, d: '0.001' },
    { k: 1, id: 2n ** 53n + 1n, x: 2n ** 62n, d: '0.000' },
    { k: 2, id: 2n ** 53n + 1n, x: 5n, d: '-1.5' },
  ];
  const sumX = long(3n * 2n ** 62n);

  beforeAll(async () => {
    server = await startTestServer();
    client = await pgClient(server.pgPort);
    // By hand (JSON.stringify cannot write a bigint), with one id outside BIGINT: a bad record, skipped.
    const lines = records.map((r) => `{"k": ${r.k}, "id": ${r.id}, "x": ${r.x}, "d": ${r.d}}`);
    lines.splice(1, 0, `{"k": 1, "id": 9223372036854775808, "x": 1, "d": 1}`);
    writeFileSync(input, lines.join('\n') + '\n');
    await client.query(
      `CREATE TABLE t (k INT, id BIGINT, x BIGINT, d DECIMAL(38, 3)) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'errors.policy' = 'skip')`,
    );
    await client.query('CREATE MATERIALIZED VIEW v AS SELECT k, SUM(x) AS s, MAX(id) AS mx, MIN(id) AS mn, SUM(d) AS sd, COUNT(*) AS c FROM t GROUP BY k');
    await eventually(async () => (await client.query('SELECT c FROM v WHERE k = 1')).rows[0]?.c === '3');
  });

  afterAll(async () => {
    await client?.end();
    await server?.close();
    tmp.cleanup();
  });

  it('answers pull queries over node-postgres with the exact digits (int8 and numeric as text)', async () => {
    const { rows } = await client.query('SELECT k, s, mx, mn, sd, c FROM v ORDER BY k');
    expect(rows).toEqual([
      // Hand-checked: 3 * 2^62 wraps to -4611686018427387904; 12345678901234567890.123 + 0.001 + 0.
      { k: 1, s: '-4611686018427387904', mx: MAX.toString(), mn: (2n ** 53n + 1n).toString(), sd: '12345678901234567890.124', c: '3' },
      { k: 2, s: '5', mx: (2n ** 53n + 1n).toString(), mn: (2n ** 53n + 1n).toString(), sd: '-1.500', c: '1' },
    ]);
    expect(rows[0].s).toBe(sumX.toString());
    // A filter on a BIGINT beyond 2^53, with the value as a parameter.
    const byParam = await client.query('SELECT k FROM v WHERE mx = $1', [MAX.toString()]);
    expect(byParam.rows).toEqual([{ k: 1 }]);
    const arithmetic = await client.query('SELECT mx - 1 AS a, MOD(mx, 10) AS m, sd * 2 AS d2 FROM v WHERE k = 1');
    expect(arithmetic.rows).toEqual([{ a: (MAX - 1n).toString(), m: (MAX % 10n).toString(), d2: '24691357802469135780.248' }]);
  });

  it('answers over psql: MOD(9223372036854775807, 10) is 7, and the view reads back exactly', async () => {
    const mod = await psql(server.pgPort, ['-A', '-t', '-c', 'SELECT MOD(9223372036854775807, 10)']);
    expect(mod.stdout).toBe(`${9223372036854775807n % 10n}\n`);
    const view = await psql(server.pgPort, ['-A', '-t', '-c', 'SELECT s, mx, sd FROM v WHERE k = 1']);
    expect(view.stdout).toBe(`${sumX}|${MAX}|12345678901234567890.124\n`);
  });

  it('answers over HTTP with JSON numbers holding the exact digits', async () => {
    const res = await fetch(`${server.httpUrl}/v1/statement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.auth },
      body: JSON.stringify({ sql: 'SELECT k, s, mx, sd FROM v ORDER BY k' }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    // The rows as written, number by number (JSON.parse would round them).
    expect(text).toContain(`"rows":[[1,${sumX},${MAX},12345678901234567890.124],[2,5,${2n ** 53n + 1n},-1.5]]`);
    const body = JSON.parse(text) as { columns: { name: string; type: string }[] };
    expect(body.columns.map((c) => c.type)).toEqual(['INT', 'BIGINT', 'BIGINT', 'DECIMAL(38, 3)']);
  });
});
