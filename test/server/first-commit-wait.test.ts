/**
 * A pull query right after CREATE MATERIALIZED VIEW waits for the view's first commit (within
 * 'table.exec.mv.first-commit-wait'), and says so when the bound passes: 0 rows never come silently.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgClient, serve, tempDir, writeJsonLines, type ServeRun } from './helpers.js';

describe("a pull query on a view that has not committed yet", () => {
  const tmp = tempDir();
  const data = join(tmp.dir, 'orders.json');
  let server: ServeRun;
  let client: pg.Client;
  const notices: string[] = [];

  beforeAll(async () => {
    writeJsonLines(data, [
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
      { k: 'a', v: 3 },
    ]);
    // With a state directory a view's table changes only when a checkpoint commits.
    server = await serve(['--state-dir', join(tmp.dir, 'state'), '--allow-path', tmp.dir]);
    client = await pgClient(server.pgPort);
    client.on('notice', (n) => void (n.severity === 'WARNING' && notices.push(n.message ?? '')));
    await client.query(`CREATE TABLE orders (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json', 'source.monitor-interval' = '100ms')`);
  }, 60_000);

  afterAll(async () => {
    await client.end();
    expect(await server.stop()).toBe(0);
    tmp.cleanup();
  });

  it('waits for the first commit, and answers with the rows', async () => {
    await client.query("SET 'execution.checkpointing.interval' = '1 s'");
    await client.query('CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k');
    const started = Date.now();
    const res = await client.query('SELECT k, s FROM totals ORDER BY k');
    expect(res.rows).toEqual([
      { k: 'a', s: 4 },
      { k: 'b', s: 2 },
    ]);
    // The first checkpoint comes about a second after the view's job started.
    expect(Date.now() - started).toBeGreaterThan(300);
    expect(notices).toEqual([]);
  });

  it('warns when the bound passes before the first commit (Postgres notice and HTTP field)', async () => {
    await client.query("SET 'execution.checkpointing.interval' = '1 h'");
    await client.query("SET 'table.exec.mv.first-commit-wait' = '400 ms'");
    const created = Date.now();
    await client.query('CREATE MATERIALIZED VIEW slow AS SELECT k, COUNT(*) AS n FROM orders GROUP BY k');
    const res = await client.query('SELECT k, n FROM slow');
    // The bound counts from the view's creation.
    expect(Date.now() - created).toBeGreaterThanOrEqual(400);
    expect(res.rows).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^Materialized view 'slow' has committed nothing yet \(its job started \d+\.\d s ago; pull queries wait up to 'table\.exec\.mv\.first-commit-wait' = 400 ms after that for its first commit\): the answer reflects none of its input so far\.$/,
    );
    // Past the bound, a query does not wait again, but still says so.
    const again = Date.now();
    await client.query('SELECT k, n FROM slow');
    expect(Date.now() - again).toBeLessThan(400);
    expect(notices).toHaveLength(2);

    const body = (await (await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'text/plain', ...server.auth }, body: 'SELECT k, n FROM slow' })).json()) as { rows: unknown[]; warnings: string[] };
    expect(body.rows).toEqual([]);
    expect(body.warnings).toHaveLength(1);
    expect(notices).toHaveLength(2);
    expect(body.warnings[0]).toContain("Materialized view 'slow' has committed nothing yet");
  });

  it("'0 s' does not wait, and an invalid value is an error", async () => {
    await client.query("SET 'table.exec.mv.first-commit-wait' = '0 s'");
    await client.query('CREATE MATERIALIZED VIEW quick AS SELECT k FROM orders');
    const started = Date.now();
    expect((await client.query('SELECT k FROM quick')).rows).toEqual([]);
    // (The default bound, 10 s, would have waited: nothing commits for an hour.)
    expect(Date.now() - started).toBeLessThan(2000);
    expect(notices[notices.length - 1]).toMatch(/^Materialized view 'quick' has committed nothing yet/);
    await client.query("SET 'table.exec.mv.first-commit-wait' = 'soon'");
    await expect(client.query('SELECT k, n FROM slow')).rejects.toMatchObject({ message: "Invalid 'table.exec.mv.first-commit-wait': 'soon'" });
    await client.query("RESET 'table.exec.mv.first-commit-wait'");
  });
});
