/**
 * A state directory belongs to one process at a time: a second `eddy run` (or `eddy serve`) given the same
 * `--state-dir` stops at once with EDDY-R006 naming the holder's pid, and touches nothing. The lock is the
 * operating system's, so it dies with its process: after a `kill -9` the next run starts. Real processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');
const ENV = { ...process.env, NO_COLOR: '1' };

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts `eddy <args>` in the background; resolves once its stderr or stdout shows `ready`. */
async function startEddy(args: string[], ready: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: ENV });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!output.includes(ready)) {
    if (child.exitCode !== null) throw new Error(`eddy ${args.join(' ')} exited early: ${output}`);
    if (Date.now() > deadline) throw new Error(`eddy ${args.join(' ')} did not get ready: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

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
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { n: number }).n);
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
    const first = await startEddy(['run', unbounded, '--state-dir', state], 'Submitted job');

    const { script, out } = boundedJob(dir);
    const second = spawnSync(process.execPath, [BIN, 'run', script, '--state-dir', state], { encoding: 'utf8', env: ENV, timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('error[EDDY-R006]');
    expect(second.stderr).toContain(`is in use by another Eddy process (pid ${first.child.pid})`);
    expect(second.stderr).not.toContain('    at ');
    // It stopped before running anything: no output file, and the first process runs on.
    expect(() => readFileSync(out)).toThrow();
    expect(first.child.exitCode).toBeNull();

    first.child.kill('SIGKILL');
    await exited(first.child);
    const third = spawnSync(process.execPath, [BIN, 'run', script, '--state-dir', state], { encoding: 'utf8', env: ENV, timeout: 60_000 });
    expect(third.stderr).not.toContain('EDDY-R006');
    expect(third.status).toBe(0);
    expect(outputNumbers(out)).toEqual([10, 20, 30, 40, 50]);
  }, 120_000);

  it('eddy serve holds the same lock: eddy run on its --state-dir fails naming the server’s pid until the server stops', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const server = await startEddy(['serve', '--state-dir', state, '--port', '0', '--pg-port', 'off'], 'Eddy is serving');

    const { script, out } = boundedJob(dir);
    const refused = spawnSync(process.execPath, [BIN, 'run', script, '--state-dir', state], { encoding: 'utf8', env: ENV, timeout: 60_000 });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error[EDDY-R006]');
    expect(refused.stderr).toContain(`(pid ${server.child.pid})`);

    // And a second server on it too.
    const secondServer = spawnSync(process.execPath, [BIN, 'serve', '--state-dir', state, '--port', '0', '--pg-port', 'off'], { encoding: 'utf8', env: ENV, timeout: 60_000 });
    expect(secondServer.status).toBe(1);
    expect(secondServer.stderr).toContain(`error[EDDY-R006]: The state directory ${state} is in use by another Eddy process (pid ${server.child.pid})`);

    server.child.kill('SIGTERM');
    await exited(server.child);
    expect(server.child.exitCode).toBe(0);
    const after = spawnSync(process.execPath, [BIN, 'run', script, '--state-dir', state], { encoding: 'utf8', env: ENV, timeout: 60_000 });
    expect(after.status).toBe(0);
    expect(outputNumbers(out)).toEqual([10, 20, 30, 40, 50]);
  }, 120_000);
});
