/** ksqlDB's windowed aggregation (`WINDOW TUMBLING|HOPPING|SESSION (...)` + GROUP BY), on stream time, EMIT CHANGES or FINAL. */
import { BatchBuilder, type ChangeBatch, DELETE, INSERT, type Row, UPDATE_AFTER, UPDATE_BEFORE } from '../changelog.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { OperatorState, StateTable, ValueCodec } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { describeKsqlWindow, type KsqlWindowSpec } from '../../common/ksql-window.js';
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

/** Configuration of a {@link KsqlWindowAggregate}. */
export interface KsqlWindowAggregateConfig {
  readonly window: KsqlWindowSpec;
  /** EMIT CHANGES: an updated row per input record; EMIT FINAL: one row per window when it closes. */
  readonly emit: 'CHANGES' | 'FINAL';
  /** The input column holding the record's time (epoch ms: ROWTIME, or an event-time attribute). */
  readonly timeIndex: number;
  readonly groupKeys: readonly number[];
  readonly aggs: readonly AggCall[];
}

/** One time window of one key: its accumulators and the latest event time it holds (the output's ROWTIME). */
export interface TimeWindowEntry {
  readonly keyValues: unknown[];
  readonly accs: unknown[];
  maxTime: number;
}

/** One session: `[start, end]`, both event times (ksqlDB: the end is the last event's time), and its accumulators. */
export interface KsqlSession {
  start: number;
  end: number;
  accs: unknown[];
}

/** The sessions of one key, sorted by start, pairwise more than a gap apart. */
export interface KeyKsqlSessions {
  readonly keyValues: unknown[];
  readonly sessions: KsqlSession[];
}

/** State table of time windows: group key → {@link TimeWindowEntry}, in a namespace per window start. */
const WINDOWS_TABLE = 'windows';
/** State table of sessions: group key → {@link KeyKsqlSessions}. */
const SESSIONS_TABLE = 'sessions';
/** The timer namespace of a key's session timers (a NULL group key must not look like an operator timer). */
const SESSION_TIMERS = 's';

/**
 * What a {@link KsqlWindowAggregate} changes while running: the table {@link WINDOWS_TABLE} (time windows) or
 * {@link SESSIONS_TABLE} (session windows); stream time and the close/purge timers are the timer service's
 * (its "watermark" is the stream time here).
 */
export class KsqlWindowAggregateState {
  readonly windows?: StateTable<TimeWindowEntry>;
  readonly sessions?: StateTable<KeyKsqlSessions>;

  constructor(state: OperatorState, config: KsqlWindowAggregateConfig) {
    if (config.window.type === 'SESSION') this.sessions = state.table<KeyKsqlSessions>(SESSIONS_TABLE, sessionsCodec(config.aggs));
    else this.windows = state.table<TimeWindowEntry>(WINDOWS_TABLE, windowCodec(config.aggs));
  }
}

/** Stores a time window's entry as `[keyValues, accumulators, maxTime]`. */
function windowCodec(aggs: readonly AggCall[]): ValueCodec<TimeWindowEntry> {
  return {
    encode: (e) => [encodeValue(e.keyValues), encodeAccumulators(aggs, e.accs), e.maxTime],
    write: (w, e) => {
      w.arrayHeader(3);
      writeEncodedValue(w, e.keyValues);
      writeAccumulators(w, aggs, e.accs);
      w.value(e.maxTime);
    },
    decode: (data) => {
      const [keyValues, accs, maxTime] = data as [unknown, unknown, number];
      return { keyValues: decodeValue(keyValues) as unknown[], accs: decodeAccumulators(aggs, accs), maxTime };
    },
  };
}

/** Stores a key's sessions as `[keyValues, [[start, end, accumulators], ..]]`. */
function sessionsCodec(aggs: readonly AggCall[]): ValueCodec<KeyKsqlSessions> {
  return {
    encode: (ks) => [encodeValue(ks.keyValues), ks.sessions.map((s) => [s.start, s.end, encodeAccumulators(aggs, s.accs)])],
    write: (w, ks) => {
      w.arrayHeader(2);
      writeEncodedValue(w, ks.keyValues);
      w.arrayHeader(ks.sessions.length);
      for (const s of ks.sessions) {
        w.arrayHeader(3);
        w.value(s.start);
        w.value(s.end);
        writeAccumulators(w, aggs, s.accs);
      }
    },
    decode: (data) => {
      const [keyValues, sessions] = data as [unknown, [number, number, unknown][]];
      return { keyValues: decodeValue(keyValues) as unknown[], sessions: sessions.map(([start, end, accs]) => ({ start, end, accs: decodeAccumulators(aggs, accs) })) };
    },
  };
}

/**
 * ksqlDB's windowed GROUP BY, as Kafka Streams runs it (KStreamWindowAggregate, KStreamSessionWindowAggregate):
 *
 * - Time is **stream time**: the largest record time seen so far (not the watermark, which is ignored apart
 *   from being passed on). Each record first advances stream time, then is checked and aggregated. The end of
 *   a bounded input closes nothing (Kafka Streams does not either): the operator just ends.
 * - TUMBLING / HOPPING: a record at `ts` belongs to every window `[start, start + size)` with `start` a
 *   multiple of the advance, `start <= ts` and `start >= 0` (windows that would start before 0 are not
 *   produced). A window is closed when `end + grace <= streamTime`: the record skips closed windows, and is
 *   dropped and counted in `lateRecordsDropped` when all its windows are closed.
 * - SESSION (gap g): a record at `ts` starts the session `[ts, ts]` and merges every session of its key whose
 *   `[start - g, end + g]` holds `ts`; a session's end is its last event's time. The merged session is
 *   closed, and the record dropped as late, when `end + g + grace < streamTime` (Kafka Streams' rule).
 * - EMIT CHANGES: each record emits, per window it updates (ascending start), `+I` for a new window or
 *   `-U old, +U new`; a session merge emits `-D` for every session it replaces (a tombstone downstream), then
 *   `+I` of the merged session (`-U/+U` when the session is `[ts, ts]` already, which Kafka Streams updates in place).
 * - EMIT FINAL: nothing per record; a window's row is emitted once (`+I`) when it closes, in close order.
 * - Output rows: `[...keys, ...aggs, WINDOWSTART, WINDOWEND, ROWTIME]`, all BIGINT epoch ms; ROWTIME is the
 *   latest event time in the window (a session's end).
 * - State (see {@link KsqlWindowAggregateState}): one entry per key and window (sessions: per key), and the
 *   timer service's timers and stream time. A window expires once stream time reaches `start + max(RETENTION,
 *   size + grace)` (sessions: `end + max(RETENTION, gap + grace)`), as Kafka Streams' stores drop what is older
 *   than their retention: an expired session merges with nothing. Timers purge expired windows (EMIT CHANGES),
 *   or emit and drop closed ones (EMIT FINAL).
 * - Rows with a NULL or negative time belong to no window: dropped and counted in `nullTimeRecordsDropped`.
 */
export class KsqlWindowAggregate implements StreamOperator {
  readonly kind = 'KsqlWindowAggregate';
  state!: KsqlWindowAggregateState;
  private timers!: TimerService;
  private readonly keys: KeySelector;
  private output!: Output;
  private late!: Counter;
  private invalidTime!: Counter;
  private lastWatermark = Number.NEGATIVE_INFINITY;
  /** Rows produced while handling the current batch (timers fire into it too). */
  private out = new BatchBuilder();
  /** The hop between window starts (TUMBLING: the size). */
  private readonly advance: number;
  /** Time windows: how long after its start a window's timer fires (close for FINAL, purge for CHANGES). */
  private readonly windowTimerOffset: number;
  /**
   * Sessions: how long after its end a session's timer fires: FINAL, when it closes (strictly after `end + gap +
   * grace`); CHANGES, when it expires (see {@link keep}).
   */
  private readonly sessionTimerOffset: number;
  /**
   * The retention, `max(RETENTION, size + grace)`: a window starting at `start` (a session ending at `end`) is
   * expired, gone for good, once `start + keep <= streamTime` (`end + keep`), as Kafka Streams' stores
   * leave out what is older than their retention; an expired session merges with nothing.
   */
  private readonly keep: number;

  constructor(readonly config: KsqlWindowAggregateConfig) {
    const w = config.window;
    const positive = (v: number | undefined): boolean => v !== undefined && Number.isSafeInteger(v) && v > 0;
    const nonNegative = (v: number | undefined): boolean => v === undefined || (Number.isSafeInteger(v) && v >= 0);
    if (!positive(w.sizeMs) || (w.type === 'HOPPING' && (!positive(w.advanceMs) || w.advanceMs! > w.sizeMs)) || !nonNegative(w.graceMs) || !nonNegative(w.retentionMs)) {
      throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message: `Invalid ksqlDB window ${describeKsqlWindow(w)}` });
    }
    this.keys = keySelector(config.groupKeys);
    this.advance = w.type === 'HOPPING' ? w.advanceMs! : w.sizeMs;
    const keep = Math.max(w.retentionMs ?? 0, w.sizeMs + w.graceMs);
    this.keep = keep;
    this.windowTimerOffset = config.emit === 'FINAL' ? w.sizeMs + w.graceMs : keep;
    this.sessionTimerOffset = config.emit === 'FINAL' ? w.sizeMs + w.graceMs + 1 : keep;
  }

  open(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.late = ctx.counter(CounterNames.lateRecordsDropped);
    this.invalidTime = ctx.counter(CounterNames.nullTimeRecordsDropped);
    this.timers = new TimerService(ctx);
    this.state = new KsqlWindowAggregateState(ctx.state, this.config);
  }

  /** The current stream time (the largest record time seen; -Infinity before the first record). */
  get streamTime(): number {
    return this.timers.watermark;
  }

  processBatch(batch: ChangeBatch, _input: number): void {
    const { rows, kinds } = batch;
    const timeIndex = this.config.timeIndex;
    const session = this.config.window.type === 'SESSION';
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) throw notInsertOnly(this.kind, kinds[i]!);
      const row = rows[i]!;
      const ts = row[timeIndex];
      if (typeof ts !== 'number' || ts < 0) {
        this.invalidTime.inc();
        continue;
      }
      // Stream time moves first (Kafka Streams' order); windows it closes fire or are purged now.
      if (ts > this.timers.watermark) this.timers.advance(ts, this.fire);
      if (session) this.addToSession(row, ts);
      else this.addToWindows(row, ts);
    }
    this.flush();
  }

  processWatermark(watermark: number, _input: number): void {
    // Not this operator's clock; passed on for operators downstream that follow watermarks.
    if (watermark <= this.lastWatermark) return;
    this.lastWatermark = watermark;
    this.output.emitWatermark(watermark);
  }

  endInput(_input: number): void {
    this.flush();
    this.output.end();
  }

  explain(): string {
    const { window, emit, timeIndex, groupKeys, aggs } = this.config;
    return `KsqlWindowAggregate(window=[${describeKsqlWindow(window)}], emit=[${emit}], time=[$${timeIndex}], groupBy=[${describeColumns(groupKeys)}], select=[${describeAggs(aggs)}])`;
  }

  private flush(): void {
    const batch = this.out.take();
    if (batch) this.output.emit(batch);
  }

  /** A timer: a time window's (the operator's own timers) or a key's earliest session's (in {@link SESSION_TIMERS}). */
  private readonly fire = (time: number, key: unknown, namespace: unknown): void => {
    if (namespace === SESSION_TIMERS) this.fireSessions(time, key as GroupKey);
    else this.fireWindow(time - this.windowTimerOffset);
  };

  // ------------------------------------------------------------------------------------------------
  // TUMBLING / HOPPING

  private addToWindows(row: Row, ts: number): void {
    const { window, aggs, emit } = this.config;
    const table = this.state.windows!;
    const size = window.sizeMs;
    const advance = this.advance;
    const streamTime = this.timers.watermark;
    const key = this.keys.key(row);
    let accepted = 0;
    for (let start = Math.floor(Math.max(0, ts - size + advance) / advance) * advance; start <= ts; start += advance) {
      if (start + size + window.graceMs <= streamTime) continue; // closed
      accepted++;
      let entry = table.get(key, start);
      if (entry === undefined) {
        entry = { keyValues: this.keys.values(row), accs: createAccumulators(aggs), maxTime: ts };
        // The window's first entry: its timer (one per window start; registering twice keeps one).
        this.timers.register(start + this.windowTimerOffset);
        accumulateRow(aggs, entry.accs, row);
        if (emit === 'CHANGES') this.out.add(INSERT, this.windowRow(entry, start));
      } else {
        const before = emit === 'CHANGES' ? this.windowRow(entry, start) : undefined;
        accumulateRow(aggs, entry.accs, row);
        if (ts > entry.maxTime) entry.maxTime = ts;
        if (before) {
          this.out.add(UPDATE_BEFORE, before);
          this.out.add(UPDATE_AFTER, this.windowRow(entry, start));
        }
      }
      table.put(key, entry, start);
    }
    if (accepted === 0) this.late.inc();
  }

  /** The window starting at `start` closed (FINAL: emit its rows) or is past its retention (CHANGES): its state goes. */
  private fireWindow(start: number): void {
    const table = this.state.windows!;
    if (this.config.emit === 'FINAL') {
      // By key, so that a run restored from a checkpoint emits in the same order.
      const entries = [...table.namespace(start)].sort(([a], [b]) => compareKeys(a as GroupKey, b as GroupKey));
      for (const [, entry] of entries) this.out.add(INSERT, this.windowRow(entry, start));
    }
    table.deleteNamespace(start);
  }

  private windowRow(entry: TimeWindowEntry, start: number): Row {
    return this.resultRow(entry.keyValues, entry.accs, start, start + this.config.window.sizeMs, entry.maxTime);
  }

  // ------------------------------------------------------------------------------------------------
  // SESSION

  private addToSession(row: Row, ts: number): void {
    const { window, aggs, emit } = this.config;
    const table = this.state.sessions!;
    const gap = window.sizeMs;
    const key = this.keys.key(row);
    const ks = table.get(key);
    let start = ts;
    let end = ts;
    // The sessions the record merges: those within the gap of `ts` (sorted by start), expired ones left out.
    const merged: number[] = [];
    if (ks) {
      const sessions = ks.sessions;
      const expiredBy = this.timers.watermark - this.keep;
      for (let j = 0; j < sessions.length; j++) {
        const s = sessions[j]!;
        if (s.start - gap > ts) break;
        // An expired session (its timer not fired yet) is as good as gone: it takes no record.
        if (s.end + gap >= ts && s.end > expiredBy) {
          merged.push(j);
          if (s.start < start) start = s.start;
          if (s.end > end) end = s.end;
        }
      }
    }
    if (end + gap + window.graceMs < this.timers.watermark) {
      this.late.inc();
      return;
    }
    const entry = ks ?? { keyValues: this.keys.values(row), sessions: [] };
    const sessions = entry.sessions;
    if (merged.length === 0) {
      const session: KsqlSession = { start, end, accs: createAccumulators(aggs) };
      accumulateRow(aggs, session.accs, row);
      // A session ending before every other of its key needs an earlier timer than the key has.
      if (sessions.every((s) => end < s.end)) this.timers.register(end + this.sessionTimerOffset, key, SESSION_TIMERS);
      let at = 0;
      while (at < sessions.length && sessions[at]!.start < start) at++;
      sessions.splice(at, 0, session);
      if (emit === 'CHANGES') this.out.add(INSERT, this.sessionRow(entry, session));
    } else {
      const target = sessions[merged[0]!]!;
      // Kafka Streams replaces the session unless it is exactly the record's own point window `[ts, ts]`.
      const sameBounds = merged.length === 1 && target.start === ts && target.end === ts;
      // Every replaced session is deleted downstream (Kafka Streams forwards a tombstone for each).
      if (emit === 'CHANGES') for (const j of merged) this.out.add(sameBounds ? UPDATE_BEFORE : DELETE, this.sessionRow(entry, sessions[j]!));
      for (let m = merged.length - 1; m >= 1; m--) {
        mergeAccumulators(aggs, target.accs, sessions[merged[m]!]!.accs);
        sessions.splice(merged[m]!, 1);
      }
      // Merging only moves ends later: the key's timer stays early enough (it moves on when it fires).
      target.start = start;
      target.end = end;
      accumulateRow(aggs, target.accs, row);
      if (emit === 'CHANGES') this.out.add(sameBounds ? UPDATE_AFTER : INSERT, this.sessionRow(entry, target));
    }
    table.put(key, entry);
  }

  /** A key's timer at `time`: its sessions due by then close (FINAL: emitted, by end) or expire; the timer moves to the next. */
  private fireSessions(time: number, key: GroupKey): void {
    const table = this.state.sessions!;
    const ks = table.get(key);
    if (ks === undefined) return;
    const offset = this.sessionTimerOffset;
    const due = ks.sessions.filter((s) => s.end + offset <= time);
    if (due.length > 0) {
      if (this.config.emit === 'FINAL') for (const s of due.sort((x, y) => x.end - y.end)) this.out.add(INSERT, this.sessionRow(ks, s));
      ks.sessions.splice(0, ks.sessions.length, ...ks.sessions.filter((s) => s.end + offset > time));
    }
    if (ks.sessions.length === 0) {
      table.delete(key);
      return;
    }
    this.timers.register(Math.min(...ks.sessions.map((s) => s.end)) + offset, key, SESSION_TIMERS);
    if (due.length > 0) table.put(key, ks);
  }

  private sessionRow(ks: KeyKsqlSessions, s: KsqlSession): Row {
    return this.resultRow(ks.keyValues, s.accs, s.start, s.end, s.end);
  }

  private resultRow(keyValues: readonly unknown[], accs: readonly unknown[], start: number, end: number, rowtime: number): Row {
    const k = keyValues.length;
    const a = this.config.aggs.length;
    const row: Row = new Array(k + a + 3);
    for (let i = 0; i < k; i++) row[i] = keyValues[i];
    writeResults(this.config.aggs, accs, row, k);
    row[k + a] = start;
    row[k + a + 1] = end;
    row[k + a + 2] = rowtime;
    return row;
  }
}

/** A total order on group keys (NULL first, then by type, then by value). */
function compareKeys(a: GroupKey, b: GroupKey): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return a < b ? -1 : 1;
}
