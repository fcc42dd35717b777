// Helpers of the Kafka suite's end-to-end tests: producing messages, reading a topic back as a read_committed
// consumer, and real `eddy run` processes started in the background (to be SIGKILLed and restarted on their state
// directory), with polling that names a job that ended early.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord, KafkaRecord } from '../../src/connectors/kafka/client.js';
import { EDDY_BIN } from '../e2e/helpers.js';
import { readTopic } from './topic-io.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Writes `records` with an idempotent producer, `batch` at a time. */
export async function produceAll(client: KafkaClient, records: readonly KafkaOutgoingRecord[], batch = 5000): Promise<void> {
  const producer = await client.producer({ idempotent: true });
  try {
    for (let i = 0; i < records.length; i += batch) await producer.send(records.slice(i, i + batch));
  } finally {
    await producer.close();
  }
}

/** Every record of `topic` a read_committed consumer sees, reading again until there are at least `atLeast` (topic-io.ts). */
export function readCommitted(client: KafkaClient, _admin: KafkaAdmin, topic: string, atLeast = 0): Promise<KafkaRecord[]> {
  return readTopic(client, topic, atLeast);
}

/** One pass of {@link readCommitted}: every partition of `topic` from offset 0 to its last stable offset. */
export function readCommittedOnce(client: KafkaClient, _admin: KafkaAdmin, topic: string): Promise<KafkaRecord[]> {
  return readTopic(client, topic);
}

/** The records' values, parsed as JSON. */
export const jsonValues = (records: readonly KafkaRecord[]) => records.map((r) => JSON.parse(r.value!.toString('utf8')) as unknown);

/** A multiset as a sorted list of JSON texts, to compare with toEqual. */
export const multiset = (items: readonly unknown[]) => items.map((i) => JSON.stringify(i)).sort();

/** An `eddy` process started in the background. */
export interface BackgroundRun {
  readonly child: ChildProcess;
  /** Its standard error so far. */
  stderr(): string;
  /** Resolves when it has exited, with its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

const runs: ChildProcess[] = [];

/** SIGKILLs every run {@link startRun} started that is still running: a test file's `afterEach(killRuns)`. */
export function killRuns(): void {
  for (const child of runs.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Starts `eddy <args>` (e.g. `run job.sql --state-dir dir`) in the background, with NO_COLOR set and standard output
 * ignored. A test file that uses it calls `afterEach(killRuns)`.
 */
export function startRun(args: readonly string[]): BackgroundRun {
  const child = spawn(process.execPath, [EDDY_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  runs.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/**
 * Polls `done` every `everyMs` until it holds; fails after `timeoutMs`, or as soon as `run` (when given) has exited,
 * with `what` and the run's standard error in the message.
 */
export async function waitUntil(what: string | (() => string), done: () => boolean | Promise<boolean>, run?: BackgroundRun, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const say = () => (typeof what === 'string' ? what : what());
  while (!(await done())) {
    if (run && (run.child.exitCode !== null || run.child.signalCode !== null)) throw new Error(`the job ended (${run.child.exitCode}) before ${say()}: ${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`not reached after ${timeoutMs} ms: ${say()}${run ? `: ${run.stderr()}` : ''}`);
    await sleep(everyMs);
  }
}

/** A TIMESTAMP(3) as the json format writes it ('SQL' standard): `yyyy-MM-dd HH:mm:ss.SSS`. */
export const sqlTimestamp = (epochMs: number) => new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');

/** Each key's values in the order a partition holds them (a key's records all go to one partition). */
export function perKeyOrder(records: readonly KafkaRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of [...records].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
    const k = r.key!.toString('utf8');
    out.set(k, [...(out.get(k) ?? []), r.value!.toString('utf8')]);
  }
  return out;
}

/** The last checkpoint committed in a job's state file: its id and its sources' positions (undefined before the first). */
export function lastCheckpoint(stateFile: string): { id: number; sources: Record<string, { partition: number; offset: string }[]> } | undefined {
  if (!existsSync(stateFile)) return undefined;
  const db = new Database(stateFile, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE name = 'eddy_checkpoint'").get();
    const row = table ? (db.prepare('SELECT data FROM eddy_checkpoint ORDER BY id DESC LIMIT 1').get() as { data: string } | undefined) : undefined;
    return row ? (JSON.parse(row.data) as { id: number; sources: Record<string, { partition: number; offset: string }[]> }) : undefined;
  } finally {
    db.close();
  }
}

/** The sources' positions in the last checkpoint committed in a job's state file, as JSON text ('' before the first). */
export const checkpointedPositions = (stateFile: string) => JSON.stringify(lastCheckpoint(stateFile)?.sources ?? '');

/**
 * Runs `eddy <args>` again and again on its state directory, SIGKILLing it `kills` times, then lets the last run go
 * on. The moments are random (seeded): one kill in three comes 0 to 1500 ms after the process started (during its
 * start or restore, or early in its work); the others come 0 to 500 ms after the run made progress (anywhere in the
 * next checkpoint's work, its pre-commit or its commit), so every such run makes progress. Progress is what
 * `progress` says changed: by default, the run committed a checkpoint that moved the sources' positions.
 * `afterKill` runs after each kill (while no process runs). Returns the last run.
 */
export async function killRepeatedly(
  args: readonly string[],
  stateFile: string,
  rand: () => number,
  kills: number,
  afterKill: () => Promise<void>,
  progress: () => string | Promise<string> = () => checkpointedPositions(stateFile),
): Promise<BackgroundRun> {
  for (let kill = 0; ; kill++) {
    const resumes = checkpointedPositions(stateFile) !== '""';
    const before = await progress();
    const run = startRun(args);
    if (kill === kills) return run;
    if (rand() < 1 / 3) {
      await sleep(Math.floor(rand() * 1500));
    } else {
      await waitUntil(`progress past ${before} (kill ${kill + 1})`, async () => (await progress()) !== before, run, 60_000, 20);
      await sleep(Math.floor(rand() * 500));
    }
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(`the job ended (${run.child.exitCode}) after only ${kill} of ${kills} kills; give it more input: ${run.stderr()}`);
    }
    run.child.kill('SIGKILL');
    await run.exited;
    // A run that got to start its job from a checkpoint said so.
    if (resumes && run.stderr().includes('Submitted job')) expect(run.stderr()).toMatch(/\[INFO\] Resuming .* from checkpoint/);
    await afterKill();
  }
}
