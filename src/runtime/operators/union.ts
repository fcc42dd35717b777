/**
 * Union (UNION ALL): forwards the batches of every input; its watermark is the minimum of its inputs'
 * watermarks, and it ends when all inputs have ended.
 *
 * State: the value `inputs` (each input's watermark, and which inputs have ended; see {@link InputProgress}).
 */
import type { ChangeBatch } from '../changelog.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import { InputProgress } from './input-progress.js';

export class Union implements StreamOperator {
  readonly kind = 'Union';
  private ctx!: OperatorContext;
  private progress!: InputProgress;

  constructor(readonly inputs: number) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.progress = new InputProgress(ctx.state, this.inputs);
  }

  processBatch(batch: ChangeBatch): void {
    this.ctx.output.emit(batch);
  }

  processWatermark(watermark: number, input: number): void {
    this.progress.watermark(input, watermark, this.ctx.output);
  }

  endInput(input: number): void {
    this.progress.end(input, this.ctx.output);
  }

  explain(): string {
    return `Union(inputs=[${this.inputs}])`;
  }
}
