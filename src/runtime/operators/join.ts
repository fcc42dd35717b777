/**
 * Join: Flink's regular (non-windowed) join of two changelog streams, inner or outer.
 *
 * - Both sides' rows are kept in state (tables `left` and `right`), by join key: all rows of a side with
 *   one key form a bucket, where each distinct row has a count of its live copies and — on a preserved side
 *   (the left of a LEFT join, the right of a RIGHT join, both of a FULL join) — the number of rows of the
 *   other side it currently matches. Without equi-join keys every row has the same key.
 * - A row arriving on one side (`+I`/`+U`) is added to its bucket and compared with the other side's bucket
 *   of the same key (the residual condition decides each pair); each match emits the joined row (as many
 *   times as the matched row has copies). A retraction (`-U`/`-D`) removes one copy and retracts its joined
 *   rows. A retraction of a row the state does not hold (never seen, or expired) is ignored, as in
 *   GroupAggregate. A row with a NULL key value matches nothing.
 * - Outer joins: a preserved row without matches is emitted null-padded (`+I`); when its first match
 *   arrives the null-padded row is retracted (`-D`) before the joined row is emitted (`+I`), and when its
 *   last match goes it comes back (`+I`). As in Flink, an inner join passes its input's change kinds on
 *   (`+U` in gives `+U` out); an outer join emits only `+I` and `-D`.
 * - The watermark is the minimum of both inputs' (see {@link InputProgress}); the output has no time
 *   attribute, but downstream operators still see time advance. The operator ends when both inputs have.
 * - State: the tables `left` and `right` (join key → bucket), both subject to `table.exec.state.ttl` (idle
 *   keys expire, as Flink's idle state retention: the result may then miss matches), and the value
 *   `inputs`. Buckets a batch changed are stored again once at the end of the batch.
 * - A key or residual expression that fails goes to the job's error policy: for a key, the row is dropped
 *   (its retraction then fails the same way); for the residual, the pair does not match.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import { BatchBuilder, type ChangeBatch, DELETE, INSERT, isAccumulate, type Row, type RowKind } from '../changelog.js';
import { encodeKey, type GroupKey, type KeySelector, keySelector } from '../keys.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { OperatorState, StateTable, ValueCodec } from '../state/state-types.js';
import { InputProgress } from './input-progress.js';
import { joinKeyOf, type RowKey } from './join-key.js';
import { JoinRows, type JoinSide } from './join-rows.js';
import { decodeValue, encodeValue, writeEncodedValue } from './state-codecs.js';

export type { JoinSide } from './join-rows.js';

/** Configuration of a {@link Join}; pairs are `[left, right]`. */
export interface JoinConfig {
  /** Equi-join key expressions of each side (the same number on both; none: one key for all rows). */
  readonly keys: readonly [readonly CompiledExpr[], readonly CompiledExpr[]];
  /** The rest of the join condition, over the joined row `[...left, ...right]`: a pair matches only when it is TRUE. */
  readonly residual?: CompiledExpr;
  /** The number of columns of each side's rows. */
  readonly widths: readonly [number, number];
  /** Which sides keep their unmatched rows, null-padded (LEFT: the left; RIGHT: the right; FULL: both). */
  readonly preserved: readonly [boolean, boolean];
  /** The join's description, for EXPLAIN. */
  readonly description: string;
}

/** One distinct row of a side: how many copies of it are live, and how many rows of the other side match it (preserved sides). */
export interface JoinRecord {
  readonly row: Row;
  count: number;
  matches: number;
}

/** The rows of one side with one join key, by identity (their encoded values), in order of arrival. */
export type JoinBucket = Map<string, JoinRecord>;

/** Stores a bucket as `[[row, count, matches], ...]`; its identities are recomputed when decoded. */
export const BUCKET_CODEC: ValueCodec<JoinBucket> = {
  encode: (bucket) => {
    const out: unknown[] = [];
    for (const r of bucket.values()) out.push([encodeValue(r.row), r.count, r.matches]);
    return out;
  },
  write: (w, bucket) => {
    w.arrayHeader(bucket.size);
    for (const r of bucket.values()) {
      w.arrayHeader(3);
      writeEncodedValue(w, r.row);
      w.number(r.count);
      w.number(r.matches);
    }
  },
  decode: (data) => {
    const bucket: JoinBucket = new Map();
    for (const [row, count, matches] of data as [unknown, number, number][]) {
      const r = decodeValue(row) as Row;
      bucket.set(encodeKey(r), { row: r, count, matches });
    }
    return bucket;
  },
};

/** What a {@link Join} keeps in its state: the tables `left` and `right` (join key → bucket). */
export class JoinState {
  private readonly tables: readonly [StateTable<JoinBucket>, StateTable<JoinBucket>];

  constructor(state: OperatorState) {
    // Both sides may expire when idle (table.exec.state.ttl), as in Flink: otherwise they grow forever.
    this.tables = [state.table<JoinBucket>('left', BUCKET_CODEC, { ttl: true }), state.table<JoinBucket>('right', BUCKET_CODEC, { ttl: true })];
  }

  get(side: JoinSide, key: GroupKey): JoinBucket | undefined {
    return this.tables[side].get(key);
  }

  /** Stores a bucket again after it changed (which marks it for the next checkpoint), or drops it when empty. */
  put(side: JoinSide, key: GroupKey, bucket: JoinBucket): void {
    if (bucket.size === 0) this.tables[side].delete(key);
    else this.tables[side].put(key, bucket);
  }

  /** How many keys of a side hold rows (in memory). */
  keys(side: JoinSide): number {
    return this.tables[side].size;
  }
}

/** The regular join operator (see the file comment): input 0 is the left side, input 1 the right. */
export class Join implements StreamOperator {
  readonly kind = 'Join';
  /** Run-time state, created in {@link open} from the operator's state tables. */
  state!: JoinState;
  private ctx!: OperatorContext;
  private progress!: InputProgress;
  private readonly keyOfValues: KeySelector;
  private readonly rows: JoinRows;
  /** Buckets the current batch changed, per side (stored at the end of the batch). */
  private readonly touched: readonly [Map<GroupKey, JoinBucket>, Map<GroupKey, JoinBucket>] = [new Map(), new Map()];
  /** Whether an inner join (kinds pass through) rather than an outer one (only +I and -D). */
  private readonly inner: boolean;

  constructor(readonly config: JoinConfig) {
    if (config.keys[0].length !== config.keys[1].length) throw new Error('a join needs as many key expressions on each side');
    this.keyOfValues = keySelector(config.keys[0].map((_, i) => i));
    this.rows = new JoinRows(config.widths, config.residual);
    this.inner = !config.preserved[0] && !config.preserved[1];
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.state = new JoinState(ctx.state);
    this.progress = new InputProgress(ctx.state, 2);
  }

  processBatch(batch: ChangeBatch, input: number): void {
    const side = input as JoinSide;
    const { rows, kinds } = batch;
    const out = new BatchBuilder();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const key = this.keyOf(side, row);
      // A row that can match nothing needs no state unless it is emitted null-padded.
      if (key === undefined || (!key.matchable && !this.config.preserved[side])) continue;
      if (isAccumulate(kinds[i]!)) this.accumulate(side, row, kinds[i]!, key, out);
      else this.retract(side, row, kinds[i]!, key, out);
    }
    for (const s of [0, 1] as const) {
      for (const [key, bucket] of this.touched[s]) this.state.put(s, key, bucket);
      this.touched[s].clear();
    }
    const result = out.take();
    if (result) this.ctx.output.emit(result);
  }

  /** Adds a row to its side and emits its matches (retracting the null-padded rows they replace). */
  private accumulate(side: JoinSide, row: Row, kind: RowKind, key: RowKey, out: BatchBuilder): void {
    const other = (1 - side) as JoinSide;
    const own = this.bucket(side, key.key) ?? new Map<string, JoinRecord>();
    this.touched[side].set(key.key, own);
    const id = encodeKey(row);
    let record = own.get(id);
    if (!record) own.set(id, (record = { row, count: 0, matches: 0 }));
    record.count++;
    let matches = 0;
    const bucket = key.matchable ? this.bucket(other, key.key) : undefined;
    if (bucket) {
      for (const match of bucket.values()) {
        const joined = this.pair(side, row, match.row);
        if (!joined) continue;
        matches += match.count;
        if (this.config.preserved[other]) {
          if (match.matches === 0) addCopies(out, DELETE, this.nullPadded(other, match.row), match.count);
          match.matches++;
          this.touched[other].set(key.key, bucket);
        }
        addCopies(out, this.inner ? kind : INSERT, joined, match.count);
      }
    }
    if (this.config.preserved[side]) {
      record.matches = matches;
      if (matches === 0) out.add(INSERT, this.nullPadded(side, row));
    }
  }

  /** Removes one copy of a row and retracts its matches (bringing back null-padded rows that lose their last match). */
  private retract(side: JoinSide, row: Row, kind: RowKind, key: RowKey, out: BatchBuilder): void {
    const other = (1 - side) as JoinSide;
    const own = this.bucket(side, key.key);
    const id = encodeKey(row);
    const record = own?.get(id);
    if (!own || !record) return;
    if (--record.count === 0) own.delete(id);
    this.touched[side].set(key.key, own);
    const bucket = key.matchable ? this.bucket(other, key.key) : undefined;
    if (bucket) {
      for (const match of bucket.values()) {
        const joined = this.pair(side, row, match.row);
        if (!joined) continue;
        addCopies(out, this.inner ? kind : DELETE, joined, match.count);
        if (this.config.preserved[other]) {
          match.matches = Math.max(0, match.matches - 1);
          if (match.matches === 0) addCopies(out, INSERT, this.nullPadded(other, match.row), match.count);
          this.touched[other].set(key.key, bucket);
        }
      }
    }
    if (this.config.preserved[side] && record.matches === 0) out.add(DELETE, this.nullPadded(side, row));
  }

  /** The bucket of a side and key: the one this batch changed, else the stored one. */
  private bucket(side: JoinSide, key: GroupKey): JoinBucket | undefined {
    return this.touched[side].get(key) ?? this.state.get(side, key);
  }

  /** The join key of a row; undefined when a key expression failed (the row is reported and dropped). */
  private keyOf(side: JoinSide, row: Row): RowKey | undefined {
    return joinKeyOf(this.ctx, this.config.keys[side], this.keyOfValues, row);
  }

  private pair(side: JoinSide, row: Row, other: Row): Row | undefined {
    return this.rows.pair(this.ctx, side, row, other);
  }

  private nullPadded(side: JoinSide, row: Row): Row {
    return this.rows.nullPadded(side, row);
  }

  processWatermark(watermark: number, input: number): void {
    this.progress.watermark(input, watermark, this.ctx.output);
  }

  endInput(input: number): void {
    this.progress.end(input, this.ctx.output);
  }

  explain(): string {
    return `Join(${this.config.description})`;
  }
}

/** Adds `n` copies of a change (a row with `n` identical copies on the other side joins `n` times). */
export function addCopies(out: BatchBuilder, kind: RowKind, row: Row, n: number): void {
  for (let i = 0; i < n; i++) out.add(kind, row);
}
