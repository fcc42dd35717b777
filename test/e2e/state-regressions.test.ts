/**
 * Regressions found by the savepoint tests: idle jobs still checkpoint, STOP JOB returns once the job has
 * released its state, a statement set with a pipeline name is one job with one state file, and a VALUES
 * source resumes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, tempDir, writeJsonLines } from './helpers.js';

async function eventually(predicate: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function rows(db: string, table: string): unknown[] {
  const d = new Database(db, { readonly: true, fileMustExist: false });
  try {
    return d.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();
  } catch {
    return [];
  } finally {
    d.close();
  }
}

describe('state regressions', () => {
  it('a job with no new input still checkpoints, so its exactly-once output appears', async () => {
    const dir = tempDir();
    const input = writeJsonLines(dir, 'in.json', [{ k: 1 }, { k: 1 }, { k: 2 }]);
    const out = join(dir, 'out.db');
    const eddy = new Eddy({ stateDir: join(dir, 'state') });
    await executeAll(
      eddy,
      `SET 'execution.checkpointing.interval' = '100 ms';
       CREATE TABLE t (k INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.monitor-interval' = '50 ms');
       CREATE TABLE o (k INT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${out}', 'table-name' = 'o');`,
    );
    const r = await eddy.execute('INSERT INTO o SELECT k, COUNT(*) FROM t GROUP BY k');
    await eventually(() => rows(out, 'o').length === 2);
    expect(rows(out, 'o')).toEqual([
      { k: 1, c: 2 },
      { k: 2, c: 1 },
    ]);
    if (r.kind === 'job') await r.job.cancel();
  });

  it('STOP JOB returns once the job has let go of its state: a new job can open it at once', async () => {
    const dir = tempDir();
    const input = writeJsonLines(dir, 'in.json', [{ k: 1 }]);
    const stateDir = join(dir, 'state');
    const ddl = `SET 'execution.checkpointing.interval' = '100 ms';
       CREATE TABLE t (k INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.monitor-interval' = '50 ms');
       CREATE TABLE o (k INT, c BIGINT) WITH ('connector' = 'blackhole');`;
    const first = new Eddy({ stateDir });
    await executeAll(first, ddl);
    await first.execute('INSERT INTO o SELECT k, COUNT(*) FROM t GROUP BY k');
    const stopped = await first.execute("STOP JOB 'job-1' WITH SAVEPOINT");
    if (stopped.kind !== 'table') throw new Error('expected the savepoint path');
    const savepoint = stopped.table.rows[0]![0]!;
    const second = new Eddy({ stateDir });
    await executeAll(second, ddl + `SET 'execution.savepoint.path' = '${savepoint}';`);
    const r = await second.execute('INSERT INTO o SELECT k, COUNT(*) FROM t GROUP BY k');
    if (r.kind !== 'job') throw new Error('expected a job');
    expect(r.job.jobs[0]!.restoredFrom).toBeDefined();
    await r.job.cancel();
  });

  it('a statement set under one pipeline.name is one job with one state file, and runs again from it', async () => {
    const dir = tempDir();
    const stateDir = join(dir, 'state');
    const script = `SET 'pipeline.name' = 'myjob';
      CREATE TABLE a (k INT) WITH ('connector' = 'blackhole');
      CREATE TABLE b (k INT) WITH ('connector' = 'blackhole');
      EXECUTE STATEMENT SET BEGIN
        INSERT INTO a SELECT * FROM (VALUES (1), (2)) AS v(k);
        INSERT INTO b SELECT k + 1 FROM (VALUES (1), (2)) AS v(k);
      END;`;
    for (let run = 0; run < 2; run++) {
      const eddy = new Eddy({ stateDir });
      for await (const r of eddy.executeScript(script)) if (r.kind === 'job') await r.job.done;
    }
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.db'))).toEqual(['myjob.db']);
  });

  it('a VALUES source resumes at its end: running a finished job again adds nothing', async () => {
    const dir = tempDir();
    const stateDir = join(dir, 'state');
    const out = join(dir, 'out.db');
    for (let run = 0; run < 2; run++) {
      const eddy = new Eddy({ stateDir });
      await executeAll(eddy, `CREATE TABLE o (k INT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${out}', 'table-name' = 'o');`);
      const r = await eddy.execute('INSERT INTO o SELECT k, COUNT(*) FROM (VALUES (1), (1), (2)) AS t(k) GROUP BY k');
      if (r.kind === 'job') await r.job.done;
    }
    expect(rows(out, 'o')).toEqual([
      { k: 1, c: 2 },
      { k: 2, c: 1 },
    ]);
  });
});

describe('sinks shared by jobs', () => {
  it('two checkpointed jobs writing one sqlite table keep their own commit records', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.db');
    const eddy = new Eddy({ stateDir: join(dir, 'state') });
    await executeAll(
      eddy,
      `SET 'execution.checkpointing.interval' = '20 ms';
       CREATE TABLE o (k INT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${out}', 'table-name' = 'o');`,
    );
    const a = await eddy.execute('INSERT INTO o SELECT k, COUNT(*) FROM (VALUES (1), (1), (2)) AS t(k) GROUP BY k');
    const b = await eddy.execute('INSERT INTO o SELECT k + 10, COUNT(*) FROM (VALUES (1), (3), (3), (3)) AS t(k) GROUP BY k');
    for (const r of [a, b]) if (r.kind === 'job') await r.job.done;
    expect(rows(out, 'o')).toEqual([
      { k: 1, c: 2 },
      { k: 2, c: 1 },
      { k: 11, c: 1 },
      { k: 13, c: 3 },
    ]);
  });
});
