/** What the job driver (job.ts) of one instance of a parallel job works with (see exchange.ts). */
import type { InstanceLinks } from './exchange.js';

export interface ParallelPart {
  /** This instance's index and channels. */
  readonly links: InstanceLinks;
  /** Calls `fail` when another instance fails (instance 0 hears of the others; the others of nothing). */
  onFailure(fail: (err: unknown) => void): void;
  /** Tells the other instances to stop reading (the job is cancelled, stopped, failed, or its sinks ended early). */
  stopOthers(): void;
  /**
   * Waits for the other instances to end and releases the channels. `finished`: the job ended normally (the
   * others end by themselves), else they are ended.
   */
  close(finished: boolean): Promise<void>;
}
