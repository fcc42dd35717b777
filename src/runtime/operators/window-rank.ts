/**
 * WindowRank: window Top-N (Flink's "Window Top-N") — `ROW_NUMBER()` (or RANK, DENSE_RANK) `OVER (PARTITION
 * BY window_start, window_end, k.. ORDER BY o..)` bounded by `rn <= rankEnd`, over an insert-only input whose
 * rows carry their window (a window aggregate's results, or a window TVF's rows): final results, emitted
 * once per window when the watermark passes the window's end.
 *
 * - Per window and partition key, the rows ranked up to `rankEnd`, sorted by the ORDER BY keys (rows that
 *   compare equal keep their arrival order); a row that cannot enter them is dropped at once (the input only
 *   inserts, so a row pushed out never comes back).
 * - A window fires when the watermark reaches its `window_time` (`window_end - 1`): every partition of the
 *   window emits its top rows as `+I`, with the rank appended unless the rank column is not selected;
 *   partitions in the order of their encoded keys, rows by rank (the same order in a restored run). Then the
 *   window's state is dropped and the watermark forwarded. The output keeps the window columns (window_time
 *   stays a time attribute) and is insert-only.
 * - A row whose window already fired (`window_time <= watermark`) is late: dropped and counted
 *   ({@link TimerService.dropLate}). A row with a NULL window time belongs to no window: dropped and counted.
 * - State: the table `windows` (namespace: the window's `window_time`; key: the partition key → its top
 *   rows), and the timer service's `timers` (one per window) and `watermark`. Nothing outlives its window.
 */
import type { RankType, SortKey } from '../../planner/logical-plan.js';
import { INSERT, type ChangeBatch, type Row, type RowKind } from '../changelog.js';
import { encodeKey, type KeySelector, keySelector } from '../keys.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { Namespace, StateKey, StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { describeColumns, notInsertOnly } from './aggregate-call.js';
import { rankedTop, upperBound } from './rank.js';
import { sortKeyComparator } from './sort-keys.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

/** Where a row's window is: the column of its `window_time`, or else of its `window_end` (the time is end - 1). */
export interface WindowColumns {
  /** The input column holding `window_time`, or -1 when the query dropped it. */
  readonly timeIndex: number;
  readonly endIndex: number;
}

/** Configuration of a {@link WindowRank}. */
export interface WindowRankConfig {
  readonly rankType: RankType;
  /** The PARTITION BY columns (window_start and window_end among them). */
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  /** The largest rank emitted (`rn <= rankEnd`). */
  readonly rankEnd: number;
  /** False when the rank column is not output. */
  readonly outputRank: boolean;
  readonly window: WindowColumns;
}

/** The time a row's window fires at (its window_time), or undefined when it has none. */
export function windowFireTime(row: Row, window: WindowColumns): number | undefined {
  const t = window.timeIndex >= 0 ? row[window.timeIndex] : row[window.endIndex];
  if (typeof t !== 'number' || Number.isNaN(t)) return undefined;
  return window.timeIndex >= 0 ? t : t - 1;
}

/**
 * The entries of the window `ns` of `table`, in the order of their keys (encoded key strings), for emitting;
 * the window is then dropped from the table.
 */
export function takeWindow<V>(table: StateTable<V>, ns: Namespace): [StateKey, V][] {
  const entries = [...table.namespace(ns)].sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  table.deleteNamespace(ns);
  return entries;
}

/** Window Top-N (see the file comment). */
export class WindowRank implements StreamOperator {
  readonly kind = 'WindowRank';
  private ctx!: OperatorContext;
  private nullTime!: Counter;
  private windows!: StateTable<Row[]>;
  private timers!: TimerService;
  private readonly selector: KeySelector;
  private readonly compare: (a: Row, b: Row) => number;
  /** The rows the windows fired by one watermark released. */
  private ready: Row[] = [];

  constructor(readonly config: WindowRankConfig) {
    this.selector = keySelector(config.partitionKeys);
    this.compare = sortKeyComparator(config.orderKeys);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.windows = ctx.state.table<Row[]>('windows', VALUE_CODEC);
    this.timers = new TimerService(ctx);
  }

  processBatch(batch: ChangeBatch): void {
    const { rankType, rankEnd, window } = this.config;
    for (let i = 0; i < batch.rows.length; i++) {
      if (batch.kinds[i] !== INSERT) throw notInsertOnly(this.kind, batch.kinds[i]!);
      const row = batch.rows[i]!;
      const time = windowFireTime(row, window);
      if (time === undefined) {
        this.nullTime.inc();
        continue;
      }
      if (this.timers.dropLate(time)) continue;
      const key = encodeKey(this.selector.values(row));
      const held = this.windows.get(key, time);
      const rows = held ? held.slice() : [];
      const at = upperBound(rows, row, this.compare);
      if (rankType === 'ROW_NUMBER' && at >= rankEnd) continue;
      rows.splice(at, 0, row);
      // Rows ranked below rankEnd can never rise again: keep the top only.
      rows.length = rankedTop(rows, this.compare, rankType, rankEnd).length;
      if (rows.length === 0) continue;
      if (!held) this.timers.register(time);
      this.windows.put(key, rows, time);
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

  /** A window's timer: each partition's top rows go out, and the window's state is dropped. */
  private readonly fire = (time: number): void => {
    const { rankType, rankEnd, outputRank } = this.config;
    for (const [, rows] of takeWindow(this.windows, time)) {
      for (const [row, rank] of rankedTop(rows, this.compare, rankType, rankEnd)) this.ready.push(outputRank ? [...row, rank] : row);
    }
  };

  /** How many rows wait for their windows to fire (for tests). */
  get storedRows(): number {
    let n = 0;
    for (const ns of this.windows.namespaces()) for (const [, rows] of this.windows.namespace(ns)) n += rows.length;
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
    const { partitionKeys, orderKeys, rankEnd, rankType, outputRank } = this.config;
    const order = orderKeys.map((k) => `$${k.index} ${k.descending ? 'DESC' : 'ASC'}`).join(', ');
    return `WindowRank(rankType=[${rankType}], rankRange=[rankStart=1, rankEnd=${rankEnd}], partitionBy=[${describeColumns(partitionKeys)}], orderBy=[${order}]${outputRank ? '' : ', outputRankNumber=[false]'})`;
  }
}
