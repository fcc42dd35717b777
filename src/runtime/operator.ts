/**
 * The streaming operator contract.
 *
 * Operators are push-based and synchronous: the job driver hands each operator data batches, watermarks and
 * end-of-input signals, one at a time, in order; an operator reacts by emitting to its output. No promises
 * on the per-record path. Configuration is given to the constructor and never changes; everything that
 * changes while running lives in the operator's state object (so later state backends can snapshot it).
 *
 * Watermarks: an operator with several inputs forwards the minimum over its inputs (see
 * {@link CombinedWatermark}). A watermark is a promise that no more rows with a smaller-or-equal event time
 * will arrive on that input; records that arrive behind it anyway are "late".
 */
import type { ChangeBatch } from './changelog.js';
import type { Counter } from './metrics.js';
import type { OperatorState } from './state/state-types.js';
import type { BadRecord } from './connector.js';
import { MIN_WATERMARK } from './changelog.js';

/** Where an operator sends what it produces. */
export interface Output {
  emit(batch: ChangeBatch): void;
  emitWatermark(watermark: number): void;
  /** No more data will follow (sent once, after the last batch and watermark). */
  end(): void;
}

/** What the runtime gives an operator when it opens. */
export interface OperatorContext {
  /** A unique, stable name for this operator in the job (`WindowAggregate#3`), for metrics and state. */
  readonly name: string;
  readonly output: Output;
  /** A counter of this operator (see CounterNames). */
  counter(name: string): Counter;
  /**
   * This operator's state tables and values (see src/runtime/state/state-types.ts). Everything that changes
   * while the operator runs belongs there, so checkpoints capture it; when the job restores, the tables
   * already hold the restored state in `open()`.
   */
  readonly state: OperatorState;
  /**
   * Reports a row that failed in a SQL expression (a failed CAST, an integer division by zero) under the
   * job's error policy: throws for `fail`, else counts it (and dead-letters it) and returns, and the
   * operator drops the row.
   */
  readonly badRecord?: (record: BadRecord) => void;
}

/** A streaming operator (see the file comment for the contract). */
export interface StreamOperator {
  /** The operator's type name, e.g. `WindowAggregate`. */
  readonly kind: string;
  open(ctx: OperatorContext): void;
  /** Handles a batch from input `input` (0 for single-input operators). */
  processBatch(batch: ChangeBatch, input: number): void;
  /** Handles a watermark from input `input`. Watermarks per input never decrease. */
  processWatermark(watermark: number, input: number): void;
  /** Input `input` has ended; when all inputs have, the operator flushes and calls `output.end()`. */
  endInput(input: number): void;
  /** One line describing the operator and its configuration, for EXPLAIN (deterministic). */
  explain(): string;
}

/** Tracks the watermarks of several inputs; the combined watermark is their minimum. */
export class CombinedWatermark {
  private readonly marks: number[];
  private current = MIN_WATERMARK;

  constructor(inputs: number) {
    this.marks = new Array<number>(inputs).fill(MIN_WATERMARK);
  }

  /** Records input `input`'s watermark; returns the new combined watermark if it advanced, else undefined. */
  update(input: number, watermark: number): number | undefined {
    if (watermark > this.marks[input]!) this.marks[input] = watermark;
    let min = Infinity;
    for (const m of this.marks) if (m < min) min = m;
    if (min > this.current) {
      this.current = min;
      return min;
    }
    return undefined;
  }

  get value(): number {
    return this.current;
  }
}

/** Counts ended inputs; `end` returns true once all have ended. */
export class InputEnds {
  private ended = 0;
  private readonly seen: boolean[];
  constructor(inputs: number) {
    this.seen = new Array<boolean>(inputs).fill(false);
  }
  end(input: number): boolean {
    if (!this.seen[input]) {
      this.seen[input] = true;
      this.ended++;
    }
    return this.ended === this.seen.length;
  }
}
