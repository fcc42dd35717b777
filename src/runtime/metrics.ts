/**
 * Counters an operator or source keeps (records in and out, late records dropped, bad records skipped),
 * read by `eddy run`'s summary, the shell's status line and metrics endpoints.
 */

/** A named counter of one operator. */
export class Counter {
  value = 0;
  constructor(readonly name: string) {}
  inc(n = 1): void {
    this.value += n;
  }
}

/** Well-known counter names, shared by operators and whoever reports them. */
export const CounterNames = {
  recordsIn: 'recordsIn',
  recordsOut: 'recordsOut',
  /** Records dropped because every window they belong to has already fired. */
  lateRecordsDropped: 'lateRecordsDropped',
  /** Records dropped because their event time is NULL (they belong to no window). */
  nullTimeRecordsDropped: 'nullTimeRecordsDropped',
  /** Bad records a source's error policy skipped or sent to the dead-letter table (all kinds). */
  badRecordsSkipped: 'badRecordsSkipped',
  /** Of those, the ones written to the dead-letter table. */
  badRecordsDeadLettered: 'badRecordsDeadLettered',
  /** A checksumming sink (blackhole with 'checksum'): the low and high 32-bit halves of its 64-bit checksum. */
  checksumLow: 'checksumLow',
  checksumHigh: 'checksumHigh',
  /** A checksumming sink: the net number of rows (+1 per +I/+U, −1 per −U/−D). */
  checksumRows: 'checksumRows',
} as const;

/** The counter of bad records of one kind: `badRecords.<kind>`. */
export function badRecordCounter(kind: string): string {
  return `badRecords.${kind}`;
}

/** All counters of a job, grouped by operator name. */
export class MetricsRegistry {
  private readonly groups = new Map<string, Map<string, Counter>>();

  /** The counter `name` of operator `scope`, created on first use. */
  counter(scope: string, name: string): Counter {
    let group = this.groups.get(scope);
    if (!group) {
      group = new Map();
      this.groups.set(scope, group);
    }
    let c = group.get(name);
    if (!c) {
      c = new Counter(name);
      group.set(name, c);
    }
    return c;
  }

  /** Sum of counter `name` over all operators. */
  total(name: string): number {
    let sum = 0;
    for (const group of this.groups.values()) sum += group.get(name)?.value ?? 0;
    return sum;
  }

  /** Every counter as `{ scope: { name: value } }`. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [scope, group] of this.groups) {
      out[scope] = {};
      for (const [name, c] of group) out[scope]![name] = c.value;
    }
    return out;
  }
}
