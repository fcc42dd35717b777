/**
 * Two materialized views over one source each read it with their own job, and so each meets the same bad
 * record: the default dead-letter table records it once, keyed by source and position.
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, pgClient, serve, tempDir } from './helpers.js';

describe('dead letters of a source shared by two views', () => {
  it('are recorded once per bad record, not once per view', async () => {
    const tmp = tempDir();
    const state = join(tmp.dir, 'state');
    const data = join(tmp.dir, 'orders.json');
    // Lines 2 and 4 are bad: one is not JSON, one has a string where an INT goes.
    writeFileSync(data, '{"k":"a","v":1}\nnot json\n{"k":"b","v":2}\n{"k":"a","v":"x"}\n{"k":"a","v":3}\n');
    const server = await serve(['--state-dir', state, '--allow-path', tmp.dir]);
    const client = await pgClient(server.pgPort);
    try {
      await client.query("SET 'execution.checkpointing.interval' = '200 ms'");
      await client.query(`CREATE TABLE orders (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json', 'errors.policy' = 'dead-letter')`);
      await client.query('CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k');
      await client.query('CREATE MATERIALIZED VIEW counts AS SELECT k, COUNT(*) AS n FROM orders GROUP BY k');
      // Both jobs read all of the file (it is bounded) and committed.
      await eventually(async () => (await client.query('SHOW MATERIALIZED VIEWS')).rows.every((r: Record<string, string>) => r['status'] === 'FINISHED'), 30_000);
      expect((await client.query('SELECT k, s FROM totals ORDER BY k')).rows).toEqual([
        { k: 'a', s: 4 },
        { k: 'b', s: 2 },
      ]);
      expect((await client.query('SELECT k, n FROM counts ORDER BY k')).rows).toEqual([
        { k: 'a', n: '2' },
        { k: 'b', n: '1' },
      ]);
      const db = new Database(join(state, 'dead-letters.db'), { readonly: true });
      try {
        const rows = db.prepare('SELECT source, location, kind, raw FROM dead_letters ORDER BY location').all();
        expect(rows).toEqual([
          { source: 'orders', location: `${data}:2`, kind: 'invalid-json', raw: 'not json' },
          { source: 'orders', location: `${data}:4`, kind: expect.any(String), raw: '{"k":"a","v":"x"}' },
        ]);
      } finally {
        db.close();
      }
    } finally {
      await client.end();
      expect(await server.stop()).toBe(0);
      tmp.cleanup();
    }
  }, 60_000);
});
