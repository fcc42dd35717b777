/**
 * Jobs in the session's job thread (EddyOptions.jobThread, as `eddy serve` runs them), beyond the
 * materialized-view, savepoint and server suites that run with it too: a job's output and counters, its
 * failure (an EddyError that still renders against the statement), a start refused in the thread, and
 * the fallback to the caller's thread when the session has connectors of its own.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { ConnectorFactory } from '../../src/runtime/connector.js';
import { JOB_THREAD_NICE } from '../../src/engine/job-thread.js';
import { executeAll, tempDir, writeJsonLines } from './helpers.js';

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
