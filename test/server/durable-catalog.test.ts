/**
 * The catalog of `eddy serve --state-dir` survives a restart: tables, views and materialized views created
 * over psql and HTTP come back (the views' jobs resume from their checkpoints), run as real `eddy serve`
 * processes. DROP TABLE refuses to break the views that depend on it, and CASCADE drops them too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually, jsonLines, psql, tempDir, writeJsonLines } from './helpers.js';

const EDDY = fileURLToPath(new URL('../../bin/eddy.js', import.meta.url));

/** A real `eddy serve` process on free ports. */
async function startServe(stateDir: string): Promise<{ pgPort: number; httpUrl: string; out: () => string; stop: () => Promise<number | null> }> {
  const child: ChildProcess = spawn(process.execPath, [EDDY, 'serve', '--port', '0', '--pg-port', '0', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await eventually(() => {
    if (child.exitCode !== null) throw new Error(`eddy serve exited ${child.exitCode}: ${err}`);
    return out.includes('Stop with Ctrl-C.');
  }, 30_000);
  return {
    pgPort: Number(/Postgres +psql -h 127\.0\.0\.1 -p (\d+)/.exec(out)![1]),
    httpUrl: `http://127.0.0.1:${/HTTP +http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1]}`,
    out: () => out,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** psql's unaligned output of one statement, rows only. */
async function query(port: number, sql: string): Promise<string[]> {
  const res = await psql(port, ['-A', '-t', '-F', ',', '-c', sql]);
  if (res.code !== 0) throw new Error(`psql failed: ${res.stderr}`);
  return res.stdout.split('\n').filter((l) => l !== '');
}

describe('a durable catalog', () => {
  it('keeps DDL made over psql and HTTP across restarts, resumes views, and refuses a DROP that breaks them', async () => {
    const tmp = tempDir();
    const state = join(tmp.dir, 'state');
    const data = join(tmp.dir, 'orders.json');
    writeJsonLines(data, [
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
      { k: 'a', v: 3 },
    ]);
    try {
      let server = await startServe(state);
      const ddl = await psql(server.pgPort, [
        '-c', "SET 'execution.checkpointing.interval' = '200 ms'",
        '-c', `CREATE TABLE orders (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json', 'source.monitor-interval' = '100ms')`,
        '-c', 'CREATE VIEW big_orders AS SELECT k, v FROM orders WHERE v > 1',
        '-c', 'CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k',
        '-c', "CREATE TEMPORARY TABLE scratch (x INT) WITH ('connector' = 'blackhole')",
      ]);
      expect(ddl.stderr.replace(/NOTICE: .*\n/g, '')).toBe('');
      // Over HTTP too.
      const created = await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: "CREATE TABLE sink (k STRING, s INT) WITH ('connector' = 'blackhole')" });
      expect(created.status).toBe(200);
      // a: 1 + 3, b: 2 — committed by a checkpoint before the server stops.
      await eventually(async () => (await query(server.pgPort, 'SELECT k, s FROM totals ORDER BY k')).join(';') === 'a,4;b,2', 30_000);

      const refused = await psql(server.pgPort, ['-c', 'DROP TABLE orders']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("ERROR:  Cannot drop orders: view 'big_orders', materialized view 'totals' depend on it");
      expect(refused.stderr).toContain('HINT:  drop them first, or add CASCADE to drop them too: DROP TABLE orders CASCADE');
      expect(await server.stop()).toBe(0);

      // The kept DDL is the statements' text, in creation order; the temporary table is not kept.
      const kept = JSON.parse(readFileSync(join(state, 'catalog.json'), 'utf8')) as { statements: { name: string; sql: string }[] };
      expect(kept.statements.map((s) => s.name)).toEqual(['orders', 'big_orders', 'totals', 'sink']);
      expect(kept.statements[1]!.sql).toBe('CREATE VIEW big_orders AS SELECT k, v FROM orders WHERE v > 1');

      server = await startServe(state);
      expect(await query(server.pgPort, 'SHOW TABLES')).toEqual(['big_orders', 'orders', 'sink', 'totals']);
      expect(await query(server.pgPort, 'SHOW VIEWS')).toEqual(['big_orders']);
      // The view's job resumed from its checkpoint (logged), with the rows it had committed.
      const resumed = jsonLines(server.out()).find((l) => l['event'] === 'job.resumed');
      expect(resumed).toMatchObject({ kind: 'view', name: 'CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k' });
      expect(resumed!['checkpoint']).toBeGreaterThanOrEqual(1);
      expect(jsonLines(server.out()).find((l) => l['event'] === 'catalog.restored')).toMatchObject({ restored: ['orders', 'big_orders', 'totals', 'sink'] });
      expect(await query(server.pgPort, 'SELECT k, s FROM totals ORDER BY k')).toEqual(['a,4', 'b,2']);
      // It goes on from where it was: a new order is added once, not the old ones again.
      appendFileSync(data, JSON.stringify({ k: 'b', v: 10 }) + '\n');
      await eventually(async () => (await query(server.pgPort, 'SELECT k, s FROM totals ORDER BY k')).join(';') === 'a,4;b,12', 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await query(server.pgPort, 'SELECT k, s FROM totals ORDER BY k')).toEqual(['a,4', 'b,12']);

      const cascade = await psql(server.pgPort, ['-c', 'DROP TABLE orders CASCADE']);
      expect(cascade.code).toBe(0);
      expect(cascade.stdout).toContain('DROP TABLE');
      expect(await query(server.pgPort, 'SHOW TABLES')).toEqual(['sink']);
      expect(await server.stop()).toBe(0);

      server = await startServe(state);
      expect(await query(server.pgPort, 'SHOW TABLES')).toEqual(['sink']);
      expect(await server.stop()).toBe(0);
    } finally {
      tmp.cleanup();
    }
  }, 180_000);
});
