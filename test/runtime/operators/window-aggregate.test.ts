import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DELETE, MAX_WATERMARK, type Row } from '../../../src/runtime/changelog.js';
import { WindowAggregate } from '../../../src/runtime/operators/window-aggregate.js';
import type { AlignedWindow } from '../../../src/runtime/operators/window-assigner.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step, streamSteps } from './checkpoint-run.js';
import { feedWithWatermarks, genRows, mulberry32, sortRows } from './stream-gen.js';
import { call, countImpl, standardCalls, standardResults, sumImpl } from './test-aggregates.js';

const tumble10: AlignedWindow = { kind: 'tumble', size: 10, offset: 0 };

/** COUNT(*) and SUM($1) per key $0, over time $2. */
function countSum(window: AlignedWindow = tumble10): OperatorHarness<WindowAggregate> {
  return new OperatorHarness(
    new WindowAggregate({
      window,
      timeIndex: 2,
      groupKeys: [0],
      aggs: [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1)],
    }),
  );
}

describe('WindowAggregate', () => {
  it('emits one row per window and key when the watermark reaches window_time', () => {
    const h = countSum();
    expect(h.insert(['a', 1, 1], ['b', 2, 3], ['a', 3, 9], ['a', 4, 10])).toEqual([]);
    expect(h.watermark(8)).toEqual([]);
    expect(h.watermark(9)).toEqual([ch('+I', ['a', 2, 4, 0, 10, 9]), ch('+I', ['b', 1, 2, 0, 10, 9])]);
    expect(h.op.state.openWindows).toBe(1);
    expect(h.watermarks).toEqual([8, 9]);
    expect(h.finish()).toEqual([ch('+I', ['a', 1, 4, 10, 20, 19])]);
    expect(h.op.state.openWindows).toBe(0);
    expect(h.ended).toBe(true);
  });

  it('fires exactly the windows a watermark passes, ascending by end, groups in first-seen order', () => {
    const h = countSum();
    h.insert(['x', 1, 35], ['b', 1, 5], ['a', 1, 15], ['a', 1, 6], ['c', 1, 25]);
    expect(h.watermark(24).map((c) => c.row)).toEqual([
      ['b', 1, 1, 0, 10, 9],
      ['a', 1, 1, 0, 10, 9],
      ['a', 1, 1, 10, 20, 19],
    ]);
    expect(h.watermark(29).map((c) => c.row)).toEqual([['c', 1, 1, 20, 30, 29]]);
    // The fired results come before the watermark that fired them.
    const kinds = h.events.map((e) => e.type);
    expect(kinds).toEqual(['batch', 'watermark', 'batch', 'watermark']);
  });

  it('drops and counts late rows (their first window has fired)', () => {
    const h = countSum();
    h.insert(['a', 1, 5]);
    h.watermark(9);
    h.insert(['a', 1, 9], ['a', 1, 0], ['a', 1, -3], ['a', 1, 10], ['b', 1, 12]);
    expect(h.counter('lateRecordsDropped')).toBe(3);
    expect(h.finish()).toEqual([ch('+I', ['a', 1, 1, 10, 20, 19]), ch('+I', ['b', 1, 1, 10, 20, 19])]);
  });

  it('a hop row is late only when its earliest window has fired', () => {
    const h = countSum({ kind: 'hop', slide: 5, size: 10, offset: 0 });
    h.insert(['a', 1, 1]); // windows [-5,5) [0,10)
    expect(h.watermark(4)).toEqual([ch('+I', ['a', 1, 1, -5, 5, 4])]);
    h.insert(['a', 1, 4], ['a', 1, 5]); // 4: earliest [-5,5) fired → late; 5: windows [0,10) [5,15)
    expect(h.counter('lateRecordsDropped')).toBe(1);
    expect(h.finish()).toEqual([ch('+I', ['a', 2, 2, 0, 10, 9]), ch('+I', ['a', 1, 1, 5, 15, 14])]);
  });

  it('cumulate fires each growing window with everything so far', () => {
    const h = countSum({ kind: 'cumulate', step: 10, maxSize: 30, offset: 0 });
    h.insert(['a', 1, 5], ['a', 2, 15]);
    expect(h.watermark(19)).toEqual([ch('+I', ['a', 1, 1, 0, 10, 9]), ch('+I', ['a', 2, 3, 0, 20, 19])]);
    h.insert(['a', 4, 25]);
    expect(h.finish()).toEqual([ch('+I', ['a', 3, 7, 0, 30, 29])]);
  });

  it('emits nothing for empty input and still forwards the watermark and ends', () => {
    const h = countSum();
    h.insert();
    expect(h.finish()).toEqual([]);
    expect(h.events).toEqual([{ type: 'watermark', watermark: MAX_WATERMARK }, { type: 'end' }]);
  });

  it('fires nothing at end of input unless the watermark did', () => {
    const h = countSum();
    h.insert(['a', 1, 1]);
    h.op.endInput(0);
    expect(h.changes).toEqual([]);
    expect(h.ended).toBe(true);
  });

  it('ignores watermarks that do not advance', () => {
    const h = countSum();
    h.watermark(5);
    h.watermark(5);
    h.watermark(3);
    expect(h.watermarks).toEqual([5]);
  });

  it('drops and counts rows with a NULL time', () => {
    const h = countSum();
    h.insert(['a', 1, null], ['a', 1, 2]);
    expect(h.counter('nullTimeRecordsDropped')).toBe(1);
    expect(h.finish()).toEqual([ch('+I', ['a', 1, 1, 0, 10, 9])]);
  });

  it('applies FILTER and supports a global window aggregate (no keys)', () => {
    const h = new OperatorHarness(
      new WindowAggregate({
        window: tumble10,
        timeIndex: 0,
        groupKeys: [],
        aggs: [call('COUNT(*)', countImpl(true), -1), call('COUNT(*) FILTER (WHERE $1)', countImpl(true), -1, 1)],
      }),
    );
    h.insert([1, true], [2, false], [3, null], [4, true]);
    expect(h.finish()).toEqual([ch('+I', [4, 2, 0, 10, 9])]);
  });

  it('rejects non-insert input', () => {
    const h = countSum();
    expect(() => h.feed({ rows: [['a', 1, 1]], kinds: [DELETE] })).toThrow(/insert-only.*-D/);
  });

  it('explains itself', () => {
    expect(countSum().op.explain()).toBe(
      'WindowAggregate(window=[TUMBLE(size=[10 ms])], time=[$2], groupBy=[$0], select=[COUNT(*), SUM($1)])',
    );
  });

  describe('equals a batch computation over bounded-disorder input', () => {
    /** Batch answer: group rows by (window, key) with plain loops, then aggregate. */
    function batchAnswer(w: AlignedWindow, rows: Row[]): Row[] {
      const groups = new Map<string, { key: unknown; start: number; end: number; rows: Row[] }>();
      for (const r of rows) {
        const ts = r[2] as number;
        const windows: [number, number][] = [];
        if (w.kind === 'tumble') {
          const s = Math.floor((ts - w.offset) / w.size) * w.size + w.offset;
          windows.push([s, s + w.size]);
        } else if (w.kind === 'hop') {
          for (let s = Math.floor((ts - w.offset) / w.slide) * w.slide + w.offset; s > ts - w.size; s -= w.slide) windows.push([s, s + w.size]);
        } else {
          const s = Math.floor((ts - w.offset) / w.maxSize) * w.maxSize + w.offset;
          for (let e = s + w.step; e <= s + w.maxSize; e += w.step) if (e > ts) windows.push([s, e]);
        }
        for (const [s, e] of windows) {
          const id = JSON.stringify([r[0], s, e]);
          let g = groups.get(id);
          if (!g) groups.set(id, (g = { key: r[0], start: s, end: e, rows: [] }));
          g.rows.push(r);
        }
      }
      return [...groups.values()].map((g) => [g.key, ...standardResults(g.rows), g.start, g.end, g.end - 1]);
    }

    const windows = fc.oneof(
      fc.record({ size: fc.integer({ min: 1, max: 60 }), offset: fc.integer({ min: -30, max: 30 }) }).map(
        ({ size, offset }): AlignedWindow => ({ kind: 'tumble', size, offset }),
      ),
      fc
        .record({ slide: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 4 }), offset: fc.integer({ min: -30, max: 30 }) })
        .map(({ slide, k, offset }): AlignedWindow => ({ kind: 'hop', slide, size: slide * k, offset })),
      fc
        .record({ step: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 4 }), offset: fc.integer({ min: -30, max: 30 }) })
        .map(({ step, k, offset }): AlignedWindow => ({ kind: 'cumulate', step, maxSize: step * k, offset })),
    );

    it('for tumble, hop and cumulate windows', () => {
      fc.assert(
        fc.property(windows, fc.integer({ min: 0, max: 50 }), fc.integer(), (window, disorder, seed) => {
          const rng = mulberry32(seed);
          const rows = genRows(rng, { n: 1 + Math.floor(rng() * 300), keys: 4, disorder, maxStep: 8, start: -200 });
          const h = new OperatorHarness(new WindowAggregate({ window, timeIndex: 2, groupKeys: [0], aggs: standardCalls() }));
          // A row at most `disorder` behind the max is never behind `max - disorder - 1` (Flink's
          // bounded-out-of-orderness watermark), so none is late and the result is the batch answer.
          feedWithWatermarks(h, rows, rng, disorder + 1, 20);
          const out = h.changes;
          expect(h.counter('lateRecordsDropped')).toBe(0);
          expect(out.every((c) => c.kind === '+I')).toBe(true);
          expect(sortRows(out.map((c) => c.row))).toEqual(sortRows(batchAnswer(window, rows)));
          // Final rows come out in ascending window end.
          const ends = out.map((c) => c.row[c.row.length - 2] as number);
          expect(ends).toEqual([...ends].sort((a, b) => a - b));
          expect(h.op.state.openWindows).toBe(0);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('checkpoint and restore', () => {
    type Op = WindowAggregate;
    const make = (window: AlignedWindow) => () =>
      new WindowAggregate({ window, timeIndex: 2, groupKeys: [0], aggs: standardCalls() });

    /**
     * Restored groups come back in the store's order, not first-seen order, so within a window the rows are
     * compared as a set; windows still fire in ascending end, and the watermarks are the same.
     */
    function expectSameOutput(window: AlignedWindow, steps: Step<Op>[], cuts: number[], lost = 0): void {
      const straight = runStraight(make(window), steps);
      const restored = runRestored(make(window), steps, cuts, lost);
      expect(sortRows(restored.changes.map((c) => c.row))).toEqual(sortRows(straight.changes.map((c) => c.row)));
      const ends = (out: typeof straight) => out.changes.map((c) => c.row[c.row.length - 2]);
      expect(ends(restored)).toEqual(ends(straight));
      expect(restored.watermarks).toEqual(straight.watermarks);
      expect(restored.ended).toBe(true);
      expect(restored.counters['lateRecordsDropped'] ?? 0).toBe(straight.counters['lateRecordsDropped'] ?? 0);
    }

    it('restores open windows (tumble), the watermark, and fires them after the restore', () => {
      const steps: Step<Op>[] = [
        (h) => h.insert(['a', 1, 1, true], ['b', 2, 3, false], ['a', 3, 12, true]),
        (h) => h.watermark(9), // fires [0, 10); [10, 20) stays open
        (h) => h.insert(['a', 4, 15, true], ['c', null, 17, true]),
        (h) => h.insert(['a', 5, 8, true]), // late: the restored watermark must say so
        (h) => h.watermark(25),
        (h) => h.insert(['b', 6, 26, false]),
        (h) => h.finish(),
      ];
      for (let cut = 0; cut <= steps.length; cut++) expectSameOutput(tumble10, steps, [cut]);
      expectSameOutput(tumble10, steps, [1, 2, 3, 4, 5, 6]);
      expectSameOutput(tumble10, steps, [2, 4], 2);
    });

    it('restores overlapping open windows (hop and cumulate)', () => {
      const hop: AlignedWindow = { kind: 'hop', slide: 5, size: 15, offset: 0 };
      const cumulate: AlignedWindow = { kind: 'cumulate', step: 5, maxSize: 20, offset: 0 };
      const steps: Step<Op>[] = [
        (h) => h.insert(['a', 1, 1, true], ['b', 2, 7, false], ['a', 3, 12, true]),
        (h) => h.watermark(6),
        (h) => h.insert(['a', 4, 13, true], ['b', 1, 14, true]),
        (h) => h.watermark(14),
        (h) => h.insert(['a', 4, 22, true]),
        (h) => h.finish(),
      ];
      for (const w of [hop, cumulate]) for (let cut = 0; cut <= steps.length; cut++) expectSameOutput(w, steps, [cut], 1);
    });

    it('gives the uninterrupted output for random streams and restore points', () => {
      const windows: AlignedWindow[] = [tumble10, { kind: 'hop', slide: 4, size: 12, offset: 1 }, { kind: 'cumulate', step: 3, maxSize: 12, offset: 0 }];
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 20 }), fc.integer(), (w, disorder, seed) => {
          const rng = mulberry32(seed);
          const rows = genRows(rng, { n: 1 + Math.floor(rng() * 150), keys: 4, disorder, maxStep: 6, start: -50 });
          // Less lag than disorder, so some rows are late and lateness must survive the restore.
          const steps = streamSteps<Op>(rows, rng, Math.floor(disorder / 2), 10);
          expectSameOutput(windows[w]!, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        }),
        { numRuns: 40 },
      );
    });
  });
});
