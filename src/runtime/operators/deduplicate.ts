/**
 * Deduplicate (keep first row on event time): `ROW_NUMBER() OVER (PARTITION BY k.. ORDER BY rowtime ASC)`
 * filtered by `rn = 1` (or `rn <= 1`, `rn < 2`) over an insert-only input: per key, the row with the
 * smallest event time, emitted once, as an insert-only stream (Flink's keep-first deduplication, made
 * final by waiting for the watermark).
 *
 * - Per key, the earliest row seen so far (the first to arrive among rows of equal time) waits, with a
 *   keyed timer at its time. When the watermark reaches that time no earlier row can come: the row is
 *   emitted (`+I`, with the rank 1 appended unless the rank column is not selected) and the key is marked done.
 * - A row of a done key, and any row at or behind the watermark, cannot be the first: late rows are dropped
 *   and counted by the timer service ({@link TimerService.dropLate}); rows of done keys are dropped silently,
 *   as deduplication drops every row but the first. Rows with a NULL time are dropped and counted.
 * - State: the table `keys` (partition key → the waiting row, or `true` once emitted; idle keys leave after
 *   `table.exec.state.ttl`) and the timer service's `timers` and `watermark`.
 */
import { INSERT, type ChangeBatch, type Row, type RowKind } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { StateKey, StateTable } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { type KeySelector, keySelector } from '../keys.js';
import { describeColumns } from './aggregate-call.js';
import { forEachTimedInsert } from './timed-inserts.js';
import { VALUE_CODEC } from './state-codecs.js';
import { NULL_TIME_RECORDS_DROPPED } from './window-assigner.js';

/** Configuration of a {@link Deduplicate}. */
export interface DeduplicateConfig {
  readonly partitionKeys: readonly number[];
  /** The event-time column rows are ordered by. */
  readonly timeIndex: number;
  /** False when the rank column (always 1) is not output (default true). */
  readonly outputRank?: boolean;
}

/** Keep-first deduplication on event time (see the file comment). */
export class Deduplicate implements StreamOperator {
  readonly kind = 'Deduplicate';
  private ctx!: OperatorContext;
  private nullTime!: Counter;
  private keys!: StateTable<Row | true>;
  private timers!: TimerService;
  private readonly selector: KeySelector;
  /** The rows the timers of one watermark released. */
  private ready: Row[] = [];

  constructor(readonly config: DeduplicateConfig) {
    this.selector = keySelector(config.partitionKeys);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.keys = ctx.state.table<Row | true>('keys', VALUE_CODEC, { ttl: true });
    this.timers = new TimerService(ctx);
  }

  processBatch(batch: ChangeBatch): void {
    const t = this.config.timeIndex;
    forEachTimedInsert(batch, { operator: this.kind, timeIndex: t, selector: this.selector, nullTime: this.nullTime, timers: this.timers }, (row, ts, key) => {
      const held = this.keys.get(key);
      if (held === true) return;
      if (held) {
        const heldTs = held[t] as number;
        if (heldTs <= ts) return;
        this.timers.delete(heldTs, key);
      }
      this.keys.put(key, row);
      this.timers.register(ts, key);
    });
  }

  processWatermark(watermark: number): void {
    if (!this.timers.advance(watermark, this.release)) return;
    const ready = this.ready;
    if (ready.length > 0) {
      this.ready = [];
      this.ctx.output.emit({ rows: ready, kinds: new Array<RowKind>(ready.length).fill(INSERT) });
    }
    this.ctx.output.emitWatermark(watermark);
  }

  /** A key's timer: its waiting row is the first; it goes out and the key is done. */
  private readonly release = (_time: number, key: StateKey): void => {
    const held = this.keys.get(key);
    if (!held || held === true) return;
    this.ready.push(this.config.outputRank === false ? held : [...held, 1]);
    this.keys.put(key, true);
  };

  /** How many rows wait for the watermark (for tests). */
  get waiting(): number {
    let n = 0;
    for (const [, v] of this.keys.namespace('')) if (v !== true) n++;
    return n;
  }

  endInput(): void {
    this.ctx.output.end();
  }

  explain(): string {
    return `Deduplicate(keep=[FirstRow], key=[${describeColumns(this.config.partitionKeys)}], order=[$${this.config.timeIndex} ASC (ROWTIME)])`;
  }
}
