/**
 * `table.exec.query.max-rows` and `table.exec.query.timeout` through the engine API: bounded SELECTs and
 * pull queries (the key-lookup fast path and the ones that run as a job) stop with EDDY-R008 / EDDY-R009;
 * an unbounded SELECT is a stream and is not limited. SELECTs run in the caller's thread, and in the job
 * thread (as `eddy serve` runs them) with the same errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError, ErrorCode } from '../../src/index.js';
import { tempDir, writeJsonLines } from '../e2e/helpers.js';

const sessions: Eddy[] = [];
afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
});

async function sessionWithView(jobThread: boolean): Promise<Eddy> {
  const eddy = new Eddy({ jobThread });
  sessions.push(eddy);
  const path = writeJsonLines(tempDir(), 'in.json', Array.from({ length: 50 }, (_, i) => ({ k: i % 25, v: i })));
  await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`);
  const created = await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS c FROM t GROUP BY k');
  if (created.kind !== 'job') throw new Error('expected a job');
  await created.job.done;
  return eddy;
}

async function failure(p: Promise<unknown>): Promise<EddyError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(EddyError);
  return e as EddyError;
}

describe.each([
  { where: "in the caller's thread", jobThread: false },
  { where: 'in the job thread', jobThread: true },
])('ad-hoc query limits, $where', ({ jobThread }) => {
  it('a pull query stops past max-rows, on the fast path and as a job', async () => {
    const eddy = await sessionWithView(jobThread);
    const all = await eddy.execute('SELECT k, c FROM per_key');
    if (all.kind !== 'rows') throw new Error('expected a pull query');
    expect(all.result.rows).toHaveLength(25);
    await eddy.execute("SET 'table.exec.query.max-rows' = '24'");
    const direct = await failure(eddy.execute('SELECT k, c FROM per_key'));
    expect(direct.code).toBe(ErrorCode.QUERY_TOO_MANY_ROWS);
    expect(direct.message).toBe('The query produced more than 24 rows (table.exec.query.max-rows) and was stopped');
    const asJob = await failure(eddy.execute('SELECT k, c FROM per_key ORDER BY c DESC, k'));
    expect(asJob.code).toBe(ErrorCode.QUERY_TOO_MANY_ROWS);
    await eddy.execute("SET 'table.exec.query.max-rows' = '25'");
    const exact = await eddy.execute('SELECT k, c FROM per_key ORDER BY k');
    if (exact.kind !== 'rows') throw new Error('expected a pull query');
    // 50 records over keys 0..24: two each.
    expect(exact.result.rows).toEqual(Array.from({ length: 25 }, (_, k) => [k, 2]));
  });

  it('a bounded SELECT stops past max-rows; an unbounded one streams on', async () => {
    const eddy = new Eddy({ jobThread });
    sessions.push(eddy);
    await eddy.execute("SET 'table.exec.query.max-rows' = '100'");
    await eddy.execute("CREATE TABLE bounded (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1000')");
    await eddy.execute("CREATE TABLE endless (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000')");
    const b = await eddy.execute('SELECT x FROM bounded');
    if (b.kind !== 'query') throw new Error('expected a query');
    let delivered = 0;
    b.query.onChanges((batch) => (delivered += batch.rows.length));
    const err = await failure(b.query.done);
    expect(err.code).toBe(ErrorCode.QUERY_TOO_MANY_ROWS);
    expect(delivered).toBeLessThanOrEqual(100);

    const u = await eddy.execute('SELECT x FROM endless');
    if (u.kind !== 'query') throw new Error('expected a query');
    let streamed = 0;
    u.query.onChanges((batch) => (streamed += batch.rows.length));
    const start = Date.now();
    while (streamed <= 300 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 20));
    expect(streamed).toBeGreaterThan(300);
    await u.query.cancel();
    await u.query.done;
  });

  it('a bounded SELECT past the timeout is cancelled', async () => {
    const eddy = new Eddy({ jobThread });
    sessions.push(eddy);
    await eddy.execute("SET 'table.exec.query.timeout' = '200 ms'");
    await eddy.execute("CREATE TABLE slow (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '100000', 'rows-per-second' = '10')");
    const q = await eddy.execute('SELECT COUNT(*) FROM slow');
    if (q.kind !== 'query') throw new Error('expected a query');
    const err = await failure(q.query.done);
    expect(err.code).toBe(ErrorCode.QUERY_TIMEOUT);
    // Its job is cancelled, not left running.
    const start = Date.now();
    while (q.query.status === 'RUNNING' && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(q.query.status).not.toBe('RUNNING');
  });
});
