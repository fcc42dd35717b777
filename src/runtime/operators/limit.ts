/**
 * Limit: passes the rows from position `offset` up to `offset + limit` (in arrival order) of an insert-only
 * stream, then ends its output — which lets the job stop its sources early.
 *
 * State: the values `seen` (rows received so far) and `done` (the output has ended). A Limit restored as
 * done ends its (restored, fresh) output again when it opens.
 */
import type { ChangeBatch } from '../changelog.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { ValueState } from '../state/state-types.js';

export class Limit implements StreamOperator {
  readonly kind = 'Limit';
  private ctx!: OperatorContext;
  private seen!: ValueState<number>;
  private done!: ValueState<boolean>;

  constructor(
    readonly limit: number,
    readonly offset: number,
  ) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.seen = ctx.state.value<number>('seen');
    this.done = ctx.state.value<boolean>('done');
    if (this.done.get() === true) ctx.output.end();
    else if (this.limit === 0) this.finish();
  }

  processBatch(batch: ChangeBatch): void {
    if (this.done.get() === true) return;
    const seen = this.seen.get() ?? 0;
    const end = this.offset + this.limit;
    const from = Math.max(0, this.offset - seen);
    const to = Math.min(batch.rows.length, end - seen);
    this.seen.set(seen + batch.rows.length);
    if (to > from) this.ctx.output.emit({ rows: batch.rows.slice(from, to), kinds: batch.kinds.slice(from, to) });
    if (seen + batch.rows.length >= end) this.finish();
  }

  processWatermark(watermark: number): void {
    if (this.done.get() !== true) this.ctx.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.finish();
  }

  private finish(): void {
    if (this.done.get() === true) return;
    this.done.set(true);
    this.ctx.output.end();
  }

  explain(): string {
    return `Limit(offset=[${this.offset}], fetch=[${this.limit}])`;
  }
}
