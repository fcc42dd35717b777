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
import { reportExpressionError } from './expression-error.js';
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

/**
 * The rows of one side with one join key, in order of arrival (the {@link Join}'s bucket): parallel arrays
 * of rows, their live copies (0: removed, skipped until the arrays are compacted) and, for a preserved
 * side, how many rows of the other side each matches.
 *
 * - A preserved side (`merging`) keeps the copies of a row in one record, as the null-padded rows are
 *   emitted and retracted per row: it finds a row's record by the row's identity (its encoded values,
 *   {@link encodeKey}) from the first row on.
 * - Any other side appends every row as a record of its own (a copy joins the same as a count would), so
 *   an insert-only input never computes an identity. The first retraction builds an index by identity (the
 *   last live record of each row, and for each record the previous live one of the same row); a retraction
 *   removes the last live copy of its row. What the bucket holds is a function of its input alone, whether
 *   the index exists or not, so a bucket restored from a checkpoint behaves as the one it was taken from.
 */
export class RowBucket {
  rows: Row[] = [];
  /** Live copies per record (0: removed); undefined while every record has one (nothing retracted yet). */
  counts: number[] | undefined;
  /** Preserved (merging) sides: how many rows of the other side each record matches. */
  readonly matches: number[] | undefined;
  /** Records with a live copy. */
  live = 0;
  /** Identity → the (last) live record of that row; built on first need. */
  private index: Map<string, number> | undefined;
  /** Appending buckets with an index: the previous live record of the same row, per record (-1: none). */
  private prev: number[] | undefined;

  constructor(readonly merging: boolean) {
    if (merging) this.matches = [];
  }

  /** The live copies of the record at `at`. */
  count(at: number): number {
    return this.counts === undefined ? 1 : this.counts[at]!;
  }

  /** Adds a copy of `row`; returns its record's position. */
  add(row: Row): number {
    const n = this.rows.length;
    if (this.merging) {
      const index = this.index ?? this.buildIndex();
      const id = encodeKey(row);
      const at = index.get(id);
      if (at !== undefined) {
        this.countsOf()[at]!++;
        return at;
      }
      index.set(id, n);
    } else if (this.index !== undefined) {
      const id = encodeKey(row);
      this.prev!.push(this.index.get(id) ?? -1);
      this.index.set(id, n);
    }
    this.live++;
    this.rows.push(row);
    this.counts?.push(1);
    this.matches?.push(0);
    return n;
  }

  /** Adds a record read back from state (before any other use of the bucket). */
  restore(row: Row, count: number, matches: number): void {
    if (count !== 1) this.countsOf();
    this.rows.push(row);
    this.counts?.push(count);
    this.matches?.push(matches);
    this.live++;
  }

  /** The position of the (last) live record equal to `row`, or -1. */
  find(row: Row): number {
    const index = this.index ?? this.buildIndex();
    return index.get(encodeKey(row)) ?? -1;
  }

  /** Removes one copy of the record at `at` (one {@link find} returned for `row`); the record goes with its last copy. */
  removeCopy(at: number, row: Row): void {
    const counts = this.countsOf();
    if (--counts[at]! > 0) return;
    this.live--;
    if (this.index !== undefined) {
      const id = encodeKey(row);
      const before = this.merging ? -1 : this.prev![at]!;
      if (before >= 0) this.index.set(id, before);
      else this.index.delete(id);
    }
    // Compact when most records are removed ones.
    if (this.rows.length > 8 && this.live * 2 < this.rows.length) this.compact();
  }

  /** The counts, made explicit. */
  private countsOf(): number[] {
    return (this.counts ??= new Array<number>(this.rows.length).fill(1));
  }

  /** Builds the index of the live records (see the class comment). */
  private buildIndex(): Map<string, number> {
    const index = new Map<string, number>();
    const rows = this.rows;
    const counts = this.counts;
    const prev: number[] | undefined = this.merging ? undefined : [];
    for (let i = 0; i < rows.length; i++) {
      if (counts !== undefined && counts[i] === 0) {
        prev?.push(-1);
        continue;
      }
      const id = encodeKey(rows[i]!);
      const at = index.get(id);
      if (this.merging && at !== undefined) {
        // (Not from this bucket's own adds: copies of a row are one record on a merging side.)
        const c = this.countsOf();
        c[at]! += c[i]!;
        c[i] = 0;
        this.live--;
        continue;
      }
      prev?.push(at ?? -1);
      index.set(id, i);
    }
    this.prev = prev;
    this.index = index;
    return index;
  }

  /** Drops the removed records (and rebuilds the index if there is one). */
  private compact(): void {
    const { rows, counts, matches } = this;
    if (counts === undefined) return;
    let n = 0;
    for (let i = 0; i < rows.length; i++) {
      if (counts[i] === 0) continue;
      rows[n] = rows[i]!;
      counts[n] = counts[i]!;
      if (matches !== undefined) matches[n] = matches[i]!;
      n++;
    }
    if (n === rows.length) return;
    rows.length = n;
    counts.length = n;
    if (matches !== undefined) matches.length = n;
    if (this.index !== undefined) this.buildIndex();
  }
}

/**
 * Stores a {@link RowBucket} as {@link BUCKET_CODEC} stores a bucket, `[[row, count, matches], ...]` (live
 * records in order), for a side that is `merging` or not.
 */
export function rowBucketCodec(merging: boolean): ValueCodec<RowBucket> {
  return {
  encode: (bucket) => {
    const out: unknown[] = [];
    for (let i = 0; i < bucket.rows.length; i++) {
      if (bucket.count(i) > 0) out.push([encodeValue(bucket.rows[i]), bucket.count(i), bucket.matches?.[i] ?? 0]);
    }
    return out;
  },
  write: (w, bucket) => {
    w.arrayHeader(bucket.live);
    for (let i = 0; i < bucket.rows.length; i++) {
      const count = bucket.count(i);
      if (count === 0) continue;
      w.arrayHeader(3);
      writeEncodedValue(w, bucket.rows[i]);
      w.number(count);
      w.number(bucket.matches?.[i] ?? 0);
    }
  },
  decode: (data) => {
      const bucket = new RowBucket(merging);
      for (const [row, count, matches] of data as [unknown, number, number][]) bucket.restore(decodeValue(row) as Row, count, matches);
      return bucket;
    },
  };
}

/** The regular join operator (see the file comment): input 0 is the left side, input 1 the right. */
export class Join implements StreamOperator {
  readonly kind = 'Join';
  private ctx!: OperatorContext;
  private progress!: InputProgress;
  private tables!: readonly [StateTable<RowBucket>, StateTable<RowBucket>];
  private readonly keyOfValues: KeySelector;
  private readonly rows: JoinRows;
  /** Per side: whether its table needs changed buckets put back ({@link StateTable.tracksWrites}). */
  private tracked: readonly [boolean, boolean] = [true, true];
  /** Buckets the current batch changed, per side (stored at the end of the batch), on tracked sides. */
  private readonly touched: readonly [Map<GroupKey, RowBucket>, Map<GroupKey, RowBucket>] = [new Map(), new Map()];
  /** Whether an inner join (kinds pass through) rather than an outer one (only +I and -D). */
  private readonly inner: boolean;
  /** The last row's join key and whether it can match (see {@link keyOf}). */
  private key: GroupKey = null;
  private matchable = false;
  /** Scratch for the key values of several key expressions. */
  private readonly keyValues: unknown[];
  private readonly out = new BatchBuilder();

  constructor(readonly config: JoinConfig) {
    if (config.keys[0].length !== config.keys[1].length) throw new Error('a join needs as many key expressions on each side');
    this.keyOfValues = keySelector(config.keys[0].map((_, i) => i));
    this.keyValues = new Array<unknown>(config.keys[0].length);
    this.rows = new JoinRows(config.widths, config.residual);
    this.inner = !config.preserved[0] && !config.preserved[1];
  }

  /** The operator's state, as tests inspect it: how many keys of a side hold rows (in memory). */
  readonly state = {
    keys: (side: JoinSide): number => this.tables[side].size,
  };

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    // Both sides may expire when idle (table.exec.state.ttl), as in Flink: otherwise they grow forever.
    this.tables = [
      ctx.state.table<RowBucket>('left', rowBucketCodec(this.config.preserved[0]), { ttl: true }),
      ctx.state.table<RowBucket>('right', rowBucketCodec(this.config.preserved[1]), { ttl: true }),
    ];
    this.tracked = [this.tables[0].tracksWrites !== false, this.tables[1].tracksWrites !== false];
    this.progress = new InputProgress(ctx.state, 2);
  }

  processBatch(batch: ChangeBatch, input: number): void {
    const side = input as JoinSide;
    const { rows, kinds } = batch;
    const out = this.out;
    const preserved = this.config.preserved[side];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      // A row that can match nothing needs no state unless it is emitted null-padded.
      if (!this.keyOf(side, row) || (!this.matchable && !preserved)) continue;
      if (isAccumulate(kinds[i]!)) this.accumulate(side, row, kinds[i]!, this.key, out);
      else this.retract(side, row, kinds[i]!, this.key, out);
    }
    for (let s = 0; s < 2; s++) {
      const touched = this.touched[s]!;
      if (touched.size === 0) continue;
      const table = this.tables[s]!;
      for (const [key, bucket] of touched) {
        if (bucket.live === 0) table.delete(key);
        else table.put(key, bucket);
      }
      touched.clear();
    }
    const result = out.take();
    if (result) this.ctx.output.emit(result);
  }

  /** Adds a row to its side and emits its matches (retracting the null-padded rows they replace). */
  private accumulate(side: JoinSide, row: Row, kind: RowKind, key: GroupKey, out: BatchBuilder): void {
    const other = (1 - side) as JoinSide;
    let own = this.bucket(side, key);
    if (own === undefined) {
      own = new RowBucket(this.config.preserved[side]);
      if (!this.tracked[side]) this.tables[side].put(key, own);
    }
    if (this.tracked[side]) this.touched[side].set(key, own);
    const at = own.add(row);
    let matches = 0;
    const bucket = this.matchable ? this.bucket(other, key) : undefined;
    if (bucket !== undefined && bucket.live > 0) {
      const otherPreserved = this.config.preserved[other];
      const outKind = this.inner ? kind : INSERT;
      const { rows, counts } = bucket;
      for (let j = 0; j < rows.length; j++) {
        const count = counts === undefined ? 1 : counts[j]!;
        if (count === 0) continue;
        const joined = this.pair(side, row, rows[j]!);
        if (!joined) continue;
        matches += count;
        if (otherPreserved) {
          if (bucket.matches![j] === 0) addCopies(out, DELETE, this.nullPadded(other, rows[j]!), count);
          bucket.matches![j]!++;
          if (this.tracked[other]) this.touched[other].set(key, bucket);
        }
        addCopies(out, outKind, joined, count);
      }
    }
    if (this.config.preserved[side]) {
      own.matches![at] = matches;
      if (matches === 0) out.add(INSERT, this.nullPadded(side, row));
    }
  }

  /** Removes one copy of a row and retracts its matches (bringing back null-padded rows that lose their last match). */
  private retract(side: JoinSide, row: Row, kind: RowKind, key: GroupKey, out: BatchBuilder): void {
    const other = (1 - side) as JoinSide;
    const own = this.bucket(side, key);
    const at = own === undefined ? -1 : own.find(row);
    if (at < 0) return;
    const ownMatches = own!.matches?.[at] ?? 0;
    own!.removeCopy(at, row);
    if (this.tracked[side]) this.touched[side].set(key, own!);
    else if (own!.live === 0) this.tables[side].delete(key);
    const bucket = this.matchable ? this.bucket(other, key) : undefined;
    if (bucket !== undefined && bucket.live > 0) {
      const otherPreserved = this.config.preserved[other];
      const { rows, counts } = bucket;
      for (let j = 0; j < rows.length; j++) {
        const count = counts === undefined ? 1 : counts[j]!;
        if (count === 0) continue;
        const joined = this.pair(side, row, rows[j]!);
        if (!joined) continue;
        addCopies(out, this.inner ? kind : DELETE, joined, count);
        if (otherPreserved) {
          const m = bucket.matches!;
          m[j] = Math.max(0, m[j]! - 1);
          if (m[j] === 0) addCopies(out, INSERT, this.nullPadded(other, rows[j]!), count);
          if (this.tracked[other]) this.touched[other].set(key, bucket);
        }
      }
    }
    if (this.config.preserved[side] && ownMatches === 0) out.add(DELETE, this.nullPadded(side, row));
  }

  /** The bucket of a side and key: the one this batch changed, else the stored one. */
  private bucket(side: JoinSide, key: GroupKey): RowBucket | undefined {
    if (!this.tracked[side]) return this.tables[side].get(key);
    return this.touched[side].get(key) ?? this.tables[side].get(key);
  }

  /**
   * Computes the row's join key into {@link key} and {@link matchable}; false when a key expression failed
   * (reported to the job's error policy: the row is dropped).
   */
  private keyOf(side: JoinSide, row: Row): boolean {
    const exprs = this.config.keys[side];
    const values = this.keyValues;
    let matchable = true;
    try {
      for (let i = 0; i < exprs.length; i++) {
        const v = exprs[i]!(row);
        if (v === null || v === undefined) matchable = false;
        values[i] = v;
      }
    } catch (err) {
      reportExpressionError(this.ctx, err, row);
      return false;
    }
    this.key = this.keyOfValues.key(values);
    this.matchable = matchable;
    return true;
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
