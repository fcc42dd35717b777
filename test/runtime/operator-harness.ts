/** A test harness for streaming operators: opens one with a collecting output and counters, feeds it, records what it emits. */
import { type ChangeBatch, insertBatch, MAX_WATERMARK, type Row, ROW_KIND_NAMES } from '../../src/runtime/changelog.js';
import { Counter } from '../../src/runtime/metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../../src/runtime/operator.js';
import { StateBackend } from '../../src/runtime/state/state-backend.js';

/** One emitted change, its kind spelled as Flink prints it. */
export interface Change {
  readonly kind: string;
  readonly row: Row;
}

/** Everything an operator sent to its output, in order. */
export type OutputEvent =
  | { readonly type: 'batch'; readonly batch: ChangeBatch }
  | { readonly type: 'watermark'; readonly watermark: number }
  | { readonly type: 'end' };

/** An {@link Output} that records everything sent to it. */
export class Collector implements Output {
  readonly events: OutputEvent[] = [];
  readonly counters = new Map<string, Counter>();
  protected fresh: Change[] = [];

  emit(batch: ChangeBatch): void {
    if (batch.rows.length !== batch.kinds.length) throw new Error('rows and kinds differ in length');
    this.events.push({ type: 'batch', batch });
    for (let i = 0; i < batch.rows.length; i++) this.fresh.push({ kind: ROW_KIND_NAMES[batch.kinds[i]!]!, row: batch.rows[i]! });
  }

  emitWatermark(watermark: number): void {
    this.events.push({ type: 'watermark', watermark });
  }

  end(): void {
    this.events.push({ type: 'end' });
  }

  /** A context for an operator named `name` that sends its output here and keeps its state in `state`. */
  contextFor(name: string, state: StateBackend): OperatorContext {
    return {
      name,
      output: this,
      state: state.forOperator(name),
      counter: (n) => {
        let c = this.counters.get(n);
        if (!c) this.counters.set(n, (c = new Counter(n)));
        return c;
      },
    };
  }

  /** Every change emitted so far, in order. */
  get changes(): Change[] {
    const all: Change[] = [];
    for (const e of this.events) {
      if (e.type !== 'batch') continue;
      for (let i = 0; i < e.batch.rows.length; i++) all.push({ kind: ROW_KIND_NAMES[e.batch.kinds[i]!]!, row: e.batch.rows[i]! });
    }
    return all;
  }

  /** The watermarks emitted so far. */
  get watermarks(): number[] {
    return this.events.flatMap((e) => (e.type === 'watermark' ? [e.watermark] : []));
  }

  /** True once the operator called `end()`. */
  get ended(): boolean {
    return this.events.some((e) => e.type === 'end');
  }

  /** The value of counter `name` (0 if never used). */
  counter(name: string): number {
    return this.counters.get(name)?.value ?? 0;
  }

  /** The changes since the last call. */
  protected take(): Change[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }
}

/** Drives one operator (input 0) and collects its output. */
export class OperatorHarness<Op extends StreamOperator = StreamOperator> extends Collector {
  /** @param state where the operator keeps its state (default: a fresh in-memory backend) */
  constructor(
    readonly op: Op,
    readonly state: StateBackend = new StateBackend(),
  ) {
    super();
    op.open(this.contextFor(`${op.kind}#1`, state));
  }

  /** Feeds a batch; returns the changes it caused. */
  feed(batch: ChangeBatch): Change[] {
    this.op.processBatch(batch, 0);
    return this.take();
  }

  /** Feeds the rows as one batch of inserts; returns the changes it caused. */
  insert(...rows: Row[]): Change[] {
    return this.feed(insertBatch(rows));
  }

  /** Feeds a watermark; returns the changes it caused. */
  watermark(watermark: number): Change[] {
    this.op.processWatermark(watermark, 0);
    return this.take();
  }

  /** Sends MAX_WATERMARK then ends the input, as a finished source does; returns the changes caused. */
  finish(): Change[] {
    this.op.processWatermark(MAX_WATERMARK, 0);
    this.op.endInput(0);
    return this.take();
  }
}

/** Shorthand for expected changes: `ch('+I', ['a', 1])`. */
export function ch(kind: '+I' | '-U' | '+U' | '-D', row: Row): Change {
  return { kind, row };
}
