/**
 * Materialized views through the servers: created over the Postgres protocol, pull queries answered over
 * Postgres (node-postgres, psql) and HTTP (with freshness), push queries (`EMIT CHANGES`) that start with
 * the view's snapshot and then stream each change as rides are appended.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pgClient, psql, startTestServer, tempDir, writeJsonLines, type TestServer } from './helpers.js';

describe('materialized views over the servers', () => {
  let server: TestServer;
  let client: pg.Client;
  const tmp = tempDir();
  const rides = join(tmp.dir, 'rides.json');

  const addRide = (taxi: number) => appendFileSync(rides, JSON.stringify({ taxi }) + '\n');
  const post = async (sql: string) => (await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth }, body: JSON.stringify({ sql }) })).json() as Promise<any>;

  beforeAll(async () => {
    server = await startTestServer();
    client = await pgClient(server.pgPort);
    // Taxi 1 has two rides, taxi 2 one.
    writeJsonLines(rides, [{ taxi: 1 }, { taxi: 2 }, { taxi: 1 }]);
    await client.query(`CREATE TABLE rides (taxi INT) WITH ('connector' = 'filesystem', 'path' = '${rides}', 'format' = 'json', 'source.monitor-interval' = '100ms')`);
  });

  afterAll(async () => {
    await client?.end();
    await server?.close();
    tmp.cleanup();
  });

  it('creates a view over Postgres, then answers pull queries over Postgres, psql and HTTP', async () => {
    const created = await client.query('CREATE MATERIALIZED VIEW trips AS SELECT taxi, COUNT(*) AS n FROM rides GROUP BY taxi');
    expect(created.command).toBe('CREATE');
    await eventually(async () => (await client.query('SELECT n FROM trips WHERE taxi = 1')).rows[0]?.n === '2');
    expect((await client.query('SELECT taxi, n FROM trips ORDER BY taxi')).rows).toEqual([
      { taxi: 1, n: '2' },
      { taxi: 2, n: '1' },
    ]);
    const viaPsql = await psql(server.pgPort, ['-A', '-t', '-c', 'SELECT taxi, n FROM trips WHERE taxi = 2']);
    expect(viaPsql.stdout).toBe('2|1\n');
    const viaHttp = await post('SELECT taxi, n FROM trips ORDER BY taxi');
    expect(viaHttp.columns).toEqual([
      { name: 'taxi', type: 'INT' },
      { name: 'n', type: 'BIGINT NOT NULL' },
    ]);
    expect(viaHttp.rows).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(viaHttp.freshness.map((f: { view: string }) => f.view)).toEqual(['trips']);
  });

  it('streams a push query on the view over HTTP: the snapshot, then each change', async () => {
    const abort = new AbortController();
    const res = await fetch(`${server.httpUrl}/v1/statement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.auth },
      body: JSON.stringify({ sql: 'SELECT taxi, n FROM trips EMIT CHANGES' }),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const next = async (): Promise<any> => {
      for (;;) {
        const at = buffer.indexOf('\n');
        if (at >= 0) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 1);
          return JSON.parse(line);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    expect(await next()).toMatchObject({ changelog: 'updating', upsertKey: ['taxi'] });
    const snapshot = [await next(), await next()];
    expect(snapshot.sort((a, b) => a.row[0] - b.row[0])).toEqual([
      { op: '+I', row: [1, 2] },
      { op: '+I', row: [2, 1] },
    ]);
    addRide(2);
    expect(await next()).toEqual({ op: '-U', row: [2, 1] });
    expect(await next()).toEqual({ op: '+U', row: [2, 2] });
    addRide(3);
    expect(await next()).toEqual({ op: '+I', row: [3, 1] });
    abort.abort();
    await eventually(async () => (await post('SHOW JOBS')).rows.length === 1); // only the view's own job is left
  });

  it('streams a push query on the view over Postgres until its LIMIT', async () => {
    // Now: taxi 1 → 2 rides, taxi 2 → 2, taxi 3 → 1. The snapshot is three rows; one more ride for taxi 3
    // retracts its count and adds the new one.
    const pending = client.query('SELECT taxi, n FROM trips EMIT CHANGES LIMIT 5');
    await new Promise((r) => setTimeout(r, 300));
    addRide(3);
    const res = await pending;
    expect(res.fields.map((f) => f.name)).toEqual(['op', 'taxi', 'n']);
    const rows = res.rows as { op: string; taxi: number; n: string }[];
    expect(rows.slice(0, 3).sort((a, b) => a.taxi - b.taxi)).toEqual([
      { op: '+I', taxi: 1, n: '2' },
      { op: '+I', taxi: 2, n: '2' },
      { op: '+I', taxi: 3, n: '1' },
    ]);
    expect(rows.slice(3)).toEqual([
      { op: '-U', taxi: 3, n: '1' },
      { op: '+U', taxi: 3, n: '2' },
    ]);
  });
});
