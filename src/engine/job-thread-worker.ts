/**
 * The job thread's side (see job-thread.ts): builds jobs with a session made from the caller's catalog and
 * settings, runs them, reports their progress, forwards the changes views apply to subscribers, and sends
 * queries' result changes to the session.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Field } from '../common/types.js';
import { INSERT, type ChangeBatch, type Row, type RowKind } from '../runtime/changelog.js';
import type { Job } from '../runtime/job.js';
import { Eddy } from './eddy.js';
import { CollectWriter, tooManyRows, type ResultWanted } from './query-handle.js';
import { FinalRows } from './final-rows.js';
import { ChangeFeed, ViewStore } from './materialized-views.js';
import { sendError, type FromWorker, type JobReport, type ThreadContext, type ToWorker, type ViewTable } from './job-thread.js';

/** How often a running job's progress is sent. */
const REPORT_INTERVAL_MS = 200;
/** The most result changes of a query that wait to be sent together (see Outbox). */
const OUTPUT_BATCH_ROWS = 4096;

/**
 * A query's result on its way to the session. Until the session says how it takes it (`want`), changes
 * wait here, as they would in the session's CollectWriter before anyone listens; a job that ends before
 * then asks the session (which answers at once: how its consumer takes the result, else 'changes'), and
 * its end is reported after its result. Then:
 * - 'changes': batches written in one turn of the event loop go as one message (fewer, larger messages
 *   cost the session's thread less), at most OUTPUT_BATCH_ROWS a message; nothing waits longer than that
 *   turn.
 * - 'final-rows' (a bounded query whose final rows are all the session wants): changes are collapsed here
 *   (FinalRows), and the rows that remain are sent as inserts when the job ends; collapsing them again in
 *   the session gives the same rows in the same order.
 * The job is never held back.
 */
class Outbox {
  /** The job's id in this thread (set once it is known). */
  job = 0;
  private rows: Row[] = [];
  private kinds: RowKind[] = [];
  private scheduled = false;
  private wanted?: ResultWanted;
  private final?: FinalRows;
  /** The job ended before the session said how it takes the result: what to do once it has. */
  private whenTold?: () => void;

  add(batch: ChangeBatch): void {
    if (this.final) return this.final.apply(batch);
    for (let i = 0; i < batch.rows.length; i++) {
      this.rows.push(batch.rows[i]!);
      this.kinds.push(batch.kinds[i]!);
    }
    if (!this.wanted) return;
    if (this.rows.length >= OUTPUT_BATCH_ROWS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  want(as: ResultWanted): void {
    if (this.wanted) return;
    this.wanted = as;
    if (as === 'changes') this.flush();
    else {
      this.final = new FinalRows();
      this.final.apply({ rows: this.rows, kinds: this.kinds });
      this.rows = [];
      this.kinds = [];
    }
    this.whenTold?.();
    this.whenTold = undefined;
  }

  /** Calls `fn` once the session has said how it takes the result (at once, if it has). */
  told(fn: () => void): void {
    if (this.wanted) return fn();
    this.whenTold = fn;
    post({ type: 'held', job: this.job });
  }

  /** Sends everything that waits, before the job's end is reported (so its last changes come first). */
  end(): void {
    if (this.final) {
      this.rows = this.final.rows() as Row[];
      this.kinds = new Array<RowKind>(this.rows.length).fill(INSERT);
      this.final = undefined;
    }
    this.flush();
  }

  /** Sends what waits, OUTPUT_BATCH_ROWS a message. */
  private flush(): void {
    for (let i = 0; i < this.rows.length; i += OUTPUT_BATCH_ROWS) {
      post({ type: 'output', job: this.job, batch: { rows: this.rows.slice(i, i + OUTPUT_BATCH_ROWS), kinds: this.kinds.slice(i, i + OUTPUT_BATCH_ROWS) } });
    }
    this.rows = [];
    this.kinds = [];
  }
}

interface Running {
  readonly job: Job;
  /** A view's job: the changes it applies. */
  readonly feed?: ChangeFeed;
  /** A query's job: its result changes on their way. */
  readonly outbox?: Outbox;
  /** Why the worker ended the job itself (a bounded query past max-rows). */
  failure?: Error;
  /** Checkpoint durations and pauses already reported. */
  sentDurations: number;
  sentPauses: number;
}

const port = parentPort!;

// Jobs are background work: when cores are scarce, the thread serving clients comes first (see
// JOB_THREAD_NICE). On Linux a thread's id works as a pid for setpriority; the checkpoint writer this
// thread starts inherits the priority. Elsewhere the thread keeps the process's priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid)) setPriority(tid, (workerData as { nice: number }).nice);
} catch {
  // No /proc/thread-self (not Linux), or not allowed: same priority as the process.
}
const running = new Map<number, Running>();
const subscriptions = new Map<number, () => void>();
const stores = new Map<string, ViewStore>();
let counter = 0;

const post = (m: FromWorker) => port.postMessage(m);

/** A session to plan and build jobs with, as the caller's session would. */
function session(context: ThreadContext): Eddy {
  const eddy = new Eddy({ stateDir: context.stateDir, fresh: context.fresh, embeddedLogPath: context.embeddedLogPath });
  for (const [key, value] of context.settings) eddy.settings.set(key, value);
  for (const entry of context.catalog) eddy.catalog.add(entry);
  return eddy;
}

function report(r: Running): JobReport {
  const s = r.job.checkpointStats;
  const newDurations = s.durations.slice(r.sentDurations);
  const newPauses = (s.pauses ?? []).slice(r.sentPauses);
  r.sentDurations = s.durations.length;
  r.sentPauses = s.pauses?.length ?? 0;
  return {
    state: r.job.state,
    watermark: r.job.watermark,
    stateEntries: r.job.stateEntries,
    ...(r.job.health !== undefined ? { health: r.job.health } : {}),
    checkpoints: { completed: s.completed, lastId: s.lastId, ...(s.lastTime !== undefined ? { lastTime: s.lastTime } : {}), newDurations, newPauses },
    metrics: r.job.metrics.snapshot(),
  };
}

function start(req: number, context: ThreadContext, request: Extract<ToWorker, { type: 'start' }>['request']): void {
  let built: Running[];
  try {
    const eddy = session(context);
    if (request.kind === 'insert') {
      built = eddy.insertJobs(request.spec).map((job) => ({ job, sentDurations: 0, sentPauses: 0 }));
    } else if (request.kind === 'view') {
      const feed = new ChangeFeed();
      built = [{ job: eddy.viewJob(request.spec, feed), feed, sentDurations: 0, sentPauses: 0 }];
    } else {
      const writer = new CollectWriter();
      const outbox = new Outbox();
      writer.listen((batch) => outbox.add(batch));
      const r: Running = { job: eddy.queryJob(request.spec, writer), outbox, sentDurations: 0, sentPauses: 0 };
      const { maxRows } = request.spec;
      // As QueryHandle counts them (it would not see them all, when the worker collapses the result).
      if (r.job.bounded && maxRows > 0) {
        writer.limitRows(maxRows, () => {
          r.failure ??= tooManyRows(maxRows);
          void r.job.cancel();
        });
      }
      built = [r];
    }
  } catch (err) {
    post({ type: 'failed', req, error: sendError(err) });
    return;
  }
  const ids = built.map((r) => {
    const id = ++counter;
    running.set(id, r);
    if (r.outbox) r.outbox.job = id;
    return id;
  });
  post({ type: 'started', req, jobs: built.map((r, i) => ({ job: ids[i]!, name: r.job.name, bounded: r.job.bounded, ...(r.job.restoredFrom ? { restoredFrom: r.job.restoredFrom } : {}) })) });
  built.forEach((r, i) => {
    const job = ids[i]!;
    r.job.run().then(
      () => ended(job, r),
      (err: unknown) => ended(job, r, err),
    );
  });
}

function ended(job: number, r: Running, err?: unknown): void {
  const done = () => {
    running.delete(job);
    r.outbox?.end();
    const error = r.failure ?? err;
    post({ type: 'done', job, report: report(r), ...(error !== undefined ? { error: sendError(error) } : {}) });
  };
  if (r.outbox) r.outbox.told(done);
  else done();
}

function subscribe(sub: number, job: number, table: ViewTable): void {
  const feed = running.get(job)?.feed;
  const unsubscribe = feed ? feed.subscribe((batch) => post({ type: 'changes', sub, batch })) : () => {};
  try {
    let store = stores.get(table.path);
    if (!store) stores.set(table.path, (store = new ViewStore(table.path)));
    const rows = store.readAll(table.name, table.columns as Field[]);
    subscriptions.set(sub, unsubscribe);
    post({ type: 'rows', sub, rows });
  } catch (err) {
    unsubscribe();
    post({ type: 'subscribe-failed', sub, error: sendError(err) });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start':
      return start(m.req, m.context, m.request);
    case 'cancel':
      void running.get(m.job)?.job.cancel();
      return;
    case 'result':
      running.get(m.job)?.outbox?.want(m.as);
      return;
    case 'stop': {
      const r = running.get(m.job);
      if (!r) return post({ type: 'stopped', req: m.req });
      r.job.stop(m.savepoint).then(
        (path) => post({ type: 'stopped', req: m.req, ...(path ? { path } : {}) }),
        (err: unknown) => post({ type: 'stopped', req: m.req, error: sendError(err) }),
      );
      return;
    }
    case 'settle-probe':
    case 'checkpoint': {
      // A job that has ended meanwhile has nothing left to process.
      const job = running.get(m.job)?.job;
      const work = m.type === 'settle-probe' ? (job?.settleProbe() ?? Promise.resolve(undefined)) : (job?.checkpointNow() ?? Promise.resolve()).then(() => undefined);
      work.then(
        (probe) => post({ type: 'answered', req: m.req, ...(probe ? { probe } : {}) }),
        (err: unknown) => post({ type: 'answered', req: m.req, error: sendError(err) }),
      );
      return;
    }
    case 'subscribe':
      return subscribe(m.sub, m.job, m.table);
    case 'unsubscribe':
      subscriptions.get(m.sub)?.();
      subscriptions.delete(m.sub);
      return;
  }
});

setInterval(() => {
  for (const [job, r] of running) post({ type: 'progress', job, report: report(r) });
}, REPORT_INTERVAL_MS).unref();
