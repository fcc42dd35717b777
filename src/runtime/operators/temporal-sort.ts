/**
 * TemporalSort: ORDER BY an event-time column ascending (then other keys) on a stream.
 *
 * - Rows are buffered until the watermark reaches their time; a watermark W releases every buffered row
 *   with time <= W, sorted by the ORDER BY keys, then forwards W.
 * - A row whose time is already at or behind the watermark would break the order: it is late, dropped and
 *   counted (as Flink's row-time sort does; {@link TimerService.dropLate} decides and counts). Rows with a
 *   NULL (or NaN) time are dropped and counted too.
 * - One timer (an operator timer) at the earliest buffered time, not one per time: when it fires, every
 *   buffered time up to the watermark is released, ascending, and the timer moves to the earliest time left.
 *   A row earlier than every buffered one adds a timer at its time (the later timer then finds nothing to
 *   release, or releases what is due).
 * - At the end of input the +∞ watermark releases everything.
 * - State: the table `rows` (key: a row time → the rows buffered at that time, in arrival order), and the
 *   timer service's `timers` and `watermark`. Derived, rebuilt on open: a min-heap of the buffered times.
 *   The planner makes the time column the first ORDER BY key, so releasing times in ascending order, each
 *   time's rows in arrival order, and then sorting stably gives the same order as sorting the rows in
 *   arrival order.
 */
import type { SortKey } from '../../planner/logical-plan.js';
import { INSERT, type ChangeBatch, type Row, type RowKind } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { MinHeap } from '../min-heap.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';
import { sortKeyComparator } from './sort-keys.js';

/** The state table of buffered rows (key: a row time → the rows at that time, in arrival order). */
const ROWS_TABLE = 'rows';

/** Configuration of a {@link TemporalSort}. */
export interface TemporalSortConfig {
  readonly timeIndex: number;
  readonly keys: readonly SortKey[];
}

/** ORDER BY an event-time column on a stream (see the file comment). */
export class TemporalSort implements StreamOperator {
  readonly kind = 'TemporalSort';
  private ctx!: OperatorContext;
  private nullTime!: Counter;
  /** Run-time state: the rows waiting for the watermark, by time (see the file comment). */
  private buffer!: StateTable<Row[]>;
  private timers!: TimerService;
  /** The times in {@link buffer}, each once. */
  private readonly times = new MinHeap();
  /** The rows the timers of one watermark released. */
  private ready: Row[] = [];

  private readonly compare: (a: Row, b: Row) => number;

  constructor(readonly config: TemporalSortConfig) {
    this.compare = sortKeyComparator(config.keys);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.buffer = ctx.state.table<Row[]>(ROWS_TABLE, VALUE_CODEC);
    this.timers = new TimerService(ctx);
    for (const [time] of this.buffer.namespace('')) this.times.push(time as number);
  }

  /** The number of buffered rows. */
  get buffered(): number {
    let n = 0;
    for (const [, rows] of this.buffer.namespace('')) n += rows.length;
    return n;
  }

  processBatch(batch: ChangeBatch): void {
    const t = this.config.timeIndex;
    const buffer = this.buffer;
    for (const row of batch.rows) {
      const ts = row[t];
      if (typeof ts !== 'number' || Number.isNaN(ts)) this.nullTime.inc();
      else if (!this.timers.dropLate(ts)) {
        const at = buffer.get(ts);
        if (at) {
          at.push(row);
          buffer.put(ts, at);
        } else {
          const earliest = this.times.peek();
          if (earliest === undefined || ts < earliest) this.timers.register(ts);
          buffer.put(ts, [row]);
          this.times.push(ts);
        }
      }
    }
  }

  processWatermark(watermark: number): void {
    if (!this.timers.advance(watermark, this.release)) return;
    const ready = this.ready;
    if (ready.length > 0) {
      this.ready = [];
      ready.sort(this.compare);
      const kinds: RowKind[] = new Array<RowKind>(ready.length).fill(INSERT);
      this.ctx.output.emit({ rows: ready, kinds });
    }
    this.ctx.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.ctx.output.end();
  }

  /** The timer: the rows of every buffered time up to the watermark are ready; the timer moves on. */
  private readonly release = (): void => {
    const watermark = this.timers.watermark;
    for (let ts = this.times.peek(); ts !== undefined && ts <= watermark; ts = this.times.peek()) {
      this.times.pop();
      for (const row of this.buffer.get(ts)!) this.ready.push(row);
      this.buffer.delete(ts);
    }
    const next = this.times.peek();
    if (next !== undefined) this.timers.register(next);
  };

  explain(): string {
    return `TemporalSort(time=[$${this.config.timeIndex}])`;
  }
}
