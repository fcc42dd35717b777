/**
 * A job's counters in the form people read: rows read, rows written, late rows dropped, bad rows skipped.
 */
import { CounterNames, type MetricsRegistry } from '../runtime/metrics.js';

export interface JobSummary {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly lateRowsDropped: number;
  readonly badRowsSkipped: number;
}

/** Sums the counters of several jobs' metrics. */
export function summarize(registries: readonly MetricsRegistry[]): JobSummary {
  let rowsIn = 0;
  let rowsOut = 0;
  let late = 0;
  let bad = 0;
  for (const m of registries) {
    for (const [scope, counters] of Object.entries(m.snapshot())) {
      if (scope.startsWith('Source: ') || scope.startsWith('Values#')) rowsIn += counters[CounterNames.recordsIn] ?? 0;
      if (scope.startsWith('Sink: ')) rowsOut += counters[CounterNames.recordsOut] ?? 0;
    }
    late += m.total(CounterNames.lateRecordsDropped);
    bad += m.total(CounterNames.badRecordsSkipped);
  }
  return { rowsIn, rowsOut, lateRowsDropped: late, badRowsSkipped: bad };
}

/** `1,234 rows in, 1 row out, 3 late rows dropped, 0 bad rows skipped`. */
export function describeSummary(s: JobSummary): string {
  const n = (x: number, what: string) => `${x.toLocaleString('en-US')} ${what.replace('rows', x === 1 ? 'row' : 'rows')}`;
  return `${n(s.rowsIn, 'rows in')}, ${n(s.rowsOut, 'rows out')}, ${n(s.lateRowsDropped, 'late rows dropped')}, ${n(s.badRowsSkipped, 'bad rows skipped')}`;
}
