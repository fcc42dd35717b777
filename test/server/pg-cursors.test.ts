/**
 * SQL cursors over the Postgres protocol: psql with FETCH_COUNT prints a push query's rows while the query
 * runs (it wraps the query in DECLARE / FETCH FORWARD n / CLOSE); the same statements from node-postgres;
 * their errors.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pgClient, startTestServer, tempDir, writeJsonLines, type TestServer } from './helpers.js';

describe('cursors', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'live.json');
  let server: TestServer;
  let client: pg.Client;

  beforeAll(async () => {
    writeJsonLines(
      file,
      Array.from({ length: 12 }, (_, i) => ({ n: i + 1 })),
    );
    server = await startTestServer();
    client = await pgClient(server.pgPort);
    // A monitored file: the source never ends, so a query on it is a push query.
    await client.query(`CREATE TABLE live (n INT) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'json', 'source.monitor-interval' = '100ms')`);
  });

  afterAll(async () => {
    await client.end();
    await server.close();
    tmp.cleanup();
  });

  it('psql with FETCH_COUNT prints a push query’s rows before the query ends, and more as they arrive', async () => {
    const psql = spawn('psql', ['-X', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'u', '-d', 'd', '-v', 'FETCH_COUNT=5', '-c', 'SELECT n FROM live'], {
      env: { ...process.env, PGSSLMODE: 'prefer', PGCONNECT_TIMEOUT: '10', PGPASSWORD: server.token! },
    });
    let stdout = '';
    let stderr = '';
    psql.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    psql.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => psql.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    const numbers = () => [...stdout.matchAll(/^ \+I \| +(\d+)$/gm)].map((m) => Number(m[1]));
    try {
      // Two full batches of 5 (1..10); the third FETCH waits: only 11 and 12 are there so far.
      await eventually(() => numbers().length >= 10, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(numbers()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(running).toBe(true);
      expect(stdout).toMatch(/^ op \| n +\n-+\+-+\n/);
      // Three more rows complete the third batch, which psql prints at once.
      appendFileSync(file, [13, 14, 15].map((n) => JSON.stringify({ n }) + '\n').join(''));
      await eventually(() => numbers().length >= 15, 20_000);
      expect(numbers()).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(running).toBe(true);
      expect(stderr).toBe('');
    } finally {
      psql.kill('SIGTERM');
      await exited;
    }
    // psql's connection closed: its cursor's query was cancelled.
    await eventually(async () => (await client.query('SHOW JOBS')).rows.length === 0);
  }, 60_000);

  it("node-postgres: a Query's row events deliver a push query's rows while it runs", async () => {
    const other = await pgClient(server.pgPort);
    other.on('error', () => {});
    const seen: number[] = [];
    const query = other.query(new (await import('pg')).default.Query('SELECT n FROM live WHERE n <= 12'));
    query.on('row', (row: { n: number }) => void seen.push(row.n));
    query.on('error', () => {});
    await eventually(() => seen.length === 12);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    await other.end().catch(() => {});
    await eventually(async () => (await client.query('SHOW JOBS')).rows.length === 0);
  });

  it('DECLARE / FETCH / CLOSE from node-postgres: batches of a push query, FETCH ALL of a bounded one', async () => {
    expect((await client.query('BEGIN')).command).toBe('BEGIN');
    expect((await client.query('DECLARE c CURSOR FOR SELECT n FROM live WHERE n > 10')).command).toBe('DECLARE');
    const first = await client.query('FETCH FORWARD 3 FROM c');
    expect(first.command).toBe('FETCH');
    expect(first.rowCount).toBe(3);
    expect(first.rows.map((r: { n: number }) => r.n)).toEqual([11, 12, 13]);
    expect((await client.query('FETCH 2 IN c')).rows.map((r: { n: number }) => r.n)).toEqual([14, 15]);
    expect((await client.query('CLOSE c')).command).toBe('CLOSE');
    await eventually(async () => (await client.query('SHOW JOBS')).rows.length === 0);
    expect((await client.query('COMMIT')).command).toBe('COMMIT');

    await client.query('DECLARE "Bounded" CURSOR FOR VALUES (1), (2), (3)');
    expect((await client.query('FETCH 2 FROM "Bounded"')).rows.length).toBe(2);
    const rest = await client.query('FETCH ALL FROM "Bounded"');
    expect(rest.rowCount).toBe(1);
    expect((await client.query('FETCH 5 FROM "Bounded"')).rowCount).toBe(0);
    // COMMIT ends the transaction, and with it the cursor.
    await client.query('COMMIT');
    await expect(client.query('FETCH 1 FROM "Bounded"')).rejects.toMatchObject({ code: '34000', message: 'cursor "Bounded" does not exist' });
  });

  it('refuses unknown cursors and DECLARE over a statement without rows, and points into the declared query', async () => {
    await expect(client.query('FETCH 1 FROM nosuch')).rejects.toMatchObject({ code: '34000', message: 'cursor "nosuch" does not exist' });
    await expect(client.query('CLOSE nosuch')).rejects.toMatchObject({ code: '34000' });
    await expect(client.query("DECLARE d CURSOR FOR SET 'pipeline.name' = 'x'")).rejects.toMatchObject({ code: '42601', message: 'DECLARE CURSOR can only be used with a query that returns rows' });
    const sql = 'DECLARE e CURSOR FOR SELECT nosuch FROM live';
    const err = (await client.query(sql).catch((e: unknown) => e)) as pg.DatabaseError;
    expect(err.code).toBe('42703');
    // Postgres positions are 1-based: the unknown column's first character.
    expect(Number(err.position)).toBe(sql.indexOf('nosuch') + 1);
  });
});
