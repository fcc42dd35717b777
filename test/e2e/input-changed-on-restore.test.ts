/**
 * A bounded input file that changes between a crash and the restart: the restored job must not resume from
 * its checkpointed offset in a file that no longer holds what it read (past the end of a truncated file it
 * would silently read nothing and exit 0). It stops with EDDY-R004 naming the file and what to do; with
 * 'source.restore.on-change' = 'restart' it reads the changed file again from its start. Real processes,
 * killed (SIGKILL) right after a checkpoint commit while the file is half read.
 */
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { readJsonLinesFile, runEddy, tempDir } from './helpers.js';

/** Enough rows (1.7 MB) that the source reads the file in several chunks (of about 4000 lines). */
const ROWS = 40_000;

const record = (id: number) => JSON.stringify({ id, ts: new Date(Date.UTC(2024, 0, 1) + id * 10).toISOString() }) + '\n';

function eddyRun(script: string, state: string, env: Record<string, string> = {}) {
  return runEddy(['run', script, '--state-dir', state], env);
}

/** Runs the job until it is killed after its second checkpoint, with the input half read; returns the position. */
async function crashMidFile(onChange?: string) {
  const dir = tempDir();
  const input = join(dir, 'events.json');
  writeFileSync(input, Array.from({ length: ROWS }, (_, i) => record(i + 1)).join(''));
  const out = join(dir, 'out.json');
  const script = join(dir, 'job.sql');
  // Paced at 100x event time (rows 10 ms apart: 4 s in all), checkpoints every 100 ms.
  writeFileSync(
    script,
    `SET 'execution.checkpointing.interval' = '100 ms';
     CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json',
       'replay.speedup' = '100'${onChange ? `, 'source.restore.on-change' = '${onChange}'` : ''});
     CREATE TABLE o (id INT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
     INSERT INTO o SELECT id FROM t;`,
  );
  const state = join(dir, 'state');
  const crashed = await eddyRun(script, state, { EDDY_CRASH_AT: 'after-state-commit', EDDY_CRASH_AFTER: '2' });
  expect(crashed.signal).toBe('SIGKILL');
  const db = new Database(join(state, 'insert-1-o.db'), { readonly: true });
  const checkpoint = JSON.parse((db.prepare('SELECT data FROM eddy_checkpoint').get() as { data: string }).data) as { sources: Record<string, { offset: number; line: number }[]> };
  db.close();
  const position = Object.values(checkpoint.sources)[0]![0]!;
  // The crash came with the file half read.
  expect(position.offset).toBeGreaterThan(0);
  expect(position.offset).toBeLessThan(statSync(input).size);
  return { input, out, script, state, position };
}

function ids(out: string): number[] {
  return readJsonLinesFile(out).map((r) => r['id'] as number);
}

describe('a bounded input file changed between a crash and the restart', () => {
  it('truncated below the checkpointed offset: the restart fails with EDDY-R004 naming the file, not exit 0', async () => {
    const { input, script, state, position } = await crashMidFile();
    const keep = Math.floor(position.offset / 2);
    truncateSync(input, keep);
    const r = await eddyRun(script, state);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `error[EDDY-R004]: Table \`t\`: file '${input}' changed since the checkpoint the job resumes from (line ${position.line}, byte ${position.offset}): it is ${keep} bytes long, shorter than the ${position.offset} bytes the job had read from it`,
    );
    expect(r.stderr).toContain("hint: put the file back as it was to resume; or start the job over with --fresh; or set 'source.restore.on-change' = 'restart'");
  }, 120_000);

  it('rewritten in place, as long as before or longer: the bytes before the offset differ, EDDY-R004', async () => {
    const { input, script, state, position } = await crashMidFile();
    // Other records (ids from 100001), more of them: the offset still lies inside the file.
    writeFileSync(input, Array.from({ length: ROWS * 2 }, (_, i) => record(100_001 + i)).join(''));
    const r = await eddyRun(script, state);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error[EDDY-R004]: Table \`t\`: file '${input}' changed since the checkpoint the job resumes from`);
    expect(r.stderr).toContain(`no longer holds the bytes the job had read (the 4096 bytes before offset ${position.offset} differ)`);
  }, 120_000);

  it("with 'source.restore.on-change' = 'restart': the changed file is read again from its start", async () => {
    const { input, out, script, state, position } = await crashMidFile('restart');
    writeFileSync(input, Array.from({ length: 30 }, (_, i) => record(5001 + i)).join(''));
    const r = await eddyRun(script, state);
    expect(r.status).toBe(0);
    // The rows committed before the crash (the first position.line records), then the new file whole.
    const expected = [...Array.from({ length: position.line }, (_, i) => i + 1), ...Array.from({ length: 30 }, (_, i) => 5001 + i)];
    expect(ids(out)).toEqual(expected);
  }, 120_000);

  it('unchanged (or only appended to): the restart resumes exactly where it stopped', async () => {
    const { input, out, script, state } = await crashMidFile();
    writeFileSync(input, record(ROWS + 1), { flag: 'a' });
    const r = await eddyRun(script, state);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('Resuming');
    expect(ids(out)).toEqual(Array.from({ length: ROWS + 1 }, (_, i) => i + 1));
  }, 120_000);
});
