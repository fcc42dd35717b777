// scripts/kafka.mjs as a user runs it: start, status, stop, and a start on a port that is taken. (The suite's own broker,
// started by global-setup.ts, is a different one: these use their own state directories and ports.)

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';

const execFileAsync = promisify(execFile);
const script = resolve(import.meta.dirname, '../../scripts/kafka.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kafkaScript(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const dirs: string[] = [];
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-kafka-script-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await execFileAsync(process.execPath, [script, 'stop', '--dir', dir]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('scripts/kafka.mjs', () => {
  it('starts a broker that serves clients, reports it, and stops it', { timeout: 240_000 }, async () => {
    const dir = stateDir();
    const before = await kafkaScript('status', '--dir', dir);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('not running');

    const started = await kafkaScript('start', '--dir', dir, '--timeout', '150');
    expect(started.code, started.stderr).toBe(0);
    const bootstrap = started.stdout.trim();
    expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dir, 'bootstrap.txt'), 'utf8').trim()).toBe(bootstrap);
    const pid = Number(readFileSync(join(dir, 'broker.pid'), 'utf8'));
    expect(isAlive(pid)).toBe(true);

    // A second start finds it running and starts nothing.
    const again = await kafkaScript('start', '--dir', dir);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(bootstrap);
    expect(again.stderr).toContain('already running');
    expect((await kafkaScript('status', '--dir', dir)).stdout.trim()).toBe(bootstrap);

    const admin = await createKafkajsClient({ bootstrapServers: [bootstrap] }).admin();
    try {
      await admin.createTopic({ topic: 'script-check', partitions: 2 });
      expect((await admin.describeTopics(['script-check']))[0]!.partitions).toHaveLength(2);
    } finally {
      await admin.close();
    }

    const stopped = await kafkaScript('stop', '--dir', dir);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain(`stopped (pid ${pid})`);
    expect(isAlive(pid)).toBe(false);
    expect((await kafkaScript('status', '--dir', dir)).code).toBe(1);
    expect((await kafkaScript('stop', '--dir', dir)).stderr).toContain('not running');
  });

  it('refuses a port that is in use, at once and saying so', async () => {
    const dir = stateDir();
    const taken: Server = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', () => listening()));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await kafkaScript('start', '--dir', dir, '--port', String(port));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`kafka: port ${port} on 127.0.0.1 is in use`);
      expect(existsSync(join(dir, 'broker.log'))).toBe(false); // no broker was started
      expect((await kafkaScript('status', '--dir', dir)).code).toBe(1);
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });
});
