/**
 * The real `psql` against the Postgres protocol server: DDL, a query over a bounded table as psql prints
 * it, how psql renders each type, a push query with LIMIT, errors with their position, session statements.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psql, startTestServer, tempDir, writeJsonLines, type TestServer } from './helpers.js';

function hasPsql(): boolean {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// .ci/run installs postgresql-client; without it (a bare developer machine) these tests are skipped.
describe.runIf(hasPsql())('psql', () => {
  let server: TestServer;
  const tmp = tempDir();
  const livePath = join(tmp.dir, 'live.json');
  const ordersPath = join(tmp.dir, 'orders.json');

  beforeAll(async () => {
    server = await startTestServer({ httpPort: null });
    writeJsonLines(ordersPath, [
      { id: 1, name: 'alice', amount: 12.5, ts: '2024-01-01 10:00:00.120' },
      { id: 2, name: 'bob', amount: 7.25, ts: '2024-01-01 10:00:01.000' },
      { id: 3, name: 'alice', amount: 30, ts: '2024-01-02 23:59:59.999' },
    ]);
    writeJsonLines(livePath, [{ id: 1, name: 'a' }]);
  });

  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('runs DDL, then a query over a bounded table, printed as psql prints Postgres results', async () => {
    const ddl = await psql(server.pgPort, [
      '-c',
      `CREATE TABLE orders (id INT, name STRING, amount DOUBLE, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${ordersPath}', 'format' = 'json')`,
    ]);
    expect(ddl).toMatchObject({ code: 0, stdout: 'CREATE TABLE\n' });
    const res = await psql(server.pgPort, ['-c', 'SELECT id, name, amount, ts FROM orders']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(
      [
        ' id | name  | amount |           ts            ',
        '----+-------+--------+-------------------------',
        '  1 | alice |   12.5 | 2024-01-01 10:00:00.12',
        '  2 | bob   |   7.25 | 2024-01-01 10:00:01',
        '  3 | alice |     30 | 2024-01-02 23:59:59.999',
        '(3 rows)',
        '',
        '',
      ].join('\n'),
    );
    const totals = await psql(server.pgPort, ['-A', '-t', '-c', 'SELECT name, SUM(amount) AS total FROM orders GROUP BY name']);
    // alice: 12.5 + 30; bob: 7.25 — an updating aggregate collapsed into its final rows.
    expect(totals.stdout.trim().split('\n').sort()).toEqual(['alice|42.5', 'bob|7.25']);
  });

  it('renders timestamps, numbers, booleans, dates and intervals as Postgres does', async () => {
    const res = await psql(server.pgPort, [
      '-A',
      '-F',
      '|',
      '-c',
      `SELECT TIMESTAMP '2024-03-05 07:08:09.5' AS ts, TO_TIMESTAMP_LTZ(0, 3) AS ltz, CAST(2.5 AS DECIMAL(6,3)) AS dec,
        CAST(1e15 AS DOUBLE) AS big, 1 < 2 AS yes, DATE '1999-12-31' AS last_day, INTERVAL '90' MINUTE AS ninety,
        INTERVAL '-2' DAY AS back, CAST(NULL AS INT) AS nothing`,
    ]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(
      [
        'ts|ltz|dec|big|yes|last_day|ninety|back|nothing',
        '2024-03-05 07:08:09.5|1970-01-01 00:00:00+00|2.500|1e+15|t|1999-12-31|01:30:00|-2 days|',
        '(1 row)',
        '',
      ].join('\n'),
    );
  });

  it('streams a push query with a leading op column until its LIMIT', async () => {
    await psql(server.pgPort, ['-c', `CREATE TABLE live (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${livePath}', 'format' = 'json', 'source.monitor-interval' = '100ms')`]);
    const pending = psql(server.pgPort, ['-A', '-c', 'SELECT id, name FROM live LIMIT 2']);
    setTimeout(() => appendFileSync(livePath, JSON.stringify({ id: 2, name: 'b' }) + '\n'), 300);
    const res = await pending;
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(['op|id|name', '+I|1|a', '+I|2|b', '(2 rows)', ''].join('\n'));
  });

  it('prints errors with the position of the offending text', async () => {
    const res = await psql(server.pgPort, ['-c', 'SELECT nosuch FROM orders']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      [
        "ERROR:  Column 'nosuch' not found",
        'LINE 1: SELECT nosuch FROM orders',
        '               ^',
        'DETAIL:  EDDY-B002',
        'HINT:  available columns: id, name, amount, ts',
        '',
      ].join('\n'),
    );
  });

  it('answers session statements and refuses catalog queries with a clear error', async () => {
    const res = await psql(server.pgPort, ['-A', '-t', '-c', "SET client_encoding TO 'UTF8'", '-c', 'SHOW server_version', '-c', 'SHOW TABLES']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(['SET', '14.0', 'live', 'orders', ''].join('\n'));
    const d = await psql(server.pgPort, ['-c', '\\d']);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^ERROR: {2}Eddy has no Postgres system catalogs \(pg_catalog, information_schema\)\n/);
  });

  it('asks for the password when one is set', async () => {
    const secured = await startTestServer({ httpPort: null, pgPassword: 'pw' });
    try {
      const ok = await psql(secured.pgPort, ['-A', '-t', '-c', 'SELECT 41 + 1'], { PGPASSWORD: 'pw' });
      expect(ok).toMatchObject({ code: 0, stdout: '42\n' });
      const bad = await psql(secured.pgPort, ['-w', '-c', 'SELECT 1'], { PGPASSWORD: 'wrong' });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('password authentication failed for user "someone"');
    } finally {
      await secured.close();
    }
  });
});
