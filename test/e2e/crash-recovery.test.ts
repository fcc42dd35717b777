/**
 * Exactly-once after crashes: a bounded job with a window aggregate (into a filesystem sink) and a
 * non-windowed aggregate (into a sqlite sink), checkpointing every 100 ms, is killed with SIGKILL at random
 * moments again and again and restarted with the same state directory; its final output must equal an
 * uninterrupted run's — no duplicates, no losses. The same for kills at the named points of a checkpoint.
 * The job runs as a child process of the real `eddy` binary (built by `npm test`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { prng, tempDir, writeJsonLines } from './helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');
const ROWS = 150_000;
/** Rows are 10 ms of event time apart: 1,500 s in all. */
const STEP_MS = 10;
/**
 * The crashed runs replay the input at 50x its event-time pace (30 s in all), so each run, killed within
 * about 2 s of starting, gets through only a small part of it: 20 kills cannot finish the job by accident.
 * Pacing does not change results (watermarks and lateness follow the rows), so the reference run is not paced.
 */
const SPEEDUP = 50;

let dir: string;
let input: string;

beforeAll(() => {
  dir = tempDir('eddy-crash-');
  const rand = prng(11);
  const base = Date.UTC(2024, 0, 1);
  const records: object[] = [];
  for (let i = 0; i < ROWS; i++) {
    const ts = base + i * STEP_MS - Math.floor(rand() * 2000);
    records.push({ k: Math.floor(rand() * 500), v: Math.floor(rand() * 1000), ts: new Date(ts).toISOString() });
  }
  input = writeJsonLines(dir, 'input.json', records);
});

/** The job: two INSERTs, each its own checkpointed job with its own state file. */
function script(out: string, paced = true): string {
  return `
SET 'execution.checkpointing.interval' = '100 ms';
CREATE TABLE events (k INT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '3' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json'${paced ? `, 'replay.speedup' = '${SPEEDUP}'` : ''});
CREATE TABLE windows_out (k INT, window_start TIMESTAMP(3), c BIGINT, s BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '${out}/windows', 'format' = 'json');
CREATE TABLE totals_out (k INT, c BIGINT, s BIGINT, mx BIGINT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'sqlite', 'path' = '${out}/totals.db', 'table-name' = 'totals');
INSERT INTO windows_out
  SELECT k, window_start, COUNT(*), SUM(v) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end, k;
INSERT INTO totals_out SELECT k, COUNT(*), SUM(v), MAX(v) FROM events GROUP BY k;
`;
}

function writeScript(out: string, paced = true): string {
  const path = join(out, 'job.sql');
  writeFileSync(path, script(out, paced));
  return path;
}

/** Runs the job to its end; returns the exit code. */
function runToEnd(jobFile: string, stateDir: string, env: Record<string, string> = {}): number | null {
  const r = spawnSync(process.execPath, [BIN, 'run', jobFile, '--state-dir', stateDir], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0 && r.signal !== 'SIGKILL') throw new Error(`eddy failed (${r.status}): ${r.stderr}`);
  return r.status;
}

/** Starts the job and kills it with SIGKILL after `ms`; resolves true if it was killed, false if it had already ended. */
function runAndKill(jobFile: string, stateDir: string, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', jobFile, '--state-dir', stateDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(true);
      else if (code === 0) resolve(false);
      else reject(new Error(`eddy failed (${code}): ${stderr}`));
    });
  });
}

/** The job's output: the window rows (sorted) and the totals table (by key). */
function output(out: string): { windows: string[]; totals: unknown[] } {
  const windowsFile = join(out, 'windows', 'part-0.json');
  const windows = existsSync(windowsFile) ? readFileSync(windowsFile, 'utf8').split('\n').filter((l) => l !== '').sort() : [];
  const db = new Database(join(out, 'totals.db'), { readonly: true });
  const totals = db.prepare('SELECT * FROM totals ORDER BY k').all();
  db.close();
  return { windows, totals };
}

describe('exactly-once recovery', () => {
  let expected: { windows: string[]; totals: unknown[] };

  beforeAll(() => {
    const out = tempDir('eddy-crash-ref-');
    expect(runToEnd(writeScript(out, false), join(out, 'state'))).toBe(0);
    expected = output(out);
    // Sanity: the reference run produced real results.
    expect(expected.windows.length).toBeGreaterThan(1000);
    expect(expected.totals.length).toBe(500);
  }, 120_000);

  it('survives 20 kills at random moments', async () => {
    const out = tempDir('eddy-crash-run-');
    const job = writeScript(out);
    const state = join(out, 'state');
    const rand = prng(5);
    let kills = 0;
    let finished = false;
    for (let attempt = 0; attempt < 60 && kills < 20; attempt++) {
      // Start-up takes most of a second; kill somewhere between then and well into the run.
      const killed = await runAndKill(job, state, 700 + Math.floor(rand() * 1500));
      if (killed) kills++;
      else {
        finished = true;
        break;
      }
    }
    expect(kills).toBe(20);
    // Finish without pacing: the plan (and so the state) is the same, only the replay speed differs.
    if (!finished) expect(runToEnd(writeScript(out, false), state)).toBe(0);
    const got = output(out);
    expect(got.windows.length).toBe(expected.windows.length);
    expect(got.windows).toEqual(expected.windows);
    expect(got.totals).toEqual(expected.totals);
  }, 300_000);

  for (const point of ['before-state-commit', 'after-state-commit'] as const) {
    it(`recovers from a kill ${point.replace(/-/g, ' ')}`, () => {
      const out = tempDir('eddy-crash-point-');
      const job = writeScript(out, false);
      const state = join(out, 'state');
      const r = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state], { encoding: 'utf8', env: { ...process.env, EDDY_CRASH_AT: point, EDDY_CRASH_AFTER: '4' } });
      expect(r.signal).toBe('SIGKILL');
      expect(runToEnd(job, state)).toBe(0);
      expect(output(out)).toEqual(expected);
    }, 120_000);
  }

  it('recovers from a kill during recovery itself', () => {
    const out = tempDir('eddy-crash-recovery-');
    const job = writeScript(out, false);
    const state = join(out, 'state');
    const first = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state], { encoding: 'utf8', env: { ...process.env, EDDY_CRASH_AT: 'after-state-commit', EDDY_CRASH_AFTER: '3' } });
    expect(first.signal).toBe('SIGKILL');
    const second = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state], { encoding: 'utf8', env: { ...process.env, EDDY_CRASH_AT: 'during-recovery' } });
    expect(second.signal).toBe('SIGKILL');
    expect(runToEnd(job, state)).toBe(0);
    expect(output(out)).toEqual(expected);
  }, 120_000);

  it('refuses state written by a different query, and --fresh starts over', () => {
    const out = tempDir('eddy-crash-changed-');
    const job = writeScript(out, false);
    const state = join(out, 'state');
    const first = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state], { encoding: 'utf8', env: { ...process.env, EDDY_CRASH_AT: 'after-state-commit', EDDY_CRASH_AFTER: '2' } });
    expect(first.signal).toBe('SIGKILL');
    writeFileSync(job, script(out, false).replace('SUM(v), MAX(v)', 'SUM(v), MIN(v)'));
    const changed = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state], { encoding: 'utf8' });
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain('was written by a different job');
    expect(changed.stderr).toContain('--fresh');
    const fresh = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state, '--fresh'], { encoding: 'utf8' });
    expect(fresh.status).toBe(0);
  }, 120_000);
});
