/**
 * A handle on the job(s) of an INSERT or a statement set: start, wait, cancel, and read their counters.
 */
import type { CheckpointData } from '../runtime/state/sqlite-state-store.js';
import type { QueryRunner } from './query-handle.js';
import { summarize, type JobSummary, type Progress } from './job-summary.js';

/**
 * One job of a handle: a runtime Job in this thread, or one running in the session's job thread
 * (see job-thread.ts).
 */
export interface RunnableJob extends QueryRunner {
  /** Stops the job; with `savepoint`, after writing its state there. */
  stop(savepoint?: string): Promise<string | undefined>;
  /** The checkpoint the job resumed from, if it restored one. */
  readonly restoredFrom?: CheckpointData;
}

export class JobHandle {
  /** Resolves when every job has finished or was cancelled; rejects with the first failure. */
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: unknown) => void;
  private started = false;

  /** When the job was started (epoch ms). */
  readonly startTime = Date.now();

  constructor(
    readonly jobs: readonly RunnableJob[],
    /** The statement text, for messages. */
    readonly description: string,
    /** The id SHOW JOBS lists and STOP JOB takes. */
    readonly id = '',
    /** Each job's key (its state file's name), in the order of `jobs`. */
    readonly keys: readonly string[] = [],
  ) {
    this.done = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    // A failure is reported through `done`; keep Node from flagging it as unhandled before anyone awaits.
    this.done.catch(() => {});
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const runs = this.jobs.map((j) => j.run());
    Promise.all(runs).then(
      () => this.resolve(),
      async (err) => {
        await Promise.allSettled(this.jobs.map((j) => j.cancel()));
        this.reject(err);
      },
    );
  }

  /** The jobs' combined status: running while any runs, else the first non-finished status, else finished. */
  get status(): string {
    const states = this.jobs.map((j) => j.state);
    return states.find((s) => s === 'running') ?? states.find((s) => s !== 'finished') ?? 'finished';
  }

  /** Stops every job; with `savepointDir`, each writes its savepoint there as `<key>.db`. */
  async stop(savepointDir?: string): Promise<string | undefined> {
    await Promise.all(this.jobs.map((j, i) => j.stop(savepointDir ? `${savepointDir}/${this.keys[i]}.db` : undefined)));
    return savepointDir;
  }

  async cancel(): Promise<void> {
    await Promise.allSettled(this.jobs.map((j) => j.cancel()));
  }

  /** Whether every job reads only bounded sources (and so ends by itself). */
  get bounded(): boolean {
    return this.jobs.every((j) => j.bounded);
  }

  summary(): JobSummary {
    return summarize(this.jobs.map((j) => j.metrics));
  }

  /** Combined progress: the lowest watermark, the fewest checkpoints and the oldest last checkpoint. */
  progress(): Progress {
    const stats = this.jobs.map((j) => j.checkpointStats);
    const times = stats.map((s) => s.lastTime).filter((t): t is number => t !== undefined);
    const health = this.jobs.map((j) => j.health).filter((h): h is string => h !== undefined);
    return {
      ...(health.length > 0 ? { health: health.join('; ') } : {}),
      summary: this.summary(),
      watermark: Math.min(...this.jobs.map((j) => j.watermark)),
      checkpoints: Math.min(...stats.map((s) => s.completed)),
      lastCheckpointTime: times.length === stats.length && times.length > 0 ? Math.min(...times) : undefined,
      stateEntries: this.jobs.reduce((n, j) => n + j.stateEntries, 0),
    };
  }
}
