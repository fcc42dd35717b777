/**
 * A handle on the job(s) of an INSERT or a statement set: start, wait, cancel, and read their counters.
 */
import type { Job } from '../runtime/job.js';
import { summarize, type JobSummary } from './job-summary.js';

export class JobHandle {
  /** Resolves when every job has finished or was cancelled; rejects with the first failure. */
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: unknown) => void;
  private started = false;

  constructor(
    readonly jobs: readonly Job[],
    /** The statement text, for messages. */
    readonly description: string,
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
}
