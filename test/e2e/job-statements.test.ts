/**
 * SHOW JOBS and STOP JOB through the library API: the listing of running jobs and queries, stopping an
 * INSERT job (its sources stop, pending windows do not fire), cancelling a running SELECT, and the error for
 * an id that is not running.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Eddy, type StatementResult } from '../../src/engine/eddy.js';
import type { ChangeBatch } from '../../src/runtime/changelog.js';
import { executeAll, tempDir, writeJsonLines } from './helpers.js';

const T0 = Date.UTC(2024, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const row = (k: number, seconds: number) => JSON.stringify({ k, ts: at(seconds) }) + '\n';

/** Resolves once `predicate` holds, polling; fails after `ms`. */
async function eventually(predicate: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A monitored file `live.json` (rows at 1, 2 and 12 s: the window [0 s, 10 s) fires, [10 s, 20 s) is open) and a sink. */
async function setup(): Promise<{ eddy: Eddy; path: string; out: string }> {
  const dir = tempDir('eddy-jobs-');
  const path = writeJsonLines(dir, 'live.json', [
    { k: 1, ts: at(1) },
    { k: 2, ts: at(2) },
    { k: 1, ts: at(12) },
  ]);
  const out = join(dir, 'out');
  const eddy = new Eddy();
  await executeAll(
    eddy,
    `CREATE TABLE live (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
       WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '50 ms');
     CREATE TABLE counts (window_start TIMESTAMP(3), c BIGINT)
       WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');`,
  );
  return { eddy, path, out };
}

const WINDOW_INSERT = `INSERT INTO counts SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE live, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`;
const WINDOW_SELECT = `SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE live, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`;

function outputLines(out: string): string[] {
  const file = join(out, 'part-0.json');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

function table(result: StatementResult): { columns: readonly string[]; rows: readonly (readonly string[])[] } {
  if (result.kind !== 'table') throw new Error(`expected a table, got ${result.kind}`);
  return result.table;
}

const JOB_COLUMNS = [
  'job id', 'job name', 'status', 'start time', 'rows in', 'rows out', 'rows/s in', 'rows/s out', 'watermark', 'watermark lag', 'late rows', 'bad rows',
  'state entries', 'state bytes', 'last checkpoint', 'checkpoint time', 'checkpoint duration', 'error', 'health',
];

describe('SHOW JOBS', () => {
  it('lists running jobs and queries with id, name, status and start time', async () => {
    const { eddy } = await setup();
    expect(table(await eddy.execute('SHOW JOBS'))).toEqual({ columns: JOB_COLUMNS, rows: [] });

    const before = Date.now();
    const insert = await eddy.execute(WINDOW_INSERT);
    const query = await eddy.execute(WINDOW_SELECT);
    const after = Date.now();
    if (insert.kind !== 'job' || query.kind !== 'query') throw new Error('expected a job and a query');

    const { columns, rows } = table(await eddy.execute('SHOW JOBS'));
    expect(columns).toEqual(JOB_COLUMNS);
    expect(rows).toHaveLength(2);
    const [jobRow, queryRow] = rows;
    expect(jobRow![0]).toBe(insert.job.id);
    expect(queryRow![0]).toBe(query.query.id);
    expect(jobRow![0]).toMatch(/^job-\d+$/);
    expect(queryRow![0]).toMatch(/^job-\d+$/);
    expect(jobRow![0]).not.toBe(queryRow![0]);
    // The name is the statement's text (whitespace folded), cut at 60 characters.
    expect(jobRow![1]).toBe(WINDOW_INSERT.slice(0, 60));
    expect(queryRow![1]).toContain('SELECT window_start, COUNT(*)');
    expect(jobRow![2]).toBe('RUNNING');
    expect(queryRow![2]).toBe('RUNNING');
    for (const r of rows) {
      expect(r[3]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const started = Date.parse(r[3]!);
      expect(started).toBeGreaterThanOrEqual(before);
      expect(started).toBeLessThanOrEqual(after);
    }

    await eddy.close();
    await Promise.all([insert.job.done, query.query.done]);
    expect(table(await eddy.execute('SHOW JOBS')).rows).toEqual([]);
  });
});

describe('STOP JOB', () => {
  it('refuses an id that is not running, listing the running ones', async () => {
    const { eddy } = await setup();
    await expect(eddy.execute(`STOP JOB 'job-42'`)).rejects.toMatchObject({
      code: 'EDDY-B013',
      message: "No running job 'job-42'",
      diagnostics: [expect.objectContaining({ hint: 'SHOW JOBS lists the running jobs' })],
    });

    const a = await eddy.execute(WINDOW_INSERT);
    const b = await eddy.execute(WINDOW_SELECT);
    if (a.kind !== 'job' || b.kind !== 'query') throw new Error('expected a job and a query');
    const err = await eddy.execute(`STOP JOB 'job-42'`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EDDY-B013', message: "No running job 'job-42'" });
    expect((err as { diagnostics: { hint?: string }[] }).diagnostics[0]!.hint).toBe(`running: ${a.job.id}, ${b.query.id}`);
    // The rendered error points at the statement.
    expect((err as { render(): string }).render()).toContain("STOP JOB 'job-42'");
    await eddy.close();
  });

  it('stops an INSERT job: its sources stop and pending windows do not fire', async () => {
    const { eddy, path, out } = await setup();
    const result = await eddy.execute(WINDOW_INSERT);
    if (result.kind !== 'job') throw new Error('expected a job');
    const handle = result.job;
    // The row at 12 s fires [0 s, 10 s); [10 s, 20 s) stays open.
    await eventually(() => outputLines(out).length === 1);
    expect(outputLines(out)).toEqual([JSON.stringify({ window_start: '2024-01-01 00:00:00.000', c: 2 })]);

    const stopped = await eddy.execute(`STOP JOB '${handle.id}'`);
    expect(stopped).toMatchObject({ kind: 'ok', message: `Job ${handle.id} stopped.` });
    await handle.done;
    expect(handle.status).toBe('stopped');
    expect(handle.jobs.map((j) => j.state)).toEqual(['stopped']);
    const rowsIn = handle.summary().rowsIn;
    expect(rowsIn).toBe(3);

    // Rows that would fire the open window are not read any more.
    appendFileSync(path, row(1, 13) + row(1, 25));
    await sleep(300);
    expect(handle.summary().rowsIn).toBe(rowsIn);
    expect(outputLines(out)).toHaveLength(1);

    expect(table(await eddy.execute('SHOW JOBS')).rows).toEqual([]);
    await expect(eddy.execute(`STOP JOB '${handle.id}'`)).rejects.toMatchObject({ code: 'EDDY-B013' });
  });

  it('cancels a running SELECT', async () => {
    const { eddy, path } = await setup();
    const result = await eddy.execute(WINDOW_SELECT);
    if (result.kind !== 'query') throw new Error('expected a query');
    const query = result.query;
    const rows: unknown[][] = [];
    query.onChanges((b: ChangeBatch) => rows.push(...b.rows));
    await eventually(() => rows.length === 1);
    expect(rows).toEqual([[T0, 2]]);

    const stopped = await eddy.execute(`STOP JOB '${query.id}'`);
    expect(stopped).toMatchObject({ kind: 'ok', message: `Query ${query.id} cancelled.` });
    await query.done;
    expect(query.status).toBe('cancelled');

    appendFileSync(path, row(1, 25));
    await sleep(300);
    expect(rows).toEqual([[T0, 2]]); // the open window [10 s, 20 s) never fired
    expect(table(await eddy.execute('SHOW JOBS')).rows).toEqual([]);
  });
});
