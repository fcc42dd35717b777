/**
 * The input loop of the operators that key insert-only rows by time (Deduplicate, OverAggregate): only
 * insertions are accepted; a row with a NULL (or NaN) time is dropped and counted; on event time, a row at
 * or behind the watermark is late, dropped and counted by the timer service; the others are handed on with their time
 * and their partition key, encoded as a string (so a NULL key never reads as the key null of the timer
 * service's operator-wide timers).
 */
import type { ChangeBatch, Row } from '../changelog.js';
import { INSERT } from '../changelog.js';
import type { Counter } from '../metrics.js';
import { encodeKey, type KeySelector } from '../keys.js';
import type { TimerService } from '../timer-service.js';
import { notInsertOnly } from './aggregate-call.js';

/** Where {@link forEachTimedInsert} finds what it checks, and what it counts in. */
export interface TimedInsertsContext {
  /** The operator's kind, for the error on a non-insert row. */
  readonly operator: string;
  readonly timeIndex: number;
  readonly selector: KeySelector;
  readonly nullTime: Counter;
  /** Decides which rows are late; none without it (processing time: every row is on time). */
  readonly timers?: TimerService;
}

/** Calls `fn` for each row of `batch` that is on time (see the file comment). */
export function forEachTimedInsert(batch: ChangeBatch, c: TimedInsertsContext, fn: (row: Row, time: number, key: string) => void): void {
  const t = c.timeIndex;
  for (let i = 0; i < batch.rows.length; i++) {
    if (batch.kinds[i] !== INSERT) throw notInsertOnly(c.operator, batch.kinds[i]!);
    const row = batch.rows[i]!;
    const ts = row[t];
    if (typeof ts !== 'number' || Number.isNaN(ts)) {
      c.nullTime.inc();
      continue;
    }
    if (c.timers?.dropLate(ts)) continue;
    fn(row, ts, encodeKey(c.selector.values(row)));
  }
}
