/** The TUMBLE / HOP / CUMULATE window aggregate: one final row per window and group, when the watermark passes. */
import { BatchBuilder, type ChangeBatch, INSERT, MIN_WATERMARK, type Row } from '../changelog.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
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

/** One open window: its bounds and its groups, in first-seen order. */
export interface WindowSlot {
  readonly start: number;
  readonly end: number;
  readonly groups: Map<GroupKey, WindowGroup>;
}

/**
 * What a {@link WindowAggregate} changes while running: the open windows by end, a min-heap of their ends
 * (so a watermark touches only the windows it fires) and the current watermark. For TUMBLE, HOP and
 * CUMULATE a window's end determines its start, so the end alone identifies a window.
 */
export class WindowAggregateState {
  watermark = MIN_WATERMARK;
  private readonly slots = new Map<number, WindowSlot>();
  private readonly ends = new MinHeap();

  /** The open window ending at `end`, created (empty) if there is none. */
  slot(start: number, end: number): WindowSlot {
    let s = this.slots.get(end);
    if (!s) {
      s = { start, end, groups: new Map() };
      this.slots.set(end, s);
      this.ends.push(end);
    }
    return s;
  }

  /** Removes and returns every window with `end - 1 <= watermark`, ascending by end. */
  takeFired(watermark: number): WindowSlot[] {
    const fired: WindowSlot[] = [];
    for (let end = this.ends.peek(); end !== undefined && end - 1 <= watermark; end = this.ends.peek()) {
      this.ends.pop();
      const s = this.slots.get(end)!;
      this.slots.delete(end);
      fired.push(s);
    }
    return fired;
  }

  /** How many windows are open. */
  get openWindows(): number {
    return this.slots.size;
  }
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
 */
export class WindowAggregate implements StreamOperator {
  readonly kind = 'WindowAggregate';
  readonly state = new WindowAggregateState();
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
        const slot = state.slot(windowStartForEnd(window, end), end);
        let group = slot.groups.get(key);
        if (!group) {
          group = { keyValues: this.keys.values(row), accs: createAccumulators(aggs) };
          slot.groups.set(key, group);
        }
        accumulateRow(aggs, group.accs, row);
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
      for (const slot of fired) {
        for (const group of slot.groups.values()) out.add(INSERT, this.resultRow(slot, group));
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

  private resultRow(slot: WindowSlot, group: WindowGroup): Row {
    const k = group.keyValues.length;
    const a = this.config.aggs.length;
    const row: Row = new Array(k + a + 3);
    for (let i = 0; i < k; i++) row[i] = group.keyValues[i];
    writeResults(this.config.aggs, group.accs, row, k);
    row[k + a] = slot.start;
    row[k + a + 1] = slot.end;
    row[k + a + 2] = slot.end - 1;
    return row;
  }
}
