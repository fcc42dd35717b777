/**
 * A running continuous query (a SELECT): its schema and changelog mode, and its stream of changes, which a
 * caller consumes with `onChanges` (changes that arrive before anyone listens are kept and replayed).
 */
import type { Field } from '../common/types.js';
import type { ChangelogMode } from '../planner/physical-plan.js';
import type { ChangeBatch } from '../runtime/changelog.js';
import type { SinkWriter } from '../runtime/connector.js';
import type { CheckpointStats, JobStatus } from '../runtime/job.js';
import type { MetricsRegistry } from '../runtime/metrics.js';

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
}
import { summarize, type JobSummary, type Progress } from './job-summary.js';

/** The sink of a SELECT: hands batches to the query's listener. */
export class CollectWriter implements SinkWriter {
  private listener?: (batch: ChangeBatch) => void;
  private buffered: ChangeBatch[] = [];

  listen(fn: (batch: ChangeBatch) => void): void {
    this.listener = fn;
    const pending = this.buffered;
    this.buffered = [];
    for (const b of pending) fn(b);
  }

  async open(): Promise<void> {}

  write(batch: ChangeBatch): void {
    if (this.listener) this.listener(batch);
    else this.buffered.push(batch);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

export class QueryHandle {
  readonly done: Promise<void>;
  private started = false;
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
    this.job.run().then(
      () => this.resolve(),
      (err) => this.reject(err),
    );
  }

  /** Receives every batch of changes, in order. */
  onChanges(fn: (batch: ChangeBatch) => void): void {
    this.writer.listen(fn);
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
    return { summary: this.summary(), watermark: this.job.watermark, checkpoints: stats.completed, lastCheckpointTime: stats.lastTime, stateEntries: this.job.stateEntries };
  }
}
