/**
 * WindowDeduplicate: window deduplication (Flink's "Window Deduplication") — `ROW_NUMBER() OVER (PARTITION BY
 * window_start, window_end, k.. ORDER BY rowtime ASC|DESC)` filtered by `rn = 1` (or `rn <= 1`, `rn < 2`)
 * over a window TVF: per window and key, the first row (ASC) or the last (DESC) by event time, emitted once
 * when the watermark passes the window's end, as an insert-only stream.
 *
 * Its own operator rather than a WindowRank with N = 1 (as Flink has both): it holds one row per window and
 * key and compares one time, with no sorted list; and its ties follow Flink's deduplication: keep-first keeps
 * the first row to arrive among rows of the smallest time, keep-last the last to arrive among rows of the
 * largest (a later row of an equal time replaces the held one), which a stable sort descending would not.
 *
 * - A window fires when the watermark reaches its `window_time`: each key's row goes out (`+I`, with the
 *   rank 1 appended unless the rank column is not selected), keys in the order of their encoded values; the
 *   window's state is dropped, then the watermark forwarded. The window columns stay as they are.
 * - Late rows (their window fired) and rows with a NULL window or order time are dropped and counted (see
 *   {@link WindowBuffer}).
 * - State: the table `rows` (namespace: the window's `window_time`; key: the partition key → its row) and the
 *   timer service's `timers` (one per window) and `watermark`. Nothing outlives its window.
 */
import type { Row } from '../changelog.js';
import { describeColumns } from './aggregate-call.js';
import { WindowBuffer, type WindowColumns } from './window-buffer.js';

/** Configuration of a {@link WindowDeduplicate}. */
export interface WindowDeduplicateConfig {
  /** The PARTITION BY columns (window_start and window_end among them). */
  readonly partitionKeys: readonly number[];
  /** The event-time column rows are ordered by. */
  readonly timeIndex: number;
  /** True for ORDER BY rowtime DESC (keep the last row), false for ASC (keep the first). */
  readonly keepLast: boolean;
  /** False when the rank column is not output. */
  readonly outputRank: boolean;
  readonly window: WindowColumns;
}

/** Window deduplication (see the file comment). */
export class WindowDeduplicate extends WindowBuffer<Row> {
  readonly kind = 'WindowDeduplicate';

  constructor(readonly config: WindowDeduplicateConfig) {
    super(config.partitionKeys, config.window, 'rows');
  }

  protected accept(row: Row): void {
    const { timeIndex, keepLast } = this.config;
    const ts = row[timeIndex];
    const at = this.place(row, ts ?? null);
    if (!at) return;
    const held = this.table.get(at.key, at.time);
    if (held) {
      const heldTs = held[timeIndex] as number;
      if (keepLast ? (ts as number) < heldTs : (ts as number) >= heldTs) return;
    } else {
      this.timers.register(at.time);
    }
    this.table.put(at.key, row, at.time);
  }

  protected emit(row: Row, out: Row[]): void {
    out.push(this.config.outputRank ? [...row, 1] : row);
  }

  protected rowsIn(): number {
    return 1;
  }

  explain(): string {
    const { partitionKeys, timeIndex, keepLast } = this.config;
    return `WindowDeduplicate(keep=[${keepLast ? 'LastRow' : 'FirstRow'}], partitionBy=[${describeColumns(partitionKeys)}], order=[$${timeIndex} (ROWTIME)])`;
  }
}
