/** The TUMBLE / HOP / CUMULATE window table functions: each row, once per window, with the window columns. */
import { BatchBuilder, type ChangeBatch, type Row } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import { describeWindow } from '../../common/window.js';
import {
  type AlignedWindow,
  assignWindowEnds,
  checkAlignedWindow,
  NULL_TIME_RECORDS_DROPPED,
  windowStartForEnd,
} from './window-assigner.js';

/** Configuration of a {@link WindowTableFunction}. */
export interface WindowTableFunctionConfig {
  readonly window: AlignedWindow;
  /** The input column holding the time attribute (epoch ms). */
  readonly timeIndex: number;
}

/**
 * `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ..))` and its HOP / CUMULATE siblings, on their own (not fused
 * into an aggregate).
 *
 * - For each input row, emits `[...row, window_start, window_end, window_time]` once per window the row
 *   belongs to (tumble: one; hop: `size / slide`; cumulate: every growing window that holds it), in
 *   ascending window order; `window_time = window_end - 1`.
 * - Row kinds pass through unchanged (the planner feeds it insert-only input).
 * - Rows whose time is NULL belong to no window: dropped and counted (`nullTimeRecordsDropped`), as Flink.
 * - Late rows are not dropped here (only aggregates decide lateness); watermarks are forwarded as they come.
 * - Stateless: nothing to checkpoint.
 */
export class WindowTableFunction implements StreamOperator {
  readonly kind = 'WindowTableFunction';
  private output!: Output;
  private nullTime!: Counter;
  /** Scratch buffer for window ends (reused, never escapes). */
  private readonly ends: number[] = [];

  constructor(readonly config: WindowTableFunctionConfig) {
    checkAlignedWindow(config.window);
  }

  open(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
  }

  processBatch(batch: ChangeBatch, _input: number): void {
    const { window, timeIndex } = this.config;
    const { rows, kinds } = batch;
    const ends = this.ends;
    const out = new BatchBuilder();
    let nullTime = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const ts = row[timeIndex];
      if (ts === null || ts === undefined) {
        nullTime++;
        continue;
      }
      const n = assignWindowEnds(window, ts as number, ends);
      const width = row.length;
      for (let j = 0; j < n; j++) {
        const end = ends[j]!;
        const r: Row = new Array(width + 3);
        for (let c = 0; c < width; c++) r[c] = row[c];
        r[width] = windowStartForEnd(window, end);
        r[width + 1] = end;
        r[width + 2] = end - 1;
        out.add(kinds[i]!, r);
      }
    }
    if (nullTime > 0) this.nullTime.inc(nullTime);
    const result = out.take();
    if (result) this.output.emit(result);
  }

  processWatermark(watermark: number, _input: number): void {
    this.output.emitWatermark(watermark);
  }

  endInput(_input: number): void {
    this.output.end();
  }

  explain(): string {
    return `WindowTableFunction(window=[${describeWindow(this.config.window)}], time=[$${this.config.timeIndex}])`;
  }
}
