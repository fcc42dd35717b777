/**
 * TimeZoneShift converts event times between instants (UTC epoch ms, as TIMESTAMP_LTZ holds them) and the
 * session time zone's wall clock, for windows on a TIMESTAMP_LTZ rowtime: Flink aligns such windows to the
 * local day and hour, so the window operators run on wall-clock time between two shifts.
 *
 * - `to-local`: the listed columns and every watermark become wall-clock times.
 * - `to-utc`: the listed columns and every watermark become instants again. A `window-time` column holds
 *   `end - 1 ms` of a wall-clock window, and becomes the instant of that end minus 1 ms.
 */
import { localToUtc, utcToLocal } from '../../common/time-zone.js';
import { MAX_WATERMARK, MIN_WATERMARK, type ChangeBatch, type Row } from '../changelog.js';
import type { OperatorContext, StreamOperator } from '../operator.js';

export interface TimeZoneShiftConfig {
  readonly zone: string;
  readonly direction: 'to-local' | 'to-utc';
  readonly columns: readonly { readonly index: number; readonly kind: 'instant' | 'window-time' }[];
}

export class TimeZoneShift implements StreamOperator {
  readonly kind = 'TimeZoneShift';
  private ctx!: OperatorContext;
  private readonly convert: (value: number, kind: 'instant' | 'window-time') => number;

  constructor(readonly config: TimeZoneShiftConfig) {
    const zone = config.zone;
    this.convert =
      config.direction === 'to-local'
        ? (v) => utcToLocal(v, zone)
        : (v, kind) => (kind === 'window-time' ? localToUtc(v + 1, zone) - 1 : localToUtc(v, zone));
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  processBatch(batch: ChangeBatch): void {
    const rows: Row[] = new Array(batch.rows.length);
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!.slice();
      for (const c of this.config.columns) {
        const v = row[c.index];
        if (typeof v === 'number') row[c.index] = this.convert(v, c.kind);
      }
      rows[i] = row;
    }
    this.ctx.output.emit({ rows, kinds: batch.kinds });
  }

  processWatermark(watermark: number): void {
    const infinite = watermark === MAX_WATERMARK || watermark === MIN_WATERMARK;
    this.ctx.output.emitWatermark(infinite ? watermark : this.convert(watermark, 'instant'));
  }

  endInput(): void {
    this.ctx.output.end();
  }

  explain(): string {
    return `TimeZoneShift(${this.config.direction}, zone=[${this.config.zone}])`;
  }
}
