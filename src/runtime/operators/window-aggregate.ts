/** The TUMBLE / HOP / CUMULATE window aggregate: one final row per window and group, when the watermark passes. */
import { BatchBuilder, type ChangeBatch, INSERT, MIN_WATERMARK, type Row } from '../changelog.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { OperatorState, StateTable, ValueCodec, ValueState } from '../state/state-types.js';
import { describeWindow } from '../../common/window.js';
import { type GroupKey, type KeySelector, keySelector } from '../keys.js';
import {
  type AggCall,
  accumulateRow,
  createAccumulators,
  describeAggs,
  describeColumns,
  notInsertOnly,
  writeResults,
} from './aggregate-call.js';
import { MinHeap } from './min-heap.js';
import { decodeAccumulators, decodeValue, encodeAccumulators, encodeValue, VALUE_CODEC, writeAccumulators, writeEncodedValue } from './state-codecs.js';
import {
  type AlignedWindow,
  assignWindowEnds,
  checkAlignedWindow,
  NULL_TIME_RECORDS_DROPPED,
  windowStartForEnd,
} from './window-assigner.js';

/** Configuration of a {@link WindowAggregate}. */
export interface WindowAggregateConfig {
  readonly window: AlignedWindow;
  /** The input column holding the time attribute (epoch ms). */
  readonly timeIndex: number;
  /** The GROUP BY columns besides the window. */
  readonly groupKeys: readonly number[];
  readonly aggs: readonly AggCall[];
}

/** The accumulators of one group in one window, with the group's key values for the output row. */
export interface WindowGroup {
  readonly keyValues: unknown[];
  readonly accs: unknown[];
}

/**
 * What a {@link WindowAggregate} changes while running, kept in its state: the table `windows` (namespace:
 * a window's end; key: the group key → {@link WindowGroup}, groups in first-seen order) and the value
 * `watermark`. For TUMBLE, HOP and CUMULATE a window's end determines its start, so the end alone
 * identifies a window. Derived, rebuilt on open: a min-heap of the open windows' ends (so a watermark
 * touches only the windows it fires) and the set of those ends.
 */
export class WindowAggregateState {
  private readonly windows: StateTable<WindowGroup>;
  private readonly mark: ValueState<number>;
  private readonly ends = new MinHeap();
  private readonly open = new Set<number>();

  constructor(state: OperatorState, aggs: readonly AggCall[]) {
    this.windows = state.table<WindowGroup>('windows', windowGroupCodec(aggs));
    this.mark = state.value<number>('watermark', VALUE_CODEC);
    for (const end of this.windows.namespaces()) this.track(end as number);
  }

  get watermark(): number {
    return this.mark.get() ?? MIN_WATERMARK;
  }

  set watermark(value: number) {
    this.mark.set(value);
  }

  /** The group `key` of the window ending at `end`, if any. */
  get(end: number, key: GroupKey): WindowGroup | undefined {
    return this.windows.get(key, end);
  }

  /** Stores a group of the window ending at `end` (again, after its accumulators changed). */
  put(end: number, key: GroupKey, group: WindowGroup): void {
    this.windows.put(key, group, end);
  }

  /** Notes a new group of the window ending at `end`, which may open the window. */
  addGroup(end: number, key: GroupKey, group: WindowGroup): void {
    if (!this.open.has(end)) this.track(end);
    this.windows.put(key, group, end);
  }

  private track(end: number): void {
    this.open.add(end);
    this.ends.push(end);
  }

  /** Removes and returns the ends of every window with `end - 1 <= watermark`, ascending (then see {@link groups}, {@link drop}). */
  takeFired(watermark: number): number[] {
    const fired: number[] = [];
    for (let end = this.ends.peek(); end !== undefined && end - 1 <= watermark; end = this.ends.peek()) {
      this.ends.pop();
      this.open.delete(end);
      fired.push(end);
    }
    return fired;
  }

  /** The groups of the window ending at `end`, in first-seen order. */
  groups(end: number): IterableIterator<[GroupKey, WindowGroup]> {
    return this.windows.namespace(end);
  }

  /** Drops the window ending at `end` (it fired). */
  drop(end: number): void {
    this.windows.deleteNamespace(end);
  }

  /** How many windows are open. */
  get openWindows(): number {
    return this.open.size;
  }
}

/** Stores a window group as `[keyValues, accumulators]`. */
function windowGroupCodec(aggs: readonly AggCall[]): ValueCodec<WindowGroup> {
  return {
    encode: (g) => [encodeValue(g.keyValues), encodeAccumulators(aggs, g.accs)],
    write: (w, g) => {
      w.arrayHeader(2);
      writeEncodedValue(w, g.keyValues);
      writeAccumulators(w, aggs, g.accs);
    },
    decode: (data) => {
      const [keyValues, accs] = data as [unknown, unknown];
      return { keyValues: decodeValue(keyValues) as unknown[], accs: decodeAccumulators(aggs, accs) };
    },
  };
}

/**
 * `GROUP BY window_start, window_end, k..` over a TUMBLE / HOP / CUMULATE window TVF (Flink's window
 * aggregate, emitting final results only).
 *
 * - Input is insert-only; any other row kind is an error (the planner never builds such a plan).
 * - Each row is assigned its windows (ascending by end); its group's accumulators in each are updated.
 * - Rows with a NULL time are dropped and counted (`nullTimeRecordsDropped`).
 * - Lateness as Flink's window TVFs: a row is late iff its first window to fire has fired, i.e.
 *   `sliceEnd(ts) - 1 <= watermark`; late rows are dropped and counted (`lateRecordsDropped`). A row that
 *   is not late has no fired window (its windows all end at or after its slice end).
 * - On a watermark that advances, every window with `end - 1 <= watermark` fires, ascending by end (then
 *   start, determined by the end), groups in first-seen order: one `+I` row
 *   `[...keys, ...aggs, window_start, window_end, window_time]` each, in one batch; the windows' state is
 *   dropped; then the watermark is forwarded.
 * - End of input fires nothing by itself: a finished source first sends MAX_WATERMARK, which fires all.
 * - State: see {@link WindowAggregateState}. A group is stored again after every row it takes (that marks it
 *   for the next checkpoint); a fired window's namespace is dropped whole.
 */
export class WindowAggregate implements StreamOperator {
  readonly kind = 'WindowAggregate';
  /** Run-time state, created in {@link open} from the operator's state tables. */
  state!: WindowAggregateState;
  private readonly keys: KeySelector;
  private output!: Output;
  private late!: Counter;
  private nullTime!: Counter;
  /** Scratch buffer for window ends (reused, never escapes). */
  private readonly ends: number[] = [];

  constructor(readonly config: WindowAggregateConfig) {
    checkAlignedWindow(config.window);
    this.keys = keySelector(config.groupKeys);
  }

  open(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.late = ctx.counter(CounterNames.lateRecordsDropped);
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.state = new WindowAggregateState(ctx.state, this.config.aggs);
  }

  processBatch(batch: ChangeBatch, _input: number): void {
    const { window, timeIndex, aggs } = this.config;
    const { rows, kinds } = batch;
    const state = this.state;
    const watermark = state.watermark;
    const ends = this.ends;
    let late = 0;
    let nullTime = 0;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) throw notInsertOnly(this.kind, kinds[i]!);
      const row = rows[i]!;
      const ts = row[timeIndex];
      if (ts === null || ts === undefined) {
        nullTime++;
        continue;
      }
      const n = assignWindowEnds(window, ts as number, ends);
      if (n === 0) continue;
      if (ends[0]! - 1 <= watermark) {
        late++;
        continue;
      }
      const key = this.keys.key(row);
      for (let j = 0; j < n; j++) {
        const end = ends[j]!;
        let group = state.get(end, key);
        if (!group) {
          group = { keyValues: this.keys.values(row), accs: createAccumulators(aggs) };
          accumulateRow(aggs, group.accs, row);
          state.addGroup(end, key, group);
        } else {
          accumulateRow(aggs, group.accs, row);
          state.put(end, key, group);
        }
      }
    }
    if (late > 0) this.late.inc(late);
    if (nullTime > 0) this.nullTime.inc(nullTime);
  }

  processWatermark(watermark: number, _input: number): void {
    if (watermark <= this.state.watermark) return;
    this.state.watermark = watermark;
    const fired = this.state.takeFired(watermark);
    if (fired.length > 0) {
      const out = new BatchBuilder();
      const window = this.config.window;
      for (const end of fired) {
        const start = windowStartForEnd(window, end);
        for (const [, group] of this.state.groups(end)) out.add(INSERT, this.resultRow(start, end, group));
        this.state.drop(end);
      }
      const batch = out.take();
      if (batch) this.output.emit(batch);
    }
    this.output.emitWatermark(watermark);
  }

  endInput(_input: number): void {
    this.output.end();
  }

  explain(): string {
    const { window, timeIndex, groupKeys, aggs } = this.config;
    return (
      `WindowAggregate(window=[${describeWindow(window)}], time=[$${timeIndex}], ` +
      `groupBy=[${describeColumns(groupKeys)}], select=[${describeAggs(aggs)}])`
    );
  }

  private resultRow(start: number, end: number, group: WindowGroup): Row {
    const k = group.keyValues.length;
    const a = this.config.aggs.length;
    const row: Row = new Array(k + a + 3);
    for (let i = 0; i < k; i++) row[i] = group.keyValues[i];
    writeResults(this.config.aggs, group.accs, row, k);
    row[k + a] = start;
    row[k + a + 1] = end;
    row[k + a + 2] = end - 1;
    return row;
  }
}
