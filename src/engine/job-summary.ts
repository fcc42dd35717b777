/**
 * A job's counters in the form people read: rows read, rows written, late rows dropped, bad rows skipped.
 */
import { CounterNames, type MetricsRegistry } from '../runtime/metrics.js';
import { combineChecksum } from '../connectors/blackhole.js';

/** What a checksumming sink (blackhole with `'checksum' = 'true'`) kept: see src/connectors/blackhole.ts. */
export interface SinkChecksum {
  /** Net rows: +1 per +I/+U, −1 per −U/−D (the size of the final multiset of rows). */
  readonly rows: number;
  /** The order-independent 64-bit checksum of the final multiset of rows, as 16 hex digits. */
  readonly checksum: string;
}

export interface JobSummary {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly lateRowsDropped: number;
  /** Bad records skipped or dead-lettered by the sources' error policies (all kinds). */
  readonly badRowsSkipped: number;
  /** Of those, the ones written to a dead-letter table. */
  readonly badRowsDeadLettered: number;
  /** Bad records by kind (`invalid-json`, `wrong-type`, ...). */
  readonly badRowsByKind: Readonly<Record<string, number>>;
  /** By sink table name, the checksums of the sinks that keep one; absent when none does. */
  readonly checksums?: Readonly<Record<string, SinkChecksum>>;
}

/** What a running query or job reports while it runs (the shell's status line, the servers' status). */
export interface Progress {
  readonly summary: JobSummary;
  /** The event-time watermark (epoch ms); -Infinity before the first, +Infinity once bounded input ended. */
  readonly watermark: number;
  /** Checkpoints completed, and when the last one was taken (epoch ms), when the job checkpoints. */
  readonly checkpoints: number;
  readonly lastCheckpointTime?: number;
  /** Entries held in the state tables (keys of aggregations, open windows, ...). */
  readonly stateEntries: number;
  /**
   * What the job's sources are going through when they are not simply reading, e.g. `retrying: Kafka broker
   * 127.0.0.1:9 unreachable (attempt 3, next in 4 s)` (see SourceReader.health); absent while all is well.
   */
  readonly health?: string;
}

/** Sums the counters of several jobs' metrics. */
export function summarize(registries: readonly MetricsRegistry[]): JobSummary {
  let rowsIn = 0;
  let rowsOut = 0;
  let late = 0;
  let bad = 0;
  let deadLettered = 0;
  const byKind: Record<string, number> = {};
  // Per sink, the summed halves and rows (several registries may hold instances of one sink).
  const sums = new Map<string, { low: number; high: number; rows: number }>();
  for (const m of registries) {
    for (const [scope, counters] of Object.entries(m.snapshot())) {
      if (scope.startsWith('Sink: ') && counters[CounterNames.checksumRows] !== undefined) {
        const name = scope.slice('Sink: '.length);
        const s = sums.get(name) ?? { low: 0, high: 0, rows: 0 };
        s.low += counters[CounterNames.checksumLow] ?? 0;
        s.high += counters[CounterNames.checksumHigh] ?? 0;
        s.rows += counters[CounterNames.checksumRows] ?? 0;
        sums.set(name, s);
      }
      if (scope.startsWith('Source: ') || scope.startsWith('Values#')) rowsIn += counters[CounterNames.recordsIn] ?? 0;
      if (scope.startsWith('Sink: ')) rowsOut += counters[CounterNames.recordsOut] ?? 0;
      for (const [name, value] of Object.entries(counters)) {
        if (name.startsWith('badRecords.') && value > 0) byKind[name.slice('badRecords.'.length)] = (byKind[name.slice('badRecords.'.length)] ?? 0) + value;
      }
    }
    late += m.total(CounterNames.lateRecordsDropped);
    bad += m.total(CounterNames.badRecordsSkipped);
    deadLettered += m.total(CounterNames.badRecordsDeadLettered);
  }
  const summary: JobSummary = { rowsIn, rowsOut, lateRowsDropped: late, badRowsSkipped: bad, badRowsDeadLettered: deadLettered, badRowsByKind: byKind };
  if (sums.size === 0) return summary;
  const checksums: Record<string, SinkChecksum> = {};
  for (const [name, s] of sums) checksums[name] = { rows: s.rows, checksum: combineChecksum(s.low, s.high) };
  return { ...summary, checksums };
}

/** `1,234 rows in, 1 row out, 3 late rows dropped, 0 bad rows skipped`. */
export function describeSummary(s: JobSummary): string {
  const n = (x: number, what: string) => `${x.toLocaleString('en-US')} ${what.replace('rows', x === 1 ? 'row' : 'rows')}`;
  const kinds = Object.entries(s.badRowsByKind)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, count]) => `${count.toLocaleString('en-US')} ${kind}`);
  const bad = `${n(s.badRowsSkipped, 'bad rows skipped')}${kinds.length ? ` (${kinds.join(', ')})` : ''}${s.badRowsDeadLettered ? `, ${s.badRowsDeadLettered.toLocaleString('en-US')} of them to the dead-letter table` : ''}`;
  const checksums = Object.entries(s.checksums ?? {}).map(([sink, c]) => `, ${sink}: ${n(c.rows, 'rows')} with checksum ${c.checksum}`);
  return `${n(s.rowsIn, 'rows in')}, ${n(s.rowsOut, 'rows out')}, ${n(s.lateRowsDropped, 'late rows dropped')}, ${bad}${checksums.join('')}`;
}
