/**
 * Union (UNION ALL): forwards the batches of every input; its watermark is the minimum of its inputs'
 * watermarks, and it ends when all inputs have ended.
 *
 * State: the value `inputs` (each input's watermark, and which inputs have ended). On open, the restored
 * marks are replayed into the combined watermark, without emitting (downstream saw them before).
 */
import type { ChangeBatch } from '../changelog.js';
import { MIN_WATERMARK } from '../changelog.js';
import { CombinedWatermark, InputEnds, type OperatorContext, type StreamOperator } from '../operator.js';
import type { ValueState } from '../state/state-types.js';
import { VALUE_CODEC } from './state-codecs.js';

/** What a Union checkpoints: per input, its watermark and whether it ended. */
interface UnionInputs {
  readonly marks: number[];
  readonly ended: boolean[];
}

export class Union implements StreamOperator {
  readonly kind = 'Union';
  private ctx!: OperatorContext;
  private readonly watermarks: CombinedWatermark;
  private readonly ends: InputEnds;
  private saved!: ValueState<UnionInputs>;
  private current!: UnionInputs;

  constructor(readonly inputs: number) {
    this.watermarks = new CombinedWatermark(inputs);
    this.ends = new InputEnds(inputs);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.saved = ctx.state.value<UnionInputs>('inputs', VALUE_CODEC);
    const restored = this.saved.get();
    this.current = {
      marks: restored ? restored.marks.slice() : new Array<number>(this.inputs).fill(MIN_WATERMARK),
      ended: restored ? restored.ended.slice() : new Array<boolean>(this.inputs).fill(false),
    };
    for (let i = 0; i < this.inputs; i++) {
      this.watermarks.update(i, this.current.marks[i]!);
      if (this.current.ended[i]) this.ends.end(i);
    }
  }

  processBatch(batch: ChangeBatch): void {
    this.ctx.output.emit(batch);
  }

  processWatermark(watermark: number, input: number): void {
    this.record(input, watermark, false);
    const advanced = this.watermarks.update(input, watermark);
    if (advanced !== undefined) this.ctx.output.emitWatermark(advanced);
  }

  endInput(input: number): void {
    // An ended input no longer holds the watermark back.
    this.record(input, Number.POSITIVE_INFINITY, true);
    const advanced = this.watermarks.update(input, Number.POSITIVE_INFINITY);
    if (this.ends.end(input)) this.ctx.output.end();
    else if (advanced !== undefined && advanced !== Number.POSITIVE_INFINITY) this.ctx.output.emitWatermark(advanced);
  }

  /** Notes input `input`'s watermark (and end) for the next checkpoint. */
  private record(input: number, watermark: number, ended: boolean): void {
    const c = this.current;
    if (watermark > c.marks[input]!) c.marks[input] = watermark;
    if (ended) c.ended[input] = true;
    this.saved.set(c);
  }

  explain(): string {
    return `Union(inputs=[${this.inputs}])`;
  }
}
