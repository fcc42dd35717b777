/** The SESSION window aggregate: per key, sessions that merge as rows arrive; one final row per session. */
import { BatchBuilder, type ChangeBatch, INSERT, type Row } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { OperatorState, StateTable, ValueCodec, ValueState } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
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
import { decodeAccumulators, decodeValue, encodeAccumulators, encodeValue, writeAccumulators, writeEncodedValue } from './state-codecs.js';
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

/** The open sessions of one key: sorted by start (so by end too), pairwise disjoint and not touching. */
export interface KeySessions {
  readonly keyValues: unknown[];
  /** Order in which the key was first seen (breaks ties between sessions firing together). */
  readonly seq: number;
  readonly sessions: Session[];
}

/** The state table of open sessions (key: the group key → {@link KeySessions}). */
const SESSIONS_TABLE = 'sessions';
/** The value state holding the next key's first-seen number. */
const SEQ_VALUE = 'seq';

/**
 * What a {@link SessionWindowAggregate} changes while running, kept in its state: the table
 * {@link SESSIONS_TABLE} (group key → {@link KeySessions}) and the value {@link SEQ_VALUE} (the next key's
 * first-seen number); the timers and the watermark are the timer service's.
 */
export class SessionWindowAggregateState {
  private readonly byKey: StateTable<KeySessions>;
  private readonly seq: ValueState<number>;

  constructor(state: OperatorState, aggs: readonly AggCall[]) {
    this.byKey = state.table<KeySessions>(SESSIONS_TABLE, keySessionsCodec(aggs));
    this.seq = state.value<number>(SEQ_VALUE);
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
 *   is late, dropped and counted (`lateRecordsDropped`, by {@link TimerService.dropLate}). Fired sessions
 *   are gone, never resurrected: a row at exactly `end` of a fired session (not late when the watermark is
 *   `end - 1`) starts a new session.
 * - Timers (one per key, not per row): a key with open sessions has a timer at or before `end - 1` of its
 *   earliest-ending session. Sessions only grow, so a row that extends or merges sessions leaves the timer
 *   where it is; only a new session that ends before all others of its key adds one. When a key's timer
 *   at `t` fires, the key's sessions with `end - 1 <= t` fire, and if sessions remain, the key gets a timer
 *   at the earliest one's `end - 1`: a timer that fired early (its session grew) moves on, and if it is due
 *   already, it fires later in the same watermark, in time order.
 * - On a watermark that advances, every session with `end - 1 <= watermark` fires, ascending by end (the
 *   timers' order), then start, then the key's first-seen order: one `+I` row `[...keys, ...aggs,
 *   window_start, window_end, window_time]` each, in one batch; then the watermark is forwarded.
 * - State: see {@link SessionWindowAggregateState}, plus the timer service's `timers` (about one per key
 *   with open sessions) and `watermark`. A key's sessions are stored again after every row they take and
 *   after every firing that leaves some open.
 */
export class SessionWindowAggregate implements StreamOperator {
  readonly kind = 'SessionWindowAggregate';
  /** Run-time state, created in {@link open} from the operator's state tables. */
  state!: SessionWindowAggregateState;
  private timers!: TimerService;
  private readonly keys: KeySelector;
  private output!: Output;
  private nullTime!: Counter;
  /** The sessions a watermark fired, ascending by end, and their keys' sessions (see {@link processWatermark}). */
  private readonly fired: Session[] = [];
  private readonly firedKeys: KeySessions[] = [];

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
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.timers = new TimerService(ctx);
    this.state = new SessionWindowAggregateState(ctx.state, this.config.aggs);
  }

  processBatch(batch: ChangeBatch, _input: number): void {
    const { rows, kinds } = batch;
    const timeIndex = this.config.timeIndex;
    let nullTime = 0;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) throw notInsertOnly(this.kind, kinds[i]!);
      const row = rows[i]!;
      const ts = row[timeIndex];
      if (ts === null || ts === undefined) nullTime++;
      else this.addRow(row, ts as number);
    }
    if (nullTime > 0) this.nullTime.inc(nullTime);
  }

  processWatermark(watermark: number, _input: number): void {
    if (!this.timers.advance(watermark, this.fireKey)) return;
    const fired = this.fired;
    if (fired.length > 0) {
      const keys = this.firedKeys;
      const out = new BatchBuilder();
      // Timers fire in time order, so sessions come ascending by end; those ending together go by start,
      // then by their key's first-seen order.
      for (let i = 0; i < fired.length; ) {
        let j = i + 1;
        while (j < fired.length && fired[j]!.end === fired[i]!.end) j++;
        if (j - i === 1) out.add(INSERT, this.resultRow(keys[i]!, fired[i]!));
        else {
          const order: number[] = [];
          for (let k = i; k < j; k++) order.push(k);
          order.sort((a, b) => fired[a]!.start - fired[b]!.start || keys[a]!.seq - keys[b]!.seq);
          for (const k of order) out.add(INSERT, this.resultRow(keys[k]!, fired[k]!));
        }
        i = j;
      }
      fired.length = 0;
      keys.length = 0;
      this.output.emit(out.take()!);
    }
    this.output.emitWatermark(watermark);
  }

  /** A key's timer at `time`: fires its sessions due by then, and sets the timer of the earliest one left. */
  private readonly fireKey = (time: number, k: unknown): void => {
    const key = k as GroupKey;
    const state = this.state;
    const ks = state.get(key);
    if (ks === undefined) return;
    const sessions = ks.sessions;
    // Sorted by end: the due sessions come first.
    let due = 0;
    while (due < sessions.length && sessions[due]!.end - 1 <= time) {
      this.fired.push(sessions[due++]!);
      this.firedKeys.push(ks);
    }
    if (due > 0) sessions.splice(0, due);
    if (sessions.length === 0) {
      state.delete(key);
      return;
    }
    this.timers.register(sessions[0]!.end - 1, key);
    if (due > 0) state.put(key, ks);
  };

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

  /** Adds a row to its key's sessions, merging as needed; nothing changes when the row is late. */
  private addRow(row: Row, ts: number): void {
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
    if (this.timers.dropLate(end - 1)) return;
    const entry = ks ?? state.create(this.keys.values(row));
    if (first < 0) {
      const session: Session = { start, end, accs: createAccumulators(aggs) };
      accumulateRow(aggs, session.accs, row);
      // A session ending before every other of its key needs an earlier timer than the key has.
      if (entry.sessions.length === 0 || end < entry.sessions[0]!.end) this.timers.register(end - 1, key);
      let at = 0;
      while (at < entry.sessions.length && entry.sessions[at]!.start < start) at++;
      entry.sessions.splice(at, 0, session);
    } else {
      // Growing and merging only move ends later: the key's timer stays early enough.
      const target = entry.sessions[first]!;
      for (let j = first + 1; j <= last; j++) mergeAccumulators(aggs, target.accs, entry.sessions[j]!.accs);
      if (last > first) entry.sessions.splice(first + 1, last - first);
      target.start = start;
      target.end = end;
      accumulateRow(aggs, target.accs, row);
    }
    state.put(key, entry);
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
