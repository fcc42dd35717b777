/**
 * OverAggregate: `agg(..) OVER (PARTITION BY k.. ORDER BY time frame)` over an insert-only input (Flink's
 * over aggregation): every input row goes out once, with the aggregates of its frame appended, in
 * event-time order (or arrival order, on processing time), insert-only.
 *
 * - A row waits in `pending` (by partition key, in the namespace of its time, in arrival order) with a keyed
 *   timer at its time. When the watermark reaches that time no earlier row of the partition can come: the
 *   timer service fires the partition's times in ascending order, and each time's rows are processed.
 * - Frames (`frame`: the partition's rows still in the frame, and the accumulators):
 *   - `ROWS BETWEEN n PRECEDING`: rows one by one (ties on the time in arrival order); each row is added,
 *     the row n + 1 back leaves, and the row is emitted with the aggregates of the last n + 1 rows. The last
 *     n rows are kept for the partition's next rows: they leave after `table.exec.state.ttl` without rows
 *     (or at the end of input).
 *   - `RANGE BETWEEN INTERVAL x PRECEDING`: the rows of one time are peers: all are added, rows older than
 *     time - x leave, and every peer is emitted with the same aggregates. A keyed cleanup timer (namespace
 *     `c`) at the newest row's time + x drops the frame once the watermark shows no later row can need it.
 *   - `UNBOUNDED PRECEDING`: only the accumulators are kept (one entry per partition), ROWS adding row by
 *     row, RANGE adding peers together; they leave after `table.exec.state.ttl` without rows (or at the end
 *     of input).
 *   Rows leave a frame by retraction when every call can retract; otherwise the accumulators are rebuilt
 *   from the frame's rows.
 * - Rows at or behind the watermark are late: dropped and counted (`lateRecordsDropped`); rows with a NULL
 *   time are dropped and counted (`nullTimeRecordsDropped`). The watermark is forwarded after the rows it
 *   released: every output row's time is above the previous watermark, so the time attribute is kept.
 * - State: the tables `pending` and `frame`, the timer service's `timers` and `watermark`.
 * - Ordered by processing time (a PROCTIME() column; Flink's proctime over aggregation): nothing waits and
 *   nothing is late. Each batch's rows are aggregated as they arrive, in arrival order, into the same
 *   frames; a RANGE frame's peers are a partition's rows with the same time in one batch, and its old rows
 *   leave as newer rows arrive. Frames of idle partitions leave after `table.exec.state.ttl` (or at the end
 *   of input). State: the table `frame` only. The output is not deterministic across runs (it depends on
 *   the clock and on how rows are batched), as in Flink.
 */
import { BatchBuilder, INSERT, MAX_WATERMARK, type ChangeBatch, type Row } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { Namespace, StateKey, StateTable, ValueCodec } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { type KeySelector, keySelector } from '../keys.js';
import { type AccumulatorLayout, accumulatorLayout } from './accumulator-layout.js';
import { type AggCall, describeAggs, describeColumns } from './aggregate-call.js';
import { forEachTimedInsert } from './timed-inserts.js';
import { decodeValue, encodeValue, VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

/** The frame of an over aggregation (as the planner's OverFrame). */
export interface OverAggregateFrame {
  readonly units: 'ROWS' | 'RANGE';
  /** Rows (ROWS) or ms (RANGE) before the current row; undefined for UNBOUNDED PRECEDING. */
  readonly preceding?: number;
}

/** Configuration of an {@link OverAggregate}. */
export interface OverAggregateConfig {
  readonly partitionKeys: readonly number[];
  /** The time attribute the frame is ordered by (ascending). */
  readonly timeIndex: number;
  /** Ordered by processing time: rows are aggregated as they arrive (see the file comment). */
  readonly proctime?: boolean;
  readonly frame: OverAggregateFrame;
  readonly aggs: readonly AggCall[];
}

/** A partition's frame: the rows still in it (oldest first; none for an unbounded frame) and the accumulators. */
interface Frame {
  rows: Row[];
  accs: unknown;
}

/** The timer namespace of a RANGE frame's cleanup timers. */
const CLEANUP = 'c';

/** The over aggregation operator (see the file comment). */
export class OverAggregate implements StreamOperator {
  readonly kind = 'OverAggregate';
  private ctx!: OperatorContext;
  private nullTime!: Counter;
  private pending!: StateTable<Row[]>;
  private frames!: StateTable<Frame>;
  private timers!: TimerService;
  private readonly selector: KeySelector;
  private readonly layout: AccumulatorLayout;
  /** Whether rows can leave a frame by retraction (else the accumulators are rebuilt from its rows). */
  private readonly retractable: boolean;
  /** The rows released by the timers of the current watermark. */
  private readonly out = new BatchBuilder();

  constructor(readonly config: OverAggregateConfig) {
    this.selector = keySelector(config.partitionKeys);
    this.layout = accumulatorLayout(config.aggs);
    this.retractable = config.aggs.every((a) => a.impl.supportsRetract);
    if (config.frame.preceding !== undefined && !(config.frame.preceding >= 0)) throw new Error('an OVER frame reaches back a non-negative amount');
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    // An event-time RANGE frame leaves with the watermark; the others stay until their partition is idle.
    const byWatermark = !this.config.proctime && this.config.frame.units === 'RANGE' && this.config.frame.preceding !== undefined;
    this.frames = ctx.state.table<Frame>('frame', frameCodec(this.layout), { ttl: !byWatermark });
    if (this.config.proctime) return;
    this.pending = ctx.state.table<Row[]>('pending', VALUE_CODEC);
    this.timers = new TimerService(ctx);
  }

  processBatch(batch: ChangeBatch): void {
    if (this.config.proctime) {
      this.arrive(batch);
      return;
    }
    forEachTimedInsert(batch, { operator: this.kind, timeIndex: this.config.timeIndex, selector: this.selector, nullTime: this.nullTime, timers: this.timers }, (row, ts, key) => {
      const waiting = this.pending.get(key, ts);
      if (waiting) {
        waiting.push(row);
        this.pending.put(key, waiting, ts);
      } else {
        this.pending.put(key, [row], ts);
        this.timers.register(ts, key);
      }
    });
  }

  /**
   * Processing time: the batch's rows are aggregated now, in arrival order. A RANGE frame's peers are the
   * rows of a partition with the same time in the batch; ROWS and UNBOUNDED frames take rows one by one.
   */
  private arrive(batch: ChangeBatch): void {
    const peers = this.config.frame.units === 'RANGE' && this.config.frame.preceding !== undefined;
    const groups = new Map<string, Map<number, Row[]>>();
    forEachTimedInsert(batch, { operator: this.kind, timeIndex: this.config.timeIndex, selector: this.selector, nullTime: this.nullTime }, (row, time, key) => {
      if (!peers) {
        this.aggregate(key, time, [row]);
        return;
      }
      let times = groups.get(key);
      if (!times) groups.set(key, (times = new Map()));
      const rows = times.get(time);
      if (rows) rows.push(row);
      else times.set(time, [row]);
    });
    for (const [key, times] of groups) for (const [time, rows] of times) this.aggregate(key, time, rows);
    const out = this.out.take();
    if (out) this.ctx.output.emit(out);
  }

  processWatermark(watermark: number): void {
    if (this.config.proctime) {
      if (watermark === MAX_WATERMARK) this.dropFrames();
      this.ctx.output.emitWatermark(watermark);
      return;
    }
    if (!this.timers.advance(watermark, this.onTimer)) return;
    if (watermark === MAX_WATERMARK) this.dropFrames();
    const released = this.out.take();
    if (released) this.ctx.output.emit(released);
    this.ctx.output.emitWatermark(watermark);
  }

  /** The input has ended: no row will come that a frame could serve. */
  private dropFrames(): void {
    for (const [key] of [...this.frames.namespace('')]) this.frames.delete(key);
  }

  private readonly onTimer = (time: number, key: StateKey, ns: Namespace): void => {
    if (ns === CLEANUP) this.cleanup(time, key);
    else this.release(time, key);
  };

  /** The rows of partition `key` at `time`: into the frame, and out with their aggregates. */
  private release(time: number, key: StateKey): void {
    const rows = this.pending.get(key, time);
    if (!rows) return;
    this.pending.delete(key, time);
    this.aggregate(key, time, rows);
  }

  /** `rows` of partition `key`, all at `time`, into its frame, and out with their aggregates. */
  private aggregate(key: StateKey, time: number, rows: readonly Row[]): void {
    const { units, preceding } = this.config.frame;
    const frame = this.frames.get(key) ?? { rows: [], accs: this.layout.create() };
    const layout = this.layout;
    if (units === 'ROWS') {
      for (const row of rows) {
        layout.accumulate(frame.accs, row);
        if (preceding !== undefined) frame.rows.push(row);
        this.emit(row, frame.accs);
        // What the next row's frame keeps: the last n rows.
        if (preceding !== undefined && frame.rows.length > preceding) this.leave(frame, 1);
      }
    } else {
      for (const row of rows) layout.accumulate(frame.accs, row);
      if (preceding !== undefined) {
        const t = this.config.timeIndex;
        const newest = frame.rows.length > 0 ? (frame.rows[frame.rows.length - 1]![t] as number) : undefined;
        frame.rows.push(...rows);
        let old = 0;
        while ((frame.rows[old]![t] as number) < time - preceding) old++;
        if (old > 0) this.leave(frame, old);
        if (!this.config.proctime) {
          if (newest !== undefined && newest !== time) this.timers.delete(newest + preceding, key, CLEANUP);
          this.timers.register(time + preceding, key, CLEANUP);
        }
      }
      for (const row of rows) this.emit(row, frame.accs);
    }
    this.frames.put(key, frame);
  }

  /** Removes the `n` oldest rows of `frame`, retracting them (or rebuilding the accumulators from the rest). */
  private leave(frame: Frame, n: number): void {
    const gone = frame.rows.splice(0, n);
    if (this.retractable) for (const row of gone) this.layout.retract(frame.accs, row);
    else this.rebuild(frame);
  }

  private rebuild(frame: Frame): void {
    frame.accs = this.layout.reset(frame.accs);
    for (const row of frame.rows) this.layout.accumulate(frame.accs, row);
  }

  private emit(row: Row, accs: unknown): void {
    const out = row.slice();
    this.layout.writeResults(accs, out, row.length);
    this.out.add(INSERT, out);
  }

  /**
   * A RANGE frame's cleanup timer, at its newest row's time + x: no row still to come (later than `time`)
   * reaches back to the rows at or before `time - x`, which is all of them.
   */
  private cleanup(time: number, key: StateKey): void {
    const frame = this.frames.get(key);
    if (!frame) return;
    const t = this.config.timeIndex;
    let old = 0;
    while (old < frame.rows.length && (frame.rows[old]![t] as number) <= time - this.config.frame.preceding!) old++;
    if (old === frame.rows.length) {
      this.frames.delete(key);
      return;
    }
    // Not reached while the timer is at the newest row's time + x; kept correct should that change.
    this.leave(frame, old);
    this.frames.put(key, frame);
    this.timers.register((frame.rows[frame.rows.length - 1]![t] as number) + this.config.frame.preceding!, key, CLEANUP);
  }

  endInput(): void {
    this.ctx.output.end();
  }

  /** What the operator holds (for tests): waiting rows, partitions with a frame, rows in frames, pending timers. */
  stateSize(): { waiting: number; frames: number; frameRows: number; timers: number } {
    let waiting = 0;
    if (this.pending) for (const ns of this.pending.namespaces()) for (const [, rows] of this.pending.namespace(ns)) waiting += rows.length;
    let frames = 0;
    let frameRows = 0;
    for (const [, frame] of this.frames.namespace('')) {
      frames++;
      frameRows += frame.rows.length;
    }
    return { waiting, frames, frameRows, timers: this.timers?.times().length ?? 0 };
  }

  explain(): string {
    const { partitionKeys, timeIndex, proctime, frame, aggs } = this.config;
    const start = frame.preceding === undefined ? 'UNBOUNDED' : `${frame.preceding}${frame.units === 'RANGE' ? ' ms' : ''}`;
    return `OverAggregate(partitionBy=[${describeColumns(partitionKeys)}], orderBy=[$${timeIndex} ASC${proctime ? ' (PROCTIME)' : ''}], window=[${frame.units} BETWEEN ${start} PRECEDING AND CURRENT ROW], aggs=[${describeAggs(aggs)}])`;
  }
}

/** Stores a frame as `[rows, accumulators]`. */
function frameCodec(layout: AccumulatorLayout): ValueCodec<Frame> {
  return {
    encode: (f) => [encodeValue(f.rows), layout.encode(f.accs)],
    decode: (data) => {
      const [rows, accs] = data as [unknown, unknown];
      return { rows: decodeValue(rows) as Row[], accs: layout.decode(accs) };
    },
  };
}
