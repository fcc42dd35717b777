/**
 * Limit: passes the rows from position `offset` up to `offset + limit` (in arrival order) of an insert-only
 * stream, then ends its output — which lets the job stop its sources early.
 */
import type { ChangeBatch } from '../changelog.js';
import type { OperatorContext, StreamOperator } from '../operator.js';

export class Limit implements StreamOperator {
  readonly kind = 'Limit';
  private ctx!: OperatorContext;
  private seen = 0;
  private done = false;

  constructor(
    readonly limit: number,
    readonly offset: number,
  ) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    if (this.limit === 0) this.finish();
  }

  processBatch(batch: ChangeBatch): void {
    if (this.done) return;
    const end = this.offset + this.limit;
    const from = Math.max(0, this.offset - this.seen);
    const to = Math.min(batch.rows.length, end - this.seen);
    this.seen += batch.rows.length;
    if (to > from) this.ctx.output.emit({ rows: batch.rows.slice(from, to), kinds: batch.kinds.slice(from, to) });
    if (this.seen >= end) this.finish();
  }

  processWatermark(watermark: number): void {
    if (!this.done) this.ctx.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.ctx.output.end();
  }

  explain(): string {
    return `Limit(offset=[${this.offset}], fetch=[${this.limit}])`;
  }
}
