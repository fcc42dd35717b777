/**
 * A running continuous query (a SELECT): its schema and changelog mode, and its stream of changes, which a
 * caller consumes with `onChanges` (changes that arrive before anyone listens are kept and replayed).
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import type { Field } from '../common/types.js';
import type { ChangelogMode } from '../planner/physical-plan.js';
import type { ChangeBatch } from '../runtime/changelog.js';
import type { SinkWriter } from '../runtime/connector.js';
import type { SettleProbe, CheckpointStats, JobStatus } from '../runtime/job.js';
import type { MetricsRegistry } from '../runtime/metrics.js';
import { summarize, type JobSummary, type Progress } from './job-summary.js';
import { FinalRows } from './final-rows.js';
import type { Settings } from './settings.js';
import { parseDuration } from '../connectors/option-values.js';

/**
 * How a query's result is taken: every change as it comes, or only the final rows of a bounded query
 * (its changelog collapsed, see FinalRows).
 */
export type ResultWanted = 'changes' | 'final-rows';

/** What runs a query: a streaming job, or a materialized view's change feed. */
export interface QueryRunner {
  readonly name: string;
  run(): Promise<void>;
  cancel(): Promise<void>;
  readonly state: JobStatus;
  readonly bounded: boolean;
  readonly metrics: MetricsRegistry;
  readonly watermark: number;
  readonly checkpointStats: CheckpointStats;
  readonly stateEntries: number;
  /** What its sources are going through when they are not simply reading (see SourceReader.health). */
  readonly health?: string;
  /**
   * Told once, before the result is taken, how it will be taken. A job in another thread holds its result
   * until then; for 'final-rows' it collapses its changes there and sends only the final rows (as inserts)
   * when it ends, which spares this thread the work. A job in this thread needs not know.
   */
  resultWanted?(as: ResultWanted): void;
  /** With {@link checkpointNow}, what Eddy.settle uses (see Job.settleProbe). */
  settleProbe?(): Promise<SettleProbe>;
  /** Makes what the job processed visible downstream (a completed checkpoint, or flushed sinks). */
  checkpointNow?(): Promise<void>;
}

/** The sink of a SELECT: hands batches to the query's listener. */
export class CollectWriter implements SinkWriter {
  private listener?: (batch: ChangeBatch) => void;
  private buffered: ChangeBatch[] = [];
  private rows = 0;
  private maxRows = 0;
  private overLimit?: () => void;

  /** Stops delivering, and calls `overLimit` once, when more than `maxRows` rows (changes) arrive. */
  limitRows(maxRows: number, overLimit: () => void): void {
    this.maxRows = maxRows;
    this.overLimit = overLimit;
  }

  listen(fn: (batch: ChangeBatch) => void): void {
    this.listener = fn;
    const pending = this.buffered;
    this.buffered = [];
    for (const b of pending) fn(b);
  }

  async open(): Promise<void> {}

  write(batch: ChangeBatch): void {
    if (this.maxRows > 0) {
      if (this.rows > this.maxRows) return;
      this.rows += batch.rows.length;
      if (this.rows > this.maxRows) {
        this.overLimit?.();
        return;
      }
    }
    if (this.listener) this.listener(batch);
    else this.buffered.push(batch);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

/**
 * Bounds on one ad-hoc query (`table.exec.query.max-rows`, `table.exec.query.timeout`; 0: none). They
 * apply to bounded queries only: an unbounded query is a stream its client consumes as it goes.
 */
export interface QueryLimits {
  readonly maxRows: number;
  readonly timeoutMs: number;
}

/** The session's bounds on an ad-hoc query (validated when they were set). */
export function queryLimits(settings: Settings): QueryLimits {
  return { maxRows: Number(settings.get('table.exec.query.max-rows')), timeoutMs: parseDuration(settings.get('table.exec.query.timeout')) ?? 0 };
}

/** The error of a query that produced more than `maxRows` rows. */
export function tooManyRows(maxRows: number): EddyError {
  return new EddyError({
    code: ErrorCode.QUERY_TOO_MANY_ROWS,
    message: `The query produced more than ${maxRows.toLocaleString('en-US')} rows (table.exec.query.max-rows) and was stopped`,
    hint: "narrow it (WHERE, LIMIT, an aggregate), write it to a table with INSERT INTO, or raise the limit: SET 'table.exec.query.max-rows' = '<rows>' (0: none)",
  });
}

export class QueryHandle {
  readonly done: Promise<void>;
  private started = false;
  private settled = false;
  private timer?: ReturnType<typeof setTimeout>;
  private resolve!: () => void;
  private reject!: (err: unknown) => void;

  /** When the query was started (epoch ms). */
  readonly startTime = Date.now();
  /** The id SHOW JOBS lists and STOP JOB takes (set by the engine). */
  id = '';

  constructor(
    readonly job: QueryRunner,
    private readonly writer: CollectWriter,
    /** Output columns, named as the query names them. */
    readonly schema: readonly Field[],
    /** Whether the result is insert-only or updating (with its upsert key). */
    readonly changelog: ChangelogMode,
    /** The query's text, for SHOW JOBS and messages. */
    readonly description = job.name,
    private readonly limits: QueryLimits = { maxRows: 0, timeoutMs: 0 },
  ) {
    this.done = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.done.catch(() => {});
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.job.bounded) this.applyLimits();
    this.job.run().then(
      () => this.settle(),
      (err) => this.settle(err),
    );
  }

  private applyLimits(): void {
    const { maxRows, timeoutMs } = this.limits;
    if (maxRows > 0) {
      this.writer.limitRows(maxRows, () => this.fail(tooManyRows(maxRows)));
    }
    if (timeoutMs > 0) {
      this.timer = setTimeout(
        () =>
          this.fail(
            new EddyError({
              code: ErrorCode.QUERY_TIMEOUT,
              message: `The query ran longer than ${timeoutMs.toLocaleString('en-US')} ms (table.exec.query.timeout) and was cancelled`,
              hint: "narrow it, or raise the limit: SET 'table.exec.query.timeout' = '<duration>' (0: none)",
            }),
          ),
        timeoutMs,
      );
      this.timer.unref?.();
    }
  }

  /** Ends the query with an error (a limit was passed) and cancels its job. */
  private fail(err: EddyError): void {
    if (this.settled) return;
    this.settle(err);
    void this.job.cancel();
  }

  private settle(err?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    if (err === undefined) this.resolve();
    else this.reject(err);
  }

  /** Receives every batch of changes, in order. */
  onChanges(fn: (batch: ChangeBatch) => void): void {
    this.job.resultWanted?.('changes');
    this.writer.listen(fn);
  }

  /**
   * Runs a bounded query to its end and returns its final rows: its changelog collapsed (see FinalRows),
   * wherever its job runs (a job in the job thread collapses there). An unbounded query's final rows are
   * those when it is cancelled.
   */
  async finalRows(): Promise<(readonly unknown[])[]> {
    const final = new FinalRows();
    this.job.resultWanted?.(this.bounded ? 'final-rows' : 'changes');
    this.writer.listen((batch) => final.apply(batch));
    await this.done;
    return final.rows();
  }

  /** Collects all changes until the query ends (bounded inputs only, or after `cancel`). */
  async collect(): Promise<ChangeBatch[]> {
    const all: ChangeBatch[] = [];
    this.onChanges((b) => all.push(b));
    await this.done;
    return all;
  }

  async cancel(): Promise<void> {
    await this.job.cancel();
  }

  get status(): string {
    return this.job.state;
  }

  get bounded(): boolean {
    return this.job.bounded;
  }

  summary(): JobSummary {
    return summarize([this.job.metrics]);
  }

  progress(): Progress {
    const stats = this.job.checkpointStats;
    const health = this.job.health;
    return { summary: this.summary(), watermark: this.job.watermark, checkpoints: stats.completed, lastCheckpointTime: stats.lastTime, stateEntries: this.job.stateEntries, ...(health !== undefined ? { health } : {}) };
  }
}
