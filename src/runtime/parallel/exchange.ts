/**
 * A job running as N parallel instances (`parallelism.default` = N), one per thread, each with the same
 * operators, cut at the plan's Exchange nodes (see docs/parallelism.md):
 *
 * - {@link ParallelExchange} is the runtime of one Exchange node in one instance. Rows of its input go to the
 *   instance owning their key (a hash of the distribution's key values; a `single` distribution: instance 0):
 *   its own rows go straight on, the others are buffered per instance and sent as batches. Downstream, it
 *   merges its own rows with those the other instances send it; its watermark is the minimum over the N
 *   senders' (aligned watermarks), and its input ends when all N senders' inputs have ended. Watermarks and
 *   ends go to every instance, rows only to their owner, so every instance's operators see time advance and
 *   end, even those that own no key.
 * - {@link InstanceLinks} holds an instance's channels (MessagePorts) to the other instances: messages name
 *   their exchange, are acknowledged once processed, and at most {@link MAX_IN_FLIGHT} unacknowledged data
 *   messages per channel hold the sender's sources back (backpressure).
 *
 * Messages on a channel keep their order, so a sender's rows always come before the watermark it sent after
 * them, and before its end.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ChangeBatch, Row, RowKind } from '../changelog.js';
import { MIN_WATERMARK } from '../changelog.js';
import type { CompiledExpr } from '../../expr/bound-expr.js';
import { CombinedWatermark, InputEnds, type Output, type OperatorContext, type StreamOperator } from '../operator.js';
import { hashValue, hashValues } from './hash.js';

/** Rows buffered for one instance before they are sent without waiting for the end of the chunk. */
export const SEND_BATCH_ROWS = 4096;
/** Unacknowledged data messages per channel at most: beyond, the sender's sources wait. */
export const MAX_IN_FLIGHT = 8;

/** A data message of one exchange: rows (then) a watermark, (then) the sender's end. */
interface DataMessage {
  /** The exchange's index (the same in every instance: exchanges are built in the plan's order). */
  readonly x: number;
  readonly r?: Row[];
  readonly k?: RowKind[];
  readonly w?: number;
  readonly e?: true;
}

/** An acknowledgement of `a` data messages. */
interface AckMessage {
  readonly a: number;
}

type LinkMessage = DataMessage | AckMessage;

/** This instance of a job running in parallel: which one, of how many, and its channels to the others. */
export interface ParallelInstance {
  readonly index: number;
  readonly count: number;
  readonly links: InstanceLinks;
}

/** An instance's channels to the other instances of its job. */
export class InstanceLinks {
  private readonly exchanges: ParallelExchange[] = [];
  private readonly inFlight: number[];
  private waiting?: { promise: Promise<void>; resolve: () => void };
  private drainWaiters: (() => void)[] = [];
  private onActivity: () => void = () => {};
  private onError: (err: unknown) => void = () => {};
  private stopped = false;
  private started = false;

  constructor(
    readonly index: number,
    readonly count: number,
    /** The port to instance j at index j (none at this instance's own index). */
    private readonly ports: readonly (MessagePort | undefined)[],
  ) {
    this.inFlight = new Array<number>(count).fill(0);
  }

  /** Adds an exchange (in the plan's order, the same in every instance); returns its index. */
  register(exchange: ParallelExchange): number {
    this.exchanges.push(exchange);
    return this.exchanges.length - 1;
  }

  /** The exchanges' names in order: every instance must have built the same ones. */
  get exchangeNames(): string[] {
    return this.exchanges.map((e) => e.name);
  }

  /**
   * Starts taking messages from the other instances (once the operators are open): `activity` runs after each
   * message was processed (the job flushes its sinks), `error` when processing one failed.
   */
  start(activity: () => void, error: (err: unknown) => void): void {
    if (this.started) return;
    this.started = true;
    this.onActivity = activity;
    this.onError = error;
    this.ports.forEach((port, j) => port?.on('message', (m: LinkMessage) => this.receive(j, m)));
  }

  private receive(from: number, m: LinkMessage): void {
    if ('a' in m) {
      this.inFlight[from]! -= m.a;
      if (this.waiting && this.hasRoom()) {
        const w = this.waiting;
        this.waiting = undefined;
        w.resolve();
      }
      return;
    }
    this.ports[from]!.postMessage({ a: 1 } satisfies AckMessage);
    if (this.stopped) return;
    try {
      this.exchanges[m.x]!.receive(from, m);
      this.flush();
      this.onActivity();
    } catch (err) {
      this.onError(err);
    }
  }

  /** Sends a data message to instance `to`. */
  send(to: number, m: DataMessage): void {
    this.inFlight[to]!++;
    this.ports[to]!.postMessage(m);
  }

  private hasRoom(): boolean {
    for (let j = 0; j < this.count; j++) if (this.inFlight[j]! >= MAX_IN_FLIGHT) return false;
    return true;
  }

  /** Resolves when every channel has room for more; undefined when they have now (or the job stops). */
  ready(): Promise<void> | undefined {
    if (this.stopped || this.hasRoom()) return undefined;
    if (!this.waiting) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiting = { promise, resolve };
    }
    return this.waiting.promise;
  }

  /** Sends the rows the exchanges hold, with their watermarks. */
  flush(): void {
    for (const e of this.exchanges) e.flush();
  }

  /** Called by an exchange whose input ended in every instance. */
  exchangeEnded(): void {
    if (!this.exchanges.every((e) => e.ended)) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once every exchange's input has ended in every instance (or the job stops). */
  drained(): Promise<void> {
    if (this.stopped || this.exchanges.every((e) => e.ended)) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** The job stops: nothing more is processed, and whoever waits (drain, backpressure) goes on. */
  stop(): void {
    this.stopped = true;
    this.waiting?.resolve();
    this.waiting = undefined;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Closes the channels. */
  close(): void {
    this.stop();
    for (const port of this.ports) {
      port?.removeAllListeners('message');
      port?.close();
    }
  }
}

/** Which instance owns a row: by a hash of its key values, or always instance 0 (`single`). */
export type Router = ((row: Row) => number) | 'single';

/** The router of a hash distribution over `keys` (compiled key expressions) among `count` instances. */
export function hashRouter(keys: readonly CompiledExpr[], count: number): Router {
  if (keys.length === 0) return 'single';
  if (keys.length === 1) {
    const key = keys[0]!;
    return (row) => hashValue(key(row)) % count;
  }
  const values = new Array<unknown>(keys.length);
  return (row) => {
    for (let i = 0; i < keys.length; i++) values[i] = keys[i]!(row);
    return hashValues(values) % count;
  };
}

/** One Exchange node in one instance (see the file comment). */
export class ParallelExchange implements StreamOperator {
  readonly kind = 'Exchange';
  private ctx!: OperatorContext;
  private readonly id: number;
  private readonly self: number;
  private readonly count: number;
  private readonly rows: Row[][];
  private readonly kinds: RowKind[][];
  /** The watermark of this instance's input, and the last one sent to each instance. */
  private watermark = MIN_WATERMARK;
  private readonly sentWatermark: number[];
  private readonly combined: CombinedWatermark;
  private readonly ends: InputEnds;
  private inputEnded = false;
  /** True once the input has ended in every instance (and the output has ended). */
  ended = false;

  constructor(
    /** Names the exchange (its plan node's id), to check that every instance built the same exchanges. */
    readonly name: string,
    private readonly links: InstanceLinks,
    private readonly router: Router,
  ) {
    this.id = links.register(this);
    this.self = links.index;
    this.count = links.count;
    this.rows = Array.from({ length: this.count }, () => []);
    this.kinds = Array.from({ length: this.count }, () => []);
    this.sentWatermark = new Array<number>(this.count).fill(MIN_WATERMARK);
    this.combined = new CombinedWatermark(this.count);
    this.ends = new InputEnds(this.count);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  private get output(): Output {
    return this.ctx.output;
  }

  processBatch(batch: ChangeBatch): void {
    const router = this.router;
    if (router === 'single') {
      if (this.self === 0) this.output.emit(batch);
      else this.buffer(0, batch.rows, batch.kinds);
      return;
    }
    const self = this.self;
    const { rows, kinds } = batch;
    let ownRows: Row[] | undefined;
    let ownKinds: RowKind[] | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const to = router(row);
      if (to === self) {
        (ownRows ??= []).push(row);
        (ownKinds ??= []).push(kinds[i]!);
      } else {
        this.rows[to]!.push(row);
        this.kinds[to]!.push(kinds[i]!);
      }
    }
    for (let j = 0; j < this.count; j++) if (this.rows[j]!.length >= SEND_BATCH_ROWS) this.send(j, false);
    if (ownRows) this.output.emit({ rows: ownRows, kinds: ownKinds! });
  }

  private buffer(to: number, rows: readonly Row[], kinds: readonly RowKind[]): void {
    const r = this.rows[to]!;
    const k = this.kinds[to]!;
    for (let i = 0; i < rows.length; i++) {
      r.push(rows[i]!);
      k.push(kinds[i]!);
    }
    if (r.length >= SEND_BATCH_ROWS) this.send(to, false);
  }

  processWatermark(watermark: number): void {
    if (watermark <= this.watermark) return;
    // Rows buffered before this watermark go out with it (they came before it); later rows wait for the next.
    for (let j = 0; j < this.count; j++) if (this.rows[j]!.length > 0) this.send(j, false);
    this.watermark = watermark;
    const w = this.combined.update(this.self, watermark);
    if (w !== undefined) this.output.emitWatermark(w);
  }

  endInput(): void {
    this.inputEnded = true;
    for (let j = 0; j < this.count; j++) if (j !== this.self) this.send(j, true);
    this.arrived(this.self, true);
  }

  /** Sends what waits for instance `to` (rows, the watermark if it advanced, the end). */
  private send(to: number, end: boolean): void {
    const rows = this.rows[to]!;
    const wm = this.watermark > this.sentWatermark[to]! ? this.watermark : undefined;
    if (rows.length === 0 && wm === undefined && !end) return;
    const m: { x: number; r?: Row[]; k?: RowKind[]; w?: number; e?: true } = { x: this.id };
    if (rows.length > 0) {
      m.r = rows;
      m.k = this.kinds[to]!;
      this.rows[to] = [];
      this.kinds[to] = [];
    }
    if (wm !== undefined) {
      m.w = wm;
      this.sentWatermark[to] = wm;
    }
    if (end) m.e = true;
    this.links.send(to, m);
  }

  /** Sends what waits for every other instance (the end of a chunk, or of processing a message). */
  flush(): void {
    if (this.inputEnded) return;
    for (let j = 0; j < this.count; j++) if (j !== this.self) this.send(j, false);
  }

  /** A message from instance `from`. */
  receive(from: number, m: DataMessage): void {
    if (m.r) this.output.emit({ rows: m.r, kinds: m.k! });
    if (m.w !== undefined) {
      const w = this.combined.update(from, m.w);
      if (w !== undefined) this.output.emitWatermark(w);
    }
    if (m.e) this.arrived(from, true);
  }

  private arrived(from: number, end: boolean): void {
    if (!end || !this.ends.end(from)) return;
    this.ended = true;
    this.output.end();
    this.links.exchangeEnded();
  }

  explain(): string {
    return `Exchange(instances=[${this.count}])`;
  }
}
