import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_WATERMARK } from '../../../src/runtime/changelog.js';
import { TemporalSort } from '../../../src/runtime/operators/temporal-sort.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step, streamSteps } from './checkpoint-run.js';
import { genRows, mulberry32 } from './stream-gen.js';

/** ORDER BY $2 (time), $1 DESC NULLS LAST over rows `[key, value, ts, ..]`. */
const make = () =>
  new TemporalSort({
    timeIndex: 2,
    keys: [
      { index: 2, descending: false, nullsFirst: true },
      { index: 1, descending: true, nullsFirst: false },
    ],
  });

describe('TemporalSort', () => {
  it('buffers rows until the watermark passes them, then releases them sorted', () => {
    const h = new OperatorHarness(make());
    expect(h.insert(['a', 1, 5], ['b', 2, 3], ['c', 3, 5], ['d', null, 3], ['e', 9, 8])).toEqual([]);
    expect(h.watermark(4)).toEqual([ch('+I', ['b', 2, 3]), ch('+I', ['d', null, 3])]);
    expect(h.op.buffered).toBe(3);
    expect(h.watermark(6)).toEqual([ch('+I', ['c', 3, 5]), ch('+I', ['a', 1, 5])]);
    expect(h.finish()).toEqual([ch('+I', ['e', 9, 8])]);
    expect(h.watermarks).toEqual([4, 6, MAX_WATERMARK]);
    expect(h.ended).toBe(true);
  });

  it('keeps arrival order among rows equal on every key', () => {
    const h = new OperatorHarness(make());
    h.insert(['x', 1, 5], ['y', 1, 5]);
    h.insert(['z', 1, 5]);
    expect(h.finish().map((c) => c.row[0])).toEqual(['x', 'y', 'z']);
  });

  it('drops and counts late rows and rows without a time', () => {
    const h = new OperatorHarness(make());
    h.watermark(10);
    h.insert(['a', 1, 10], ['b', 1, 9], ['c', 1, null], ['d', 1, Number.NaN], ['e', 1, 11]);
    expect(h.counter('lateRecordsDropped')).toBe(2);
    expect(h.counter('nullTimeRecordsDropped')).toBe(2);
    expect(h.watermark(5)).toEqual([]); // does not go back
    expect(h.finish()).toEqual([ch('+I', ['e', 1, 11])]);
  });

  it('keeps one timer, at the earliest buffered time, however many times are buffered', () => {
    const h = new OperatorHarness(make());
    const timers = () => [...h.state.forOperator(`${h.op.kind}#1`).table<unknown>('timers').namespace('')].map(([id]) => id);
    h.insert(['a', 1, 20], ['b', 1, 30], ['c', 1, 25]);
    expect(timers()).toEqual([20]);
    h.insert(['d', 1, 10]); // earlier than every buffered time: a timer at 10
    expect(timers()).toEqual([20, 10]);
    expect(h.watermark(22).map((c) => c.row[0])).toEqual(['d', 'a']);
    expect(timers()).toEqual([25]);
    expect(h.finish().map((c) => c.row[0])).toEqual(['c', 'b']);
    expect(timers()).toEqual([]);
  });

  describe('checkpoint and restore', () => {
    type Op = TemporalSort;
    function expectSameOutput(steps: Step<Op>[], cuts: number[], lost = 0): void {
      const straight = runStraight(make, steps);
      const restored = runRestored(make, steps, cuts, lost);
      expect(restored.changes).toEqual(straight.changes);
      expect(restored.watermarks).toEqual(straight.watermarks);
      expect(restored.ended).toBe(true);
      expect(restored.counters['lateRecordsDropped'] ?? 0).toBe(straight.counters['lateRecordsDropped'] ?? 0);
    }

    it('restores pending rows (several at one time, in arrival order) and the watermark', () => {
      const steps: Step<Op>[] = [
        (h) => h.insert(['a', 1, 5], ['b', 2, 3], ['c', 1, 5]),
        (h) => h.watermark(3),
        (h) => h.insert(['d', 1, 5], ['e', 7, 4], ['f', 1, 2]), // f is late
        (h) => h.watermark(4),
        (h) => h.insert(['g', 1, 9]),
        (h) => h.finish(),
      ];
      for (let cut = 0; cut <= steps.length; cut++) expectSameOutput(steps, [cut]);
      expectSameOutput(steps, [1, 2, 3, 4, 5]);
      expectSameOutput(steps, [1, 3], 2);
    });

    it('gives the uninterrupted output for random streams and restore points', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 20 }), fc.integer(), (disorder, seed) => {
          const rng = mulberry32(seed);
          const rows = genRows(rng, { n: 1 + Math.floor(rng() * 150), keys: 4, disorder, maxStep: 5, start: -50 });
          const steps = streamSteps<Op>(rows, rng, Math.floor(disorder / 2), 10);
          expectSameOutput(steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        }),
        { numRuns: 40 },
      );
    });
  });
});
