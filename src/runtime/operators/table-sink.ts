/**
 * TableSink: hands every batch to a connector's SinkWriter (which buffers; the job driver awaits its flush
 * between source chunks), and reports when its input has ended.
 */
import type { ChangeBatch } from '../changelog.js';
import type { SinkWriter } from '../connector.js';
import { CounterNames, type Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';

export class TableSink implements StreamOperator {
  readonly kind = 'TableSink';
  private recordsOut!: Counter;
  private ended = false;
  private onEnd: () => void = () => {};

  constructor(
    readonly name: string,
    readonly writer: SinkWriter,
  ) {}

  open(ctx: OperatorContext): void {
    this.recordsOut = ctx.counter(CounterNames.recordsOut);
  }

  /** Called once when the input has ended. */
  whenEnded(fn: () => void): void {
    this.onEnd = fn;
    if (this.ended) fn();
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  processBatch(batch: ChangeBatch): void {
    this.recordsOut.inc(batch.rows.length);
    this.writer.write(batch);
  }

  processWatermark(watermark: number): void {
    this.writer.watermark?.(watermark);
  }

  endInput(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }

  explain(): string {
    return `TableSink(${this.name})`;
  }
}
