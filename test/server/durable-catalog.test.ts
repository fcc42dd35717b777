/**
 * The catalog of `eddy serve --state-dir` survives a restart: tables, views and materialized views created
 * over psql and HTTP come back (the views' jobs resume from their checkpoints), run as real `eddy serve`
 * processes. DROP TABLE refuses to break the views that depend on it, and CASCADE drops them too.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, jsonLines, psql, tempDir, writeJsonLines } from './helpers.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

/** A real `eddy serve` process with HTTP and Postgres on free ports. */
type Served = ServeProcess & { readonly pgPort: number; readonly httpUrl: string };

/** Starts `eddy serve` on free ports, keeping its state in `stateDir`; clients' files may lie under `allowed`. */
async function startServe(stateDir: string, allowed: string): Promise<Served> {
  const server = await startServeProcess(['--port', '0', '--pg-port', '0', '--state-dir', stateDir, '--allow-path', allowed]);
  return { ...server, pgPort: server.pgPort!, httpUrl: `http://127.0.0.1:${server.httpPort}` };
}

/** Runs the real psql against `server`, with its token (read from the file it printed) as the password. */
function psqlOn(server: Served, args: readonly string[]): ReturnType<typeof psql> {
  return psql(server.pgPort, args, { PGPASSWORD: server.token! });
}

/** psql's unaligned output of one statement, rows only. */
async function query(server: Served, sql: string): Promise<string[]> {
  const res = await psqlOn(server, ['-A', '-t', '-F', ',', '-c', sql]);
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
      let server = await startServe(state, tmp.dir);
      const ddl = await psqlOn(server, [
        '-c', "SET 'execution.checkpointing.interval' = '200 ms'",
        '-c', `CREATE TABLE orders (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json', 'source.monitor-interval' = '100ms')`,
        '-c', 'CREATE VIEW big_orders AS SELECT k, v FROM orders WHERE v > 1',
        '-c', 'CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k',
        '-c', "CREATE TEMPORARY TABLE scratch (x INT) WITH ('connector' = 'blackhole')",
      ]);
      expect(ddl.stderr.replace(/NOTICE: .*\n/g, '')).toBe('');
      // Over HTTP too.
      const created = await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'text/plain', ...server.auth }, body: "CREATE TABLE sink (k STRING, s INT) WITH ('connector' = 'blackhole')" });
      expect(created.status).toBe(200);
      // a: 1 + 3, b: 2 — committed by a checkpoint before the server stops.
      await eventually(async () => (await query(server, 'SELECT k, s FROM totals ORDER BY k')).join(';') === 'a,4;b,2', 30_000);

      const refused = await psqlOn(server, ['-c', 'DROP TABLE orders']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("ERROR:  Cannot drop orders: view 'big_orders', materialized view 'totals' depend on it");
      expect(refused.stderr).toContain('HINT:  drop them first, or add CASCADE to drop them too: DROP TABLE orders CASCADE');
      expect(await server.stop()).toBe(0);

      // The kept DDL is the statements' text, in creation order; the temporary table is not kept.
      const kept = JSON.parse(readFileSync(join(state, 'catalog.json'), 'utf8')) as { statements: { name: string; sql: string }[] };
      expect(kept.statements.map((s) => s.name)).toEqual(['orders', 'big_orders', 'totals', 'sink']);
      expect(kept.statements[1]!.sql).toBe('CREATE VIEW big_orders AS SELECT k, v FROM orders WHERE v > 1');

      server = await startServe(state, tmp.dir);
      expect(await query(server, 'SHOW TABLES')).toEqual(['big_orders', 'orders', 'sink', 'totals']);
      expect(await query(server, 'SHOW VIEWS')).toEqual(['big_orders']);
      // The view's job resumed from its checkpoint (logged), with the rows it had committed.
      const resumed = jsonLines(server.output()).find((l) => l['event'] === 'job.resumed');
      expect(resumed).toMatchObject({ kind: 'view', name: 'CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k' });
      expect(resumed!['checkpoint']).toBeGreaterThanOrEqual(1);
      expect(jsonLines(server.output()).find((l) => l['event'] === 'catalog.restored')).toMatchObject({ restored: ['orders', 'big_orders', 'totals', 'sink'] });
      expect(await query(server, 'SELECT k, s FROM totals ORDER BY k')).toEqual(['a,4', 'b,2']);
      // It goes on from where it was: a new order is added once, not the old ones again.
      appendFileSync(data, JSON.stringify({ k: 'b', v: 10 }) + '\n');
      await eventually(async () => (await query(server, 'SELECT k, s FROM totals ORDER BY k')).join(';') === 'a,4;b,12', 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await query(server, 'SELECT k, s FROM totals ORDER BY k')).toEqual(['a,4', 'b,12']);

      const cascade = await psqlOn(server, ['-c', 'DROP TABLE orders CASCADE']);
      expect(cascade.code).toBe(0);
      expect(cascade.stdout).toContain('DROP TABLE');
      expect(await query(server, 'SHOW TABLES')).toEqual(['sink']);
      expect(await server.stop()).toBe(0);

      server = await startServe(state, tmp.dir);
      expect(await query(server, 'SHOW TABLES')).toEqual(['sink']);
      expect(await server.stop()).toBe(0);
    } finally {
      tmp.cleanup();
    }
  }, 180_000);
});
