/** ksqlDB's windows as the planner and the runtime share them (durations in ms), and how EXPLAIN writes them. */

/** ksqlDB's default GRACE PERIOD when a window clause gives none: 24 hours. */
export const KSQL_DEFAULT_GRACE_MS = 24 * 3_600_000;

/** A ksqlDB window (`WINDOW TUMBLING|HOPPING|SESSION (...)`), durations in ms. */
export interface KsqlWindowSpec {
  readonly type: 'TUMBLING' | 'HOPPING' | 'SESSION';
  /** SIZE; SESSION's inactivity gap. */
  readonly sizeMs: number;
  /** HOPPING's ADVANCE BY. */
  readonly advanceMs?: number;
  /** GRACE PERIOD (ksqlDB's default filled in: {@link KSQL_DEFAULT_GRACE_MS}). */
  readonly graceMs: number;
  /** RETENTION, when given: how long a window's state is kept (at least until it closes). */
  readonly retentionMs?: number;
}

/** `TUMBLING(SIZE 10000 ms, GRACE 0 ms)`: a window for EXPLAIN. */
export function describeKsqlWindow(w: KsqlWindowSpec): string {
  const parts = [w.type === 'SESSION' ? `GAP ${w.sizeMs} ms` : `SIZE ${w.sizeMs} ms`];
  if (w.type === 'HOPPING') parts.push(`ADVANCE BY ${w.advanceMs} ms`);
  if (w.retentionMs !== undefined) parts.push(`RETENTION ${w.retentionMs} ms`);
  parts.push(`GRACE ${w.graceMs} ms`);
  return `${w.type}(${parts.join(', ')})`;
}
