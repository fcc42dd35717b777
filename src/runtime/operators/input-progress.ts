/**
 * The progress of an operator with several inputs (Union, Join): each input's watermark and whether it
 * has ended, kept in the operator's state so a restored operator goes on from them. The operator's own
 * watermark is the minimum over its inputs; an ended input no longer holds it back; the operator ends
 * when all its inputs have.
 *
 * State: the value `inputs` (`{ marks, ended }`, per input). On open, the restored marks are replayed
 * into the combined watermark without emitting it (downstream saw it before the restore).
 */
import { MIN_WATERMARK } from '../changelog.js';
import { CombinedWatermark, InputEnds, type Output } from '../operator.js';
import type { OperatorState, ValueState } from '../state/state-types.js';
import { VALUE_CODEC } from './state-codecs.js';

/** What is checkpointed: per input, its watermark and whether it ended. */
interface InputMarks {
  readonly marks: number[];
  readonly ended: boolean[];
}

/** Tracks an operator's inputs' watermarks and ends, and passes the combined watermark and end on. */
export class InputProgress {
  private readonly watermarks: CombinedWatermark;
  private readonly ends: InputEnds;
  private readonly saved: ValueState<InputMarks>;
  private readonly current: InputMarks;

  constructor(
    state: OperatorState,
    readonly inputs: number,
  ) {
    this.watermarks = new CombinedWatermark(inputs);
    this.ends = new InputEnds(inputs);
    this.saved = state.value<InputMarks>('inputs', VALUE_CODEC);
    const restored = this.saved.get();
    this.current = {
      marks: restored ? restored.marks.slice() : new Array<number>(inputs).fill(MIN_WATERMARK),
      ended: restored ? restored.ended.slice() : new Array<boolean>(inputs).fill(false),
    };
    for (let i = 0; i < inputs; i++) {
      this.watermarks.update(i, this.current.marks[i]!);
      if (this.current.ended[i]) this.ends.end(i);
    }
  }

  /** Input `input`'s watermark: sends the combined watermark to `output` when it advanced. */
  watermark(input: number, watermark: number, output: Output): void {
    this.record(input, watermark, false);
    const advanced = this.watermarks.update(input, watermark);
    if (advanced !== undefined) output.emitWatermark(advanced);
  }

  /** Input `input` ended: ends `output` when all inputs have, else sends the combined watermark if it advanced. */
  end(input: number, output: Output): void {
    // An ended input no longer holds the watermark back.
    this.record(input, Number.POSITIVE_INFINITY, true);
    const advanced = this.watermarks.update(input, Number.POSITIVE_INFINITY);
    if (this.ends.end(input)) output.end();
    else if (advanced !== undefined && advanced !== Number.POSITIVE_INFINITY) output.emitWatermark(advanced);
  }

  /** Notes input `input`'s watermark (and end) for the next checkpoint. */
  private record(input: number, watermark: number, ended: boolean): void {
    const c = this.current;
    if (watermark > c.marks[input]!) c.marks[input] = watermark;
    if (ended) c.ended[input] = true;
    this.saved.set(c);
  }
}

/**
 * The output an event-time operator with several inputs gives its {@link InputProgress}: each combined
 * watermark goes to `advance(watermark, true)` (fire timers, emit, send it on); the end of all inputs to
 * `advance(+∞, false)` (fire everything), then the end of `downstream()`.
 */
export function progressOutput(advance: (watermark: number, forward: boolean) => void, downstream: () => Output): Output {
  return {
    emit: () => {
      throw new Error('InputProgress emits no rows');
    },
    emitWatermark: (w) => advance(w, true),
    end: () => {
      advance(Number.POSITIVE_INFINITY, false);
      downstream().end();
    },
  };
}
