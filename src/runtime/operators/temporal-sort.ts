/**
 * TemporalSort: ORDER BY an event-time column ascending (then other keys) on a stream.
 *
 * - Rows are buffered until the watermark reaches their time; a watermark W releases every buffered row
 *   with time <= W, sorted by the ORDER BY keys, then forwards W.
 * - A row whose time is already at or behind the watermark would break the order: it is late, dropped and
 *   counted (as Flink's row-time sort does). Rows with a NULL (or NaN) time are dropped and counted too.
 * - At the end of input the +∞ watermark releases everything.
 * - State: the table `rows` (key: a row time → the rows buffered at that time, in arrival order) and the
 *   value `watermark`. Derived, rebuilt on open: a min-heap of the buffered times. The planner makes the
 *   time column the first ORDER BY key, so releasing times in ascending order, each time's rows in arrival
 *   order, and then sorting stably gives the same order as sorting the rows in arrival order.
 */
import { compareValues } from '../../common/values.js';
import type { SortKey } from '../../planner/logical-plan.js';
import { INSERT, MIN_WATERMARK, type ChangeBatch, type Row, type RowKind } from '../changelog.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { StateTable, ValueState } from '../state/state-types.js';
import { MinHeap } from './min-heap.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

export interface TemporalSortConfig {
  readonly timeIndex: number;
  readonly keys: readonly SortKey[];
}

export class TemporalSort implements StreamOperator {
  readonly kind = 'TemporalSort';
  private ctx!: OperatorContext;
  private late!: Counter;
  private nullTime!: Counter;
  /** Run-time state: the rows waiting for the watermark, by time (see the file comment). */
  private buffer!: StateTable<Row[]>;
  private mark!: ValueState<number>;
  /** The times in {@link buffer}, each once. */
  private readonly times = new MinHeap();

  constructor(readonly config: TemporalSortConfig) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.late = ctx.counter(CounterNames.lateRecordsDropped);
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.buffer = ctx.state.table<Row[]>('rows', VALUE_CODEC);
    this.mark = ctx.state.value<number>('watermark', VALUE_CODEC);
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
    const watermark = this.mark.get() ?? MIN_WATERMARK;
    const buffer = this.buffer;
    for (const row of batch.rows) {
      const ts = row[t];
      if (typeof ts !== 'number' || Number.isNaN(ts)) this.nullTime.inc();
      else if (ts <= watermark) this.late.inc();
      else {
        const at = buffer.get(ts);
        if (at) {
          at.push(row);
          buffer.put(ts, at);
        } else {
          buffer.put(ts, [row]);
          this.times.push(ts);
        }
      }
    }
  }

  processWatermark(watermark: number): void {
    if (watermark <= (this.mark.get() ?? MIN_WATERMARK)) return;
    this.mark.set(watermark);
    const ready: Row[] = [];
    for (let ts = this.times.peek(); ts !== undefined && ts <= watermark; ts = this.times.peek()) {
      this.times.pop();
      for (const row of this.buffer.get(ts)!) ready.push(row);
      this.buffer.delete(ts);
    }
    if (ready.length > 0) {
      const keys = this.config.keys;
      ready.sort((a, b) => {
        for (const k of keys) {
          const av = a[k.index];
          const bv = b[k.index];
          if (av === null || bv === null) {
            if (av !== bv) return (av === null) === k.nullsFirst ? -1 : 1;
            continue;
          }
          const c = compareValues(av, bv);
          if (c !== 0) return k.descending ? -c : c;
        }
        return 0;
      });
      const kinds: RowKind[] = new Array<RowKind>(ready.length).fill(INSERT);
      this.ctx.output.emit({ rows: ready, kinds });
    }
    this.ctx.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.ctx.output.end();
  }

  explain(): string {
    return `TemporalSort(time=[$${this.config.timeIndex}])`;
  }
}
