/**
 * State limits end to end: a job whose state is 20 times its memory budget gives the same results as one
 * that holds everything in memory; over a long run, state with a TTL stays bounded in rows and bytes and
 * fired windows leave nothing behind.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, tempDir, writeJsonLines } from './helpers.js';

const BASE = Date.UTC(2024, 0, 1);

async function runInsert(eddy: Eddy, sql: string): Promise<void> {
  const r = await eddy.execute(sql);
  if (r.kind !== 'job') throw new Error('expected a job');
  await r.job.done;
}

describe('state beyond the memory budget', () => {
  it('gives the same result with a budget of 1,000 entries for 20,000 keys', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 60_000 }, (_, i) => ({ k: (i * 7919) % 20_000, v: i % 13, ts: new Date(BASE + i).toISOString() }));
    const input = writeJsonLines(dir, 'in.json', rows);
    const ddl = (out: string) => `
      CREATE TABLE t (k INT, v INT, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
      CREATE TABLE out (k INT, c BIGINT, s INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${out}', 'table-name' = 'out');`;

    const small = new Eddy({ stateDir: join(dir, 'state') });
    await executeAll(small, ddl(join(dir, 'small.db')) + "SET 'state.cache.max-entries' = '1000'; SET 'execution.checkpointing.interval' = '50 ms';");
    await runInsert(small, 'INSERT INTO out SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k');

    // The expected answer, computed here.
    const expected = new Map<number, [number, number]>();
    for (const r of rows) {
      const e = expected.get(r.k) ?? [0, 0];
      expected.set(r.k, [e[0] + 1, e[1] + r.v]);
    }
    const db = new Database(join(dir, 'small.db'), { readonly: true });
    const got = db.prepare('SELECT k, c, s FROM out ORDER BY k').all() as { k: number; c: number; s: number }[];
    db.close();
    expect(got.length).toBe(20_000);
    for (const g of got) expect([g.c, g.s]).toEqual(expected.get(g.k));
  });
});

describe('a long run stays bounded', () => {
  /** Rows 50 ms of event time apart; each key is used for 20 rows (1 s of event time), 3,000 keys in all. */
  function input(dir: string): string {
    return writeJsonLines(dir, 'in.json', Array.from({ length: 60_000 }, (_, i) => ({ k: `key-${Math.floor(i / 20)}`, ts: new Date(BASE + i * 50).toISOString() })));
  }

  async function run(ttl: string): Promise<{ groups: number; windows: number; bytes: number }> {
    const dir = tempDir();
    const path = input(dir);
    const stateDir = join(dir, 'state');
    const eddy = new Eddy({ stateDir });
    await executeAll(
      eddy,
      `SET 'execution.checkpointing.interval' = '200 ms';
       ${ttl ? `SET 'table.exec.state.ttl' = '${ttl}';` : ''}
       CREATE TABLE t (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
         WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'replay.speedup' = '1000');
       CREATE TABLE sink (k STRING, c BIGINT) WITH ('connector' = 'blackhole');
       CREATE TABLE wsink (k STRING, c BIGINT) WITH ('connector' = 'blackhole');`,
    );
    // 3,000 s of event time replayed at 1000x: about 3 s, with 300 ten-second windows.
    const groups = eddy.execute('INSERT INTO sink SELECT k, COUNT(*) FROM t GROUP BY k');
    const windows = eddy.execute(`INSERT INTO wsink SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k`);
    for (const r of [await groups, await windows]) if (r.kind === 'job') await r.job.done;
    const count = (file: string, table: string) => {
      const db = new Database(join(stateDir, file), { readonly: true });
      const n = (db.prepare("SELECT COUNT(*) AS n FROM eddy_state WHERE tbl LIKE ?").get(`%/${table}`) as { n: number }).n;
      db.close();
      return n;
    };
    const files = readdirSync(stateDir);
    const bytes = files.reduce((sum, f) => sum + statSync(join(stateDir, f)).size, 0);
    return { groups: count('insert-1-sink.db', 'groups'), windows: count('insert-2-wsink.db', 'windows'), bytes };
  }

  it('with a TTL, idle groups are removed; fired windows leave no state', async () => {
    const unbounded = await run('');
    const bounded = await run('500 ms');
    expect(unbounded.groups).toBe(3000);
    // Only keys written in about the last second survive (the replay writes ~1,000 keys a second).
    expect(bounded.groups).toBeGreaterThan(0);
    expect(bounded.groups).toBeLessThan(1800);
    expect(unbounded.windows).toBe(0);
    expect(bounded.windows).toBe(0);
    expect(bounded.bytes).toBeLessThan(unbounded.bytes);
  }, 60_000);
});
