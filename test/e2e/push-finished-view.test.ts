/**
 * `SELECT ... FROM view EMIT CHANGES` on a materialized view whose bounded job has finished returns the
 * view's rows, then ends (the view will not change again). Through a real `eddy serve` process, whose view
 * jobs run in its job thread (where the view's rows arrive after the job's end is known), over HTTP.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStarted, startEddyServe, tempDir } from './helpers.js';

afterEach(killStarted);

/** POSTs a statement to the server with its token. */
async function statement(server: { url: string; auth: Record<string, string> }, sql: string, accept = 'application/json'): Promise<string> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth, accept }, body: JSON.stringify({ sql }) });
  expect(res.status).toBe(200);
  return res.text();
}

describe('a push query on a finished view', () => {
  it('returns the view’s rows, then ends', async () => {
    const dir = tempDir();
    const input = join(dir, 'kv.json');
    writeFileSync(input, ['{"k":1,"v":2}', '{"k":2,"v":3}', '{"k":1,"v":5}', '{"k":3,"v":-4}'].join('\n') + '\n');
    const init = join(dir, 'init.sql');
    writeFileSync(
      init,
      `CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
       CREATE MATERIALIZED VIEW m AS SELECT k, SUM(v) AS s FROM t GROUP BY k;`,
    );
    const server = await startEddyServe(['-i', init]);
    // Wait until the view's job has finished: SHOW JOBS no longer lists it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const jobs = JSON.parse(await statement(server, 'SHOW JOBS')) as { rows: unknown[][] };
      if (jobs.rows.length === 0) break;
      if (Date.now() > deadline) throw new Error(`the view's job did not finish: ${JSON.stringify(jobs)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Sums by key, by hand: 1 → 2 + 5, 2 → 3, 3 → -4.
    const expected = [
      [1, 7],
      [2, 3],
      [3, -4],
    ];
    for (let i = 0; i < 3; i++) {
      const body = await statement(server, 'SELECT k, s FROM m EMIT CHANGES', 'application/x-ndjson');
      const items = body
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { op?: string; row?: unknown[]; end?: { rows: number } });
      const changes = items.filter((x) => x.op !== undefined);
      expect(changes.every((c) => c.op === '+I')).toBe(true);
      expect(changes.map((c) => c.row).sort((a, b) => (a![0] as number) - (b![0] as number))).toEqual(expected);
      expect(items[items.length - 1]).toEqual({ end: { rows: 3 } });
    }
  }, 90_000);
});
