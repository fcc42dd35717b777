/**
 * Damaged state gives a clear error, never a raw SQLite or JSON exception: a checkpointed `eddy run` whose
 * state file is then overwritten with garbage, truncated, or has a checkpoint record or a state entry that
 * does not decode, stops on the rerun with EDDY-R007 naming the file and the ways out (a savepoint,
 * `--fresh`), exit code 1; `--fresh` then runs. A disk still full on restart is EDDY-R004 saying so.
 * Real processes, real files, a real full file system (a tmpfs, as in disk-full.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEddy, tempDir, type EddyExit } from './helpers.js';

function eddyRun(script: string, ...args: string[]): Promise<EddyExit> {
  return runEddy(['run', script, ...args]);
}

/** A GROUP BY over a directory of JSON files into a sqlite table, 500 keys. */
async function job(dir: string, stateDir: string) {
  const input = join(dir, 'in');
  mkdirSync(input, { recursive: true });
  const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => JSON.stringify({ k: (from + i) % 500, v: from + i }) + '\n').join('');
  writeFileSync(join(input, 'a.json'), lines(0, 3000));
  const out = join(dir, 'out.db');
  const script = join(dir, 'job.sql');
  writeFileSync(
    script,
    `CREATE TABLE t (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
     CREATE TABLE o (k INT, s INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${out}', 'table-name' = 'o');
     INSERT INTO o SELECT k, SUM(v) FROM t GROUP BY k;`,
  );
  const first = await eddyRun(script, '--state-dir', stateDir);
  expect(first.status).toBe(0);
  return { script, out, stateFile: join(stateDir, 'insert-1-o.db'), addInput: () => writeFileSync(join(input, 'b.json'), lines(3000, 4000)) };
}

function expectDamaged(r: EddyExit, stateFile: string, detail: string): void {
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`error[EDDY-R007]: The state in ${stateFile} is damaged and cannot be read (${detail}`);
  expect(r.stderr).toContain("hint: restore the job from a savepoint (SET 'execution.savepoint.path'");
  expect(r.stderr).toContain('or start it over with --fresh');
  for (const raw of ['SqliteError', 'SyntaxError', '    at ', 'run it again']) expect(r.stderr).not.toContain(raw);
}

describe('a damaged state file', () => {
  it('overwritten with garbage: EDDY-R007 naming the file; --fresh runs again', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const { script, stateFile } = await job(dir, state);
    writeFileSync(stateFile, randomBytes(readFileSync(stateFile).length));
    expectDamaged(await eddyRun(script, '--state-dir', state), stateFile, 'file is not a database');
    const fresh = await eddyRun(script, '--state-dir', state, '--fresh');
    expect(fresh.status).toBe(0);
  }, 120_000);

  it('truncated: EDDY-R007', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const { script, stateFile } = await job(dir, state);
    truncateSync(stateFile, Math.floor(readFileSync(stateFile).length / 2));
    expectDamaged(await eddyRun(script, '--state-dir', state), stateFile, 'database disk image is malformed');
  }, 120_000);

  it('a checkpoint record that is not JSON: EDDY-R007, not a SyntaxError', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const { script, stateFile } = await job(dir, state);
    const db = new Database(stateFile);
    db.prepare("UPDATE eddy_checkpoint SET data = '{\"id\": 1, \"sour'").run();
    db.close();
    expectDamaged(await eddyRun(script, '--state-dir', state), stateFile, 'a checkpoint record is not valid JSON');
  }, 120_000);

  it('state entries that do not decode, read when new input reaches their keys: EDDY-R007, not "run it again"', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const { script, stateFile, addInput } = await job(dir, state);
    const db = new Database(stateFile);
    const changed = db.prepare("UPDATE eddy_entries SET v = x'ff00ff'").run().changes;
    db.close();
    expect(changed).toBeGreaterThanOrEqual(500);
    addInput();
    const r = await eddyRun(script, '--state-dir', state);
    expect(r.stderr).toContain('Resuming');
    expectDamaged(r, stateFile, 'a stored entry cannot be decoded: corrupt state entry');
  }, 120_000);
});

describe('a disk still full on restart', () => {
  let mountPoint: string;
  beforeAll(() => {
    mountPoint = join(tempDir('eddy-full-'), 'disk');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint]);
  });
  afterAll(() => {
    execFileSync('umount', [mountPoint]);
  });

  it('is EDDY-R004 saying the disk is full, not a raw SqliteError; with space again the job resumes', async () => {
    const dir = tempDir();
    const state = join(mountPoint, 'state');
    const { script, out, addInput } = await job(dir, state);
    addInput();
    // Fill the disk to the last byte.
    const filler = join(mountPoint, 'filler');
    const block = Buffer.alloc(4096);
    try {
      for (;;) writeFileSync(filler, block, { flag: 'a' });
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const full = await eddyRun(script, '--state-dir', state);
    expect(full.status).toBe(1);
    expect(full.stderr).toContain(`error[EDDY-R004]: Cannot open the state in ${join(state, 'insert-1-o.db')}: the disk is full`);
    expect(full.stderr).toContain('hint: free space on that disk, then run the job again: it resumes from its last checkpoint');
    for (const raw of ['SqliteError', '    at ']) expect(full.stderr).not.toContain(raw);

    rmSync(filler);
    const again = await eddyRun(script, '--state-dir', state);
    expect(again.stderr).toContain('Resuming');
    expect(again.status).toBe(0);
    // Every v of 0..3999 once: key k sums k + 500j for j = 0..7, that is 8k + 14000.
    const db = new Database(out, { readonly: true });
    const rows = db.prepare('SELECT k, s FROM o ORDER BY k').all() as { k: number; s: number }[];
    db.close();
    expect(rows).toEqual(Array.from({ length: 500 }, (_, k) => ({ k, s: 8 * k + 14000 })));
  }, 120_000);
});
