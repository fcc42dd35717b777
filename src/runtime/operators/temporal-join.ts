/**
 * TemporalJoin: Flink's event-time temporal join, `l JOIN r FOR SYSTEM_TIME AS OF l.time ON l.k = r.k`
 * (INNER or LEFT), of an insert-only left stream with a versioned right stream.
 *
 * - The right input is a changelog of versions by join key (the keys cover its primary key, so a key names
 *   one row at any time): `+I` and `+U` start a version at the row's time, `-D` ends validity at its
 *   row's time (stored as a deletion), `-U` is ignored (its `+U` follows and supersedes it — Flink asks its
 *   input for update-after only). Two changes of a key at the same time: the later one wins.
 * - A left row waits (table `left`, by key, in time order) until the watermark W — the minimum of both
 *   inputs' — reaches its time t; then it joins the version of its key valid at t: the latest with a time
 *   <= t, unless that is a deletion. The residual condition is checked on that pair; an INNER join drops a
 *   row without a valid version (or whose version fails the residual), a LEFT join emits it null-padded.
 *   Results are `+I` only and do not depend on the order rows arrived in (within the watermark).
 * - Cleanup: once W passes, left rows at or before it have left, so a key keeps only its newest version at
 *   or before W (a left row still to come is later than W) and the versions after W; a deletion at or
 *   before W is dropped too. One keyed timer of the timer service per key, at the earlier of its earliest
 *   waiting left row and the time its next version can be dropped, does both. When both inputs end (W =
 *   +infinity) everything left goes.
 * - Late rows: a left row at or behind W is dropped and counted (`lateRecordsDropped`), since the versions
 *   it needs may be gone; a late version is kept (it may still be the newest at or before W). Rows with a
 *   NULL time are dropped and counted (`nullTimeRecordsDropped`); a left row with a NULL key matches
 *   nothing (LEFT: emitted null-padded at once), a version with a NULL key is ignored.
 * - The output keeps the left side's time attributes and the watermark W: rows leave as W passes them.
 * - ksqlDB's stream-table join (`streamTime`): a left row at or behind W is not late: it joins at once, with
 *   the version valid at its time if kept, else the key's row as of W. With `'stream'`, W is the left input's
 *   watermark alone (ksqlDB's stream time: an unbounded table that sends nothing holds no record back; which
 *   version a record meets then depends on which input was read first, as in ksqlDB); with `'both'` (a
 *   bounded table), the minimum of both, as above.
 * - State: the tables `left` (key → waiting rows) and `right` (key → versions `[time, row | null]` in time
 *   order), the value `inputs` (see {@link InputProgress}), the timer service's `timers` and `watermark`.
 */
import { BatchBuilder, type ChangeBatch, DELETE, INSERT, type Row, UPDATE_AFTER, UPDATE_BEFORE } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { GroupKey } from '../keys.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { StateKey, StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { reportExpressionError } from './expression-error.js';
import { InputProgress, progressOutput } from './input-progress.js';
import type { JoinConfig } from './join.js';
import type { JoinSide } from './join-rows.js';
import { JoinKeyOf } from './join-key.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

/** Configuration of a {@link TemporalJoin}: a join's (LEFT or INNER), plus the time columns. */
export interface TemporalJoinConfig extends JoinConfig {
  /** The left row's AS OF time column and the right row's version time column. */
  readonly times: readonly [number, number];
  /**
   * ksqlDB's stream-table join: a record at or behind the watermark is not late, it joins at once (see
   * {@link TemporalJoin}). `'stream'`: the stream's (left) watermark alone — its stream time — says when a
   * record's time has come, so a table that sends nothing (an unbounded topic) holds nothing back; `'both'`:
   * the minimum of both inputs' (a bounded table, read to its end, is waited for: deterministic).
   */
  readonly streamTime?: 'stream' | 'both';
}

/** One version of a key: its time, and its row (null: a deletion, the key has no row from then on). */
type Version = [number, Row | null];

/** The temporal join operator (see the file comment): input 0 is the left side, input 1 the versioned right. */
export class TemporalJoin implements StreamOperator {
  readonly kind = 'TemporalJoin';
  private ctx!: OperatorContext;
  private progress!: InputProgress;
  private timers!: TimerService;
  private nullTime!: Counter;
  private left!: StateTable<Row[]>;
  private right!: StateTable<Version[]>;
  private readonly keyOfValues: JoinKeyOf;
  private readonly nulls: Row;
  /** Receives the combined watermark and end from {@link progress}. */
  private readonly combined: Output;
  /** Rows emitted by the timers of the current watermark. */
  private readonly pending = new BatchBuilder();

  constructor(readonly config: TemporalJoinConfig) {
    if (config.keys[0].length !== config.keys[1].length || config.keys[0].length === 0) throw new Error('a temporal join needs as many key expressions on each side, at least one');
    if (config.preserved[1]) throw new Error('a temporal join preserves the left side only');
    this.keyOfValues = new JoinKeyOf(config.keys[0].length);
    this.nulls = new Array<unknown>(config.widths[1]).fill(null);
    // In stream-time mode only the end of both inputs comes through here; the left watermark drives the rest.
    this.combined = progressOutput((w, forward) => (config.streamTime === 'stream' && forward ? undefined : this.advance(w, forward)), () => this.ctx.output);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.left = ctx.state.table<Row[]>('left', VALUE_CODEC);
    this.right = ctx.state.table<Version[]>('right', VALUE_CODEC);
    this.timers = new TimerService(ctx);
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.progress = new InputProgress(ctx.state, 2);
  }

  /** How many left rows wait and how many versions are kept (for tests and metrics). */
  stored(): [number, number] {
    let rows = 0;
    let versions = 0;
    for (const [, r] of this.left.namespace('')) rows += r.length;
    for (const [, v] of this.right.namespace('')) versions += v.length;
    return [rows, versions];
  }

  /** How many keys hold versions. */
  versionKeys(): number {
    let n = 0;
    for (const _ of this.right.namespace('')) n++;
    return n;
  }

  processBatch(batch: ChangeBatch, input: number): void {
    if (input === 0) this.processLeft(batch);
    else this.processRight(batch);
    const result = this.pending.take();
    if (result) this.ctx.output.emit(result);
  }

  private processLeft(batch: ChangeBatch): void {
    const timeIndex = this.config.times[0];
    for (let i = 0; i < batch.rows.length; i++) {
      if (batch.kinds[i] !== INSERT) throw new Error(`the left input of a temporal join must be insert-only, got ${batch.kinds[i]}`);
      const row = batch.rows[i]!;
      const time = row[timeIndex];
      if (typeof time !== 'number' || Number.isNaN(time)) {
        this.nullTime.inc();
        continue;
      }
      const behind = this.config.streamTime !== undefined && time <= this.timers.watermark;
      if (!behind && this.timers.dropLate(time)) continue;
      const key = this.keyOf(0, row);
      if (key === undefined) continue;
      if (key === null) {
        if (this.config.preserved[0]) this.pending.add(INSERT, row.concat(this.nulls));
        continue;
      }
      if (behind) {
        this.emitJoined(row, this.right.get(key) ?? [], true);
        continue;
      }
      const rows = this.left.get(key) ?? [];
      // In time order, ties in arrival order; rows arrive nearly in order, so the place is found from the end.
      let at = rows.length;
      while (at > 0 && (rows[at - 1]![timeIndex] as number) > time) at--;
      rows.splice(at, 0, row);
      this.left.put(key, rows);
      this.timers.register(time, key);
    }
  }

  private processRight(batch: ChangeBatch): void {
    const timeIndex = this.config.times[1];
    for (let i = 0; i < batch.rows.length; i++) {
      const kind = batch.kinds[i]!;
      if (kind === UPDATE_BEFORE) continue;
      const row = batch.rows[i]!;
      const time = row[timeIndex];
      if (typeof time !== 'number' || Number.isNaN(time)) {
        this.nullTime.inc();
        continue;
      }
      const key = this.keyOf(1, row);
      if (key === undefined || key === null) continue;
      const versions = this.right.get(key) ?? [];
      let at = versions.length;
      while (at > 0 && versions[at - 1]![0] > time) at--;
      const version: Version = [time, kind === DELETE ? null : row];
      if (kind !== INSERT && kind !== UPDATE_AFTER && kind !== DELETE) throw new Error(`unknown change kind ${kind}`);
      // The later of two changes at one time wins.
      if (at > 0 && versions[at - 1]![0] === time) versions[at - 1] = version;
      else versions.splice(at, 0, version);
      this.storeVersions(key, versions);
    }
  }

  /**
   * Stores a key's versions, dropping those the watermark made useless first, and sets the key's timer for
   * the next time one can be dropped.
   */
  private storeVersions(key: GroupKey, versions: Version[]): void {
    const w = this.timers.watermark;
    // The newest version at or before the watermark, and everything after it, stay.
    let newest = -1;
    while (newest + 1 < versions.length && versions[newest + 1]![0] <= w) newest++;
    if (newest > 0) versions.splice(0, newest);
    if (versions.length > 0 && versions[0]![1] === null && versions[0]![0] <= w) versions.shift();
    if (versions.length === 0) {
      this.right.delete(key);
      return;
    }
    this.right.put(key, versions);
    const next = versions.length > 1 ? versions[1]![0] : versions[0]![1] === null ? versions[0]![0] : undefined;
    if (next !== undefined && Number.isFinite(next)) this.timers.register(next, key);
  }

  /** The combined watermark advanced: joins the left rows it passes, drops what it makes useless, then sends it on. */
  private advance(watermark: number, forward: boolean): void {
    this.timers.advance(watermark, this.onTimer);
    if (watermark === Number.POSITIVE_INFINITY) {
      // Both inputs ended: no left row will come, so no version is needed any more.
      for (const [key] of [...this.right.namespace('')]) this.right.delete(key);
    }
    const result = this.pending.take();
    if (result) this.ctx.output.emit(result);
    if (forward) this.ctx.output.emitWatermark(watermark);
  }

  /**
   * A key's timer: its left rows at or before the watermark are joined with the version valid at their time
   * and leave; then its versions are cleaned up (which sets the next timer for them); the earliest waiting
   * row keeps its timer.
   */
  private readonly onTimer = (_time: number, key: StateKey): void => {
    const k = key as GroupKey;
    const w = this.timers.watermark;
    const versions = this.right.get(k) ?? [];
    const rows = this.left.get(k);
    if (rows) {
      const timeIndex = this.config.times[0];
      let n = 0;
      for (; n < rows.length && (rows[n]![timeIndex] as number) <= w; n++) this.emitJoined(rows[n]!, versions);
      if (n === rows.length) this.left.delete(k);
      else {
        if (n > 0) {
          rows.splice(0, n);
          this.left.put(k, rows);
        }
        this.timers.register(rows[0]![timeIndex] as number, k);
      }
    }
    if (versions.length > 0) this.storeVersions(k, versions);
  };

  /**
   * Emits a left row joined with the version valid at its time (binary search), or null-padded (LEFT), or
   * nothing. `behind`: a row at or behind the watermark (stream-time mode), whose version may have left
   * state: without a kept version at or before its time, it takes the key's row as of the watermark (the
   * newest version at or before it, which stays), as ksqlDB looks the table up when the record arrives.
   */
  private emitJoined(row: Row, versions: readonly Version[], behind = false): void {
    const time = row[this.config.times[0]] as number;
    let lo = 0;
    let hi = versions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (versions[mid]![0] <= time) lo = mid + 1;
      else hi = mid;
    }
    const asOfWatermark = behind && versions.length > 0 && versions[0]![0] <= this.timers.watermark ? versions[0]![1] : null;
    const valid = lo > 0 ? versions[lo - 1]![1] : asOfWatermark;
    if (valid) {
      const joined = row.concat(valid);
      if (this.matches(joined)) {
        this.pending.add(INSERT, joined);
        return;
      }
    }
    if (this.config.preserved[0]) this.pending.add(INSERT, row.concat(this.nulls));
  }

  private matches(joined: Row): boolean {
    const residual = this.config.residual;
    if (residual === undefined) return true;
    try {
      return residual(joined) === true;
    } catch (err) {
      reportExpressionError(this.ctx, err, joined);
      return false;
    }
  }

  /** The join key of a row: null when a key value is NULL (it matches nothing), undefined when a key expression failed. */
  private keyOf(side: JoinSide, row: Row): GroupKey | null | undefined {
    return this.keyOfValues.of(this.ctx, this.config.keys[side], row);
  }

  processWatermark(watermark: number, input: number): void {
    this.progress.watermark(input, watermark, this.combined);
    if (this.config.streamTime === 'stream' && input === 0 && watermark > this.timers.watermark) this.advance(watermark, true);
  }

  endInput(input: number): void {
    this.progress.end(input, this.combined);
  }

  explain(): string {
    return `TemporalJoin(${this.config.description})`;
  }
}
