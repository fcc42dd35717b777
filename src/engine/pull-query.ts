/**
 * Pull queries: a SELECT whose sources are only materialized views (or `sqlite` tables) is answered from a
 * consistent snapshot of their current contents, and ends.
 */
import { T, type Field } from '../common/types.js';
import { compareValues, formatValue } from '../common/values.js';
import type { FinalSteps } from '../planner/pull-plan.js';
import { INSERT, type ChangeBatch, type Row } from '../runtime/changelog.js';
import { FinalRows } from './final-rows.js';
import type { SinkWriter } from '../runtime/connector.js';
import type { CheckpointStats, JobStatus } from '../runtime/job.js';
import { CounterNames, MetricsRegistry } from '../runtime/metrics.js';
import type { QueryRunner } from './query-handle.js';

/** How fresh a materialized view read by a pull query is: the checkpoint it reflects, and that checkpoint's watermark. */
export interface ViewFreshness {
  readonly view: string;
  /** The id of the last checkpoint applied to the view (undefined when the job does not checkpoint). */
  readonly checkpoint?: number;
  /**
   * The event-time watermark (epoch ms) when that checkpoint (or, without checkpoints, the last write) was
   * taken; +Infinity once the view's input has ended.
   */
  readonly watermark?: number;
  /** When the view was last written (epoch ms). */
  readonly committedAt?: number;
}

/** `checkpoint 3, watermark 2024-01-01 10:00:00.000`: what a view's table reflects. */
export function describeFreshness(f: ViewFreshness, timeZone: string): string {
  const wm = f.watermark === undefined ? 'none yet' : f.watermark === Infinity ? 'end of input' : formatValue(f.watermark, T.timestampLtz(3), timeZone);
  const at = f.checkpoint !== undefined ? `checkpoint ${f.checkpoint}` : f.committedAt !== undefined ? 'its last write (no checkpoints)' : 'nothing written yet';
  return `${at}, watermark ${wm}`;
}

/** A view's current rows, and how to stop receiving its changes. */
export interface ViewChangesOpened {
  readonly rows: Row[];
  readonly unsubscribe: () => void;
}

/** A pull query's answer: final rows (no changelog), read from one consistent snapshot. */
export interface PullResult {
  readonly schema: readonly Field[];
  readonly rows: readonly Row[];
  /** Per view read, what the snapshot reflects. */
  readonly freshness: readonly ViewFreshness[];
  /** What the answer cannot reflect: a view whose job failed, a view with nothing committed yet (view-readiness.ts). */
  readonly warnings?: readonly string[];
}

/** The final rows of a changelog (see {@link FinalRows}). */
export function collapseChangelog(batches: readonly ChangeBatch[]): Row[] {
  const final = new FinalRows();
  for (const b of batches) final.apply(b);
  return final.rows() as Row[];
}

/** ORDER BY, OFFSET and LIMIT over final rows. */
export function applyFinalSteps(rows: Row[], final: FinalSteps): Row[] {
  if (final.sort?.length) {
    const keys = final.sort;
    rows.sort((a, b) => {
      for (const k of keys) {
        const x = a[k.index];
        const y = b[k.index];
        const xNull = x === null || x === undefined;
        const yNull = y === null || y === undefined;
        if (xNull || yNull) {
          if (xNull && yNull) continue;
          return xNull === k.nullsFirst ? -1 : 1;
        }
        const c = compareValues(x, y);
        if (c !== 0) return k.descending ? -c : c;
      }
      return 0;
    });
  }
  const end = final.limit === undefined ? undefined : final.offset + final.limit;
  return final.offset > 0 || end !== undefined ? rows.slice(final.offset, end) : rows;
}

/**
 * Runs `SELECT ... FROM view [WHERE ...] [LIMIT n] EMIT CHANGES`: emits the view's current rows as +I,
 * then every change its job applies, filtered and projected, until cancelled or LIMIT rows were emitted.
 */
export class FeedRunner implements QueryRunner {
  readonly bounded = false;
  readonly metrics = new MetricsRegistry();
  private status: JobStatus = 'created';
  private finish: (err?: unknown) => void = () => {};
  private unsubscribe: () => void = () => {};
  private emitted = 0;
  /** True once the view's current rows were emitted. */
  private opened = false;
  /** The view's job ended before its current rows were read (a finished bounded view): how it ended. */
  private endedBeforeOpen?: { readonly err?: unknown };
  private readonly recordsIn = this.metrics.counter('Source: feed', CounterNames.recordsIn);
  private readonly recordsOut = this.metrics.counter('Sink: collect', CounterNames.recordsOut);

  constructor(
    readonly name: string,
    private readonly writer: SinkWriter,
    /**
     * Subscribes to the view's changes and reads its current rows, as one step: every change after those
     * rows reaches `onChange` (which may be called before the rows are returned; such changes wait).
     */
    private readonly start: (onChange: (batch: ChangeBatch) => void) => ViewChangesOpened | Promise<ViewChangesOpened>,
    private readonly calc: { readonly condition?: (row: Row) => unknown; readonly projection?: readonly ((row: Row) => unknown)[] },
    private readonly limit: number | undefined,
    private readonly viewWatermark: () => number,
  ) {}

  run(): Promise<void> {
    this.status = 'running';
    return new Promise<void>((resolve, reject) => {
      this.finish = (err?: unknown) => {
        this.unsubscribe();
        if (err === undefined) resolve();
        else reject(err);
      };
      // Changes that arrive before the current rows were emitted wait for them.
      let early: ChangeBatch[] | undefined = [];
      const opened = (o: ViewChangesOpened) => {
        this.unsubscribe = o.unsubscribe;
        if (this.status !== 'running') return o.unsubscribe();
        this.process({ rows: o.rows, kinds: o.rows.map(() => INSERT) });
        for (const b of early!) this.process(b);
        early = undefined;
        this.opened = true;
        if (this.limit === 0) this.end('finished');
        // A view whose job had already ended: its rows were emitted, and nothing more will come.
        if (this.endedBeforeOpen) this.feedEnded(this.endedBeforeOpen.err);
      };
      try {
        const o = this.start((batch) => (early ? early.push(batch) : this.process(batch)));
        if (o instanceof Promise) o.then(opened, (err: unknown) => this.end('failed', err));
        else opened(o);
      } catch (err) {
        this.end('failed', err);
      }
    });
  }

  private process(batch: ChangeBatch): void {
    if (this.status !== 'running') return;
    this.recordsIn.inc(batch.rows.length);
    const out: ChangeBatch = { rows: [], kinds: [] };
    const { condition, projection } = this.calc;
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      if (condition && condition(row) !== true) continue;
      out.rows.push(projection ? projection.map((p) => p(row)) : row);
      out.kinds.push(batch.kinds[i]!);
      if (this.limit !== undefined && this.emitted + out.rows.length >= this.limit) break;
    }
    if (out.rows.length > 0) {
      this.emitted += out.rows.length;
      this.recordsOut.inc(out.rows.length);
      this.writer.write(out);
    }
    if (this.limit !== undefined && this.emitted >= this.limit) this.end('finished');
  }

  private end(status: JobStatus, err?: unknown): void {
    if (this.status !== 'running') return;
    this.status = status;
    this.finish(err);
  }

  async cancel(): Promise<void> {
    if (this.status === 'created') this.status = 'cancelled';
    this.end('cancelled');
  }

  /**
   * The view's job ended: no change will come any more, so the query ends too (failing if the job failed) —
   * once the view's current rows were emitted: they are read after a subscription that may answer later
   * (from the job thread) than a finished job's end is known.
   */
  feedEnded(err?: unknown): void {
    if (!this.opened && this.status !== 'cancelled') {
      this.endedBeforeOpen = { err };
      return;
    }
    if (err === undefined) this.end('finished');
    else this.end('failed', err);
  }

  get state(): JobStatus {
    return this.status;
  }

  get watermark(): number {
    return this.viewWatermark();
  }

  /** A push query keeps no state. */
  readonly stateEntries = 0;

  get checkpointStats(): CheckpointStats {
    return { completed: 0, durations: [], lastId: 0 };
  }
}
