/**
 * A running streaming job: sources feeding a tree of operators into sinks, driven on the event loop.
 *
 * - Each source runs an async loop: await the next chunk from its reader, push it synchronously through
 *   the operators (no promises per record), then await the sinks' flush (backpressure).
 * - A bounded source that finishes emits the +∞ watermark (all windows fire) and ends its stream; when every
 *   sink has seen the end of its input, the job is finished.
 * - A sink that ends early (LIMIT reached) stops the sources. `cancel()` stops everything without firing
 *   pending windows. An error anywhere fails the job and stops the rest.
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import type { SourceReader, SinkWriter } from './connector.js';
import type { MetricsRegistry } from './metrics.js';
import type { TableSourceScan } from './operators/table-source-scan.js';
import type { TableSink } from './operators/table-sink.js';

/** One source of a job: a reader and the scan operator its rows go through. */
export interface SourceTask {
  readonly name: string;
  readonly reader: SourceReader;
  readonly scan: TableSourceScan;
}

/** One sink of a job. */
export interface SinkTask {
  readonly operator: TableSink;
  readonly writer: SinkWriter;
}

/** How long a source may run without letting other work on the event loop have a turn. */
const YIELD_EVERY_MS = 20;

export type JobStatus = 'created' | 'running' | 'finished' | 'cancelled' | 'failed';

export class Job {
  private status: JobStatus = 'created';
  private stopping = false;
  private cancelled = false;
  private failure?: unknown;
  private readonly wakers = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly sources: readonly SourceTask[],
    readonly sinks: readonly SinkTask[],
    readonly metrics: MetricsRegistry,
    /** Opens every operator (called once, before the sources start). */
    private readonly openOperators: () => void,
  ) {}

  get state(): JobStatus {
    return this.status;
  }

  /** The minimum watermark over the job's sources (-∞ before any). */
  get watermark(): number {
    let min = Infinity;
    for (const s of this.sources) min = Math.min(min, s.scan.watermark);
    return this.sources.length === 0 ? -Infinity : min;
  }

  /** True when every source will end by itself. */
  get bounded(): boolean {
    return this.sources.every((s) => s.reader.bounded);
  }

  /** Runs the job to its end: resolves when finished or cancelled, rejects when it fails. */
  async run(): Promise<void> {
    if (this.status !== 'created') throw new Error(`job ${this.name} was already started`);
    this.status = 'running';
    try {
      for (const s of this.sinks) await s.writer.open();
      this.openOperators();
      for (const s of this.sinks) s.operator.whenEnded(() => this.onSinkEnded());
      for (const s of this.sources) await s.reader.open();
      await Promise.all(this.sources.map((s) => this.runSource(s)));
      if (this.failure !== undefined) throw this.failure;
      for (const s of this.sinks) await s.writer.flush();
      this.status = this.cancelled ? 'cancelled' : 'finished';
    } catch (err) {
      this.status = 'failed';
      this.failure = err;
      this.stopping = true;
      throw err instanceof EddyError || err instanceof Error ? err : new EddyError({ code: ErrorCode.JOB_FAILED, message: String(err) });
    } finally {
      await Promise.allSettled(this.sources.map((s) => s.reader.close()));
      await Promise.allSettled(this.sinks.map((s) => s.writer.close()));
    }
  }

  /** Stops the job: sources stop reading; pending windows do not fire. */
  async cancel(): Promise<void> {
    if (this.status !== 'running' && this.status !== 'created') return;
    this.cancelled = true;
    this.stopping = true;
    this.wakeAll();
    await Promise.allSettled(this.sources.map((s) => s.reader.close()));
  }

  private onSinkEnded(): void {
    if (this.sinks.every((s) => s.operator.hasEnded) && this.sources.length > 0) {
      // Every output is complete (e.g. LIMIT reached): no need to read further.
      this.stopping = true;
      this.wakeAll();
      for (const s of this.sources) void s.reader.close();
    }
  }

  private async runSource(task: SourceTask): Promise<void> {
    let lastYield = Date.now();
    try {
      for (;;) {
        // A source that always has data ready (a fast datagen, a large file) would otherwise keep the event
        // loop to itself: timers, signals and the shell's screen get a turn at least every 20 ms.
        if (Date.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = Date.now();
        }
        if (this.stopping) break;
        const chunk = await task.reader.next();
        if (this.stopping) break;
        if (chunk === null) {
          task.scan.finish();
          await this.flushSinks();
          return;
        }
        let pending = task.scan.processChunk(chunk);
        while (pending && !this.stopping) {
          await this.pause(pending.delayMs);
          pending = task.scan.resume();
        }
        await this.flushSinks();
      }
      if (!this.sinks.every((s) => s.operator.hasEnded)) task.scan.cancel();
    } catch (err) {
      if (this.failure === undefined) this.failure = err;
      this.stopping = true;
      for (const s of this.sources) void s.reader.close();
    }
  }

  /** Waits `ms`, or less if the job is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private wakeAll(): void {
    for (const w of [...this.wakers]) w();
  }

  private async flushSinks(): Promise<void> {
    for (const s of this.sinks) await s.writer.flush();
  }
}
