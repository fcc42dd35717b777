// Helpers of the Kafka suite's end-to-end tests: producing messages, reading a topic back as a read_committed
// consumer, and real `eddy run` processes started in the background (to be SIGKILLed and restarted on their state
// directory), with polling that names a job that ended early.

import { spawn, type ChildProcess } from 'node:child_process';
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
