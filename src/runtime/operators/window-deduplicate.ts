/**
 * WindowDeduplicate: window deduplication (Flink's "Window Deduplication") — `ROW_NUMBER() OVER (PARTITION BY
 * window_start, window_end, k.. ORDER BY rowtime ASC|DESC)` filtered by `rn = 1` (or `rn <= 1`, `rn < 2`)
 * over a window TVF: per window and key, the first row (ASC) or the last (DESC) by event time, emitted once
 * when the watermark passes the window's end, as an insert-only stream.
 *
 * Its own operator rather than a WindowRank with N = 1 (as Flink has both): it holds one row per window and
 * key and compares one time, with no sorted list; and its ties follow Flink's deduplication: keep-first keeps
 * the first row to arrive among rows of the smallest time, keep-last the last to arrive among rows of the
 * largest (a later row of an equal time replaces the held one), which a stable sort descending would not.
 *
 * - A window fires when the watermark reaches its `window_time`: each key's row goes out (`+I`, with the
 *   rank 1 appended unless the rank column is not selected), keys in the order of their encoded values; the
 *   window's state is dropped, then the watermark forwarded. The window columns stay as they are.
 * - Late rows (their window fired) are dropped and counted ({@link TimerService.dropLate}); rows with a NULL
 *   window or order time are dropped and counted (`nullTimeRecordsDropped`).
 * - State: the table `rows` (namespace: the window's `window_time`; key: the partition key → its row) and the
 *   timer service's `timers` (one per window) and `watermark`. Nothing outlives its window.
 */
import { INSERT, type ChangeBatch, type Row, type RowKind } from '../changelog.js';
import { encodeKey, type KeySelector, keySelector } from '../keys.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { describeColumns, notInsertOnly } from './aggregate-call.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';
import { takeWindow, type WindowColumns, windowFireTime } from './window-rank.js';

/** Configuration of a {@link WindowDeduplicate}. */
export interface WindowDeduplicateConfig {
  /** The PARTITION BY columns (window_start and window_end among them). */
  readonly partitionKeys: readonly number[];
  /** The event-time column rows are ordered by. */
  readonly timeIndex: number;
  /** True for ORDER BY rowtime DESC (keep the last row), false for ASC (keep the first). */
  readonly keepLast: boolean;
  /** False when the rank column is not output. */
  readonly outputRank: boolean;
  readonly window: WindowColumns;
}

/** Window deduplication (see the file comment). */
export class WindowDeduplicate implements StreamOperator {
  readonly kind = 'WindowDeduplicate';
  private ctx!: OperatorContext;
  private nullTime!: Counter;
  private rows!: StateTable<Row>;
  private timers!: TimerService;
  private readonly selector: KeySelector;
  /** The rows the windows fired by one watermark released. */
  private ready: Row[] = [];

  constructor(readonly config: WindowDeduplicateConfig) {
    this.selector = keySelector(config.partitionKeys);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.rows = ctx.state.table<Row>('rows', VALUE_CODEC);
    this.timers = new TimerService(ctx);
  }

  processBatch(batch: ChangeBatch): void {
    const { timeIndex, keepLast, window } = this.config;
    for (let i = 0; i < batch.rows.length; i++) {
      if (batch.kinds[i] !== INSERT) throw notInsertOnly(this.kind, batch.kinds[i]!);
      const row = batch.rows[i]!;
      const time = windowFireTime(row, window);
      const ts = row[timeIndex];
      if (time === undefined || typeof ts !== 'number' || Number.isNaN(ts)) {
        this.nullTime.inc();
        continue;
      }
      if (this.timers.dropLate(time)) continue;
      const key = encodeKey(this.selector.values(row));
      const held = this.rows.get(key, time);
      if (held) {
        const heldTs = held[timeIndex] as number;
        if (keepLast ? ts < heldTs : ts >= heldTs) continue;
      } else {
        this.timers.register(time);
      }
      this.rows.put(key, row, time);
    }
  }

  processWatermark(watermark: number): void {
    if (!this.timers.advance(watermark, this.fire)) return;
    const ready = this.ready;
    if (ready.length > 0) {
      this.ready = [];
      this.ctx.output.emit({ rows: ready, kinds: new Array<RowKind>(ready.length).fill(INSERT) });
    }
    this.ctx.output.emitWatermark(watermark);
  }

  /** A window's timer: each key's row goes out, and the window's state is dropped. */
  private readonly fire = (time: number): void => {
    for (const [, row] of takeWindow(this.rows, time)) this.ready.push(this.config.outputRank ? [...row, 1] : row);
  };

  /** How many rows wait for their windows to fire (for tests). */
  get storedRows(): number {
    let n = 0;
    for (const ns of this.rows.namespaces()) for (const _ of this.rows.namespace(ns)) n++;
    return n;
  }

  /** How many timers are registered (for tests). */
  get timerCount(): number {
    return this.timers.times().length;
  }

  endInput(): void {
    this.ctx.output.end();
  }

  explain(): string {
    const { partitionKeys, timeIndex, keepLast } = this.config;
    return `WindowDeduplicate(keep=[${keepLast ? 'LastRow' : 'FirstRow'}], partitionBy=[${describeColumns(partitionKeys)}], order=[$${timeIndex} (ROWTIME)])`;
  }
}
