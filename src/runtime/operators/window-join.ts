/**
 * WindowJoin: Flink's window join — two inputs windowed by the same window TVF (TUMBLE, HOP or CUMULATE;
 * a window TVF or a window aggregate), joined on equi-keys plus the equality of their `window_start` and
 * `window_end`. INNER, LEFT, RIGHT, FULL OUTER, SEMI and ANTI.
 *
 * - Rows are not joined as they arrive: each side's rows are buffered by window and join key (tables `left`
 *   and `right`: namespace = the window's end, key = the window's start and the join key values), and the
 *   window is joined all at once when the watermark (the minimum of both inputs') reaches its
 *   `window_time` (end - 1): a keyed timer of the timer service per window end. Every pair of rows of one
 *   window and key for which the residual condition is TRUE is emitted (`+I`); then, for outer joins, the
 *   rows of a preserved side that matched nothing, null-padded. The output is insert-only and final.
 * - SEMI: the left rows with at least one match, once each (left columns only); ANTI: the left rows with
 *   none. A null-aware ANTI join (`NOT IN`) compares the join keys as `NOT IN` does: a right row whose key
 *   value is NULL, or a left row whose key value is NULL (when the window has a right row with the other
 *   keys equal), makes the comparison unknown, so the left row is not emitted.
 * - A row with a NULL join key value matches nothing (kept only to be emitted null-padded or by ANTI).
 * - The window's state is dropped when it fires. A row whose window already fired (its `window_time` is at
 *   or behind the watermark) is late: dropped and counted (`lateRecordsDropped`); a row whose window
 *   columns are NULL is dropped and counted (`nullTimeRecordsDropped`).
 * - The output keeps the window columns: a joined row's `window_time` is the fired window's, so the rows of
 *   a window are emitted before the watermark that fired it is sent on, as a window aggregate does.
 * - State: the tables `left` and `right`, the value `inputs` (see {@link InputProgress}), the timer
 *   service's `timers` and `watermark`. Everything leaves once the watermark passes the data.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import type { WindowJoinType } from '../../planner/logical-windows.js';
import { BatchBuilder, type ChangeBatch, INSERT, type Row } from '../changelog.js';
import type { Counter } from '../metrics.js';
import { type GroupKey, type KeySelector, keySelector } from '../keys.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { StateKey, StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { reportExpressionError } from './expression-error.js';
import { InputProgress, progressOutput } from './input-progress.js';
import { JoinRows, type JoinSide } from './join-rows.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

export type { WindowJoinType };

/** True when `side` of a `type` window join emits its unmatched rows null-padded. */
export function windowJoinPreserves(type: WindowJoinType, side: JoinSide): boolean {
  return type === 'full' || type === (side === 0 ? 'left' : 'right');
}

/** The window columns of one input's rows. */
export interface InputWindow {
  readonly start: number;
  readonly end: number;
}

/** Configuration of a {@link WindowJoin}; pairs are `[left, right]`. */
export interface WindowJoinConfig {
  readonly joinType: WindowJoinType;
  /** Equi-join key expressions of each side, other than the window columns (the same number on both). */
  readonly keys: readonly [readonly CompiledExpr[], readonly CompiledExpr[]];
  /** The rest of the join condition, over the joined row `[...left, ...right]`: a pair matches only when it is TRUE. */
  readonly residual?: CompiledExpr;
  /** The number of columns of each side's rows. */
  readonly widths: readonly [number, number];
  /** Each side's window_start and window_end columns. */
  readonly windows: readonly [InputWindow, InputWindow];
  /** ANTI only: compare the keys as `NOT IN` does (see the file comment). */
  readonly nullAware?: boolean;
  /** The join's description, for EXPLAIN. */
  readonly description: string;
}

/** The rows of one window and key of one side, and whether a key value is NULL (1) or not (0). */
type Bucket = [0 | 1, Row[]];

const TABLES = ['left', 'right'] as const;

/** The window join operator (see the file comment): input 0 is the left side, input 1 the right. */
export class WindowJoin implements StreamOperator {
  readonly kind = 'WindowJoin';
  private ctx!: OperatorContext;
  private progress!: InputProgress;
  private timers!: TimerService;
  private nullTime!: Counter;
  private tables!: readonly [StateTable<Bucket>, StateTable<Bucket>];
  /** The state key of a window start and join key values. */
  private readonly keyOfValues: KeySelector;
  /** The identity of one key value (SQL equality), for comparing keys one by one. */
  private readonly oneValue = keySelector([0]);
  private readonly rows: JoinRows;
  /** Receives the combined watermark and end from {@link progress}. */
  private readonly combined: Output;
  /** Rows emitted by the windows the current watermark fires. */
  private readonly pending = new BatchBuilder();

  constructor(readonly config: WindowJoinConfig) {
    if (config.keys[0].length !== config.keys[1].length) throw new Error('a join needs as many key expressions on each side');
    if (config.nullAware && config.joinType !== 'anti') throw new Error('only an anti join can be null-aware');
    this.keyOfValues = keySelector([0, ...config.keys[0].map((_, i) => i + 1)]);
    this.rows = new JoinRows(config.widths, config.residual);
    this.combined = progressOutput(
      (w, forward) => this.advance(w, forward),
      () => this.ctx.output,
    );
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.tables = [ctx.state.table<Bucket>(TABLES[0], VALUE_CODEC), ctx.state.table<Bucket>(TABLES[1], VALUE_CODEC)];
    this.timers = new TimerService(ctx);
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.progress = new InputProgress(ctx.state, 2);
  }

  /** How many rows each side holds (for tests and metrics). */
  stored(): [number, number] {
    const count = (t: StateTable<Bucket>) => {
      let n = 0;
      for (const ns of t.namespaces()) for (const [, bucket] of t.namespace(ns)) n += bucket[1].length;
      return n;
    };
    return [count(this.tables[0]), count(this.tables[1])];
  }

  /** How many timers are pending. */
  pendingTimers(): number {
    return this.timers.times().length;
  }

  processBatch(batch: ChangeBatch, input: number): void {
    const side = input as JoinSide;
    const { rows, kinds } = batch;
    const { start: startIndex, end: endIndex } = this.config.windows[side];
    const table = this.tables[side];
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) throw new Error(`a window join accepts only insertions, got ${kinds[i]}`);
      const row = rows[i]!;
      const start = row[startIndex];
      const end = row[endIndex];
      if (typeof start !== 'number' || typeof end !== 'number' || Number.isNaN(start) || Number.isNaN(end)) {
        this.nullTime.inc();
        continue;
      }
      // The window fires when the watermark reaches its window_time: a row of a window that fired is late.
      if (this.timers.dropLate(end - 1)) continue;
      const key = this.keyOf(side, row, start);
      if (key === undefined) continue;
      const bucket = table.get(key.key, end);
      if (bucket) bucket[1].push(row);
      table.put(key.key, bucket ?? [key.nullKey ? 1 : 0, [row]], end);
      this.timers.register(end - 1);
    }
  }

  /** The combined watermark advanced: joins the windows it closes (emitting their rows), then sends it on. */
  private advance(watermark: number, forward: boolean): void {
    this.timers.advance(watermark, this.fire);
    const result = this.pending.take();
    if (result) this.ctx.output.emit(result);
    if (forward) this.ctx.output.emitWatermark(watermark);
  }

  /** A window's timer: joins the window's rows of both sides, emits the result, drops the window's state. */
  private readonly fire = (time: number, key: StateKey): void => {
    if (key !== null) return;
    const end = time + 1;
    const type = this.config.joinType;
    if (type === 'semi' || type === 'anti') this.semiAnti(end, type === 'semi');
    else this.join(end, type);
    this.tables[0].deleteNamespace(end);
    this.tables[1].deleteNamespace(end);
  };

  /** INNER and outer joins of the window ending at `end`. */
  private join(end: number, type: WindowJoinType): void {
    const [left, right] = this.tables;
    const out = this.pending;
    const preserveLeft = windowJoinPreserves(type, 0);
    const preserveRight = windowJoinPreserves(type, 1);
    /** The right rows that matched, when the right side is preserved. */
    const matched = new Set<Row>();
    for (const [key, [nullKey, rows]] of inKeyOrder(left, end)) {
      const others = nullKey ? undefined : right.get(key, end);
      for (const row of rows) {
        let any = false;
        if (others) {
          for (const other of others[1]) {
            const joined = this.rows.pair(this.ctx, 0, row, other);
            if (!joined) continue;
            out.add(INSERT, joined);
            any = true;
            if (preserveRight) matched.add(other);
          }
        }
        if (!any && preserveLeft) out.add(INSERT, this.rows.nullPadded(0, row));
      }
    }
    if (!preserveRight) return;
    for (const [, [, rows]] of inKeyOrder(right, end)) {
      for (const row of rows) if (!matched.has(row)) out.add(INSERT, this.rows.nullPadded(1, row));
    }
  }

  /** SEMI (`semi`) or ANTI join of the window ending at `end`: left rows with (without) a match. */
  private semiAnti(end: number, semi: boolean): void {
    const [left, right] = this.tables;
    const nullAware = this.config.nullAware === true;
    // NOT IN: right rows with a NULL key value may block any left row; a left row with one may be blocked by any right row.
    const rightRows = nullAware ? [...right.namespace(end)].flatMap(([, b]) => b[1]) : [];
    const nullKeyed = nullAware ? [...right.namespace(end)].flatMap(([, b]) => (b[0] === 1 ? b[1] : [])) : [];
    for (const [key, [nullKey, rows]] of inKeyOrder(left, end)) {
      const others = nullKey ? undefined : right.get(key, end)?.[1];
      for (const row of rows) {
        let found = others !== undefined && others.some((other) => this.rows.pair(this.ctx, 0, row, other) !== undefined);
        if (!found && nullAware) {
          const candidates = nullKey ? rightRows : nullKeyed;
          found = candidates.some((other) => this.mayEqual(row, other) && this.rows.pair(this.ctx, 0, row, other) !== undefined);
        }
        if (found === semi) this.pending.add(INSERT, row);
      }
    }
  }

  /**
   * `NOT IN`'s comparison of a left and a right row's keys is not FALSE: every key value is equal or NULL
   * on one side (the window columns are equal: both rows come from one window).
   */
  private mayEqual(row: Row, other: Row): boolean {
    const [l, r] = this.config.keys;
    const start = (side: JoinSide, x: Row) => x[this.config.windows[side].start];
    if (start(0, row) !== start(1, other)) return false;
    try {
      for (let i = 0; i < l.length; i++) {
        const a = l[i]!(row);
        const b = r[i]!(other);
        if (a === null || a === undefined || b === null || b === undefined) continue;
        if (this.oneValue.key([a]) !== this.oneValue.key([b])) return false;
      }
    } catch (err) {
      reportExpressionError(this.ctx, err, row);
      return false;
    }
    return true;
  }

  /**
   * The state key of a row of `side` in the window starting at `start` (the end is the namespace), and whether
   * a key value is NULL; undefined when a key expression failed (the row is reported and dropped).
   */
  private keyOf(side: JoinSide, row: Row, start: number): { key: GroupKey; nullKey: boolean } | undefined {
    const exprs = this.config.keys[side];
    const values = new Array<unknown>(exprs.length + 1);
    values[0] = start;
    let nullKey = false;
    try {
      for (let i = 0; i < exprs.length; i++) {
        const v = exprs[i]!(row);
        if (v === null || v === undefined) nullKey = true;
        values[i + 1] = v ?? null;
      }
    } catch (err) {
      reportExpressionError(this.ctx, err, row);
      return undefined;
    }
    return { key: this.keyOfValues.key(values), nullKey };
  }

  processWatermark(watermark: number, input: number): void {
    this.progress.watermark(input, watermark, this.combined);
  }

  endInput(input: number): void {
    this.progress.end(input, this.combined);
  }

  explain(): string {
    return `WindowJoin(${this.config.description})`;
  }
}

/**
 * The buckets of one window of a side, in key order: the order of a table's entries is not kept across a
 * restore, and a restored run must emit what an uninterrupted one does. Keys are numbers (the window start
 * alone) or strings (with join keys), never both in one operator.
 */
function inKeyOrder(table: StateTable<Bucket>, end: number): [StateKey, Bucket][] {
  return [...table.namespace(end)].sort(([a], [b]) => ((a as string | number) < (b as string | number) ? -1 : (a as string | number) > (b as string | number) ? 1 : 0));
}
