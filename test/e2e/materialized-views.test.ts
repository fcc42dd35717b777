/**
 * Materialized views end to end, through the public engine API:
 * - pull queries during ingestion always read a consistent snapshot: the view's contents equal a batch
 *   computation over a prefix of the input (never a half-applied checkpoint);
 * - a push query (EMIT CHANGES) sees the snapshot, then every change as lines are appended;
 * - a view with a state directory resumes after a restart without counting anything twice.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { ChangeBatch, PullResult } from '../../src/index.js';
import { prng, tempDir, writeJsonLines } from './helpers.js';

const dirs: string[] = [];
const sessions: Eddy[] = [];
afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Whether the views' jobs run in the session's job thread (EddyOptions.jobThread); every test runs both ways. */
let jobThread = false;

function session(options: ConstructorParameters<typeof Eddy>[0] = {}): Eddy {
  const e = new Eddy({ ...options, jobThread });
  sessions.push(e);
  return e;
}

async function pull(eddy: Eddy, sql: string): Promise<PullResult> {
  const r = await eddy.execute(sql);
  if (r.kind !== 'rows') throw new Error(`expected a pull query, got ${r.kind}`);
  return r.result;
}

interface Rec {
  k: number;
  v: number;
}

/** The batch computation: per key, the count and sum of v over the first `n` records. */
function perKey(records: readonly Rec[], n: number): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const r of records.slice(0, n)) {
    const e = out.get(r.k) ?? [0, 0];
    out.set(r.k, [e[0] + 1, e[1] + r.v]);
  }
  return out;
}

function asMap(rows: readonly unknown[][]): Map<number, [number, number]> {
  return new Map(rows.map((r) => [r[0] as number, [r[1] as number, r[2] as number]]));
}

describe.each([false, true])('materialized views (jobs in a job thread: %s)', (inThread) => {
  beforeEach(() => {
    jobThread = inThread;
  });

  it('pull queries at a high rate during ingestion always see a prefix of the input, never half a checkpoint', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const random = prng(7);
    const records: Rec[] = Array.from({ length: 120_000 }, () => ({ k: Math.floor(random() * 5000), v: Math.floor(random() * 100) }));
    const path = writeJsonLines(dir, 'in.json', records);
    const eddy = session({ stateDir: join(dir, 'state') });
    await eddy.execute(`SET 'execution.checkpointing.interval' = '20 ms'`);
    await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`);
    const created = await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM t GROUP BY k');
    if (created.kind !== 'job') throw new Error('expected a job');
    let finished = false;
    void created.job.done.then(() => (finished = true));

    const seen = new Set<number>();
    let lastCheckpoint = 0;
    let pulls = 0;
    while (!finished) {
      // Requests arrive as I/O events; a loop of pulls that never yields would starve the job.
      await new Promise((r) => setImmediate(r));
      const result = await pull(eddy, 'SELECT k, c, s FROM per_key');
      pulls++;
      const total = result.rows.reduce((sum, r) => sum + (r[1] as number), 0);
      // A consistent snapshot reflects a prefix of the (ordered, single-file) input: the first `total` records.
      expect(asMap(result.rows)).toEqual(perKey(records, total));
      const checkpoint = result.freshness[0]?.checkpoint ?? 0;
      expect(checkpoint).toBeGreaterThanOrEqual(lastCheckpoint);
      lastCheckpoint = checkpoint;
      seen.add(total);
    }
    const final = await pull(eddy, 'SELECT k, c, s FROM per_key');
    expect(asMap(final.rows)).toEqual(perKey(records, records.length));
    // The pulls really ran during ingestion: they saw several different, partial states.
    expect([...seen].filter((n) => n > 0 && n < records.length).length).toBeGreaterThanOrEqual(3);
    expect(pulls).toBeGreaterThan(10);
  }, 60_000);

  it('a reader in another process (the view as a sqlite table) never sees half a checkpoint either', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const random = prng(11);
    const records: Rec[] = Array.from({ length: 150_000 }, () => ({ k: Math.floor(random() * 5000), v: Math.floor(random() * 100) }));
    const path = writeJsonLines(dir, 'in.json', records);
    const stateDir = join(dir, 'state');
    const doneFlag = join(dir, 'done');
    // The reader: pull queries in a loop over views.db, each checked against the batch computation.
    const reader = `
      import { Eddy } from ${JSON.stringify(new URL('../../dist/src/index.js', import.meta.url).href)};
      import { existsSync, readFileSync } from 'node:fs';
      const [views, input, doneFlag] = process.argv.slice(1);
      const records = readFileSync(input, 'utf8').trim().split('\\n').map((l) => JSON.parse(l));
      const e = new Eddy();
      await e.execute("CREATE TABLE per_key (k INT, c BIGINT, s INT) WITH ('connector' = 'sqlite', 'path' = '" + views + "', 'table-name' = 'per_key')");
      console.log('ready');
      const seen = new Set(); let bad = 0; let pulls = 0;
      while (!existsSync(doneFlag)) {
        if (!existsSync(views)) { await new Promise((r) => setTimeout(r, 5)); continue; }
        let r;
        try {
          r = await e.execute('SELECT k, c, s FROM per_key');
        } catch (err) {
          // views.db exists a moment before the view's table does.
          if (err.code === 'EDDY-R002' && err.message.includes('does not exist')) { await new Promise((r) => setTimeout(r, 5)); continue; }
          throw err;
        }
        pulls++;
        const total = r.result.rows.reduce((a, row) => a + row[1], 0);
        const want = new Map();
        for (const rec of records.slice(0, total)) { const x = want.get(rec.k) ?? [0, 0]; want.set(rec.k, [x[0] + 1, x[1] + rec.v]); }
        const ok = r.result.rows.length === want.size && r.result.rows.every((row) => { const x = want.get(row[0]); return x && x[0] === row[1] && x[1] === row[2]; });
        if (!ok) bad++;
        seen.add(total);
      }
      console.log(JSON.stringify({ pulls, bad, partial: [...seen].filter((n) => n > 0 && n < records.length).length }));
      await e.close();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', reader, join(stateDir, 'views.db'), path, doneFlag], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.on('exit', r));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 500 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(out).toContain('ready');

    const eddy = session({ stateDir });
    await eddy.execute(`SET 'execution.checkpointing.interval' = '20 ms'`);
    await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`);
    const created = await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM t GROUP BY k');
    if (created.kind !== 'job') throw new Error('expected a job');
    await created.job.done;
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(doneFlag, '');
    await exited;
    const report = JSON.parse(out.trim().split('\n').pop()!) as { pulls: number; bad: number; partial: number };
    expect(report.bad).toBe(0);
    expect(report.partial).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('a push query emits the snapshot, then each change as lines are appended, until cancelled', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = writeJsonLines(dir, 'in.json', [
      { k: 1, v: 10 },
      { k: 2, v: 5 },
    ]);
    const eddy = session();
    await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '50 ms')`);
    await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, SUM(v) AS s FROM t GROUP BY k');
    // Wait until the view holds both keys.
    for (let i = 0; i < 200 && (await pull(eddy, 'SELECT * FROM per_key')).rows.length < 2; i++) await new Promise((r) => setTimeout(r, 20));

    const push = await eddy.execute('SELECT k, s FROM per_key WHERE k <> 3 EMIT CHANGES');
    if (push.kind !== 'query') throw new Error('expected a push query');
    const changes: string[] = [];
    push.query.onChanges((b: ChangeBatch) => b.rows.forEach((r, i) => changes.push(`${['+I', '-U', '+U', '-D'][b.kinds[i]!]} ${r.join(',')}`)));
    const waitFor = async (n: number) => {
      for (let i = 0; i < 250 && changes.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    await waitFor(2);
    expect(changes.slice().sort()).toEqual(['+I 1,10', '+I 2,5']);

    appendFileSync(path, JSON.stringify({ k: 1, v: 7 }) + '\n');
    await waitFor(4);
    expect(changes.slice(2)).toEqual(['-U 1,10', '+U 1,17']);

    // A key the WHERE filters out changes nothing; a new key is inserted.
    appendFileSync(path, JSON.stringify({ k: 3, v: 1 }) + '\n' + JSON.stringify({ k: 4, v: 2 }) + '\n');
    await waitFor(5);
    expect(changes.slice(4)).toEqual(['+I 4,2']);

    await push.query.cancel();
    await push.query.done;
    expect(push.query.status).toBe('cancelled');
    const final = await pull(eddy, 'SELECT k, s FROM per_key ORDER BY k');
    expect(final.rows).toEqual([
      [1, 17],
      [2, 5],
      [3, 1],
      [4, 2],
    ]);
  }, 30_000);

  it('with a state directory, a view resumes after a restart without counting twice', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const records: Rec[] = Array.from({ length: 3000 }, (_, i) => ({ k: i % 7, v: i % 13 }));
    const path = writeJsonLines(dir, 'in.json', records.slice(0, 2000));
    const ddl = `CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '20 ms')`;
    const view = 'CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM t GROUP BY k';
    const stateDir = join(dir, 'state');
    const waitForTotal = async (eddy: Eddy, n: number) => {
      for (let i = 0; i < 500; i++) {
        const rows = (await pull(eddy, 'SELECT k, c, s FROM per_key')).rows;
        if (rows.reduce((sum, r) => sum + (r[1] as number), 0) >= n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    const first = session({ stateDir });
    await first.execute("SET 'execution.checkpointing.interval' = '50 ms'");
    await first.execute(ddl);
    await first.execute(view);
    await waitForTotal(first, 2000);
    await first.close();

    // More input arrives while the view is down; the restarted view reads only the new lines.
    appendFileSync(path, records.slice(2000).map((r) => JSON.stringify(r)).join('\n') + '\n');
    const second = session({ stateDir });
    await second.execute("SET 'execution.checkpointing.interval' = '50 ms'");
    await second.execute(ddl);
    const resumed = await second.execute(view);
    if (resumed.kind !== 'job') throw new Error('expected a job');
    expect(resumed.job.jobs[0]!.restoredFrom).toBeDefined();
    await waitForTotal(second, 3000);
    const result = await pull(second, 'SELECT k, c, s FROM per_key');
    expect(asMap(result.rows)).toEqual(perKey(records, records.length));
    expect(result.freshness[0]!.checkpoint).toBeGreaterThan(0);
  }, 30_000);

  it('refuses an updating view without a key, and EMIT CHANGES it cannot run, with positioned errors', async () => {
    const eddy = session();
    await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
    await expect(eddy.execute('CREATE MATERIALIZED VIEW m AS SELECT SUM(c) AS total FROM (SELECT k, COUNT(*) AS c FROM t GROUP BY k) GROUP BY c + 1')).rejects.toThrow(
      /no columns identify its rows/,
    );
    // A LEFT join of two append-only tables: nothing identifies its rows, and the hint says why for a join.
    const joined = await eddy.execute('CREATE MATERIALIZED VIEW j AS SELECT a.k, b.v FROM t a LEFT JOIN t b ON a.k = b.k').catch((e: unknown) => e as EddyError);
    expect(joined).toBeInstanceOf(EddyError);
    expect((joined as EddyError).message).toContain('no columns identify its rows');
    expect((joined as EddyError).diagnostics[0]!.hint).toContain('both inputs have keys');
    await eddy.execute("SET 'table.dml-sync' = 'true'");
    await eddy.execute('CREATE MATERIALIZED VIEW m AS SELECT k, COUNT(*) AS c FROM t GROUP BY k');
    await expect(eddy.execute('CREATE MATERIALIZED VIEW m AS SELECT k FROM t')).rejects.toThrow(/already exists/);
    expect((await eddy.execute('CREATE MATERIALIZED VIEW IF NOT EXISTS m AS SELECT k FROM t')).kind).toBe('ok');
    await expect(eddy.execute('SELECT c, COUNT(*) AS n FROM m GROUP BY c EMIT CHANGES')).rejects.toThrow(/EMIT CHANGES over a materialized view/);
    await expect(eddy.execute('INSERT INTO m VALUES (99, 12345)')).rejects.toThrow("Cannot INSERT INTO materialized view 'm': only its query writes it");
  });

  it('compares strings in pull queries as Eddy does (UTF-16), not as SQLite orders text (UTF-8 bytes)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // Eddy's order: 'a' (U+0061) < '😀' (surrogates from U+D83D) < 'ｱ' (U+FF71); in UTF-8 bytes 'ｱ' < '😀'.
    const path = writeJsonLines(dir, 'in.json', [{ s: '😀' }, { s: 'ｱ' }, { s: 'a' }]);
    const eddy = session();
    await eddy.execute("SET 'table.dml-sync' = 'true'");
    await eddy.execute(`CREATE TABLE t (s STRING) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`);
    await eddy.execute('CREATE MATERIALIZED VIEW m AS SELECT s, COUNT(*) AS n FROM t GROUP BY s');
    expect((await pull(eddy, "SELECT s FROM m WHERE s < 'ｱ' ORDER BY s")).rows).toEqual([['a'], ['😀']]);
    expect((await pull(eddy, "SELECT s FROM m WHERE s > 'a' ORDER BY s")).rows).toEqual([['😀'], ['ｱ']]);
    expect((await pull(eddy, "SELECT n FROM m WHERE s = '😀'")).rows).toEqual([[1]]);
  });

  it('a push query that starts between two checkpoints gets what the next one applies', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = writeJsonLines(dir, 'in.json', [{ k: 1, v: 10 }]);
    const eddy = session({ stateDir: join(dir, 'state') });
    await eddy.execute("SET 'execution.checkpointing.interval' = '2 s'");
    await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '20 ms')`);
    await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, SUM(v) AS s FROM t GROUP BY k');
    for (let i = 0; i < 300 && (await pull(eddy, 'SELECT * FROM per_key')).rows.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    // Right after a checkpoint: this row is read now, but committed only by the next checkpoint.
    appendFileSync(path, JSON.stringify({ k: 1, v: 7 }) + '\n');
    await new Promise((r) => setTimeout(r, 300));
    const push = await eddy.execute('SELECT k, s FROM per_key EMIT CHANGES');
    if (push.kind !== 'query') throw new Error('expected a push query');
    const changes: string[] = [];
    push.query.onChanges((b) => b.rows.forEach((r, i) => changes.push(`${['+I', '-U', '+U', '-D'][b.kinds[i]!]} ${r.join(',')}`)));
    for (let i = 0; i < 300 && changes.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(changes).toEqual(['+I 1,10', '-U 1,10', '+U 1,17']);
    await push.query.cancel();
  }, 20_000);

  it('a push query fails when its view\'s job fails', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = writeJsonLines(dir, 'in.json', [{ k: 1, v: 10 }]);
    const eddy = session();
    await eddy.execute(`CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '20 ms')`);
    await eddy.execute('CREATE MATERIALIZED VIEW per_key AS SELECT k, SUM(v) AS s FROM t GROUP BY k');
    const push = await eddy.execute('SELECT k, s FROM per_key EMIT CHANGES');
    if (push.kind !== 'query') throw new Error('expected a push query');
    appendFileSync(path, '{"k": 2, "v": \n');
    const err = await push.query.done.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('invalid-json');
    expect(push.query.status).toBe('failed');
  });
});
