/**
 * A state directory belongs to one process at a time: a second `eddy run` (or `eddy serve`, or the shell) given the same
 * `--state-dir` stops at once with EDDY-R006 naming the holder's pid, and touches nothing. The lock is the
 * operating system's, so it dies with its process: after a `kill -9` the next run starts. Real processes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, killStarted, readJsonLinesFile, runEddy, startEddy, tempDir } from './helpers.js';

afterEach(killStarted);

/** A bounded job: copies the numbers 1..5 from a file into a JSON file sink. */
function boundedJob(dir: string): { script: string; out: string } {
  const input = join(dir, 'numbers.json');
  writeFileSync(input, [1, 2, 3, 4, 5].map((n) => JSON.stringify({ n }) + '\n').join(''));
  const out = join(dir, 'out.json');
  const script = join(dir, 'bounded.sql');
  writeFileSync(
    script,
    `CREATE TABLE nums (n INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
     CREATE TABLE o (n INT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
     INSERT INTO o SELECT n * 10 FROM nums;`,
  );
  return { script, out };
}

function outputNumbers(out: string): number[] {
  return readJsonLinesFile(out).map((r) => r['n'] as number);
}

describe('a state directory is locked while a process uses it', () => {
  it('a second eddy run on the same --state-dir fails naming the first one’s pid; after kill -9 of the first, the next run starts', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const followed = join(dir, 'followed.json');
    writeFileSync(followed, '{"k":1}\n');
    const unbounded = join(dir, 'unbounded.sql');
    writeFileSync(
      unbounded,
      `SET 'execution.checkpointing.interval' = '100 ms';
       CREATE TABLE t (k INT) WITH ('connector' = 'filesystem', 'path' = '${followed}', 'format' = 'json', 'source.monitor-interval' = '100 ms');
       CREATE TABLE sink (k INT) WITH ('connector' = 'blackhole');
       INSERT INTO sink SELECT k FROM t;`,
    );
    const first = await startEddy(['run', unbounded, '--state-dir', state], /Submitted job/);

    const { script, out } = boundedJob(dir);
    const second = await runEddy(['run', script, '--state-dir', state]);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('error[EDDY-R006]');
    expect(second.stderr).toContain(`is in use by another Eddy process (pid ${first.child.pid})`);
    expect(second.stderr).not.toContain('    at ');
    // The shell (`eddy -e`) is refused the same way.
    const shell = await runEddy(['--state-dir', state, '-e', 'SELECT 1;']);
    expect(shell.status).toBe(1);
    expect(shell.stderr).toContain(`error[EDDY-R006]: The state directory ${state} is in use by another Eddy process (pid ${first.child.pid})`);
    // It stopped before running anything: no output file, and the first process runs on.
    expect(() => readFileSync(out)).toThrow();
    expect(first.child.exitCode).toBeNull();

    first.child.kill('SIGKILL');
    await exited(first.child);
    const third = await runEddy(['run', script, '--state-dir', state]);
    expect(third.stderr).not.toContain('EDDY-R006');
    expect(third.status).toBe(0);
    expect(outputNumbers(out)).toEqual([10, 20, 30, 40, 50]);
  }, 120_000);

  it('eddy serve holds the same lock: eddy run on its --state-dir fails naming the server’s pid until the server stops', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const server = await startEddy(['serve', '--state-dir', state, '--port', '0', '--pg-port', 'off'], /Eddy is serving/);

    const { script, out } = boundedJob(dir);
    const refused = await runEddy(['run', script, '--state-dir', state]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error[EDDY-R006]');
    expect(refused.stderr).toContain(`(pid ${server.child.pid})`);

    // And a second server on it too.
    const secondServer = await runEddy(['serve', '--state-dir', state, '--port', '0', '--pg-port', 'off']);
    expect(secondServer.status).toBe(1);
    expect(secondServer.stderr).toContain(`error[EDDY-R006]: The state directory ${state} is in use by another Eddy process (pid ${server.child.pid})`);

    server.child.kill('SIGTERM');
    await exited(server.child);
    expect(server.child.exitCode).toBe(0);
    const after = await runEddy(['run', script, '--state-dir', state]);
    expect(after.status).toBe(0);
    expect(outputNumbers(out)).toEqual([10, 20, 30, 40, 50]);
  }, 120_000);
});
