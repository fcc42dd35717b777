import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Row } from '../../../src/runtime/changelog.js';
import { Deduplicate } from '../../../src/runtime/operators/deduplicate.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, streamSteps } from './checkpoint-run.js';
import { genRows, mulberry32, sortRows } from './stream-gen.js';

// Rows are [key, value, ts, flag] (stream-gen.ts); deduplicated by key on ts.
const make = () => new Deduplicate({ partitionKeys: [0], timeIndex: 2 });

/** Per key, the earliest row by ts (the first to arrive among equal times), with rank 1 — computed independently. */
function batchFirst(rows: readonly Row[]): Row[] {
  const first = new Map<unknown, Row>();
  for (const r of rows) {
    const held = first.get(r[0]);
    if (!held || (r[2] as number) < (held[2] as number)) first.set(r[0], r);
  }
  return [...first.values()].map((r) => [...r, 1]);
}

describe('Deduplicate (keep first row on event time)', () => {
  it('emits the earliest row of each key once the watermark passes it, and nothing for the key after', () => {
    const h = new OperatorHarness(make());
    expect(h.insert(['a', 1, 50, true], ['a', 2, 40, true], ['b', 3, 45, true], ['a', 4, 40, true])).toEqual([]);
    expect(h.watermark(44)).toEqual([ch('+I', ['a', 2, 40, true, 1])]);
    expect(h.insert(['a', 5, 46, true], ['b', 6, 44, false])).toEqual([]); // b at 44 is late (behind the watermark)
    expect(h.counters.get('lateRecordsDropped')?.value).toBe(1);
    expect(h.finish()).toEqual([ch('+I', ['b', 3, 45, true, 1])]);
    expect(h.op.waiting).toBe(0);
  });

  it('output is insert-only and equals a batch keep-first over shuffled input within the watermark delay', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = mulberry32(seed);
        const rows = genRows(rng, { n: 1 + Math.floor(rng() * 300), keys: 6, disorder: 20, maxStep: 10, start: -100 });
        const h = new OperatorHarness(make());
        for (const step of streamSteps<Deduplicate>(rows, rng, 21, 12)) step(h); // lag > disorder: no row is late
        expect(h.changes.every((c) => c.kind === '+I')).toBe(true);
        expect(sortRows(h.changes.map((c) => c.row))).toEqual(sortRows(batchFirst(rows)));
        expect(h.op.waiting).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the uninterrupted output when checkpointed and restored at random points', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = mulberry32(seed);
        const rows = genRows(rng, { n: Math.floor(rng() * 200), keys: 5, disorder: 30, maxStep: 10, start: 0 });
        const steps = streamSteps<Deduplicate>(rows, rng, 10, 8); // lag < disorder: some rows are late
        const straight = runStraight(make, steps);
        const restored = runRestored(make, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        expect(restored.changes).toEqual(straight.changes);
        expect(restored.watermarks).toEqual(straight.watermarks);
        expect(restored.counters).toEqual(straight.counters);
      }),
      { numRuns: 30 },
    );
  });
});
