/**
 * NullAwareAntiJoin: `x NOT IN (SELECT y ...)` with SQL's NULL rules (as in Flink), when the subquery is
 * correlated by equalities only (or not at all): rows are found by value, so no pair is compared.
 *
 * - For one join key (the correlation; none: one key for all rows) a left row is out while the right side
 *   has no row, or has no row with `y = x` and no NULL `y` (so a NULL `x` is out only while there is no
 *   right row at all).
 * - State, each table in a namespace per join key:
 *   - `left`: by `x` (NULL too), the left rows with that value and their copies;
 *   - `right`: by `y` (NULL `y` not stored), the number of right rows with that value;
 *   - `counts` (by join key): the number of right rows, and of right rows with a NULL `y`.
 * - A right change moves those counts, and emits or retracts only the left rows whose status changes: those
 *   with `x = y` (a value's count goes between 0 and 1), those with a NULL `x` (the key's right rows go
 *   between 0 and 1), or every left row of the key (its NULL `y`s go between 0 and 1). Left changes that are
 *   emitted keep their kind; right ones give `+I` and `-D`, once per copy.
 * - A row with a NULL join key matches nothing: a right one is dropped, a left one passes as it is, without
 *   state. A retraction of a row the state does not hold is ignored.
 * - Every table is subject to `table.exec.state.ttl`, as the regular join's. The watermark is the minimum of
 *   both inputs'; the operator ends when both inputs have.
 * - A key or value expression that fails goes to the job's error policy: the row is dropped.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import { BatchBuilder, type ChangeBatch, DELETE, INSERT, isAccumulate, type Row, type RowKind } from '../changelog.js';
import { encodeKey } from '../keys.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import { JSON_CODEC, type Namespace, type StateKey, type StateTable } from '../state/state-types.js';
import { reportExpressionError } from './expression-error.js';
import { InputProgress } from './input-progress.js';
import { addCopies, BUCKET_CODEC, type JoinBucket, type JoinSide } from './join.js';

/** Configuration of a {@link NullAwareAntiJoin}; pairs are `[left, right]`. */
export interface NullAwareAntiJoinConfig {
  /** Equi-join key expressions of each side (the same number on both; none: one key for all rows). */
  readonly keys: readonly [readonly CompiledExpr[], readonly CompiledExpr[]];
  /** `x` over the left row, `y` over the right row. */
  readonly values: readonly [CompiledExpr, CompiledExpr];
  /** The join's description, for EXPLAIN. */
  readonly description: string;
}

/** Per join key: the right rows, and those with a NULL `y`. */
type Counts = [total: number, nulls: number];

/** A row's join key (a namespace) and value (a key: `null` for NULL); undefined key when it can match nothing. */
interface Located {
  readonly ns: Namespace | undefined;
  readonly value: StateKey;
}

/** The null-aware anti join operator (see the file comment): input 0 is the left side, input 1 the right. */
export class NullAwareAntiJoin implements StreamOperator {
  readonly kind = 'NullAwareAntiJoin';
  private ctx!: OperatorContext;
  private progress!: InputProgress;
  private left!: StateTable<JoinBucket>;
  private right!: StateTable<number>;
  private counts!: StateTable<Counts>;

  constructor(readonly config: NullAwareAntiJoinConfig) {
    if (config.keys[0].length !== config.keys[1].length) throw new Error('a join needs as many key expressions on each side');
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.left = ctx.state.table<JoinBucket>('left', BUCKET_CODEC, { ttl: true });
    this.right = ctx.state.table<number>('right', JSON_CODEC, { ttl: true });
    this.counts = ctx.state.table<Counts>('counts', JSON_CODEC, { ttl: true });
    this.progress = new InputProgress(ctx.state, 2);
  }

  /** How many join keys hold left rows, right values, and right counts (in memory). */
  stateSizes(): { left: number; right: number; counts: number } {
    return { left: this.left.size, right: this.right.size, counts: this.counts.size };
  }

  processBatch(batch: ChangeBatch, input: number): void {
    const side = input as JoinSide;
    const { rows, kinds } = batch;
    const out = new BatchBuilder();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      const at = this.locate(side, row);
      if (at === undefined) continue;
      if (at.ns === undefined) {
        // A NULL join key: no right row can be of this key, so a left row is always in.
        if (side === 0) out.add(kind, row);
        continue;
      }
      if (side === 0) this.changeLeft(row, kind, at.ns, at.value, out);
      else if (at.value === null) this.changeNulls(isAccumulate(kind), at.ns, out);
      else this.changeValue(isAccumulate(kind), at.ns, at.value, out);
    }
    const result = out.take();
    if (result) this.ctx.output.emit(result);
  }

  /** Whether a left row with value `value` (null: NULL) is out of the result for these counts. */
  private blocked(ns: Namespace, value: StateKey, counts: Counts | undefined): boolean {
    if (!counts) return false;
    if (counts[1] > 0) return true;
    return value === null ? counts[0] > 0 : (this.right.get(value, ns) ?? 0) > 0;
  }

  /** Adds or removes a copy of a left row; emitted (with its kind) when it is not blocked. */
  private changeLeft(row: Row, kind: RowKind, ns: Namespace, value: StateKey, out: BatchBuilder): void {
    const bucket = this.left.get(value, ns) ?? new Map();
    const id = encodeKey(row);
    const record = bucket.get(id);
    if (isAccumulate(kind)) {
      if (record) record.count++;
      else bucket.set(id, { row, count: 1, matches: 0 });
    } else {
      if (!record) return;
      if (--record.count === 0) bucket.delete(id);
    }
    if (bucket.size === 0) this.left.delete(value, ns);
    else this.left.put(value, bucket, ns);
    if (!this.blocked(ns, value, this.counts.get(ns))) out.add(kind, row);
  }

  /** A right row with a non-NULL value: the left rows with that value (and with a NULL one) may change. */
  private changeValue(add: boolean, ns: Namespace, value: StateKey, out: BatchBuilder): void {
    const n = this.right.get(value, ns) ?? 0;
    if (!add && n === 0) return;
    const counts: Counts = [...(this.counts.get(ns) ?? [0, 0])];
    const total = counts[0];
    counts[0] += add ? 1 : -1;
    this.putCounts(ns, counts);
    const now = n + (add ? 1 : -1);
    if (now === 0) this.right.delete(value, ns);
    else this.right.put(value, now, ns);
    // With a NULL among the values every left row is out already, and stays out.
    if (counts[1] > 0) return;
    const kind = add ? DELETE : INSERT;
    if ((n === 0) !== (now === 0)) this.emitAll(this.left.get(value, ns), kind, out);
    if ((total === 0) !== (counts[0] === 0)) this.emitAll(this.left.get(null, ns), kind, out);
  }

  /** A right row with a NULL value: when the key's first arrives (last goes), every left row of the key not blocked otherwise leaves (comes back). */
  private changeNulls(add: boolean, ns: Namespace, out: BatchBuilder): void {
    const before = this.counts.get(ns);
    if (!add && (before === undefined || before[1] === 0)) return;
    const counts: Counts = before ? [...before] : [0, 0];
    counts[0] += add ? 1 : -1;
    counts[1] += add ? 1 : -1;
    this.putCounts(ns, counts);
    if (add ? counts[1] !== 1 : counts[1] !== 0) return;
    // The other counts, as they are on the side where no NULL value is.
    const without: Counts = add ? [before?.[0] ?? 0, 0] : counts;
    // In the order of the values, not of the entries (which differs once some come back from a checkpoint): the same output either way.
    const entries = [...this.left.namespace(ns)].sort(([a], [b]) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : String(a) < String(b) ? -1 : 1));
    for (const [value, bucket] of entries) {
      if (!this.blocked(ns, value, without)) this.emitAll(bucket, add ? DELETE : INSERT, out);
    }
  }

  private putCounts(ns: Namespace, counts: Counts): void {
    if (counts[0] === 0) this.counts.delete(ns);
    else this.counts.put(ns, counts);
  }

  /** Emits every copy of every row of a bucket. */
  private emitAll(bucket: JoinBucket | undefined, kind: RowKind, out: BatchBuilder): void {
    if (!bucket) return;
    for (const r of bucket.values()) addCopies(out, kind, r.row, r.count);
  }

  /** A row's join key and value; undefined when an expression failed (the row is reported and dropped). */
  private locate(side: JoinSide, row: Row): Located | undefined {
    const exprs = this.config.keys[side];
    try {
      const keyValues = exprs.map((e) => e(row));
      const v = this.config.values[side](row);
      const value = v === null || v === undefined ? null : encodeKey([v]);
      if (keyValues.some((k) => k === null || k === undefined)) return { ns: undefined, value };
      return { ns: keyValues.length === 0 ? '' : encodeKey(keyValues), value };
    } catch (err) {
      reportExpressionError(this.ctx, err, row);
      return undefined;
    }
  }

  processWatermark(watermark: number, input: number): void {
    this.progress.watermark(input, watermark, this.ctx.output);
  }

  endInput(input: number): void {
    this.progress.end(input, this.ctx.output);
  }

  explain(): string {
    return `NullAwareAntiJoin(${this.config.description})`;
  }
}
