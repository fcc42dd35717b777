/**
 * Rank: Top-N per partition — `ROW_NUMBER() OVER (PARTITION BY k.. ORDER BY o..)` bounded by `rn <= rankEnd`
 * (Flink's AppendOnlyTopN and RetractableTopN with the rank column); also RANK (ties share a rank, the next
 * rank skips: 1, 1, 3) and DENSE_RANK (1, 1, 2), whose top may hold more than `rankEnd` rows.
 *
 * - Each partition keeps its rows sorted by the ORDER BY keys; rows that compare equal keep their arrival
 *   order (a later row ranks after an earlier equal one).
 * - Insert-only input: only the rows ranked up to `rankEnd` are kept (a row that cannot enter them is dropped).
 *   Updating input: every row is kept, so that a retracted top row is replaced by the next one; a `-U`/`-D`
 *   removes one stored row equal to it (one that is not stored is ignored, as in Flink: it may have expired).
 * - Output: each row of the top with its rank appended, as an updating result keyed by the partition keys
 *   and the rank. Mini-batch: a batch is applied first; then, per touched partition in first-touched order
 *   and per rank rankStart..rankEnd, the row now at that rank is compared with the row there before: a new rank
 *   emits `+I`, a changed one `-U old`, `+U new`, a rank left empty `-D old`, an unchanged one nothing.
 *   RANK and DENSE_RANK (several rows may share a rank): each (row, rank) that left the top emits `-D`, each
 *   that entered it `+I`. All of it goes out as one batch.
 * - Without the rank column (the outer query does not select it; Flink's `outputRankNumber=false`), a row's
 *   output does not change when it moves between ranks: each batch emits `-D` for the rows that left the
 *   top and `+I` for those that entered it (a row entering a full top N deletes only the row it pushes out).
 *   `ORDER BY .. LIMIT n OFFSET m` on a stream is such a rank without partition keys, ranks m+1..m+n.
 * - Watermarks are forwarded (the output has no time attribute, but downstream operators may need them).
 * - State: the table `partitions` (partition key → its sorted rows; removed when empty, idle ones after
 *   `table.exec.state.ttl`) and the value `watermark`. What was emitted is not stored: between batches it is
 *   always the top of the partition.
 */
import type { RankType, SortKey } from '../../planner/logical-plan.js';
import { BatchBuilder, DELETE, INSERT, isAccumulate, MIN_WATERMARK, type ChangeBatch, type Row, UPDATE_AFTER, UPDATE_BEFORE } from '../changelog.js';
import { encodeKey, type GroupKey, type KeySelector, keySelector, rowsEqual } from '../keys.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { StateTable, ValueState } from '../state/state-types.js';
import { describeColumns, notInsertOnly } from './aggregate-call.js';
import { sortKeyComparator } from './sort-keys.js';
import { VALUE_CODEC } from './state-codecs.js';

/** Configuration of a {@link Rank}. */
export interface RankConfig {
  /** Default ROW_NUMBER. */
  readonly rankType?: RankType;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  /** The largest rank emitted (`rn <= rankEnd`). */
  readonly rankEnd: number;
  /** The smallest rank emitted (default 1; `ORDER BY .. LIMIT n OFFSET m` starts at m + 1). */
  readonly rankStart?: number;
  /** False when the rank column is not output (default true): see the file comment. */
  readonly outputRank?: boolean;
  /** True when the input may contain retractions (-U/-D): every row is then kept. */
  readonly inputUpdating: boolean;
}

/** One touched partition of a batch: its rows now, and the top rows it had before the batch. */
interface Touched {
  readonly rows: Row[];
  /** The top before the batch: rows with their ranks. */
  readonly before: Ranked[];
}

/** A row of the top and its rank. */
export type Ranked = readonly [Row, number];

/** Top-N per partition (see the file comment). */
export class Rank implements StreamOperator {
  readonly kind = 'Rank';
  private output!: Output;
  private partitions!: StateTable<Row[]>;
  private mark!: ValueState<number>;
  private readonly keys: KeySelector;
  private readonly compare: (a: Row, b: Row) => number;

  private readonly rowNumber: boolean;

  constructor(readonly config: RankConfig) {
    this.rowNumber = (config.rankType ?? 'ROW_NUMBER') === 'ROW_NUMBER';
    this.keys = keySelector(config.partitionKeys);
    this.compare = sortKeyComparator(config.orderKeys);
  }

  open(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.partitions = ctx.state.table<Row[]>('partitions', VALUE_CODEC, { ttl: true });
    this.mark = ctx.state.value<number>('watermark', VALUE_CODEC);
  }

  /** How many rows the partitions hold (for tests and metrics). */
  get storedRows(): number {
    let n = 0;
    for (const [, rows] of this.partitions.namespace('')) n += rows.length;
    return n;
  }

  processBatch(batch: ChangeBatch): void {
    const { rankEnd, inputUpdating } = this.config;
    const touched = new Map<GroupKey, Touched>();
    // Insert-only ROW_NUMBER: a partition holds its top only, and a row that sorts after (or with) the last
    // of a full top cannot enter it: most rows of a large input are dropped here, untouched.
    const appendOnly = !inputUpdating && this.rowNumber;
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      const kind = batch.kinds[i]!;
      const key = this.keys.key(row);
      let entry = touched.get(key);
      if (!entry) {
        const stored = this.partitions.get(key);
        if (appendOnly && kind === INSERT && stored !== undefined && stored.length >= rankEnd && this.compare(stored[rankEnd - 1]!, row) <= 0) continue;
        const rows = stored?.slice() ?? [];
        entry = { rows, before: this.visible(rows) };
        touched.set(key, entry);
      }
      const rows = entry.rows;
      if (isAccumulate(kind)) {
        const at = upperBound(rows, row, this.compare);
        if (!inputUpdating && this.rowNumber && at >= rankEnd) continue;
        rows.splice(at, 0, row);
        if (!inputUpdating && this.rowNumber && rows.length > rankEnd) rows.length = rankEnd;
      } else {
        if (!inputUpdating) throw notInsertOnly(this.kind, kind);
        const at = this.indexOf(rows, row);
        if (at >= 0) rows.splice(at, 1);
      }
    }
    const out = new BatchBuilder();
    for (const [key, { rows, before }] of touched) {
      // Insert-only input: rows below the top can never enter it again.
      if (!inputUpdating) rows.length = this.top(rows).length;
      if (rows.length === 0) this.partitions.delete(key);
      else this.partitions.put(key, rows);
      const after = this.visible(rows);
      if (this.config.outputRank === false) diffRows(before, after, out);
      else if (this.rowNumber) diffByRank(before, after, out);
      else diffAsSets(before, after, out);
    }
    const result = out.take();
    if (result) this.output.emit(result);
  }

  /** The rows of the top (ranked up to rankEnd) of sorted `rows`, with their ranks. */
  private top(rows: readonly Row[]): Ranked[] {
    return rankedTop(rows, this.compare, this.config.rankType ?? 'ROW_NUMBER', this.config.rankEnd);
  }

  /** The rows of the top that are output: those ranked from rankStart on. */
  private visible(rows: readonly Row[]): Ranked[] {
    const top = this.top(rows);
    const start = this.config.rankStart ?? 1;
    return start > 1 ? top.filter(([, rank]) => rank >= start) : top;
  }

  /** The position of a stored row equal to `row`, or -1. */
  private indexOf(rows: readonly Row[], row: Row): number {
    // Equal rows sort together: search back from the end of `row`'s equals.
    for (let i = upperBound(rows, row, this.compare) - 1; i >= 0 && this.compare(rows[i]!, row) === 0; i--) {
      if (rowsEqual(rows[i]!, row)) return i;
    }
    return -1;
  }

  processWatermark(watermark: number): void {
    if (watermark <= (this.mark.get() ?? MIN_WATERMARK)) return;
    this.mark.set(watermark);
    this.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.output.end();
  }

  explain(): string {
    const { partitionKeys, orderKeys, rankEnd, inputUpdating } = this.config;
    const order = orderKeys.map((k) => `$${k.index} ${k.descending ? 'DESC' : 'ASC'}`).join(', ');
    const noRank = this.config.outputRank === false ? ', outputRankNumber=[false]' : '';
    return `Rank(rankType=[${this.config.rankType ?? 'ROW_NUMBER'}], rankRange=[rankStart=${this.config.rankStart ?? 1}, rankEnd=${rankEnd}], partitionBy=[${describeColumns(partitionKeys)}], orderBy=[${order}]${noRank}${inputUpdating ? ', retract' : ''})`;
  }
}

/**
 * The rows ranked up to `rankEnd` of `rows` (sorted by `compare`), with their ranks: ROW_NUMBER numbers
 * them 1, 2, 3..; RANK gives ties one rank and skips after them; DENSE_RANK does not skip.
 */
export function rankedTop(rows: readonly Row[], compare: (a: Row, b: Row) => number, rankType: RankType, rankEnd: number): Ranked[] {
  const out: Ranked[] = [];
  let rank = 0;
  for (let i = 0; i < rows.length; i++) {
    const tie = i > 0 && compare(rows[i - 1]!, rows[i]!) === 0;
    if (rankType === 'ROW_NUMBER') rank = i + 1;
    else if (!tie) rank = rankType === 'RANK' ? i + 1 : rank + 1;
    if (rank > rankEnd) break;
    out.push([rows[i]!, rank]);
  }
  return out;
}

/** The position after every row of sorted `rows` that sorts before or equal to `row` (where `row` goes, after its equals). */
export function upperBound(rows: readonly Row[], row: Row, compare: (a: Row, b: Row) => number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(rows[mid]!, row) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Without the rank column: rows that left the top are deleted, rows that entered it inserted (as multisets:
 * a row that only moved between ranks emits nothing).
 */
function diffRows(before: readonly Ranked[], after: readonly Ranked[], out: BatchBuilder): void {
  // A row still in the top is mostly the very row that was there (rows are kept as they came): such pairs
  // are taken off first, which leaves the multisets' difference as it was and most often nothing to compare.
  // (A batch may hold one row object several times, as copies: pairs are matched one to one.)
  if (before.length * after.length > 1024) {
    diffRowValues(
      before.map(([row]) => row),
      after.map(([row]) => row),
      out,
    );
    return;
  }
  let gone: Row[] | undefined;
  let came: Row[] | undefined;
  const taken = new Array<boolean>(after.length).fill(false);
  for (const [row] of before) {
    let j = 0;
    while (j < after.length && (taken[j] || after[j]![0] !== row)) j++;
    if (j === after.length) (gone ??= []).push(row);
    else taken[j] = true;
  }
  for (let j = 0; j < after.length; j++) if (!taken[j]) (came ??= []).push(after[j]![0]);
  if (gone === undefined || came === undefined) {
    if (gone !== undefined) for (const row of gone) out.add(DELETE, row);
    if (came !== undefined) for (const row of came) out.add(INSERT, row);
    return;
  }
  if (gone.length === 1 && came.length === 1) {
    if (rowsEqual(gone[0]!, came[0]!)) return;
    out.add(DELETE, gone[0]!);
    out.add(INSERT, came[0]!);
    return;
  }
  diffRowValues(gone, came, out);
}

/** {@link diffRows} by value: rows of `before` not matched by an equal row of `after` are deleted, the unmatched ones of `after` inserted. */
function diffRowValues(before: readonly Row[], after: readonly Row[], out: BatchBuilder): void {
  // Rows of the top before, by value, counted; those the top after still holds are taken off.
  const left = new Map<string, number>();
  for (const row of before) {
    const k = encodeKey(row);
    left.set(k, (left.get(k) ?? 0) + 1);
  }
  const entered: Row[] = [];
  for (const row of after) {
    const k = encodeKey(row);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else entered.push(row);
  }
  for (const row of before) {
    const k = encodeKey(row);
    const n = left.get(k) ?? 0;
    if (n === 0) continue;
    left.set(k, n - 1);
    out.add(DELETE, row);
  }
  for (const row of entered) out.add(INSERT, row);
}

/** ROW_NUMBER: one row per rank; each rank whose row changed is updated (-U/+U), added (+I) or emptied (-D). */
function diffByRank(before: readonly Ranked[], after: readonly Ranked[], out: BatchBuilder): void {
  // Both lists hold consecutive ranks from the same first rank.
  for (let r = 0; r < Math.max(before.length, after.length); r++) {
    const prev = before[r];
    const next = after[r];
    if (prev && next) {
      if (rowsEqual(prev[0], next[0])) continue;
      out.add(UPDATE_BEFORE, [...prev[0], prev[1]]);
      out.add(UPDATE_AFTER, [...next[0], next[1]]);
    } else if (next) {
      out.add(INSERT, [...next[0], next[1]]);
    } else if (prev) {
      out.add(DELETE, [...prev[0], prev[1]]);
    }
  }
}

/** RANK, DENSE_RANK: each (row, rank) that left the top is deleted, each that entered it inserted. */
function diffAsSets(before: readonly Ranked[], after: readonly Ranked[], out: BatchBuilder): void {
  const same = (a: Ranked, b: Ranked) => a[1] === b[1] && rowsEqual(a[0], b[0]);
  const kept = new Set<number>();
  for (const prev of before) {
    const j = after.findIndex((next, i) => !kept.has(i) && same(prev, next));
    if (j >= 0) kept.add(j);
    else out.add(DELETE, [...prev[0], prev[1]]);
  }
  after.forEach((next, i) => {
    if (!kept.has(i)) out.add(INSERT, [...next[0], next[1]]);
  });
}
