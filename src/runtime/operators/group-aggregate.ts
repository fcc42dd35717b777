/** The non-windowed GROUP BY aggregate: an updating result, one changelog entry per changed group and batch. */
import {
  BatchBuilder,
  type ChangeBatch,
  DELETE,
  INSERT,
  isAccumulate,
  MIN_WATERMARK,
  type Row,
  UPDATE_AFTER,
  UPDATE_BEFORE,
} from '../changelog.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { OperatorState, StateTable, ValueCodec, ValueState } from '../state/state-types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { type GroupKey, type KeySelector, keySelector, rowsEqual } from '../keys.js';
import { type AggCall, describeAggs, describeColumns, firstNonRetractable, notInsertOnly } from './aggregate-call.js';
import { type AccumulatorLayout, accumulatorLayout } from './accumulator-layout.js';
import { decodeValue, encodeValue, VALUE_CODEC, writeEncodedValue } from './state-codecs.js';

/** Configuration of a {@link GroupAggregate}. */
export interface GroupAggregateConfig {
  /** The GROUP BY columns; empty for a global aggregate (`SELECT COUNT(*) FROM t`). */
  readonly groupKeys: readonly number[];
  /** The aggregate calls; empty for `SELECT DISTINCT` (a GROUP BY of every column). */
  readonly aggs: readonly AggCall[];
  /** True when the input may contain retractions (-U/-D); every call must then support retraction. */
  readonly inputUpdating: boolean;
  /**
   * ksqlDB's EMIT CHANGES: each input row's change goes out on its own (a row that changes a group twice in a
   * batch emits twice), instead of one change per group and batch.
   */
  readonly perRecord?: boolean;
}

/** One group: its key values, accumulators, how many input rows it holds, and the row last emitted for it. */
export interface GroupEntry {
  readonly keyValues: unknown[];
  /** The calls' accumulators, as the operator's {@link AccumulatorLayout} keeps them. */
  accs: unknown;
  /** Input rows accumulated minus rows retracted; the group is gone when it reaches 0. */
  count: number;
  /** The result row last emitted (`+I`/`+U`), null if none yet; it is what a later `-U`/`-D` retracts. */
  emitted: Row | null;
  /** Owned by the state table (in-place change tracking): 0 when created. */
  changedIn: number;
}

/**
 * What a {@link GroupAggregate} changes while running, kept in its state: the table `groups` (group key →
 * {@link GroupEntry}) and the value `watermark` (the last watermark passed on).
 */
export class GroupAggregateState {
  private readonly groups: StateTable<GroupEntry>;
  private readonly mark: ValueState<number>;

  constructor(state: OperatorState, layout: AccumulatorLayout) {
    // Idle groups may expire (table.exec.state.ttl), as in Flink: non-windowed state would otherwise grow forever.
    // Most groups of a busy aggregate change between two checkpoints: in-place tracking is cheaper there.
    this.groups = state.table<GroupEntry>('groups', groupEntryCodec(layout), { ttl: true, inPlace: true });
    this.mark = state.value<number>('watermark', VALUE_CODEC);
  }

  get watermark(): number {
    return this.mark.get() ?? MIN_WATERMARK;
  }

  set watermark(value: number) {
    this.mark.set(value);
  }

  get(key: GroupKey): GroupEntry | undefined {
    return this.groups.get(key);
  }

  /** Stores `entry` (again, after it changed: that marks it for the next checkpoint). */
  put(key: GroupKey, entry: GroupEntry): void {
    this.groups.put(key, entry);
  }

  delete(key: GroupKey): void {
    this.groups.delete(key);
  }

  /** How many groups hold rows. */
  get size(): number {
    return this.groups.size;
  }
}

/** Stores a group as `[keyValues, accumulators, count]` (not `emitted`: see below). */
function groupEntryCodec(layout: AccumulatorLayout): ValueCodec<GroupEntry> {
  // `emitted` is not stored: between batches (where checkpoints happen) it always equals the group's current
  // result row — every group a batch touched emitted that row or had it unchanged — so decoding recomputes
  // it. That keeps a checkpoint's rows about a third smaller.
  return {
    encode: (e) => [encodeValue(e.keyValues), layout.encode(e.accs), e.count],
    write: (w, e) => {
      w.arrayHeader(3);
      writeEncodedValue(w, e.keyValues);
      layout.write(w, e.accs);
      w.number(e.count);
    },
    decode: (data) => {
      const [keyValues, accs, count] = data as [unknown, unknown, number];
      const entry: GroupEntry = { keyValues: decodeValue(keyValues) as unknown[], accs: layout.decode(accs), count, emitted: null, changedIn: 0 };
      if (count > 0) entry.emitted = resultRow(layout, entry);
      return entry;
    },
  };
}

/**
 * `GROUP BY k..` without a window (also `SELECT DISTINCT` and global aggregates): an updating result whose
 * upsert key is the group keys (output columns `0 .. groupKeys.length - 1`).
 *
 * - `+I`/`+U` rows are added to their group, `-U`/`-D` rows retracted (which needs every call's
 *   `supportsRetract`, checked at construction when the input is updating); a retraction for a group that
 *   does not exist is ignored, as in Flink (its rows may have expired or never reached this operator).
 * - Each group counts its rows; a group whose count reaches 0 is removed (if it refills in the same batch it
 *   starts from fresh accumulators, as Flink's cleared state would).
 * - Mini-batch: a whole batch is folded first, then, per touched group in first-touched order: a new group
 *   emits `+I`; a changed group `-U old`, `+U new` (nothing when the result row is unchanged); an emptied
 *   group `-D old`. All of it goes out as one batch.
 * - Per record (ksqlDB's EMIT CHANGES, `perRecord`): each row is folded and emitted on its own, in order.
 * - A global aggregate has one group, emitted on the first input (nothing on empty input, as Flink).
 * - Watermarks are forwarded (the output has no time attribute, but downstream operators may need them).
 * - State: the table `groups` and the value `watermark` (see {@link GroupAggregateState}); every entry a
 *   batch touched is stored again (or deleted) once at the end of the batch.
 */
export class GroupAggregate implements StreamOperator {
  readonly kind = 'GroupAggregate';
  /** Run-time state, created in {@link open} from the operator's state tables. */
  state!: GroupAggregateState;
  /** The output columns forming the upsert key. */
  readonly upsertKey: readonly number[];
  private readonly keys: KeySelector;
  private readonly layout: AccumulatorLayout;
  private output!: Output;

  constructor(readonly config: GroupAggregateConfig) {
    const bad = config.inputUpdating ? firstNonRetractable(config.aggs) : undefined;
    if (bad) {
      throw new EddyError({
        code: ErrorCode.UNSUPPORTED,
        message: `${bad.name} cannot retract, so it cannot aggregate an updating input`,
        hint: 'aggregate an append-only input, or use an aggregate that supports retraction',
      });
    }
    this.keys = keySelector(config.groupKeys);
    this.layout = accumulatorLayout(config.aggs);
    this.upsertKey = config.groupKeys.map((_, i) => i);
  }

  open(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.state = new GroupAggregateState(ctx.state, this.layout);
  }

  processBatch(batch: ChangeBatch, _input: number): void {
    const out = new BatchBuilder();
    if (this.config.perRecord) for (let i = 0; i < batch.rows.length; i++) this.fold(batch, i, i + 1, out);
    else this.fold(batch, 0, batch.rows.length, out);
    const result = out.take();
    if (result) this.output.emit(result);
  }

  /** Folds rows `from..to` of `batch` into their groups, then adds each touched group's change to `out`. */
  private fold(batch: ChangeBatch, from: number, to: number, out: BatchBuilder): void {
    const { inputUpdating } = this.config;
    const layout = this.layout;
    const { rows, kinds } = batch;
    const state = this.state;
    const touched = new Map<GroupKey, GroupEntry>();
    for (let i = from; i < to; i++) {
      const row = rows[i]!;
      const key = this.keys.key(row);
      // A group touched earlier in this batch is the one to keep changing (its stored copy may be older).
      let entry = touched.get(key) ?? state.get(key);
      if (isAccumulate(kinds[i]!)) {
        if (!entry) {
          // Stored at the end of the batch, with every group the batch touched.
          entry = { keyValues: this.keys.values(row), accs: layout.create(), count: 0, emitted: null, changedIn: 0 };
        } else if (entry.count === 0) {
          entry.accs = layout.create();
        }
        layout.accumulate(entry.accs, row);
        entry.count++;
      } else {
        if (!inputUpdating) throw notInsertOnly(this.kind, kinds[i]!);
        if (!entry || entry.count === 0) continue;
        layout.retract(entry.accs, row);
        entry.count--;
      }
      if (!touched.has(key)) touched.set(key, entry);
    }
    for (const [key, entry] of touched) {
      const prev = entry.emitted;
      if (entry.count === 0) {
        state.delete(key);
        if (prev) out.add(DELETE, prev);
        continue;
      }
      const next = resultRow(layout, entry);
      if (!prev) {
        out.add(INSERT, next);
      } else if (!rowsEqual(prev, next) || this.config.perRecord) {
        // Per record, every row emits its group's row, changed or not (ksqlDB's EMIT CHANGES does).
        out.add(UPDATE_BEFORE, prev);
        out.add(UPDATE_AFTER, next);
      } else {
        // Same result row, but the accumulators changed: store the entry again.
        state.put(key, entry);
        continue;
      }
      entry.emitted = next;
      state.put(key, entry);
    }
  }

  processWatermark(watermark: number, _input: number): void {
    if (watermark <= this.state.watermark) return;
    this.state.watermark = watermark;
    this.output.emitWatermark(watermark);
  }

  endInput(_input: number): void {
    this.output.end();
  }

  explain(): string {
    const { groupKeys, aggs, inputUpdating } = this.config;
    return (
      `GroupAggregate(groupBy=[${describeColumns(groupKeys)}], select=[${describeAggs(aggs)}]` +
      `${inputUpdating ? ', retract' : ''}${this.config.perRecord ? ', perRecord' : ''})`
    );
  }
}

/** A group's result row: its key values, then each call's result. */
function resultRow(layout: AccumulatorLayout, entry: GroupEntry): Row {
  const k = entry.keyValues.length;
  const row: Row = new Array(k + layout.calls);
  for (let i = 0; i < k; i++) row[i] = entry.keyValues[i];
  layout.writeResults(entry.accs, row, k);
  return row;
}
