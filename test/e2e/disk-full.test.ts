/**
 * A sink whose disk fills up: the job stops with a clear error (no stack trace, exit 1), nothing
 * half-committed; once there is space again, the job resumes from its last checkpoint and its output is
 * complete and exactly once. Uses a real full file system: a 64 KiB tmpfs (CI runs as root, as the
 * workplace's machines do).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');
const ROWS = 5000;

let mountPoint: string;

beforeAll(() => {
  mountPoint = join(tempDir('eddy-full-'), 'disk');
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
});

afterAll(() => {
  execFileSync('umount', [mountPoint]);
});

describe('a full disk under a sink', () => {
  it('stops the job with a clear error, and a restart completes the output exactly once', () => {
    const dir = tempDir();
    const job = join(dir, 'job.sql');
    writeFileSync(
      job,
      `SET 'execution.checkpointing.interval' = '20 ms';
       CREATE TABLE g (id BIGINT, s STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '4000', 'seed' = '1',
         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '${ROWS}', 'fields.s.length' = '20');
       CREATE TABLE o (id BIGINT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${mountPoint}/out', 'format' = 'json');
       INSERT INTO o SELECT id, s FROM g;`,
    );
    const state = join(dir, 'state');
    const full = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(full.status).toBe(1);
    expect(full.stderr).toContain('EDDY-R004');
    expect(full.stderr).toContain('no space left on device');
    expect(full.stderr).toContain('sink `o`');
    expect(full.stderr).not.toContain('    at ');

    execFileSync('mount', ['-o', 'remount,size=4m', mountPoint]);
    const again = spawnSync(process.execPath, [BIN, 'run', job, '--state-dir', state], { encoding: 'utf8' });
    expect(again.stderr).toContain('Resuming');
    expect(again.status).toBe(0);
    const ids = readFileSync(join(mountPoint, 'out', 'part-0.json'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { id: number }).id);
    expect(ids.length).toBe(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(ROWS);
  }, 60_000);
});
