/** Seeded random streams with bounded disorder, and a driver that feeds them in batches with watermarks. */
import type { Row, RowKind } from '../../../src/runtime/changelog.js';
import type { StreamOperator } from '../../../src/runtime/operator.js';
import type { OperatorHarness } from '../operator-harness.js';
import { mulberry32 } from '../../../src/connectors/datagen.js';
export { mulberry32 };


/** Shape of a generated stream. */
export interface StreamShape {
  readonly n: number;
  /** Number of distinct keys (`k0`, `k1`, ..); a few rows also get a NULL key. */
  readonly keys: number;
  /** Each row is at most this many ms behind the largest timestamp before it. */
  readonly disorder: number;
  /** The largest step forward between consecutive rows. */
  readonly maxStep: number;
  /** The first timestamp (negative to exercise flooring). */
  readonly start: number;
}

/** Rows `[key, value, ts, flag]` with bounded disorder: each `ts >= max(previous ts) - disorder`. */
export function genRows(rng: () => number, shape: StreamShape): Row[] {
  const rows: Row[] = [];
  let max = shape.start;
  for (let i = 0; i < shape.n; i++) {
    const ts = rng() < 0.4 ? max - Math.floor(rng() * (shape.disorder + 1)) : max + Math.floor(rng() * (shape.maxStep + 1));
    if (ts > max) max = ts;
    const key = rng() < 0.05 ? null : `k${Math.floor(rng() * shape.keys)}`;
    const value = rng() < 0.1 ? null : Math.floor(rng() * 41) - 20;
    rows.push([key, value, ts, rng() < 0.5]);
  }
  return rows;
}

/**
 * Feeds `rows` as insert batches of random size (1..maxBatch), each followed by the watermark
 * `max(ts so far) - lag`, then MAX_WATERMARK and end of input.
 */
export function feedWithWatermarks(h: OperatorHarness, rows: Row[], rng: () => number, lag: number, maxBatch: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows.length; ) {
    const size = 1 + Math.floor(rng() * maxBatch);
    const batch = rows.slice(i, i + size);
    i += size;
    for (const r of batch) if ((r[2] as number) > max) max = r[2] as number;
    h.insert(...batch);
    h.watermark(max - lag);
  }
  h.finish();
}

/** Sorts rows by their JSON text, to compare result sets regardless of order. */
export function sortRows(rows: readonly Row[]): Row[] {
  return rows
    .map((r) => [JSON.stringify(r), r] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r);
}

/** A change arriving on one input of a two-input operator at `at` (ms). */
export interface Arrival {
  readonly side: 0 | 1;
  readonly kind: RowKind;
  readonly row: Row;
  readonly at: number;
}

/**
 * Steps that deliver arrivals to a two-input operator in arrival order (ties in the given order), in small
 * batches (1 to 4 arrivals, split by side), each followed by a watermark on a random side trailing the
 * latest arrival by `delay`, then a watermark on both sides `delay + 100 s` past the last arrival (not the
 * end of the inputs). An arrival at most `delay` after its time is never late.
 */
export function twoInputSteps<Op extends StreamOperator>(rng: () => number, arrivals: readonly Arrival[], delay: number): ((h: OperatorHarness<Op>) => void)[] {
  const sorted = arrivals.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a);
  const steps: ((h: OperatorHarness<Op>) => void)[] = [];
  for (let i = 0; i < sorted.length; ) {
    const size = 1 + Math.floor(rng() * 4);
    const chunk = sorted.slice(i, i + size);
    i += size;
    for (const side of [0, 1]) {
      const part = chunk.filter((a) => a.side === side);
      if (part.length > 0) steps.push((h) => h.op.processBatch({ rows: part.map((a) => a.row), kinds: part.map((a) => a.kind) }, side));
    }
    const mark = chunk[chunk.length - 1]!.at - delay;
    const side = Math.floor(rng() * 2);
    steps.push((h) => h.op.processWatermark(mark, side));
  }
  const last = sorted[sorted.length - 1]!.at + 100_000;
  steps.push((h) => h.op.processWatermark(last, 0));
  steps.push((h) => h.op.processWatermark(last, 1));
  return steps;
}
