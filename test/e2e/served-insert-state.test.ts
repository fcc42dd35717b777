/**
 * INSERTs sent to `eddy serve --state-dir` by clients are statements of their own: once such a job has
 * finished (its output committed), its state file is removed; 40 INSERTs over HTTP leave no 40 files. A job
 * that failed keeps its state (it could resume), and the init script's jobs keep theirs (a script run again
 * resumes at its end). Through a real `eddy serve` process over HTTP.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStarted, startEddyServe, tempDir } from './helpers.js';

const INSERTS = 40;

afterEach(killStarted);

/** A running server: its statement URL and the headers carrying its token. */
type Server = { url: string; auth: Record<string, string> };

/** POSTs a statement to the server with its token. */
async function statement(server: Server, sql: string): Promise<{ rows?: unknown[][] }> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth }, body: JSON.stringify({ sql }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { rows?: unknown[][] };
}

async function jobsDone(server: Server): Promise<void> {
  const deadline = Date.now() + 60_000;
  // SHOW JOBS keeps ended jobs (FINISHED, FAILED) in its list; the third column is the status.
  while ((await statement(server, 'SHOW JOBS')).rows!.some((r) => r[2] === 'RUNNING')) {
    if (Date.now() > deadline) throw new Error('jobs did not finish');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('state files of served INSERTs', () => {
  it('a finished one is removed when its statement ends; a failed one and the init script’s are kept', async () => {
    const dir = tempDir();
    const good = join(dir, 'good.json');
    writeFileSync(good, '{"k":1}\n{"k":2}\n{"k":3}\n');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"k":1}\nnot json\n');
    const out = join(dir, 'out');
    const init = join(dir, 'init.sql');
    writeFileSync(
      init,
      `CREATE TABLE src (k INT) WITH ('connector' = 'filesystem', 'path' = '${good}', 'format' = 'json');
       CREATE TABLE broken (k INT) WITH ('connector' = 'filesystem', 'path' = '${bad}', 'format' = 'json');
       CREATE TABLE o (k INT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
       CREATE TABLE nothing (k INT) WITH ('connector' = 'blackhole');
       SET 'table.dml-sync' = 'true';
       INSERT INTO o SELECT k * 10 FROM src;
       SET 'table.dml-sync' = 'false';`,
    );
    const state = join(dir, 'state');
    const server = await startEddyServe(['-i', init, '--state-dir', state]);
    for (let i = 0; i < INSERTS; i++) await statement(server, 'INSERT INTO nothing SELECT k + 1 FROM src');
    await statement(server, 'INSERT INTO nothing SELECT k FROM broken');
    await jobsDone(server);
    // The init script's INSERT was the session's first; the 40 clients' were 2..41, the failed one 42.
    // A finished job's file goes right after the job ends (SHOW JOBS may list it as FINISHED a moment before).
    const expected = ['insert-1-o.db', 'insert-42-nothing.db'];
    const dbFiles = () => readdirSync(state).filter((f) => f.endsWith('.db')).sort();
    const until = Date.now() + 10_000;
    while (JSON.stringify(dbFiles()) !== JSON.stringify(expected) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(dbFiles()).toEqual(expected);
    expect(readFileSync(join(out, 'part-0.json'), 'utf8')).toBe('{"k":10}\n{"k":20}\n{"k":30}\n');

    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
  }, 120_000);
});
