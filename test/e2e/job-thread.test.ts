/**
 * Jobs in the session's job thread (EddyOptions.jobThread, as `eddy serve` runs them), beyond the
 * materialized-view, savepoint and server suites that run with it too: a job's output and counters, its
 * failure (an EddyError that still renders against the statement), a start refused in the thread, and
 * the fallback to the caller's thread when the session has connectors of its own.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectFinalRows, Eddy, EddyError } from '../../src/index.js';
import type { ConnectorFactory } from '../../src/runtime/connector.js';
import { JOB_THREAD_NICE } from '../../src/engine/job-thread.js';
import { executeAll, failureOf, materialize, runQuery, tempDir, writeJsonLines } from './helpers.js';

const sessions: Eddy[] = [];
afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
});

function session(options: ConstructorParameters<typeof Eddy>[0] = {}): Eddy {
  const e = new Eddy({ ...options, jobThread: true });
  sessions.push(e);
  return e;
}

const tables = (dir: string, input: string) => `
CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
CREATE TABLE out_t (k INT, c BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'out.db')}', 'table-name' = 'totals');`;

describe('jobs in the job thread', () => {
  it('run an INSERT to the same output, and report its counters and status', async () => {
    const dir = tempDir();
    // k = i % 3, v = i: per key, counts 4, 3, 3 and sums 0+3+6+9 = 18, 1+4+7 = 12, 2+5+8 = 15.
    const input = writeJsonLines(dir, 'in.json', Array.from({ length: 10 }, (_, i) => ({ k: i % 3, v: i })));
    const eddy = session();
    await executeAll(eddy, tables(dir, input));
    const r = await eddy.execute('INSERT INTO out_t SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k');
    if (r.kind !== 'job') throw new Error('expected a job');
    await r.job.done;
    expect(r.job.status).toBe('finished');
    expect(r.job.summary()).toMatchObject({ rowsIn: 10, badRowsSkipped: 0 });
    const check = await eddy.execute(`CREATE TABLE totals (k INT, c BIGINT, s BIGINT) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'out.db')}', 'table-name' = 'totals')`);
    expect(check.kind).toBe('ok');
    const pulled = await eddy.execute('SELECT k, c, s FROM totals ORDER BY k');
    if (pulled.kind !== 'rows') throw new Error('expected rows');
    expect(pulled.result.rows).toEqual([
      [0, 4, 18],
      [1, 3, 12],
      [2, 3, 15],
    ]);
    expect(eddy.running()).toEqual([]);
  });

  it('a job failing in the thread rejects with an EddyError that renders against its statement', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.json');
    writeFileSync(input, '{"k": 1, "v": 2}\n{"k": 2, "v": \n');
    const eddy = session();
    await executeAll(eddy, tables(dir, input));
    const r = await eddy.execute('INSERT INTO out_t SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k');
    if (r.kind !== 'job') throw new Error('expected a job');
    const err = await r.job.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe('EDDY-R001');
    expect((err as EddyError).message).toContain('invalid-json');
    expect((err as EddyError).message).toContain(`${input}:2`);
    expect(r.job.status).toBe('failed');
    // The session still works, and the thread takes the next job.
    writeFileSync(input, '{"k": 5, "v": 1}\n');
    const again = await eddy.execute('INSERT INTO out_t SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k');
    if (again.kind !== 'job') throw new Error('expected a job');
    await again.job.done;
    expect(again.job.summary().rowsIn).toBe(1);
  });

  it('a start the thread refuses (state of a different query) fails the statement with its code and hint', async () => {
    const dir = tempDir();
    const input = writeJsonLines(dir, 'in.json', [{ k: 1, v: 1 }]);
    const stateDir = join(dir, 'state');
    const first = session({ stateDir });
    await executeAll(first, tables(dir, input));
    const r = await first.execute('INSERT INTO out_t SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k');
    if (r.kind !== 'job') throw new Error('expected a job');
    await r.job.done;
    expect(readdirSync(stateDir)).toContain('insert-1-out_t.db');

    const second = session({ stateDir });
    await executeAll(second, tables(dir, input));
    const err = await second.execute('INSERT INTO out_t SELECT k, COUNT(*), MAX(v) FROM t GROUP BY k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe('EDDY-B013');
    expect((err as EddyError).message).toContain(`The state in ${join(stateDir, 'insert-1-out_t.db')} was written by a different job`);
    // Its hint (the way out) crossed the thread too.
    expect((err as EddyError).render()).toContain('--fresh');
    expect(second.running()).toEqual([]);
  });

  it.runIf(existsSync('/proc/thread-self'))('runs its jobs at a lower CPU priority than the caller\'s thread (Linux)', async () => {
    /** The nice value of each thread of this process (field 19 of /proc/<pid>/task/<tid>/stat). */
    const niceValues = () =>
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return { tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
      });
    const ownNice = niceValues().find((t) => t.tid === process.pid)!.nice;
    const dir = tempDir();
    const input = writeJsonLines(dir, 'in.json', [{ k: 1, v: 1 }]);
    const eddy = session({ stateDir: join(dir, 'state') });
    await executeAll(eddy, `CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.monitor-interval' = '50 ms');
      CREATE TABLE s (k INT, c BIGINT) WITH ('connector' = 'blackhole');`);
    const before = new Set(niceValues().map((t) => t.tid));
    const r = await eddy.execute('INSERT INTO s SELECT k, COUNT(*) FROM t GROUP BY k');
    if (r.kind !== 'job') throw new Error('expected a job');
    // The job thread (and the checkpoint writer it starts) are new threads, at nice + JOB_THREAD_NICE.
    const added = niceValues().filter((t) => !before.has(t.tid));
    expect(added.some((t) => t.nice === Math.min(19, ownNice + JOB_THREAD_NICE))).toBe(true);
    expect(niceValues().find((t) => t.tid === process.pid)!.nice).toBe(ownNice);
    await r.job.cancel();
  });

  it('runs jobs in the caller\'s thread when the session has connectors of its own', async () => {
    let opened = 0;
    const counting: ConnectorFactory = {
      identifier: 'counting',
      description: 'Counts the sinks it opens (in the thread that runs them).',
      options: [],
      sinkChangelogMode: 'all',
      createSink: () => ({
        open: async () => void opened++,
        write: () => {},
        flush: async () => {},
        close: async () => {},
      }),
    };
    const dir = tempDir();
    const input = writeJsonLines(dir, 'in.json', [{ k: 1, v: 1 }]);
    const eddy = session({ connectors: [counting] });
    await executeAll(eddy, `CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
      CREATE TABLE s (k INT, v INT) WITH ('connector' = 'counting');`);
    const r = await eddy.execute('INSERT INTO s SELECT k, v FROM t');
    if (r.kind !== 'job') throw new Error('expected a job');
    await r.job.done;
    // The sink ran here: a job thread could not have reached this closure.
    expect(opened).toBe(1);
  });
});

/** CPU time (clock ticks) each thread of this process has used, by thread id, and each thread's nice value. */
function threadTimes(): { tid: number; nice: number; ticks: number }[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command: state is field 3, utime 14, stime 15, nice 19.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), nice: Number(f[16]), ticks: Number(f[11]) + Number(f[12]) };
  });
}

/** A session with a job thread and one without (jobs in the caller's thread), both given `ddl`. */
async function bothThreads(ddl: string): Promise<[Eddy, Eddy]> {
  const inThread = session();
  const here = new Eddy();
  sessions.push(here);
  for (const e of [inThread, here]) await executeAll(e, ddl);
  return [inThread, here];
}

describe('SELECT queries in the job thread', () => {
  it("answer the same changes as in the caller's thread, with their counters", async () => {
    const dir = tempDir();
    // k = i % 3, v = i: per key, counts 4, 3, 3 and sums 0+3+6+9 = 18, 1+4+7 = 12, 2+5+8 = 15.
    const input = writeJsonLines(dir, 'in.json', Array.from({ length: 10 }, (_, i) => ({ k: i % 3, v: i })));
    const sql = 'SELECT k, COUNT(*) AS c, SUM(v) AS s FROM t GROUP BY k';
    const [inThread, here] = await bothThreads(tables(dir, input));
    const remote = await runQuery(inThread, sql);
    expect(materialize(remote.changes)).toEqual(['[0,4,18]', '[1,3,12]', '[2,3,15]']);
    // Change for change, in the same order, as the same query run in the caller's thread.
    expect(remote.changes).toEqual((await runQuery(here, sql)).changes);
    expect(remote.summary).toMatchObject({ rowsIn: 10, rowsOut: remote.changes.length, badRowsSkipped: 0 });
    expect(inThread.running()).toEqual([]);
  });

  it.runIf(existsSync('/proc/thread-self'))("do their work in the job thread, not the caller's (Linux)", async () => {
    const eddy = session();
    await executeAll(eddy, "CREATE TABLE bulk (k INT) WITH ('connector' = 'datagen', 'number-of-rows' = '400000', 'rows-per-second' = '100000000', 'fields.k.min' = '0', 'fields.k.max' = '99')");
    // A first query starts the thread.
    await runQuery(eddy, 'SELECT 1');
    const ownNice = threadTimes().find((t) => t.tid === process.pid)!.nice;
    const jobThread = () => threadTimes().find((t) => t.nice === Math.min(19, ownNice + JOB_THREAD_NICE))!;
    const self = () => threadTimes().find((t) => t.tid === process.pid)!;
    const [thread0, self0] = [jobThread(), self()];
    const { changes } = await runQuery(eddy, 'SELECT k, COUNT(*) AS n FROM bulk GROUP BY k');
    const [thread1, self1] = [jobThread(), self()];
    // 100 keys counting 400,000 rows in all.
    const final = materialize(changes).map((r) => JSON.parse(r) as [number, number]);
    expect(final).toHaveLength(100);
    expect(final.reduce((a, [, n]) => a + n, 0)).toBe(400_000);
    // Aggregating 400,000 rows costs the job thread far more CPU than this thread spends receiving the result.
    const threadTicks = thread1.ticks - thread0.ticks;
    const selfTicks = self1.ticks - self0.ticks;
    expect(threadTicks, `job thread ${threadTicks} ticks, caller's thread ${selfTicks}`).toBeGreaterThan(2 * selfTicks);
  });

  it("give a bounded query's final rows (collapsed in the thread) as in the caller's thread", async () => {
    const dir = tempDir();
    // 20,000 records, k = i % 7: key 0 counts 2,858, keys 1..6 count 2,857 (20,000 = 7 × 2,857 + 1).
    const input = writeJsonLines(dir, 'in.json', Array.from({ length: 20_000 }, (_, i) => ({ k: i % 7, v: 1 })));
    const sql = 'SELECT k, COUNT(*) AS c FROM t GROUP BY k';
    const finals: (readonly unknown[])[][] = [];
    const changes: number[] = [];
    for (const e of await bothThreads(tables(dir, input))) {
      const r = await e.execute(sql);
      if (r.kind !== 'query') throw new Error('expected a query');
      finals.push(await collectFinalRows(r.query));
      changes.push(r.query.summary().rowsOut);
    }
    const [remote, local] = finals;
    expect([...remote!].sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([[0, 2858], ...[1, 2, 3, 4, 5, 6].map((k) => [k, 2857])]);
    // The same rows in the same order as collapsed in the caller's thread, from a changelog with updates.
    expect(remote).toEqual(local);
    expect(changes[0]).toBe(changes[1]);
    expect(changes[0]).toBeGreaterThan(7);
  });

  it('count max-rows over all the changes of a bounded query, even when only its final rows come back', async () => {
    // 50,000 rows over 1,000 keys: 1,000 final rows, from a changelog of many more updates.
    const ddl = "CREATE TABLE bulk (k INT) WITH ('connector' = 'datagen', 'number-of-rows' = '50000', 'rows-per-second' = '100000000', 'fields.k.min' = '0', 'fields.k.max' = '999')";
    const errors: EddyError[] = [];
    for (const e of await bothThreads(ddl)) {
      await e.execute("SET 'table.exec.query.max-rows' = '2000'");
      const r = await e.execute('SELECT k, COUNT(*) AS n FROM bulk GROUP BY k');
      if (r.kind !== 'query') throw new Error('expected a query');
      errors.push(await collectFinalRows(r.query).then(() => { throw new Error('expected EDDY-R008'); }, (err: EddyError) => err));
    }
    expect(errors[0]!.code).toBe('EDDY-R008');
    expect(errors[0]!.message).toBe(errors[1]!.message);
  });

  it('stop promptly when cancelled, and deliver nothing after', async () => {
    const eddy = session();
    await executeAll(eddy, "CREATE TABLE endless (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000')");
    const r = await eddy.execute('SELECT x FROM endless');
    if (r.kind !== 'query') throw new Error('expected a query');
    expect(r.query.bounded).toBe(false);
    let received = 0;
    r.query.onChanges((b) => (received += b.rows.length));
    const start = Date.now();
    while (received < 200 && Date.now() - start < 30_000) await new Promise((res) => setTimeout(res, 20));
    expect(received).toBeGreaterThanOrEqual(200);
    await r.query.cancel();
    await r.query.done;
    const atCancel = received;
    expect(r.query.status).toBe('cancelled');
    await new Promise((res) => setTimeout(res, 300));
    expect(received).toBe(atCancel);
    expect(eddy.running()).toEqual([]);
  });

  it('are cancelled by STOP JOB', async () => {
    const eddy = session();
    await executeAll(eddy, "CREATE TABLE endless (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '100')");
    const r = await eddy.execute('SELECT x FROM endless');
    if (r.kind !== 'query') throw new Error('expected a query');
    const stopped = await eddy.execute(`STOP JOB '${r.query.id}'`);
    expect(stopped).toMatchObject({ kind: 'ok', message: `Query ${r.query.id} cancelled.` });
    await r.query.done;
    expect(r.query.status).toBe('cancelled');
  });

  it("fail with the same error as in the caller's thread", async () => {
    const dir = tempDir();
    const input = join(dir, 'in.json');
    writeFileSync(input, '{"k": 1, "v": 2}\n{"k": 2, "v": \n');
    const sql = 'SELECT k, v + 1 AS w FROM t';
    const [inThread, here] = await bothThreads(tables(dir, input));
    const remote = await failureOf(inThread, sql);
    expect(remote.code).toBe('EDDY-R001');
    expect(remote.message).toContain(`${input}:2`);
    const local = await failureOf(here, sql);
    expect(remote.render()).toBe(local.render());
    // A statement the session refuses never reaches the thread, and keeps its position.
    const refused = await failureOf(inThread, 'SELECT k, nope FROM t');
    expect(refused.code).toBe((await failureOf(here, 'SELECT k, nope FROM t')).code);
    expect(refused.render()).toContain('nope');
  });
});
