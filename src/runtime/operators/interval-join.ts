/**
 * IntervalJoin: Flink's interval join of two insert-only streams, `lower <= l.ts - r.ts <= upper` (plus
 * equi-join keys and any other condition), INNER, LEFT, RIGHT or FULL OUTER.
 *
 * - Each side's rows are kept by join key (tables `left` and `right`: key → the side's rows with that key
 *   in time order, each with whether it has matched). A row arriving on one side is compared with the other
 *   side's rows of its key whose times are within the bounds (found by binary search; the residual
 *   condition, which includes the time bounds, decides each pair) and each match is emitted as `+I`. Only insertions are accepted (the planner plans this operator on insert-only inputs).
 * - Cleanup by watermark W (the minimum of both inputs'): rows of either side later than W may still
 *   arrive. A left row at `tl` matches right rows with `tr <= tl - lower`, so it is dropped once
 *   `tl - lower <= W`; a right row at `tr` matches left rows with `tl <= tr + upper`, so it is dropped once
 *   `tr + upper <= W`. A keyed timer of the timer service per key and side, at the cleanup time of its
 *   earliest row, does it (dropping the expired prefix, then moving to the next row's); a row whose cleanup
 *   time has already passed when it arrives is joined with the stored rows and not stored.
 * - Outer joins: a preserved row that leaves state without ever matching is emitted null-padded (`+I`),
 *   once, when the watermark passes its cleanup time (or at once when it can never match: a NULL key). The
 *   output stays insert-only.
 * - Rows at or behind the watermark are late: dropped and counted (`lateRecordsDropped`); rows with a NULL
 *   time are dropped and counted (`nullTimeRecordsDropped`).
 * - ksqlDB's stream-stream join (`grace` set): a row leaves state — and an outer row is emitted null-padded —
 *   when the watermark (ksqlDB's stream time) passes its cleanup time plus the grace; a row is late only
 *   when that has already happened when it arrives. The output watermark trails by the grace too.
 * - The output keeps both time attributes. A joined row's left time is at least W + min(0, lower) and its
 *   right time at least W - max(0, upper), so the watermark sent on is W - max(0, -lower, upper).
 * - State: the tables `left` and `right`, the value `inputs` (see {@link InputProgress}), the timer
 *   service's `timers` and `watermark`. Everything leaves once the watermark passes the data.
 */
import { BatchBuilder, type ChangeBatch, INSERT, type Row } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { GroupKey } from '../keys.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { StateKey, StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { InputProgress, progressOutput } from './input-progress.js';
import type { JoinConfig } from './join.js';
import { JoinKeyOf } from './join-key.js';
import { JoinRows, type JoinSide } from './join-rows.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

/** Configuration of an {@link IntervalJoin}: a join's, plus the time columns and bounds (the residual includes the bounds). */
export interface IntervalJoinConfig extends JoinConfig {
  /** Each side's time attribute column. */
  readonly times: readonly [number, number];
  /** `lower <= l.ts - r.ts <= upper`, in ms. */
  readonly lower: number;
  readonly upper: number;
  /**
   * ksqlDB's GRACE PERIOD (ms) of a stream-stream join, absent for Flink's interval join. With it, a row
   * stays (and is accepted) until the watermark passes its cleanup time plus the grace, rather than being
   * late once the watermark reaches its own time: the watermark is ksqlDB's stream time (the largest record
   * time seen), so rows up to `grace` behind it still join, and outer rows come out when the grace ends.
   */
  readonly grace?: number;
}

/** A stored row and whether it has matched (1) or not (0). */
type Stored = [Row, 0 | 1];

const TABLES = ['left', 'right'] as const;
/** The timer namespaces of the two sides. */
const SIDE_NS = ['l', 'r'] as const;

/** The interval join operator (see the file comment): input 0 is the left side, input 1 the right. */
export class IntervalJoin implements StreamOperator {
  readonly kind = 'IntervalJoin';
  private ctx!: OperatorContext;
  private progress!: InputProgress;
  private timers!: TimerService;
  private nullTime!: Counter;
  private tables!: readonly [StateTable<Stored[]>, StateTable<Stored[]>];
  private readonly keyOfValues: JoinKeyOf;
  private readonly rows: JoinRows;
  /** How far the output watermark trails the inputs'. */
  private readonly delay: number;
  /** Receives the combined watermark and end from {@link progress}. */
  private readonly combined: Output;
  /** Rows emitted by the timers of the current watermark. */
  private readonly pending = new BatchBuilder();

  constructor(readonly config: IntervalJoinConfig) {
    if (config.keys[0].length !== config.keys[1].length) throw new Error('a join needs as many key expressions on each side');
    if (!(config.lower <= config.upper)) throw new Error('an interval join needs lower <= upper');
    this.keyOfValues = new JoinKeyOf(config.keys[0].length);
    this.rows = new JoinRows(config.widths, config.residual);
    this.delay = Math.max(0, -config.lower, config.upper) + (config.grace === undefined ? 0 : config.grace + 1);
    this.combined = progressOutput(
      (w, forward) => this.advance(w, forward),
      () => this.ctx.output,
    );
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.tables = [ctx.state.table<Stored[]>(TABLES[0], VALUE_CODEC), ctx.state.table<Stored[]>(TABLES[1], VALUE_CODEC)];
    this.timers = new TimerService(ctx);
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.progress = new InputProgress(ctx.state, 2);
  }

  /** How many rows each side holds (for tests and metrics). */
  stored(): [number, number] {
    const count = (t: StateTable<Stored[]>) => {
      let n = 0;
      for (const [, rows] of t.namespace('')) n += rows.length;
      return n;
    };
    return [count(this.tables[0]), count(this.tables[1])];
  }

  /** How many timers are pending. */
  pendingTimers(): number {
    return this.timers.times().length;
  }

  processBatch(batch: ChangeBatch, input: number): void {
    const side = input as JoinSide;
    const other = (1 - side) as JoinSide;
    const { rows, kinds } = batch;
    const out = new BatchBuilder();
    const timeIndex = this.config.times[side];
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) throw new Error(`an interval join accepts only insertions, got ${kinds[i]}`);
      const row = rows[i]!;
      const time = row[timeIndex];
      if (typeof time !== 'number' || Number.isNaN(time)) {
        this.nullTime.inc();
        continue;
      }
      // Flink: a row at or behind the watermark is late; ksqlDB (a grace): one whose window and grace have passed.
      if (this.timers.dropLate(this.config.grace === undefined ? time : this.expiry(side, time))) continue;
      const key = this.keyOf(side, row);
      if (key === undefined) continue;
      if (key === null) {
        // A NULL key value matches nothing.
        if (this.config.preserved[side]) out.add(INSERT, this.nullPadded(side, row));
        continue;
      }
      let matched: 0 | 1 = 0;
      const others = this.tables[other].get(key);
      if (others) {
        // The other side's rows that can match: l.ts - r.ts in [lower, upper], found by binary search.
        const [from, to] = side === 0 ? [time - this.config.upper, time - this.config.lower] : [time + this.config.lower, time + this.config.upper];
        const otherTime = this.config.times[other];
        let changed = false;
        for (let j = firstAtOrAfter(others, otherTime, from); j < others.length && (others[j]![0][otherTime] as number) <= to; j++) {
          const rec = others[j]!;
          const joined = this.pair(side, row, rec[0]);
          if (!joined) continue;
          out.add(INSERT, joined);
          matched = 1;
          if (rec[1] === 0) {
            rec[1] = 1;
            changed = true;
          }
        }
        if (changed && this.config.preserved[other]) this.tables[other].put(key, others);
      }
      const cleanup = this.expiry(side, time);
      if (cleanup <= this.timers.watermark) {
        if (matched === 0 && this.config.preserved[side]) out.add(INSERT, this.nullPadded(side, row));
        continue;
      }
      const own = this.tables[side].get(key) ?? [];
      // Kept in time order; rows arrive nearly in order, so the place is found from the end.
      let at = own.length;
      while (at > 0 && (own[at - 1]![0][timeIndex] as number) > time) at--;
      own.splice(at, 0, [row, matched]);
      this.tables[side].put(key, own);
      // One timer per key and side, at the earliest row's cleanup time (see expire).
      if (at === 0) this.timers.register(cleanup, key, SIDE_NS[side]);
    }
    const result = out.take();
    if (result) this.ctx.output.emit(result);
  }

  /** When a row of `side` at `time` can no longer match: the watermark at which it leaves state. */
  private cleanupTime(side: JoinSide, time: number): number {
    return side === 0 ? time - this.config.lower : time + this.config.upper;
  }

  /**
   * The watermark at which a row of `side` at `time` leaves state: its cleanup time, or with a grace the first
   * watermark past cleanup time + grace (a ksqlDB window is still open when stream time equals its end + grace).
   */
  private expiry(side: JoinSide, time: number): number {
    const cleanup = this.cleanupTime(side, time);
    return this.config.grace === undefined ? cleanup : cleanup + this.config.grace + 1;
  }

  /** The combined watermark advanced: drops the rows it expires (emitting unmatched preserved ones), then sends it on. */
  private advance(watermark: number, forward: boolean): void {
    this.timers.advance(watermark, this.expire);
    const result = this.pending.take();
    if (result) this.ctx.output.emit(result);
    if (forward) this.ctx.output.emitWatermark(watermark === Number.POSITIVE_INFINITY ? watermark : watermark - this.delay);
  }

  /**
   * A cleanup timer of one key and side: the rows whose cleanup time the watermark reached leave (a prefix:
   * rows are in time order), and the timer moves to the earliest row left. A timer whose rows already left
   * (an earlier row arrived and registered an earlier one) finds nothing to drop.
   */
  private readonly expire = (_time: number, key: StateKey, ns: string | number): void => {
    const side: JoinSide = ns === SIDE_NS[0] ? 0 : 1;
    const table = this.tables[side];
    const rows = table.get(key);
    if (!rows) return;
    const watermark = this.timers.watermark;
    const timeIndex = this.config.times[side];
    let n = 0;
    for (; n < rows.length && this.expiry(side, rows[n]![0][timeIndex] as number) <= watermark; n++) {
      const rec = rows[n]!;
      if (rec[1] === 0 && this.config.preserved[side]) this.pending.add(INSERT, this.nullPadded(side, rec[0]));
    }
    if (n === rows.length) {
      table.delete(key);
      return;
    }
    if (n > 0) {
      rows.splice(0, n);
      table.put(key, rows);
    }
    this.timers.register(this.expiry(side, rows[0]![0][timeIndex] as number), key, SIDE_NS[side]);
  };

  /** The join key of a row: null when a key value is NULL (it matches nothing), undefined when a key expression failed. */
  private keyOf(side: JoinSide, row: Row): GroupKey | null | undefined {
    return this.keyOfValues.of(this.ctx, this.config.keys[side], row);
  }

  private pair(side: JoinSide, row: Row, other: Row): Row | undefined {
    return this.rows.pair(this.ctx, side, row, other);
  }

  private nullPadded(side: JoinSide, row: Row): Row {
    return this.rows.nullPadded(side, row);
  }

  processWatermark(watermark: number, input: number): void {
    this.progress.watermark(input, watermark, this.combined);
  }

  endInput(input: number): void {
    this.progress.end(input, this.combined);
  }

  explain(): string {
    return `IntervalJoin(${this.config.description})`;
  }
}

/** The index of the first row (of rows in time order) whose time (column `timeIndex`) is at or after `time`. */
function firstAtOrAfter(rows: readonly Stored[], timeIndex: number, time: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid]![0][timeIndex] as number) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
