/**
 * Per-statement bounds on ad-hoc queries through the real entry points: a REPEAT over a few VALUES rows
 * (which used to kill `eddy serve` with a heap OOM) fails its query with a clear error and the server keeps
 * serving; `table.exec.query.max-rows` and `table.exec.query.timeout` stop bounded queries with EDDY-R008 /
 * EDDY-R009 over HTTP and the Postgres protocol; `eddy -e` reports the same errors. Needs the build.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgClient } from '../server/helpers.js';
import { httpGet, pgFailure, runEddy, useServe } from './eddy-process.js';
import { tempDir } from './helpers.js';

const REPEAT_OOM = "SELECT REPEAT(s, 100000000) AS big FROM (VALUES ('aaaaaaaaaa'), ('bbbbbbbbbb'), ('cccccccccc'), ('dddddddddd')) AS t(s)";
/** 40,000,000 × 10 characters = 400 M per row: under JavaScript's own string limit, so only Eddy's bound stops it. */
const REPEAT_400M = "SELECT REPEAT(s, 40000000) AS big FROM (VALUES ('aaaaaaaaaa'), ('bbbbbbbbbb'), ('cccccccccc'), ('dddddddddd')) AS t(s)";

describe('ad-hoc query bounds against a real eddy serve', () => {
  const serve = useServe(() => {
    const init = join(tempDir('eddy-limits-'), 'init.sql');
    writeFileSync(
      init,
      `SET 'table.exec.query.max-rows' = '1000';
       CREATE TABLE many (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '100000');
       CREATE TABLE slow (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1000000', 'rows-per-second' = '10');`,
    );
    return ['-i', init];
  });

  it('a REPEAT that would allocate gigabytes fails with a clear error; the server survives', async () => {
    for (const sql of [REPEAT_OOM, REPEAT_400M]) {
      const r = await httpGet(serve(), sql);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toMatch(/^EDDY-R00[13]$/);
      expect(r.body.error.message).toMatch(/REPEAT would produce a string of [\d,]+ characters, more than the limit of 10,485,760 \(table\.exec\.max-string-length\)/);
    }
    const client = await pgClient(serve().pgPort, { password: serve().token });
    try {
      const err = await pgFailure(client.query(REPEAT_400M));
      expect(err?.message).toMatch(/REPEAT would produce a string of 400,000,000 characters/);
      expect((await client.query("SELECT REPEAT('ab', 3) AS s")).rows).toEqual([{ s: 'ababab' }]);
    } finally {
      await client.end();
    }
    expect((await httpGet(serve(), 'SELECT 40 + 2 AS answer')).body.rows).toEqual([[42]]);
    expect(serve().alive()).toBe(true);
  });

  it('a bounded query past table.exec.query.max-rows is stopped with EDDY-R008', async () => {
    const r = await httpGet(serve(), 'SELECT x FROM many');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'EDDY-R008', message: 'The query produced more than 1,000 rows (table.exec.query.max-rows) and was stopped' });
    // Under the limit: 100,000 rows aggregated to one.
    expect((await httpGet(serve(), 'SELECT COUNT(*) AS n FROM many')).body.rows).toEqual([[100000]]);
    const client = await pgClient(serve().pgPort, { password: serve().token });
    try {
      const err = await pgFailure(client.query('SELECT x FROM many'));
      expect(err?.message).toMatch(/more than 1,000 rows/);
      expect(err?.detail).toContain('EDDY-R008');
      expect(err?.code).toBe('54000'); // program_limit_exceeded
    } finally {
      await client.end();
    }
  });

  it('a bounded query past table.exec.query.timeout is cancelled with EDDY-R009 while others are answered', async () => {
    const client = await pgClient(serve().pgPort, { password: serve().token });
    try {
      await client.query("SET 'table.exec.query.timeout' = '1 s'");
      const slow = httpGet(serve(), 'SELECT COUNT(*) FROM slow');
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      const r = await slow;
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'EDDY-R009', message: 'The query ran longer than 1,000 ms (table.exec.query.timeout) and was cancelled' });
      await client.query("SET 'table.exec.query.timeout' = '0'");
    } finally {
      await client.end();
    }
    expect(serve().alive()).toBe(true);
  });
});

describe('ad-hoc query bounds through eddy -e', () => {
  it('REPEAT past the string bound: a positioned error, exit 1', () => {
    const r = runEddy(['-e', REPEAT_OOM]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('REPEAT would produce a string of 1,000,000,000 characters, more than the limit of 10,485,760 (table.exec.max-string-length)');
    expect(r.err).toContain('line 1, column 8');
  });

  it('the bounds are settings, checked when set', () => {
    const rows = runEddy(['-e', "SET 'table.exec.query.max-rows' = '3'; SELECT * FROM (VALUES (1), (2), (3), (4)) AS t(x)"]);
    expect(rows.code).toBe(1);
    expect(rows.err).toContain('error[EDDY-R008]: The query produced more than 3 rows (table.exec.query.max-rows) and was stopped');
    const length = runEddy(['-e', "SET 'table.exec.max-string-length' = '5'; SELECT CONCAT('abc', 'def')"]);
    expect(length.code).toBe(1);
    expect(length.err).toContain('CONCAT would produce a string of 6 characters, more than the limit of 5');
    const bad = runEddy(['-e', "SET 'table.exec.query.timeout' = 'soon'"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("error[EDDY-C004]: Invalid value 'soon' for 'table.exec.query.timeout'");
  });
});
