/**
 * SemiAntiJoin: Flink's streaming semi and anti join (`IN` / `EXISTS` and `NOT IN` / `NOT EXISTS`
 * subqueries), over two changelog streams. Its output is left rows only.
 *
 * - Both sides' rows are kept in state by join key (tables `left` and `right`, the regular join's bucket
 *   layout, see join.ts): each distinct row with its number of live copies and, on the left, the number of
 *   right rows (copies) it currently matches. The right rows are kept, not only counted, because the
 *   residual condition (a correlated `<`, or the `x = y OR x IS NULL OR y IS NULL` of a null-aware NOT IN)
 *   is decided pair by pair.
 * - Without a residual condition every right row of a key matches every left row of it: a left row's match
 *   count is then its key's number of right rows (not kept per row), and a right change emits or retracts
 *   the key's left rows only when that number moves between 0 and 1.
 * - A semi join emits a left row while its match count is above 0, an anti join while it is 0. A left
 *   change that is emitted keeps its kind (`+U` in gives `+U` out); a right change that moves a left row's
 *   count between 0 and 1 emits (`+I`) or retracts (`-D`) it, once per copy of it.
 * - A row with a NULL key value matches nothing: a right one is dropped, a left one passes an anti join
 *   (and is dropped by a semi join) without being stored. A retraction of a row the state does not hold
 *   (never seen, or expired) is ignored, as in Join.
 * - The watermark is the minimum of both inputs' (see {@link InputProgress}); the output has no time
 *   attribute. The operator ends when both inputs have.
 * - State: the tables `left` and `right`, both subject to `table.exec.state.ttl` (as the regular join's),
 *   and the value `inputs`. Buckets a batch changed are stored again once at the end of the batch.
 * - A key or residual expression that fails goes to the job's error policy: for a key, the row is dropped;
 *   for the residual, the pair does not match.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import { BatchBuilder, type ChangeBatch, DELETE, INSERT, isAccumulate, type Row, type RowKind } from '../changelog.js';
import { encodeKey, type GroupKey, type KeySelector, keySelector } from '../keys.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import { reportExpressionError } from './expression-error.js';
import { InputProgress } from './input-progress.js';
import { addCopies, JoinState, type JoinBucket, type JoinRecord, type JoinSide } from './join.js';
import { joinKeyOf, type RowKey } from './join-key.js';

/** Configuration of a {@link SemiAntiJoin}. */
export interface SemiAntiJoinConfig {
  /** `semi`: left rows with a match; `anti`: left rows without one. */
  readonly type: 'semi' | 'anti';
  /** Equi-join key expressions of each side (the same number on both; none: one key for all rows). */
  readonly keys: readonly [readonly CompiledExpr[], readonly CompiledExpr[]];
  /** The rest of the condition, over `[...left, ...right]`: a pair matches only when it is TRUE. */
  readonly residual?: CompiledExpr;
  /** The join's description, for EXPLAIN. */
  readonly description: string;
}

/** The semi / anti join operator (see the file comment): input 0 is the left side, input 1 the right. */
export class SemiAntiJoin implements StreamOperator {
  readonly kind = 'SemiAntiJoin';
  /** Run-time state, created in {@link open} from the operator's state tables. */
  state!: JoinState;
  private ctx!: OperatorContext;
  private progress!: InputProgress;
  private readonly keyOfValues: KeySelector;
  /** Buckets the current batch changed, per side (stored at the end of the batch). */
  private readonly touched: readonly [Map<GroupKey, JoinBucket>, Map<GroupKey, JoinBucket>] = [new Map(), new Map()];
  private readonly anti: boolean;

  constructor(readonly config: SemiAntiJoinConfig) {
    if (config.keys[0].length !== config.keys[1].length) throw new Error('a semi/anti join needs as many key expressions on each side');
    this.keyOfValues = keySelector(config.keys[0].map((_, i) => i));
    this.anti = config.type === 'anti';
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
      const kind = kinds[i]!;
      const key = this.keyOf(side, row);
      if (key === undefined) continue;
      if (!key.matchable) {
        // It can match nothing: an anti join passes a left one on as it is; nothing else is kept.
        if (side === 0 && this.anti) out.add(kind, row);
        continue;
      }
      if (side === 0) {
        if (isAccumulate(kind)) this.addLeft(row, kind, key.key, out);
        else this.retractLeft(row, kind, key.key, out);
      } else {
        this.changeRight(row, isAccumulate(kind), key.key, out);
      }
    }
    for (const s of [0, 1] as const) {
      for (const [key, bucket] of this.touched[s]) this.state.put(s, key, bucket);
      this.touched[s].clear();
    }
    const result = out.take();
    if (result) this.ctx.output.emit(result);
  }

  /** Whether a left row with this many matches is in the output. */
  private emitted(matches: number): boolean {
    return this.anti ? matches === 0 : matches > 0;
  }

  /** Adds a copy of a left row (counting its matches when it is new) and emits it when it is in the output. */
  private addLeft(row: Row, kind: RowKind, key: GroupKey, out: BatchBuilder): void {
    const own = this.bucket(0, key) ?? new Map<string, JoinRecord>();
    this.touched[0].set(key, own);
    const id = encodeKey(row);
    let record = own.get(id);
    if (!record) {
      let matches = 0;
      const right = this.config.residual ? this.bucket(1, key) : undefined;
      if (right) for (const r of right.values()) if (this.pairs(row, r.row)) matches += r.count;
      own.set(id, (record = { row, count: 0, matches }));
    }
    record.count++;
    if (this.emitted(this.matchesOf(record, key))) out.add(kind, row);
  }

  /**
   * A left row's number of matches. Without a residual condition every right row of its key matches, so
   * that is the key's number of right rows, and the per-row counts are not kept (a right change then costs
   * nothing unless the key's count moves between 0 and 1).
   */
  private matchesOf(record: JoinRecord, key: GroupKey): number {
    return this.config.residual ? record.matches : rightRows(this.bucket(1, key));
  }

  /** Removes a copy of a left row, retracting it when it was in the output. */
  private retractLeft(row: Row, kind: RowKind, key: GroupKey, out: BatchBuilder): void {
    const own = this.bucket(0, key);
    const id = encodeKey(row);
    const record = own?.get(id);
    if (!own || !record) return;
    if (--record.count === 0) own.delete(id);
    this.touched[0].set(key, own);
    if (this.emitted(this.matchesOf(record, key))) out.add(kind, row);
  }

  /**
   * Adds (or removes) a copy of a right row, and updates the match counts of the left rows it pairs with:
   * a left row whose count moves between 0 and 1 enters or leaves the output, once per copy.
   */
  private changeRight(row: Row, add: boolean, key: GroupKey, out: BatchBuilder): void {
    const own = this.bucket(1, key) ?? new Map<string, JoinRecord>();
    const id = encodeKey(row);
    let record = own.get(id);
    const before = this.config.residual ? 0 : rightRows(own);
    if (add) {
      if (!record) own.set(id, (record = { row, count: 0, matches: 0 }));
      record.count++;
    } else {
      if (!record) return;
      if (--record.count === 0) own.delete(id);
    }
    this.touched[1].set(key, own);
    const left = this.bucket(0, key);
    if (!left) return;
    if (!this.config.residual) {
      // Every left row of the key pairs with the row: all of them enter or leave together, or none.
      const was = this.emitted(before);
      const is = this.emitted(before + (add ? 1 : -1));
      if (was !== is) for (const l of left.values()) addCopies(out, is ? INSERT : DELETE, l.row, l.count);
      return;
    }
    let changed = false;
    for (const l of left.values()) {
      if (!this.pairs(l.row, row)) continue;
      const before = this.emitted(l.matches);
      l.matches = add ? l.matches + 1 : Math.max(0, l.matches - 1);
      changed = true;
      const after = this.emitted(l.matches);
      if (before !== after) addCopies(out, after ? INSERT : DELETE, l.row, l.count);
    }
    if (changed) this.touched[0].set(key, left);
  }

  /** The bucket of a side and key: the one this batch changed, else the stored one. */
  private bucket(side: JoinSide, key: GroupKey): JoinBucket | undefined {
    return this.touched[side].get(key) ?? this.state.get(side, key);
  }

  /** The join key of a row; undefined when a key expression failed (the row is reported and dropped). */
  private keyOf(side: JoinSide, row: Row): RowKey | undefined {
    return joinKeyOf(this.ctx, this.config.keys[side], this.keyOfValues, row);
  }

  /** Whether a left row and a right row of the same key match (the residual condition is TRUE). */
  private pairs(left: Row, right: Row): boolean {
    const residual = this.config.residual;
    if (residual === undefined) return true;
    const joined = left.concat(right);
    try {
      return residual(joined) === true;
    } catch (err) {
      reportExpressionError(this.ctx, err, joined);
      return false;
    }
  }

  processWatermark(watermark: number, input: number): void {
    this.progress.watermark(input, watermark, this.ctx.output);
  }

  endInput(input: number): void {
    this.progress.end(input, this.ctx.output);
  }

  explain(): string {
    return `SemiAntiJoin(${this.config.description})`;
  }
}

/** The number of rows (copies) in a bucket of right rows. */
function rightRows(bucket: JoinBucket | undefined): number {
  let n = 0;
  if (bucket) for (const r of bucket.values()) n += r.count;
  return n;
}
