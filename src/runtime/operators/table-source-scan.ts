/**
 * TableSourceScan turns the physical rows a connector reads into the table's rows and assigns watermarks.
 *
 * - Builds each row: physical columns, then computed columns (evaluated on the physical row), then the
 *   projection the query needs.
 * - Watermarks are deterministic: per split, the maximum of the WATERMARK expression over the rows read so
 *   far; the source's watermark is the minimum over its active splits, never decreasing. No wall clock,
 *   except with `idleTimeoutMs` (`scan.watermark.idle-timeout`, as Flink's idleness): a split that brought no
 *   rows for that long (wall clock) stops holding the watermark back, which becomes the minimum over the
 *   other splits (the job calls {@link TableSourceScan.advanceIdle} periodically, so this also happens while no
 *   chunk arrives); its next rows make it count again, and the watermark never goes back. While no split is
 *   idle, the watermarks are the deterministic ones.
 * - Deterministic lateness: a row whose rowtime is at or behind the watermark the rows before it produced
 *   could be late. Before such a row, the pending rows and that watermark are emitted, so downstream
 *   operators judge it against exactly the watermark the preceding rows established, whatever the chunk
 *   boundaries were.
 * - `replay.speedup` = N paces rows by event time: a row is released (t - t0) / N ms after the first.
 * - When the reader is finished (bounded input), emits the +∞ watermark, then ends.
 * - State: the value `watermarks` (per-split watermarks, pending and emitted watermark), saved after every
 *   chunk and restored on open. The source's read position is the job's to checkpoint. A chunk held back
 *   by pacing is not state: checkpoints are taken between chunks. Pacing itself starts afresh after a
 *   restore (a resumed replay continues at its pace from where it stopped, rather than catching up).
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import { compileColumnPick } from '../../expr/compile.js';
import { inputRefs } from '../../planner/expr-utils.js';
import type { TableSourceScanNode } from '../../planner/physical-plan.js';
import { INSERT, MAX_WATERMARK, MIN_WATERMARK, type Row, type RowKind } from '../changelog.js';
import type { SourceChunk } from '../connector.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext } from '../operator.js';
import type { ValueState } from '../state/state-types.js';
import { VALUE_CODEC } from './state-codecs.js';

export interface TableSourceScanConfig {
  readonly tableName: string;
  /** For each table column: its index in the source row (physical, then METADATA columns), or -1 when computed. */
  readonly physicalIndex: readonly number[];
  /** For each table column: the compiled computed-column expression (over the source row), or undefined. */
  readonly computed: readonly (CompiledExpr | undefined)[];
  /**
   * METADATA columns: the source row is the reader's first `physical` values, then one value per METADATA
   * column, computed by `values` over the reader's row (which has the metadata keys' values after the
   * physical ones). Absent: the reader's row is the source row.
   */
  readonly metadata?: { readonly physical: number; readonly values: readonly CompiledExpr[] };
  /** Table columns to output, in order. */
  readonly projection: readonly number[];
  /** The rowtime column (index in the full table row) and the compiled WATERMARK expression over the full row. */
  readonly watermark?: { readonly rowtimeIndex: number; readonly expr: CompiledExpr };
  /** Event-time replay speed-up (absent: as fast as possible). */
  readonly speedup?: number;
  /** `scan.watermark.idle-timeout` in ms: a split without rows for this long stops holding the watermark back (absent: never). */
  readonly idleTimeoutMs?: number;
  /**
   * Called for a row whose event time is NULL (it belongs to no window and cannot advance time): applies
   * the source's error policy (throws, or counts it); the row is then dropped.
   */
  readonly onNullTime?: (chunk: SourceChunk, i: number, row: Row) => void;
}

/** The watermark state of a {@link TableSourceScan}, as it is checkpointed. */
interface ScanMarks {
  readonly splits: [string, number][];
  readonly pending: number;
  readonly emitted: number;
}

/** Rows of a chunk still to be released (pacing), and how long to wait first. */
export interface PendingRelease {
  readonly delayMs: number;
}

export class TableSourceScan {
  readonly kind = 'TableSourceScan';
  private ctx!: OperatorContext;
  private recordsIn!: Counter;
  private readonly identity: boolean;
  /** True when the source row is the table's row (no computed or METADATA columns): no copy is made. */
  private readonly direct: boolean;
  /** The projection as one function of the table's row (absent with `identity`). */
  private readonly project: ((row: readonly unknown[]) => Row) | undefined;
  private readonly width: number;
  // Run-time state: per-split watermarks and what has been emitted (saved in `marks` after every chunk).
  private marks!: ValueState<ScanMarks>;
  private readonly splitWatermarks = new Map<string, number>();
  /** With an idle timeout: when each split last brought rows (wall clock, ms). */
  private readonly lastRowsAt = new Map<string, number>();
  private pendingWatermark = MIN_WATERMARK;
  private emittedWatermark = MIN_WATERMARK;
  private rows: Row[] = [];
  private kinds: RowKind[] = [];
  // Pacing state.
  private paceStart?: { eventTime: number; wallTime: number };
  private held?: { chunk: SourceChunk; next: number };

  constructor(readonly config: TableSourceScanConfig) {
    this.width = config.physicalIndex.length;
    this.direct = config.metadata === undefined && config.computed.every((c) => c === undefined) && config.physicalIndex.every((p, i) => p === i);
    this.identity = this.direct && config.projection.length === this.width && config.projection.every((p, i) => p === i);
    this.project = this.identity ? undefined : compileColumnPick(config.projection);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.recordsIn = ctx.counter(CounterNames.recordsIn);
    this.marks = ctx.state.value<ScanMarks>('watermarks', VALUE_CODEC);
    const marks = this.marks.get();
    if (marks) {
      const now = Date.now();
      for (const [split, mark] of marks.splits) {
        this.splitWatermarks.set(split, mark);
        // A restored split counts as active until it has had the time-out to show otherwise.
        if (this.config.idleTimeoutMs !== undefined) this.lastRowsAt.set(split, now);
      }
      this.pendingWatermark = marks.pending;
      this.emittedWatermark = marks.emitted;
    }
  }

  /** Records the watermark state for the next checkpoint. */
  private saveMarks(): void {
    this.marks.set({ splits: [...this.splitWatermarks], pending: this.pendingWatermark, emitted: this.emittedWatermark });
  }

  /** True while rows of a chunk are held back by pacing (a checkpoint must wait until they are released). */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** The current watermark of this source. */
  get watermark(): number {
    return this.emittedWatermark;
  }

  /** Processes a chunk; returns how long to wait before calling {@link resume} when pacing holds rows back. */
  processChunk(chunk: SourceChunk): PendingRelease | undefined {
    const pending = this.release(chunk, 0);
    this.saveMarks();
    return pending;
  }

  /** Releases the rest of a chunk held back by pacing at once (a stopping job keeps what it processed). */
  releaseAll(): undefined {
    const held = this.held;
    if (!held) return undefined;
    this.held = undefined;
    const speedup = this.config.speedup;
    (this.config as { speedup?: number }).speedup = undefined;
    try {
      this.release(held.chunk, held.next);
    } finally {
      (this.config as { speedup?: number }).speedup = speedup;
    }
    return undefined;
  }

  /** Continues a chunk held back by pacing. */
  resume(): PendingRelease | undefined {
    const held = this.held;
    if (!held) return undefined;
    this.held = undefined;
    const pending = this.release(held.chunk, held.next);
    this.saveMarks();
    return pending;
  }

  private release(chunk: SourceChunk, from: number): PendingRelease | undefined {
    const { physicalIndex, computed, projection, watermark, speedup } = this.config;
    const input = chunk.rows;
    const kinds = chunk.kinds;
    let splitMark = this.splitWatermarks.get(chunk.split) ?? MIN_WATERMARK;
    const now = this.config.idleTimeoutMs !== undefined ? Date.now() : 0;
    // A split counts as active from its first chunk (an empty one announces it) and whenever it brings rows.
    if (this.config.idleTimeoutMs !== undefined && (input.length > from || !this.lastRowsAt.has(chunk.split))) this.lastRowsAt.set(chunk.split, now);
    // With no other split holding the watermark back, it is simply this split's (the common case).
    const alone = this.splitWatermarks.size === 0 || (this.splitWatermarks.size === 1 && this.splitWatermarks.has(chunk.split));
    const metadata = this.config.metadata;
    const direct = this.direct;
    const project = this.project;
    for (let r = from; r < input.length; r++) {
      const physical = metadata ? withMetadata(input[r]!, metadata.physical, metadata.values) : input[r]!;
      let full: Row;
      if (direct) full = physical;
      else {
        full = new Array(this.width);
        for (let c = 0; c < this.width; c++) {
          const p = physicalIndex[c]!;
          full[c] = p >= 0 ? physical[p] : computed[c]!(physical);
        }
      }
      if (watermark) {
        const ts = full[watermark.rowtimeIndex];
        if (typeof ts === 'number') {
          if (speedup !== undefined) {
            const delay = this.paceDelay(ts, speedup);
            if (delay > 0) {
              this.splitWatermarks.set(chunk.split, splitMark);
              this.flush();
              this.recordsIn.inc(r - from);
              this.held = { chunk, next: r };
              return { delayMs: delay };
            }
          }
          if (ts <= this.pendingWatermark && this.pendingWatermark > this.emittedWatermark) this.flush();
          const mark = watermark.expr(full);
          if (typeof mark === 'number' && mark > splitMark) {
            splitMark = mark;
            if (alone) {
              if (splitMark > this.pendingWatermark) this.pendingWatermark = splitMark;
            } else {
              this.splitWatermarks.set(chunk.split, splitMark);
              this.pendingWatermark = Math.max(this.pendingWatermark, this.minOverSplits(now, chunk.split));
            }
          }
        } else if (ts === null || ts === undefined) {
          if (this.config.onNullTime) {
            this.config.onNullTime(chunk, r, full);
            continue;
          }
        }
      }
      this.rows.push(project === undefined ? full : project(full));
      this.kinds.push(kinds === undefined ? INSERT : kinds[r]!);
    }
    this.recordsIn.inc(input.length - from);
    if (chunk.splitEnded) {
      this.splitWatermarks.delete(chunk.split);
      this.lastRowsAt.delete(chunk.split);
    } else if (watermark) this.splitWatermarks.set(chunk.split, splitMark);
    this.flush();
    return undefined;
  }

  private paceDelay(ts: number, speedup: number): number {
    const now = Date.now();
    if (!this.paceStart) {
      this.paceStart = { eventTime: ts, wallTime: now };
      return 0;
    }
    const due = this.paceStart.wallTime + (ts - this.paceStart.eventTime) / speedup;
    return due - now > 1 ? Math.ceil(due - now) : 0;
  }

  /** The minimum over the splits' watermarks, leaving out idle ones (`active`, the split being read, never is). */
  private minOverSplits(now: number, active?: string): number {
    let min = Infinity;
    for (const [split, m] of this.splitWatermarks) {
      if (m >= min) continue;
      if (split !== active && this.isIdle(split, now)) continue;
      min = m;
    }
    return min === Infinity ? MIN_WATERMARK : min;
  }

  /** True when `split` brought no rows for the idle timeout (never without one). */
  private isIdle(split: string, now: number): boolean {
    const timeout = this.config.idleTimeoutMs;
    return timeout !== undefined && now - (this.lastRowsAt.get(split) ?? now) >= timeout;
  }

  /**
   * With an idle timeout: advances the watermark to the minimum over the splits that are not idle at `now`, when
   * that is ahead of it, and emits it (windows may fire). The job calls this periodically while no chunk is being
   * processed or checkpointed. True when the watermark advanced. Splits all idle: nothing changes.
   */
  advanceIdle(now: number): boolean {
    if (this.config.idleTimeoutMs === undefined || this.held !== undefined || this.config.watermark === undefined || this.emittedWatermark === MAX_WATERMARK) return false;
    // Only idleness may move the watermark here: with no split idle, it moves with rows alone (deterministic).
    if (![...this.splitWatermarks.keys()].some((split) => this.isIdle(split, now))) return false;
    const min = this.minOverSplits(now);
    if (min <= this.pendingWatermark) return false;
    this.pendingWatermark = min;
    this.flush();
    this.saveMarks();
    return true;
  }

  /** Emits buffered rows, then the watermark if it advanced. */
  private flush(): void {
    if (this.rows.length > 0) {
      const batch = { rows: this.rows, kinds: this.kinds };
      this.rows = [];
      this.kinds = [];
      this.ctx.output.emit(batch);
    }
    if (this.pendingWatermark > this.emittedWatermark) {
      this.emittedWatermark = this.pendingWatermark;
      this.ctx.output.emitWatermark(this.emittedWatermark);
    }
  }

  /** The input is finished: every window may fire (+∞ watermark), then the stream ends. */
  finish(): void {
    this.flush();
    this.emittedWatermark = MAX_WATERMARK;
    this.saveMarks();
    this.ctx.output.emitWatermark(MAX_WATERMARK);
    this.ctx.output.end();
  }

  /** The source was cancelled: end the stream without firing pending windows. */
  cancel(): void {
    this.flush();
    this.saveMarks();
    this.ctx.output.end();
  }

  explain(): string {
    return `TableSourceScan(table=[${this.config.tableName}])`;
  }
}

/** The source row of a reader's row: its physical values, then each METADATA column's value. */
function withMetadata(read: Row, physical: number, values: readonly CompiledExpr[]): Row {
  const row: Row = read.slice(0, physical);
  for (const value of values) row.push(value(read));
  return row;
}

/**
 * The physical columns (indexes into the connector's schema, whose `physicalCount` columns come first in the
 * source row) a scan reads: those it outputs, those its computed columns, METADATA columns and WATERMARK
 * read, and those of the filters pushed into it (ConnectorContext.columnsRead).
 */
export function physicalColumnsRead(node: TableSourceScanNode, physicalIndex: readonly number[], physicalCount: number): number[] {
  const tableColumns = new Set<number>(node.projection);
  if (node.watermark) {
    tableColumns.add(node.watermark.rowtimeIndex);
    inputRefs(node.watermark.expr, tableColumns);
  }
  const source = new Set<number>();
  for (const c of tableColumns) {
    const p = physicalIndex[c] ?? -1;
    if (p >= 0) source.add(p);
    const computed = node.computed[c];
    if (computed) inputRefs(computed, source);
  }
  for (const value of node.metadata?.values ?? []) inputRefs(value, source);
  for (const f of node.filters ?? []) {
    const c = node.table.columns.findIndex((col) => col.name === f.column);
    if (c >= 0 && physicalIndex[c]! >= 0) source.add(physicalIndex[c]!);
  }
  return [...source].filter((i) => i < physicalCount).sort((a, b) => a - b);
}
