/** The SESSION window aggregate: per key, sessions that merge as rows arrive; one final row per session. */
import { BatchBuilder, type ChangeBatch, INSERT, MIN_WATERMARK, type Row } from '../changelog.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { OperatorState, StateTable, ValueCodec, ValueState } from '../state/state-types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { describeWindow } from '../../common/window.js';
import { type GroupKey, type KeySelector, keySelector } from '../keys.js';
import {
  type AggCall,
  accumulateRow,
  createAccumulators,
  describeAggs,
  describeColumns,
  mergeAccumulators,
  notInsertOnly,
  writeResults,
} from './aggregate-call.js';
import { TimerHeap } from './min-heap.js';
import { decodeAccumulators, decodeValue, encodeAccumulators, encodeValue, VALUE_CODEC, writeAccumulators, writeEncodedValue } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

/** Configuration of a {@link SessionWindowAggregate}. */
export interface SessionWindowAggregateConfig {
  /** The session gap in ms: a row at `ts` opens `[ts, ts + gap)`. */
  readonly gap: number;
  /** The input column holding the time attribute (epoch ms). */
  readonly timeIndex: number;
  /** The session's partition keys (`SESSION(TABLE t PARTITION BY k, ..)`), also the GROUP BY keys. */
  readonly groupKeys: readonly number[];
  readonly aggs: readonly AggCall[];
}

/** One open session: `[start, end)` with `end` = last event + gap, and its accumulators. */
export interface Session {
  start: number;
  end: number;
  readonly accs: unknown[];
}

/** The open sessions of one key: sorted by start, pairwise disjoint and not touching. */
export interface KeySessions {
  readonly keyValues: unknown[];
  /** Order in which the key was first seen (breaks ties between sessions firing together). */
  readonly seq: number;
  readonly sessions: Session[];
}

/**
 * What a {@link SessionWindowAggregate} changes while running, kept in its state: the table `sessions` (group
 * key → {@link KeySessions}) and the values `seq` (the next key's first-seen number) and `watermark`.
 * Derived, rebuilt on open: the timers, a min-heap of (session end, key) entries. An entry goes stale when
 * its session grows or merges; stale entries stay in the heap and are skipped when popped (the key then has
 * no session with that end), which is cheaper than removing them.
 */
export class SessionWindowAggregateState {
  private readonly byKey: StateTable<KeySessions>;
  private readonly seq: ValueState<number>;
  private readonly mark: ValueState<number>;
  private readonly timers = new TimerHeap<GroupKey>();

  constructor(state: OperatorState, aggs: readonly AggCall[]) {
    this.byKey = state.table<KeySessions>('sessions', keySessionsCodec(aggs));
    this.seq = state.value<number>('seq');
    this.mark = state.value<number>('watermark', VALUE_CODEC);
    for (const [key, ks] of this.byKey.namespace('')) for (const s of ks.sessions) this.timers.push(s.end, key);
  }

  get watermark(): number {
    return this.mark.get() ?? MIN_WATERMARK;
  }

  set watermark(value: number) {
    this.mark.set(value);
  }

  /** The open sessions of `key`, if any. */
  get(key: GroupKey): KeySessions | undefined {
    return this.byKey.get(key);
  }

  /** A new, empty session list for `key` (stored by {@link put}). */
  create(keyValues: unknown[]): KeySessions {
    const seq = this.seq.get() ?? 0;
    this.seq.set(seq + 1);
    return { keyValues, seq, sessions: [] };
  }

  /** Stores the sessions of `key` (again, after they changed: that marks them for the next checkpoint). */
  put(key: GroupKey, sessions: KeySessions): void {
    this.byKey.put(key, sessions);
  }

  delete(key: GroupKey): void {
    this.byKey.delete(key);
  }

  /** Notes that `key` has a session ending at `end` (an older entry for a session that grew goes stale). */
  addTimer(end: number, key: GroupKey): void {
    this.timers.push(end, key);
  }

  /** The smallest end with a timer (possibly stale), or undefined. */
  nextTimer(): number | undefined {
    return this.timers.peek();
  }

  /** Removes the timer with the smallest end and returns its key. */
  popTimer(): GroupKey {
    return this.timers.pop()!;
  }
}

/** Stores a key's sessions as `[keyValues, seq, [[start, end, accumulators], ..]]`. */
function keySessionsCodec(aggs: readonly AggCall[]): ValueCodec<KeySessions> {
  return {
    encode: (ks) => [encodeValue(ks.keyValues), ks.seq, ks.sessions.map((s) => [s.start, s.end, encodeAccumulators(aggs, s.accs)])],
    write: (w, ks) => {
      w.arrayHeader(3);
      writeEncodedValue(w, ks.keyValues);
      w.value(ks.seq);
      w.arrayHeader(ks.sessions.length);
      for (const s of ks.sessions) {
        w.arrayHeader(3);
        w.value(s.start);
        w.value(s.end);
        writeAccumulators(w, aggs, s.accs);
      }
    },
    decode: (data) => {
      const [keyValues, seq, sessions] = data as [unknown, number, [number, number, unknown][]];
      return {
        keyValues: decodeValue(keyValues) as unknown[],
        seq,
        sessions: sessions.map(([start, end, accs]) => ({ start, end, accs: decodeAccumulators(aggs, accs) })),
      };
    },
  };
}

/**
 * `GROUP BY window_start, window_end, k..` over `SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), gap)`
 * (Flink's session window aggregate, final results only).
 *
 * - Input is insert-only. Rows with a NULL time are dropped and counted (`nullTimeRecordsDropped`).
 * - A row at `ts` opens `[ts, ts + gap)`; it merges with every open session of its key that it overlaps or
 *   touches (`a.start <= b.end && b.start <= a.end`, Flink's `TimeWindow.intersects`); the merged
 *   session's accumulators are folded with `impl.merge`, then the row is added.
 * - Lateness: the window the row would merge into is computed first; if its `end - 1 <= watermark` the row
 *   is late, dropped and counted (`lateRecordsDropped`). Fired sessions are gone, never resurrected: a row
 *   at exactly `end` of a fired session (not late when the watermark is `end - 1`) starts a new session.
 * - On a watermark that advances, every session with `end - 1 <= watermark` fires, ascending by end, then
 *   start, then the key's first-seen order: one `+I` row `[...keys, ...aggs, window_start, window_end,
 *   window_time]` each, in one batch; then the watermark is forwarded.
 * - State: see {@link SessionWindowAggregateState}; a key's sessions are stored again after every row
 *   they take and after every firing that leaves some open.
 */
export class SessionWindowAggregate implements StreamOperator {
  readonly kind = 'SessionWindowAggregate';
  /** Run-time state, created in {@link open} from the operator's state tables. */
  state!: SessionWindowAggregateState;
  private readonly keys: KeySelector;
  private output!: Output;
  private late!: Counter;
  private nullTime!: Counter;

  constructor(readonly config: SessionWindowAggregateConfig) {
    if (!(Number.isSafeInteger(config.gap) && config.gap > 0)) {
      throw new EddyError({
        code: ErrorCode.INVALID_WINDOW,
        message: 'Invalid SESSION window: the gap must be a positive whole number of milliseconds',
      });
    }
    this.keys = keySelector(config.groupKeys);
  }

  open(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.late = ctx.counter(CounterNames.lateRecordsDropped);
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.state = new SessionWindowAggregateState(ctx.state, this.config.aggs);
  }

  processBatch(batch: ChangeBatch, _input: number): void {
    const { rows, kinds } = batch;
    const timeIndex = this.config.timeIndex;
    let late = 0;
    let nullTime = 0;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) throw notInsertOnly(this.kind, kinds[i]!);
      const row = rows[i]!;
      const ts = row[timeIndex];
      if (ts === null || ts === undefined) nullTime++;
      else if (!this.addRow(row, ts as number)) late++;
    }
    if (late > 0) this.late.inc(late);
    if (nullTime > 0) this.nullTime.inc(nullTime);
  }

  processWatermark(watermark: number, _input: number): void {
    const state = this.state;
    if (watermark <= state.watermark) return;
    state.watermark = watermark;
    const out = new BatchBuilder();
    // Sessions ending together fire in (start, first-seen) order; the heap pops equal ends in any order.
    const fired: [KeySessions, Session][] = [];
    let firedEnd = Number.NaN;
    for (let end = state.nextTimer(); end !== undefined && end - 1 <= watermark; end = state.nextTimer()) {
      const key = state.popTimer();
      const ks = state.get(key);
      const at = ks ? ks.sessions.findIndex((s) => s.end === end) : -1;
      if (at < 0) continue; // stale: the session grew, merged or fired
      if (end !== firedEnd) {
        this.emitFired(fired, out);
        firedEnd = end;
      }
      fired.push([ks!, ks!.sessions[at]!]);
      ks!.sessions.splice(at, 1);
      if (ks!.sessions.length === 0) state.delete(key);
      else state.put(key, ks!);
    }
    this.emitFired(fired, out);
    const batch = out.take();
    if (batch) this.output.emit(batch);
    this.output.emitWatermark(watermark);
  }

  endInput(_input: number): void {
    this.output.end();
  }

  explain(): string {
    const { gap, timeIndex, groupKeys, aggs } = this.config;
    return (
      `SessionWindowAggregate(window=[${describeWindow({ kind: 'session', gap })}], time=[$${timeIndex}], ` +
      `partitionBy=[${describeColumns(groupKeys)}], select=[${describeAggs(aggs)}])`
    );
  }

  /** Adds a row to its key's sessions, merging as needed; false (nothing changed) when the row is late. */
  private addRow(row: Row, ts: number): boolean {
    const { gap, aggs } = this.config;
    const state = this.state;
    const key = this.keys.key(row);
    const ks = state.get(key);
    let start = ts;
    let end = ts + gap;
    // Sessions are sorted and disjoint: those the new window intersects form one run [first, last].
    let first = -1;
    let last = -1;
    if (ks) {
      const sessions = ks.sessions;
      for (let j = 0; j < sessions.length; j++) {
        const s = sessions[j]!;
        if (s.start > ts + gap) break;
        if (s.end >= ts) {
          if (first < 0) first = j;
          last = j;
          if (s.start < start) start = s.start;
          if (s.end > end) end = s.end;
        }
      }
    }
    if (end - 1 <= state.watermark) return false;
    const entry = ks ?? state.create(this.keys.values(row));
    if (first < 0) {
      const session: Session = { start, end, accs: createAccumulators(aggs) };
      accumulateRow(aggs, session.accs, row);
      let at = 0;
      while (at < entry.sessions.length && entry.sessions[at]!.start < start) at++;
      entry.sessions.splice(at, 0, session);
      state.addTimer(end, key);
    } else {
      const target = entry.sessions[first]!;
      for (let j = first + 1; j <= last; j++) mergeAccumulators(aggs, target.accs, entry.sessions[j]!.accs);
      if (last > first) entry.sessions.splice(first + 1, last - first);
      // The merged sessions' timers, and the target's own if its end moves, go stale.
      if (target.end !== end) state.addTimer(end, key);
      target.start = start;
      target.end = end;
      accumulateRow(aggs, target.accs, row);
    }
    state.put(key, entry);
    return true;
  }

  /** Emits the sessions that fired at one end, by start then first-seen order, and clears the list. */
  private emitFired(fired: [KeySessions, Session][], out: BatchBuilder): void {
    if (fired.length > 1) fired.sort((a, b) => a[1].start - b[1].start || a[0].seq - b[0].seq);
    for (const [ks, s] of fired) out.add(INSERT, this.resultRow(ks, s));
    fired.length = 0;
  }

  private resultRow(ks: KeySessions, s: Session): Row {
    const k = ks.keyValues.length;
    const a = this.config.aggs.length;
    const row: Row = new Array(k + a + 3);
    for (let i = 0; i < k; i++) row[i] = ks.keyValues[i];
    writeResults(this.config.aggs, s.accs, row, k);
    row[k + a] = s.start;
    row[k + a + 1] = s.end;
    row[k + a + 2] = s.end - 1;
    return row;
  }
}
