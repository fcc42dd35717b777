/**
 * Union (UNION ALL): forwards the batches of every input; its watermark is the minimum of its inputs'
 * watermarks, and it ends when all inputs have ended.
 */
import type { ChangeBatch } from '../changelog.js';
import { CombinedWatermark, InputEnds, type OperatorContext, type StreamOperator } from '../operator.js';

export class Union implements StreamOperator {
  readonly kind = 'Union';
  private ctx!: OperatorContext;
  private readonly watermarks: CombinedWatermark;
  private readonly ends: InputEnds;

  constructor(readonly inputs: number) {
    this.watermarks = new CombinedWatermark(inputs);
    this.ends = new InputEnds(inputs);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  processBatch(batch: ChangeBatch): void {
    this.ctx.output.emit(batch);
  }

  processWatermark(watermark: number, input: number): void {
    const advanced = this.watermarks.update(input, watermark);
    if (advanced !== undefined) this.ctx.output.emitWatermark(advanced);
  }

  endInput(input: number): void {
    // An ended input no longer holds the watermark back.
    const advanced = this.watermarks.update(input, Number.POSITIVE_INFINITY);
    if (this.ends.end(input)) this.ctx.output.end();
    else if (advanced !== undefined && advanced !== Number.POSITIVE_INFINITY) this.ctx.output.emitWatermark(advanced);
  }

  explain(): string {
    return `Union(inputs=[${this.inputs}])`;
  }
}
