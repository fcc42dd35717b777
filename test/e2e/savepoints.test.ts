/**
 * Savepoints through the library API: a job over a monitored directory (a window aggregate into a
 * filesystem sink, a non-windowed aggregate into a sqlite sink) is stopped WITH SAVEPOINT part-way through
 * its input, resumed from the savepoint by a new Eddy while the rest of the input arrives, and its final
 * output must equal an uninterrupted run over the whole input — which in turn must equal the batch answer
 * computed here with plain loops. With a state directory and without one (the savepoint is then a full
 * snapshot of the in-memory state). A savepoint is refused by a changed query, and a savepoint that has no
 * state for a job says so.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import type { JobHandle } from '../../src/engine/job-handle.js';
import { summarize } from '../../src/engine/job-summary.js';
import { executeAll, prng, tempDir } from './helpers.js';

interface Ev {
  k: number;
  v: number;
  ts: number;
}

const BASE = Date.UTC(2024, 0, 1, 12, 0, 0);
/** Watermark delay of the table (2 s). */
const DELAY = 2000;
/** Rows are at most this far behind the largest timestamp before them: less than DELAY, so none is ever late. */
const DISORDER = 1800;
const WINDOW = 10_000;
const ROWS = 3000;

/** The input: out of order within DISORDER, then one row an hour later (k = 0) that fires every window. */
function generate(): { events: Ev[]; marker: Ev } {
  const rand = prng(23);
  const events: Ev[] = [];
  let t = BASE;
  for (let i = 0; i < ROWS; i++) {
    t += Math.floor(rand() * 300);
    events.push({ k: 1 + Math.floor(rand() * 5), v: Math.floor(rand() * 1000), ts: t - Math.floor(rand() * DISORDER) });
  }
  return { events, marker: { k: 0, v: 0, ts: t + 3_600_000 } };
}

const lines = (events: readonly Ev[]) => events.map((e) => JSON.stringify({ k: e.k, v: e.v, ts: new Date(e.ts).toISOString() }) + '\n').join('');

/** The tables: events from `input` (monitored when `monitored`), windows into `<out>/windows`, totals into `<out>/totals.db`. */
function ddl(input: string, out: string, monitored: boolean): string {
  return `
SET 'execution.checkpointing.interval' = '100 ms';
CREATE TABLE events (k INT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json'${monitored ? ", 'source.monitor-interval' = '50 ms'" : ''});
CREATE TABLE windows_out (k INT, window_start TIMESTAMP(3), c BIGINT, s BIGINT, mx BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '${out}/windows', 'format' = 'json');
CREATE TABLE totals_out (k INT, c BIGINT, s BIGINT, mx BIGINT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'sqlite', 'path' = '${out}/totals.db', 'table-name' = 'totals');`;
}

/** Both INSERTs as one job (one id, one savepoint). The marker row (k = 0) only advances the watermark of the windows. */
const INSERTS = `
BEGIN STATEMENT SET;
INSERT INTO windows_out
  SELECT k, window_start, COUNT(*), SUM(v), MAX(v) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  WHERE k > 0 GROUP BY window_start, window_end, k;
INSERT INTO totals_out SELECT k, COUNT(*), SUM(v), MAX(v) FROM events GROUP BY k;
END;`;

interface Output {
  /** Window rows [k, window_start (epoch ms), c, s, mx], as sorted JSON strings. */
  windows: string[];
  /** Totals rows [k, c, s, mx], as sorted JSON strings. */
  totals: string[];
}

function readWindows(out: string): string[] {
  const file = join(out, 'windows', 'part-0.json');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = JSON.parse(l) as { k: number; window_start: string; c: number; s: number; mx: number };
      return JSON.stringify([r.k, Date.parse(r.window_start.replace(' ', 'T') + 'Z'), r.c, r.s, r.mx]);
    })
    .sort();
}

/** The totals table (empty while the sink has not created it). */
function readTotals(out: string): string[] {
  const file = join(out, 'totals.db');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT k, c, s, mx FROM totals').raw(true).all() as unknown[][];
    return rows.map((r) => JSON.stringify(r)).sort();
  } catch {
    return []; // Not created yet.
  } finally {
    db.close();
  }
}

const output = (out: string): Output => ({ windows: readWindows(out), totals: readTotals(out) });

/** The batch answer: tumbling windows of the rows with k > 0, and totals of every row. */
function batch(events: readonly Ev[]): Output {
  const windows = new Map<string, Ev[]>();
  const totals = new Map<number, Ev[]>();
  for (const e of events) {
    if (e.k > 0) {
      const key = `${e.k}|${Math.floor(e.ts / WINDOW) * WINDOW}`;
      windows.set(key, [...(windows.get(key) ?? []), e]);
    }
    totals.set(e.k, [...(totals.get(e.k) ?? []), e]);
  }
  const agg = (g: readonly Ev[]) => [g.length, g.reduce((a, e) => a + e.v, 0), Math.max(...g.map((e) => e.v))];
  return {
    windows: [...windows].map(([key, g]) => JSON.stringify([...key.split('|').map(Number), ...agg(g)])).sort(),
    totals: [...totals].map(([k, g]) => JSON.stringify([k, ...agg(g)])).sort(),
  };
}

/** Resolves once `predicate` holds, polling; fails after `ms`. */
async function eventually(what: string, predicate: () => boolean, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`not reached in time: ${what}`);
    await sleep(20);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the statement set; returns its handle. */
async function startJob(eddy: Eddy): Promise<JobHandle> {
  const result = await eddy.execute(INSERTS);
  if (result.kind !== 'job') throw new Error(`expected a job, got ${result.kind}`);
  return result.job;
}

/** The id of the one running job, as SHOW JOBS lists it. */
async function runningJobId(eddy: Eddy): Promise<string> {
  const result = await eddy.execute('SHOW JOBS');
  if (result.kind !== 'table') throw new Error('expected a table');
  const running = result.table.rows.filter((r) => r[2] === 'RUNNING');
  expect(running).toHaveLength(1);
  return running[0]![0]!;
}

/** Rows each job of a handle has read. */
const rowsRead = (handle: JobHandle) => handle.jobs.map((j) => summarize([j.metrics]).rowsIn);

/** STOP JOB (optionally WITH SAVEPOINT); returns the savepoint path, if any, once the job has ended. */
async function stopJob(eddy: Eddy, handle: JobHandle, withSavepoint: boolean): Promise<string | undefined> {
  const id = await runningJobId(eddy);
  expect(id).toBe(handle.id);
  const result = await eddy.execute(`STOP JOB '${id}'${withSavepoint ? ' WITH SAVEPOINT' : ''}`);
  // STOP JOB resolves before the job has closed its sinks and state file: wait for that too (see the report
  // on resuming in the same process right after a stop).
  await handle.done;
  expect(handle.status).toBe('stopped');
  if (!withSavepoint) {
    expect(result).toMatchObject({ kind: 'ok', message: `Job ${id} stopped.` });
    return undefined;
  }
  if (result.kind !== 'table') throw new Error(`expected the savepoint path, got ${result.kind}`);
  expect(result.table.columns).toEqual(['savepoint path']);
  return result.table.rows[0]![0]!;
}

// Every test runs with the jobs in the caller's thread, and in the session's job thread (as `eddy serve` runs them).
describe.each([false, true])('stop with savepoint and resume (jobs in a job thread: %s)', (jobThread) => {
  const engine = (options: ConstructorParameters<typeof Eddy>[0] = {}) => new Eddy({ ...options, jobThread });

  let events: Ev[];
  let marker: Ev;
  let expected: Output;

  beforeAll(async () => {
    ({ events, marker } = generate());
    // The uninterrupted run: the same job over the whole input, bounded.
    const dir = tempDir('eddy-savepoint-ref-');
    writeFileSync(join(dir, 'all.json'), lines([...events, marker]));
    const eddy = engine();
    await executeAll(eddy, ddl(join(dir, 'all.json'), join(dir, 'out'), false));
    const handle = await startJob(eddy);
    await handle.done;
    expected = output(join(dir, 'out'));
  });

  it('the uninterrupted run equals the batch answer', () => {
    const answer = batch([...events, marker]);
    expect(expected.windows.length).toBeGreaterThan(150);
    expect(expected.windows).toEqual(answer.windows);
    expect(expected.totals).toEqual(answer.totals);
    expect(expected.totals).toHaveLength(6);
  });

  for (const withStateDir of [true, false]) {
    it(`resumes from the savepoint to the same output (${withStateDir ? 'with a state directory' : 'memory-only job'})`, async () => {
      const dir = tempDir('eddy-savepoint-');
      const input = join(dir, 'in');
      mkdirSync(input);
      const file = join(input, 'events.json');
      const out = join(dir, 'out');
      const stateDir = withStateDir ? join(dir, 'state') : undefined;
      // Without a state directory, savepoints would go to ./savepoints.
      const savepointSetting = withStateDir ? '' : `SET 'state.savepoints.dir' = '${join(dir, 'savepoints')}';`;
      const first = events.slice(0, 1200);
      const whileStopped = events.slice(1200, 1800);
      const rest = events.slice(1800);

      // Part of the input arrives in pieces, some time apart (checkpoints follow arriving data).
      writeFileSync(file, '');
      const eddy = engine({ stateDir });
      await executeAll(eddy, ddl(input, out, true) + savepointSetting);
      const handle = await startJob(eddy);
      for (let i = 0; i < 4; i++) {
        appendFileSync(file, lines(first.slice(i * 300, (i + 1) * 300)));
        await sleep(150);
      }
      await eventually('first output', () => readWindows(out).length > 0 && readTotals(out).length > 0);
      const savepoint = await stopJob(eddy, handle, true);
      expect(savepoint).toBeDefined();
      expect(existsSync(savepoint!)).toBe(true);
      expect(readdirSync(savepoint!).sort()).toEqual(['insert-1-windows_out-totals_out.db']);
      if (withStateDir) expect(savepoint!.startsWith(join(stateDir!, 'savepoints'))).toBe(true);
      else expect(savepoint!.startsWith(join(dir, 'savepoints'))).toBe(true);
      // Some windows fired, others are still open in the savepoint.
      const before = readWindows(out);
      expect(before.length).toBeGreaterThan(0);
      expect(before.length).toBeLessThan(expected.windows.length);

      const readBefore = rowsRead(handle);

      // More rows arrive while the job is down; a new engine resumes from the savepoint (with a state
      // directory: a new one, so that only the savepoint can carry the state over); the rest arrives.
      appendFileSync(file, lines(whileStopped));
      const resumed = engine({ stateDir: withStateDir ? join(dir, 'state2') : undefined });
      await executeAll(resumed, ddl(input, out, true) + savepointSetting + `SET 'execution.savepoint.path' = '${savepoint}';`);
      const handle2 = await startJob(resumed);
      expect(handle2.jobs.map((j) => j.restoredFrom !== undefined)).toEqual([true]);
      for (let i = 0; i < rest.length; i += 400) {
        appendFileSync(file, lines(rest.slice(i, i + 400)));
        await sleep(100);
      }
      appendFileSync(file, lines([marker]));
      // The marker is the last line: once each job's watermark reaches it, each has read everything.
      await eventually('both jobs read the marker', () => handle2.jobs.every((j) => j.watermark >= marker.ts - DELAY));
      await eventually('all windows written', () => readWindows(out).length >= expected.windows.length);
      await stopJob(resumed, handle2, false);
      // Each row was read once, by the one job of both INSERTs: before the savepoint, or after it.
      expect(rowsRead(handle2).map((n, i) => n + readBefore[i]!)).toEqual([ROWS + 1]);

      const got = output(out);
      expect(got.windows.length).toBe(expected.windows.length);
      expect(got.windows).toEqual(expected.windows);
      expect(got.totals).toEqual(expected.totals);
      // The windows fired before the stop were not written again.
      expect(readFileSync(join(out, 'windows', 'part-0.json'), 'utf8').split('\n').filter((l) => l !== '').length).toBe(expected.windows.length);
    }, 60_000);
  }

  it('a savepoint is refused by a changed query, and one without state for the job says so', async () => {
    const dir = tempDir('eddy-savepoint-changed-');
    const input = join(dir, 'in');
    mkdirSync(input);
    writeFileSync(join(input, 'events.json'), lines(events.slice(0, 500)));
    const out = join(dir, 'out');
    const setSavepointsDir = `SET 'state.savepoints.dir' = '${join(dir, 'savepoints')}';`;
    const eddy = engine();
    await executeAll(eddy, ddl(input, out, true) + setSavepointsDir);
    const handle = await startJob(eddy);
    await eventually('first output', () => readWindows(out).length > 0);
    const savepoint = (await stopJob(eddy, handle, true))!;

    // The same tables, a different aggregate (MIN instead of MAX into the totals).
    const changed = engine();
    await executeAll(changed, ddl(input, join(dir, 'out2'), true) + `SET 'execution.savepoint.path' = '${savepoint}';`);
    const err = await changed.execute(INSERTS.replace('SUM(v), MAX(v) FROM events', 'SUM(v), MIN(v) FROM events')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EDDY-B013' });
    expect((err as Error).message).toContain('different job');
    expect(changed.running()).toEqual([]);

    // A savepoint taken from a directory that holds no state for the job (its key: position and sink).
    const other = engine();
    await executeAll(other, ddl(input, join(dir, 'out3'), true) + `SET 'execution.savepoint.path' = '${join(dir, 'savepoints')}';`);
    const missing = await other.execute(INSERTS).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'EDDY-R002' });
    expect((missing as Error).message).toContain(`The savepoint ${join(dir, 'savepoints')} has no state for job 'insert-1-windows_out-totals_out'`);
    expect(other.running()).toEqual([]);

    // A savepoint of another job: the first INSERT of this session is the totals one alone.
    const partial = join(dir, 'partial');
    mkdirSync(partial);
    copyFileSync(join(savepoint, 'insert-1-windows_out-totals_out.db'), join(partial, 'insert-1-windows_out-totals_out.db'));
    const third = engine();
    await executeAll(third, ddl(input, join(dir, 'out4'), true) + `SET 'execution.savepoint.path' = '${partial}';`);
    const wrongKey = await third.execute('INSERT INTO totals_out SELECT k, COUNT(*), SUM(v), MAX(v) FROM events GROUP BY k').catch((e: unknown) => e);
    expect(wrongKey).toMatchObject({ code: 'EDDY-R002' });
    expect((wrongKey as Error).message).toContain("has no state for job 'insert-1-totals_out'");
    await third.close();
  });
});
