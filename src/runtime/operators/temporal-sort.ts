/**
 * TemporalSort: ORDER BY an event-time column ascending (then other keys) on a stream.
 *
 * - Rows are buffered until the watermark reaches their time; a watermark W releases every buffered row
 *   with time <= W, sorted by the ORDER BY keys, then forwards W.
 * - A row whose time is already at or behind the watermark would break the order: it is late, dropped and
 *   counted (as Flink's row-time sort does). Rows with a NULL time are dropped and counted too.
 * - At the end of input the +∞ watermark releases everything.
 */
import { compareValues } from '../../common/values.js';
import type { SortKey } from '../../planner/logical-plan.js';
import { INSERT, MIN_WATERMARK, type ChangeBatch, type Row, type RowKind } from '../changelog.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
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
  private watermark = MIN_WATERMARK;
  /** Run-time state: rows waiting for the watermark. */
  private buffer: Row[] = [];

  constructor(readonly config: TemporalSortConfig) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.late = ctx.counter(CounterNames.lateRecordsDropped);
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
  }

  processBatch(batch: ChangeBatch): void {
    const t = this.config.timeIndex;
    for (const row of batch.rows) {
      const ts = row[t];
      if (typeof ts !== 'number') this.nullTime.inc();
      else if (ts <= this.watermark) this.late.inc();
      else this.buffer.push(row);
    }
  }

  processWatermark(watermark: number): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    const t = this.config.timeIndex;
    const ready: Row[] = [];
    const waiting: Row[] = [];
    for (const row of this.buffer) ((row[t] as number) <= watermark ? ready : waiting).push(row);
    this.buffer = waiting;
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
