/**
 * A session's job thread: a worker thread that runs the session's INSERT jobs, materialized views' jobs
 * and the jobs of its continuous and bounded SELECT queries (see EddyOptions.jobThread), so that the
 * session's own thread stays free to answer pull queries and serve clients. A job's work, its state and
 * its garbage collection then live in the worker's heap.
 *
 * The session plans and checks each statement itself (errors keep their positions), then sends the worker
 * what it needs to plan and build the same jobs: the catalog (plain data), the settings, the statement and
 * the jobs' keys and names. The worker answers once the jobs are built (or with the error that stopped
 * them: a changed plan against existing state, a missing savepoint), reports each job's progress a few
 * times a second and when it ends, forwards a view's applied changes to push queries that subscribed, and
 * a query's result to the session, where its QueryHandle delivers it: its changes in batches, or, when the
 * session takes only a bounded query's final rows, those rows once it ends (collapsed in the worker).
 *
 * Messages are ordered, so a subscription's current rows (read in the worker between two commits) come
 * before every change applied after them: nothing is missed or seen twice. Likewise a query's last
 * changes come before the report that it ended.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as ast from '../parser/ast.js';
import type { Field } from '../common/types.js';
import type { CatalogEntry, TableDef } from '../planner/catalog.js';
import { EddyError, type Diagnostic, type SourceText } from '../common/errors.js';
import type { ChangeBatch, Row } from '../runtime/changelog.js';
import type { CheckpointStats, JobStatus, SettleProbe } from '../runtime/job.js';
import { MetricsRegistry } from '../runtime/metrics.js';
import type { CheckpointData } from '../runtime/state/sqlite-state-store.js';
import type { SinkWriter } from '../runtime/connector.js';
import type { RunnableJob } from './job-handle.js';
import type { ResultWanted } from './query-handle.js';
import type { ViewChangesOpened } from './pull-query.js';

/** What the worker needs to plan a job as the session would. */
export interface ThreadContext {
  readonly catalog: readonly CatalogEntry[];
  readonly settings: readonly (readonly [string, string])[];
  readonly stateDir?: string;
  readonly fresh: boolean;
  /** The session's embedded log file (a temporary one the session owns when there is no state directory). */
  readonly embeddedLogPath: string;
}

/** The jobs of an INSERT or a statement set: their keys (state files) and names, in the order of the INSERTs. */
export interface InsertJobsSpec {
  readonly statement: ast.InsertStatement | ast.StatementSet;
  readonly keys: readonly string[];
  readonly names: readonly string[];
}

/** The job of a materialized view: its table in views.db, its key (state file) and its sink's id. */
export interface ViewJobSpec {
  readonly statement: ast.CreateView;
  readonly table: TableDef;
  readonly keyIndex?: readonly number[];
  readonly key: string;
  readonly sinkId: string;
  readonly name: string;
}

/** Where a view's rows are: views.db's path, the table, its columns. */
export interface ViewTable {
  readonly path: string;
  readonly name: string;
  readonly columns: readonly Field[];
}

/**
 * The job of a continuous or bounded SELECT: its statement (parameters bound), its name, and the session's
 * `table.exec.query.max-rows`, counted in the worker for a bounded query (whose changes the session may
 * never see, when it takes only the final rows).
 */
export interface QueryJobSpec {
  readonly statement: ast.QueryStatement;
  readonly name: string;
  readonly maxRows: number;
}

export type JobsRequest =
  | { readonly kind: 'insert'; readonly spec: InsertJobsSpec }
  | { readonly kind: 'view'; readonly spec: ViewJobSpec }
  | { readonly kind: 'query'; readonly spec: QueryJobSpec };

/** An error as it crosses threads: an EddyError's diagnostics, or an Error's name, message and stack. */
export type SentError =
  | { readonly eddy: true; readonly diagnostics: readonly Diagnostic[]; readonly source?: SourceText }
  | { readonly eddy: false; readonly name: string; readonly message: string; readonly stack?: string };

/** What a job reports: its status and counters (new checkpoint durations only, since the last report). */
export interface JobReport {
  readonly state: JobStatus;
  readonly watermark: number;
  readonly stateEntries: number;
  readonly health?: string;
  readonly checkpoints: Omit<CheckpointStats, 'durations' | 'pauses'> & { readonly newDurations: readonly number[]; readonly newPauses: readonly number[] };
  readonly metrics: Record<string, Record<string, number>>;
}

export type ToWorker =
  | { readonly type: 'start'; readonly req: number; readonly context: ThreadContext; readonly request: JobsRequest }
  | { readonly type: 'cancel'; readonly job: number }
  /** How the session takes a query job's result (until told, the worker holds it). */
  | { readonly type: 'result'; readonly job: number; readonly as: ResultWanted }
  | { readonly type: 'stop'; readonly req: number; readonly job: number; readonly savepoint?: string }
  | { readonly type: 'subscribe'; readonly sub: number; readonly job: number; readonly table: ViewTable }
  /** Eddy.settle: has the job caught up (see Job.settleProbe), and take a checkpoint now. */
  | { readonly type: 'settle-probe'; readonly req: number; readonly job: number }
  | { readonly type: 'checkpoint'; readonly req: number; readonly job: number }
  | { readonly type: 'unsubscribe'; readonly sub: number };

export type FromWorker =
  | { readonly type: 'started'; readonly req: number; readonly jobs: readonly { readonly job: number; readonly name: string; readonly bounded: boolean; readonly restoredFrom?: CheckpointData }[] }
  | { readonly type: 'failed'; readonly req: number; readonly error: SentError }
  | { readonly type: 'stopped'; readonly req: number; readonly path?: string; readonly error?: SentError }
  | { readonly type: 'progress'; readonly job: number; readonly report: JobReport }
  | { readonly type: 'done'; readonly job: number; readonly report: JobReport; readonly error?: SentError }
  | { readonly type: 'rows'; readonly sub: number; readonly rows: Row[] }
  | { readonly type: 'changes'; readonly sub: number; readonly batch: ChangeBatch }
  /** A query job's result changes (several of its batches joined), before its `done`. */
  | { readonly type: 'output'; readonly job: number; readonly batch: ChangeBatch }
  /** A query job ended before the session said how it takes the result: the worker waits for the word. */
  | { readonly type: 'held'; readonly job: number }
  | { readonly type: 'subscribe-failed'; readonly sub: number; readonly error: SentError }
  /** The answer to a settle-probe or checkpoint request (`probe` for the former). */
  | { readonly type: 'answered'; readonly req: number; readonly probe?: SettleProbe; readonly error?: SentError };

export function sendError(err: unknown): SentError {
  if (err instanceof EddyError) return { eddy: true, diagnostics: err.diagnostics, ...(err.source ? { source: err.source } : {}) };
  if (err instanceof Error) return { eddy: false, name: err.name, message: err.message, stack: err.stack };
  return { eddy: false, name: 'Error', message: String(err) };
}

export function receivedError(e: SentError): Error {
  if (e.eddy) return new EddyError(e.diagnostics, e.source);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * The job thread's CPU priority (nice value, Linux only): lower than the session's thread, so that when
 * the cores are busy a client's query waits less for one. With idle cores it changes nothing.
 */
export const JOB_THREAD_NICE = 10;

/** The compiled worker script (tests run the engine from src/, the worker always from the build). */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? fileURLToPath(new URL('../../dist/src/engine/job-thread-worker.js', import.meta.url)) : fileURLToPath(new URL('./job-thread-worker.js', import.meta.url));
  if (!existsSync(file)) throw new Error(`The job thread's script ${file} is missing: run \`npm run build\``);
  return file;
}

/** A job running in the job thread, as the session sees it: its last report, and requests to the worker. */
class RemoteJob implements RunnableJob {
  state: JobStatus = 'running';
  watermark = -Infinity;
  stateEntries = 0;
  health: string | undefined;
  readonly metrics = new MetricsRegistry();
  private stats: CheckpointStats = { completed: 0, durations: [], pauses: [], lastId: 0 };
  private readonly finished: Promise<void>;
  private settle!: (err?: Error) => void;
  /** A query job's result changes go here (see deliver). */
  private output?: SinkWriter;
  /** Changes that came before `run`: a job in this thread writes nothing before it runs either. */
  private held: ChangeBatch[] = [];
  private runCalled = false;
  private cancelRequested = false;
  private wanted = false;

  constructor(
    private readonly thread: JobThread,
    readonly id: number,
    readonly name: string,
    readonly bounded: boolean,
    readonly restoredFrom: CheckpointData | undefined,
  ) {
    this.stats = { ...this.stats, lastId: restoredFrom?.id ?? 0 };
    this.finished = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
    this.finished.catch(() => {});
  }

  run(): Promise<void> {
    if (!this.runCalled) {
      this.runCalled = true;
      const held = this.held;
      this.held = [];
      for (const batch of held) this.output?.write(batch);
    }
    return this.finished;
  }

  /** Where a query job's result changes go. */
  deliverTo(output: SinkWriter): void {
    this.output = output;
  }

  /** Tells the worker how the result is taken (see QueryRunner.resultWanted); the first word counts. */
  resultWanted(as: ResultWanted): void {
    if (this.wanted || !this.output) return;
    this.wanted = true;
    this.thread.post({ type: 'result', job: this.id, as });
  }

  /**
   * A query job's result changes from the worker. Once cancelled, what was still on its way is dropped:
   * a job cancelled in this thread writes nothing more either.
   */
  deliver(batch: ChangeBatch): void {
    if (this.cancelRequested) return;
    if (this.runCalled) this.output?.write(batch);
    else this.held.push(batch);
  }

  async cancel(): Promise<void> {
    if (this.state !== 'running') return;
    this.cancelRequested = true;
    this.thread.post({ type: 'cancel', job: this.id });
    await this.finished.catch(() => {});
  }

  async stop(savepoint?: string): Promise<string | undefined> {
    return this.thread.stop(this.id, savepoint);
  }

  async settleProbe(): Promise<SettleProbe> {
    // No answer: the thread does not run the job (yet, or any more). Until this side hears that it ended, it
    // may still be starting there (its start message not handled yet): it has not caught up.
    return (await this.thread.ask({ type: 'settle-probe', job: this.id })) ?? { caughtUp: this.state !== 'running', processed: 0 };
  }

  async checkpointNow(): Promise<void> {
    await this.thread.ask({ type: 'checkpoint', job: this.id });
  }

  get checkpointStats(): CheckpointStats {
    return this.stats;
  }

  /** Takes a report from the worker; with `end`, the job has ended (failing with `error`). */
  report(r: JobReport, end?: { error?: SentError }): void {
    this.state = r.state;
    this.watermark = r.watermark;
    this.stateEntries = r.stateEntries;
    this.health = r.health;
    const { newDurations, newPauses, ...rest } = r.checkpoints;
    this.stats = { ...rest, durations: [...this.stats.durations, ...newDurations], pauses: [...(this.stats.pauses ?? []), ...newPauses] };
    for (const [scope, counters] of Object.entries(r.metrics)) {
      for (const [name, value] of Object.entries(counters)) this.metrics.counter(scope, name).value = value;
    }
    if (end) this.settle(end.error ? receivedError(end.error) : undefined);
  }

  /** The worker is gone: the job cannot go on. */
  lost(err: Error): void {
    if (this.state === 'running') this.state = 'failed';
    this.settle(err);
  }
}

interface Pending<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/** A start waiting for the worker: with `output`, where its (query) job's result changes go. */
interface PendingStart extends Pending<RemoteJob[]> {
  readonly output?: SinkWriter;
}

interface Subscription {
  readonly onChange: (batch: ChangeBatch) => void;
  opened?: Pending<ViewChangesOpened>;
  readonly unsubscribe: () => void;
}

export class JobThread {
  private worker?: Worker;
  private counter = 0;
  private readonly starts = new Map<number, PendingStart>();
  private readonly stops = new Map<number, Pending<string | undefined>>();
  /** settle-probe and checkpoint requests waiting for their answer. */
  private readonly asks = new Map<number, Pending<SettleProbe | undefined>>();
  private readonly jobs = new Map<number, RemoteJob>();
  private readonly subscriptions = new Map<number, Subscription>();

  /**
   * Builds and starts jobs in the worker; resolves once they run, rejects with the error that stopped them.
   * A query's job writes its result changes to `output` (from when its `run` is called).
   */
  start(context: ThreadContext, request: JobsRequest, output?: SinkWriter): Promise<RemoteJob[]> {
    return new Promise<RemoteJob[]>((resolve, reject) => {
      const req = ++this.counter;
      this.starts.set(req, { resolve, reject, ...(output ? { output } : {}) });
      this.post({ type: 'start', req, context, request });
      this.keepAlive();
    });
  }

  stop(job: number, savepoint?: string): Promise<string | undefined> {
    return new Promise<string | undefined>((resolve, reject) => {
      const req = ++this.counter;
      this.stops.set(req, { resolve, reject });
      this.post({ type: 'stop', req, job, ...(savepoint ? { savepoint } : {}) });
      this.keepAlive();
    });
  }

  /** Sends a settle-probe or checkpoint request; resolves with the answer (a probe, for the former). */
  ask(request: { readonly type: 'settle-probe' | 'checkpoint'; readonly job: number }): Promise<SettleProbe | undefined> {
    return new Promise<SettleProbe | undefined>((resolve, reject) => {
      const req = ++this.counter;
      this.asks.set(req, { resolve, reject });
      this.post({ ...request, req });
    });
  }

  /** A view's current rows, then (to `onChange`) every change its job applies after them. */
  subscribe(job: RunnableJob, table: ViewTable, onChange: (batch: ChangeBatch) => void): Promise<ViewChangesOpened> {
    const remote = job as RemoteJob;
    return new Promise<ViewChangesOpened>((resolve, reject) => {
      const sub = ++this.counter;
      const unsubscribe = () => {
        if (this.subscriptions.delete(sub)) this.post({ type: 'unsubscribe', sub });
      };
      this.subscriptions.set(sub, { onChange, opened: { resolve, reject }, unsubscribe });
      this.post({ type: 'subscribe', sub, job: remote.id, table });
    });
  }

  post(message: ToWorker): void {
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerScript(), { workerData: { nice: JOB_THREAD_NICE } });
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (err) => this.lost(new Error(`Eddy's job thread failed: ${err.message}`)));
    worker.on('exit', (code) => this.lost(new Error(`Eddy's job thread exited (code ${code})`)));
    // The thread keeps the process alive only while it runs jobs.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'started': {
        const jobs = m.jobs.map((j) => new RemoteJob(this, j.job, j.name, j.bounded, j.restoredFrom));
        for (const j of jobs) this.jobs.set(j.id, j);
        const pending = this.take(this.starts, m.req);
        if (pending?.output) for (const j of jobs) j.deliverTo(pending.output);
        this.keepAlive();
        pending?.resolve(jobs);
        return;
      }
      case 'failed':
        this.take(this.starts, m.req)?.reject(receivedError(m.error));
        this.keepAlive();
        return;
      case 'stopped': {
        const pending = this.take(this.stops, m.req);
        this.keepAlive();
        if (m.error) pending?.reject(receivedError(m.error));
        else pending?.resolve(m.path);
        return;
      }
      case 'progress':
        this.jobs.get(m.job)?.report(m.report);
        return;
      case 'done': {
        const job = this.jobs.get(m.job);
        this.jobs.delete(m.job);
        this.keepAlive();
        job?.report(m.report, { error: m.error });
        return;
      }
      case 'rows': {
        const s = this.subscriptions.get(m.sub);
        s?.opened?.resolve({ rows: m.rows, unsubscribe: s.unsubscribe });
        if (s) s.opened = undefined;
        return;
      }
      case 'changes':
        this.subscriptions.get(m.sub)?.onChange(m.batch);
        return;
      case 'output':
        this.jobs.get(m.job)?.deliver(m.batch);
        return;
      case 'held':
        // No consumer has said how it takes the result (or its word is on its way): changes, as they are.
        this.jobs.get(m.job)?.resultWanted('changes');
        return;
      case 'answered': {
        const pending = this.take(this.asks, m.req);
        if (m.error) pending?.reject(receivedError(m.error));
        else pending?.resolve(m.probe);
        return;
      }
      case 'subscribe-failed': {
        const s = this.subscriptions.get(m.sub);
        this.subscriptions.delete(m.sub);
        s?.opened?.reject(receivedError(m.error));
        return;
      }
    }
  }

  private take<P>(map: Map<number, P>, req: number): P | undefined {
    const p = map.get(req);
    map.delete(req);
    return p;
  }

  /** Holds the process open while jobs run in the thread, as jobs in the session's own thread would. */
  private keepAlive(): void {
    if (this.jobs.size > 0 || this.starts.size > 0 || this.stops.size > 0) this.worker?.ref();
    else this.worker?.unref();
  }

  /** The worker died: everything waiting on it fails. */
  private lost(err: Error): void {
    this.worker = undefined;
    for (const p of this.starts.values()) p.reject(err);
    for (const p of this.stops.values()) p.reject(err);
    for (const p of this.asks.values()) p.reject(err);
    this.asks.clear();
    for (const j of this.jobs.values()) j.lost(err);
    for (const s of this.subscriptions.values()) s.opened?.reject(err);
    this.starts.clear();
    this.stops.clear();
    this.jobs.clear();
    this.subscriptions.clear();
  }

  /** Ends the worker (the session cancelled its jobs first). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
