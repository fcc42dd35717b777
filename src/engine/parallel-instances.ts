/**
 * Starts the other instances of a job running in parallel (`parallelism.default` = N > 1, see
 * runtime/parallel/exchange.ts and docs/parallelism.md): instance 0 runs in the thread that builds the job,
 * instances 1..N-1 each in a worker thread of their own, which plans the same statement again from the session's
 * catalog and settings (as the job thread does) and builds its instance of the job. Every pair of instances is
 * joined by a MessageChannel. The workers report when they are built (with their exchanges, which must be the
 * same as instance 0's) and when they end; a worker's failure fails the job.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EddyError, ErrorCode } from '../common/errors.js';
import { InstanceLinks, type ParallelInstance } from '../runtime/parallel/exchange.js';
import type { ParallelPart } from '../runtime/parallel/part.js';
import { receivedError, type JobsRequest, type SentError, type ThreadContext } from './job-thread.js';

/** What an instance's worker is given. */
export interface InstanceData {
  readonly context: ThreadContext;
  readonly request: JobsRequest;
  readonly index: number;
  readonly count: number;
  /** The port to instance j at index j (none at the worker's own index). */
  readonly ports: readonly (MessagePort | undefined)[];
}

/** Messages from an instance's worker. */
export type FromInstance = { readonly type: 'ready'; readonly exchanges: readonly string[] } | { readonly type: 'done'; readonly error?: SentError; readonly cpuMs?: number };

/**
 * CPU time this thread has used, in ms (Linux: /proc/thread-self/stat), or undefined. With the environment variable
 * EDDY_PARALLEL_STATS=1, a parallel job prints each instance's thread CPU time when it ends (for measuring).
 */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15 of the line), in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Messages to an instance's worker. */
export type ToInstance = { readonly type: 'cancel' };

/** How long stopped instances may take to end before their threads are terminated. */
const STOP_GRACE_MS = 5000;

function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? fileURLToPath(new URL('../../dist/src/engine/parallel-instance-worker.js', import.meta.url)) : fileURLToPath(new URL('./parallel-instance-worker.js', import.meta.url));
  if (!existsSync(file)) throw new Error(`The parallel instances' script ${file} is missing: run \`npm run build\``);
  return file;
}

/** Starts instances 1..count-1 of the job `request` plans; returns instance 0 (to build here) and its part. */
export function startInstances(context: ThreadContext, request: JobsRequest, count: number): { instance: ParallelInstance; part: ParallelPart } {
  const script = workerScript();
  // ports[i][j]: instance i's end of the channel between i and j.
  const ports: (MessagePort | undefined)[][] = Array.from({ length: count }, () => new Array<MessagePort | undefined>(count).fill(undefined));
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i]![j] = port1;
      ports[j]![i] = port2;
    }
  }
  const links = new InstanceLinks(0, count, ports[0]!);
  const instanceContext: ThreadContext = { ...context, stateDir: undefined, fresh: false };
  let fail: ((err: unknown) => void) | undefined;
  let firstFailure: unknown;
  /** Set once the workers are being ended (their exit is then expected). */
  let closing = false;
  const failed = (err: unknown) => {
    if (firstFailure !== undefined || closing) return;
    firstFailure = err;
    fail?.(err);
  };
  const workers: { worker: Worker; done: Promise<void> }[] = [];
  const cpu: (number | undefined)[] = new Array<number | undefined>(count).fill(undefined);
  const cpuAtStart = threadCpuMs();
  for (let i = 1; i < count; i++) {
    const mine = ports[i]!.filter((p): p is MessagePort => p !== undefined);
    const data: InstanceData = { context: instanceContext, request, index: i, count, ports: ports[i]! };
    const worker = new Worker(script, { workerData: data, transferList: mine });
    worker.unref();
    const done = new Promise<void>((resolve) => {
      worker.on('message', (m: FromInstance) => {
        if (m.type === 'ready') {
          const mineNames = links.exchangeNames.join(', ');
          const theirs = m.exchanges.join(', ');
          if (mineNames !== theirs) failed(new Error(`parallel instance ${i} planned other exchanges than instance 0 ([${theirs}] vs [${mineNames}])`));
          return;
        }
        if (m.error) failed(receivedError(m.error));
        cpu[i] = m.cpuMs;
        resolve();
      });
      worker.on('error', (err) => {
        failed(err);
        resolve();
      });
      worker.on('exit', (code) => {
        if (code !== 0) failed(new EddyError({ code: ErrorCode.JOB_FAILED, message: `Parallel instance ${i} of the job exited (code ${code})` }));
        resolve();
      });
    });
    workers.push({ worker, done });
  }
  let stopped = false;
  const part: ParallelPart = {
    links,
    onFailure(f) {
      fail = f;
      if (firstFailure !== undefined) f(firstFailure);
    },
    stopOthers() {
      if (stopped) return;
      stopped = true;
      for (const w of workers) w.worker.postMessage({ type: 'cancel' } satisfies ToInstance);
    },
    async close(finished) {
      if (!finished) part.stopOthers();
      const all = Promise.all(workers.map((w) => w.done));
      if (finished) await all;
      else await Promise.race([all, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
      const failure = firstFailure;
      closing = true;
      if (process.env['EDDY_PARALLEL_STATS'] === '1') {
        const mine = threadCpuMs();
        cpu[0] = mine !== undefined && cpuAtStart !== undefined ? mine - cpuAtStart : undefined;
        process.stderr.write(`[parallel] thread CPU ms per instance (instance 0: since the job was built): ${cpu.map((c) => c ?? '?').join(' ')}\n`);
      }
      links.close();
      await Promise.all(workers.map((w) => w.worker.terminate()));
      if (finished && failure !== undefined) throw failure;
    },
  };
  return { instance: { index: 0, count, links }, part };
}
