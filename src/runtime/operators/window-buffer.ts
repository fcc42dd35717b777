/**
 * What window Top-N (WindowRank) and window deduplication (WindowDeduplicate) share: rows that carry their
 * window (`window_end`, and `window_time` when the query kept it) are held per window and partition key in
 * one state table (namespace: the window's time), with one operator timer per window at its `window_time`;
 * when the watermark reaches it, the window's entries go out in the order of their keys (the same in a
 * restored run), as one insert-only batch with the other windows fired by the same watermark, and the
 * window's state is dropped; then the watermark is forwarded.
 *
 * - A row whose window already fired (`window_time <= watermark`) is late: dropped and counted
 *   ({@link TimerService.dropLate}); a row without a window time is dropped and counted
 *   (`nullTimeRecordsDropped`). Any row kind but `+I` is an error (the planner never builds such a plan).
 * - State: the subclass's table, and the timer service's `timers` and `watermark`.
 */
import { INSERT, type ChangeBatch, type Row, type RowKind } from '../changelog.js';
import { encodeKey, type KeySelector, keySelector } from '../keys.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { Namespace, StateKey, StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { notInsertOnly } from './aggregate-call.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

/** Where a row's window is: the column of its `window_time`, or else of its `window_end` (the time is end - 1). */
export interface WindowColumns {
  /** The input column holding `window_time`, or -1 when the query dropped it. */
  readonly timeIndex: number;
  readonly endIndex: number;
}

/** The time a row's window fires at (its window_time), or undefined when it has none. */
export function windowFireTime(row: Row, window: WindowColumns): number | undefined {
  const t = window.timeIndex >= 0 ? row[window.timeIndex] : row[window.endIndex];
  if (typeof t !== 'number' || Number.isNaN(t)) return undefined;
  return window.timeIndex >= 0 ? t : t - 1;
}

/** The entries of the window `ns` of `table`, in the order of their keys (encoded key strings); the window is then dropped from the table. */
function takeWindow<V>(table: StateTable<V>, ns: Namespace): [StateKey, V][] {
  const entries = [...table.namespace(ns)].sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  table.deleteNamespace(ns);
  return entries;
}

/** A row's window and partition key, as {@link WindowBuffer.place} finds them. */
export interface Placed {
  /** The window's time (the table namespace). */
  readonly time: number;
  readonly key: string;
}

/** The shared part of the windowed operators (see the file comment); `V` is what a window holds per key. */
export abstract class WindowBuffer<V> implements StreamOperator {
  abstract readonly kind: string;
  protected ctx!: OperatorContext;
  protected table!: StateTable<V>;
  protected timers!: TimerService;
  private nullTime!: Counter;
  private readonly selector: KeySelector;
  /** The rows the windows fired by one watermark released. */
  private ready: Row[] = [];

  constructor(
    partitionKeys: readonly number[],
    private readonly window: WindowColumns,
    private readonly tableName: string,
  ) {
    this.selector = keySelector(partitionKeys);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.table = ctx.state.table<V>(this.tableName, VALUE_CODEC);
    this.timers = new TimerService(ctx);
  }

  /** Takes in one row (see {@link place}). */
  protected abstract accept(row: Row): void;

  /** The rows a fired window's entry emits, appended to `out`. */
  protected abstract emit(value: V, out: Row[]): void;

  /** How many rows an entry holds. */
  protected abstract rowsIn(value: V): number;

  processBatch(batch: ChangeBatch): void {
    for (let i = 0; i < batch.rows.length; i++) {
      if (batch.kinds[i] !== INSERT) throw notInsertOnly(this.kind, batch.kinds[i]!);
      this.accept(batch.rows[i]!);
    }
  }

  /**
   * The window and key of `row`; undefined, and the row counted, when it has no window time or its window
   * fired. `orderTime` is the row's order time when the operator needs one (a NULL one is counted too).
   */
  protected place(row: Row, orderTime?: unknown): Placed | undefined {
    const time = windowFireTime(row, this.window);
    if (time === undefined || (orderTime !== undefined && (typeof orderTime !== 'number' || Number.isNaN(orderTime)))) {
      this.nullTime.inc();
      return undefined;
    }
    if (this.timers.dropLate(time)) return undefined;
    return { time, key: encodeKey(this.selector.values(row)) };
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

  /** A window's timer: each key's rows go out, and the window's state is dropped. */
  private readonly fire = (time: number): void => {
    for (const [, value] of takeWindow(this.table, time)) this.emit(value, this.ready);
  };

  /** How many rows wait for their windows to fire (for tests). */
  get storedRows(): number {
    let n = 0;
    for (const ns of this.table.namespaces()) for (const [, value] of this.table.namespace(ns)) n += this.rowsIn(value);
    return n;
  }

  /** How many timers are registered (for tests). */
  get timerCount(): number {
    return this.timers.times().length;
  }

  endInput(): void {
    this.ctx.output.end();
  }

  abstract explain(): string;
}
