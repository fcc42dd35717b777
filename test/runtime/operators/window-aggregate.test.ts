import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { T, type DataType } from '../../../src/common/types.js';
import { builtinAggregates } from '../../../src/functions/aggregate/index.js';
import { isResolutionError, type AggregateImpl } from '../../../src/functions/function-types.js';
import { DELETE, MAX_WATERMARK, type Row } from '../../../src/runtime/changelog.js';
import type { AggCall } from '../../../src/runtime/operators/aggregate-call.js';
import { type SliceGroup, WindowAggregate } from '../../../src/runtime/operators/window-aggregate.js';
import type { AlignedWindow } from '../../../src/runtime/operators/window-assigner.js';
import type { StateTable } from '../../../src/runtime/state/state-types.js';
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

/** Random TUMBLE, HOP (size a multiple of the slide, or not: then slices are gcd(size, slide) wide) and CUMULATE windows. */
const windows: fc.Arbitrary<AlignedWindow> = fc.oneof(
  fc.record({ size: fc.integer({ min: 1, max: 60 }), offset: fc.integer({ min: -30, max: 30 }) }).map(
    ({ size, offset }): AlignedWindow => ({ kind: 'tumble', size, offset }),
  ),
  fc
    .record({ slide: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 6 }), offset: fc.integer({ min: -30, max: 30 }) })
    .map(({ slide, k, offset }): AlignedWindow => ({ kind: 'hop', slide, size: slide * k, offset })),
  fc
    .record({ slide: fc.integer({ min: 1, max: 20 }), size: fc.integer({ min: 1, max: 50 }), offset: fc.integer({ min: -30, max: 30 }) })
    .map(({ slide, size, offset }): AlignedWindow => ({ kind: 'hop', slide, size, offset })),
  fc
    .record({ step: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 6 }), offset: fc.integer({ min: -30, max: 30 }) })
    .map(({ step, k, offset }): AlignedWindow => ({ kind: 'cumulate', step, maxSize: step * k, offset })),
);

/** The `[start, end)` windows holding `ts`, enumerated directly from the window's definition. */
function windowsOf(w: AlignedWindow, ts: number): [number, number][] {
  const out: [number, number][] = [];
  if (w.kind === 'tumble') {
    const s = Math.floor((ts - w.offset) / w.size) * w.size + w.offset;
    out.push([s, s + w.size]);
  } else if (w.kind === 'hop') {
    for (let s = Math.floor((ts - w.offset) / w.slide) * w.slide + w.offset; s > ts - w.size; s -= w.slide) out.push([s, s + w.size]);
  } else {
    const s = Math.floor((ts - w.offset) / w.maxSize) * w.maxSize + w.offset;
    for (let e = s + w.step; e <= s + w.maxSize; e += w.step) if (e > ts) out.push([s, e]);
  }
  return out;
}

/**
 * The batch answer in the operator's output order: windows by end (then start), each window's groups in the
 * order their first row arrived; `results` aggregates one group's rows (in arrival order).
 */
function batchInOrder(w: AlignedWindow, rows: readonly Row[], results: (rows: Row[]) => unknown[]): Row[] {
  const byWindow = new Map<string, { start: number; end: number; groups: Map<string, { key: unknown; rows: Row[] }> }>();
  for (const r of rows) {
    for (const [start, end] of windowsOf(w, r[2] as number)) {
      const id = `${start},${end}`;
      let win = byWindow.get(id);
      if (!win) byWindow.set(id, (win = { start, end, groups: new Map() }));
      const k = JSON.stringify(r[0]);
      let g = win.groups.get(k);
      if (!g) win.groups.set(k, (g = { key: r[0], rows: [] }));
      g.rows.push(r);
    }
  }
  const out: Row[] = [];
  const ordered = [...byWindow.values()].sort((a, b) => a.end - b.end || a.start - b.start);
  for (const win of ordered) for (const g of win.groups.values()) out.push([g.key, ...results(g.rows), win.start, win.end, win.end - 1]);
  return out;
}

/** A built-in aggregate as the planner hands it to a window aggregate (its append-only form, if any). */
function builtin(name: string, display: string, argTypes: DataType[], argIndex: number, distinct = false): AggCall {
  const r = builtinAggregates.find((f) => f.name === name)!.resolve(argTypes, distinct);
  if (isResolutionError(r)) throw new Error(r.error);
  const impl: AggregateImpl = r.impl.appendOnly ?? r.impl;
  return call(display, impl, argIndex);
}

/** The operator's table of slices (the harness's backend hands out the operator's own table). */
function slicesOf(h: OperatorHarness<WindowAggregate>): StateTable<SliceGroup> {
  return h.state.forOperator(`${h.op.kind}#1`).table<SliceGroup>('slices');
}

/** The slice ends that hold state, ascending. */
function sliceEnds(h: OperatorHarness<WindowAggregate>): number[] {
  return [...slicesOf(h).namespaces()].map(Number).sort((a, b) => a - b);
}

describe('WindowAggregate', () => {
  it('emits one row per window and key when the watermark reaches window_time', () => {
    const h = countSum();
    expect(h.insert(['a', 1, 1], ['b', 2, 3], ['a', 3, 9], ['a', 4, 10])).toEqual([]);
    expect(h.watermark(8)).toEqual([]);
    expect(h.watermark(9)).toEqual([ch('+I', ['a', 2, 4, 0, 10, 9]), ch('+I', ['b', 1, 2, 0, 10, 9])]);
    expect(h.op.openWindows).toBe(1);
    expect(h.watermarks).toEqual([8, 9]);
    expect(h.finish()).toEqual([ch('+I', ['a', 1, 4, 10, 20, 19])]);
    expect(h.op.openWindows).toBe(0);
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
        for (const [s, e] of windowsOf(w, r[2] as number)) {
          const id = JSON.stringify([r[0], s, e]);
          let g = groups.get(id);
          if (!g) groups.set(id, (g = { key: r[0], start: s, end: e, rows: [] }));
          g.rows.push(r);
        }
      }
      return [...groups.values()].map((g) => [g.key, ...standardResults(g.rows), g.start, g.end, g.end - 1]);
    }

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
          // In order: ascending window end, each window's groups in first-seen order.
          expect(out.map((c) => c.row)).toEqual(batchInOrder(window, rows, standardResults));
          expect(h.op.openWindows).toBe(0);
          expect(slicesOf(h).size).toBe(0);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('checkpoint and restore', () => {
    type Op = WindowAggregate;
    const make = (window: AlignedWindow) => () =>
      new WindowAggregate({ window, timeIndex: 2, groupKeys: [0], aggs: standardCalls() });

    /** The restored run gives the same rows in the same order (groups keep their first-seen numbers). */
    function expectSameOutput(window: AlignedWindow, steps: Step<Op>[], cuts: number[], lost = 0): void {
      const straight = runStraight(make(window), steps);
      const restored = runRestored(make(window), steps, cuts, lost);
      expect(restored.changes).toEqual(straight.changes);
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
      fc.assert(
        fc.property(windows, fc.integer({ min: 0, max: 20 }), fc.integer(), (window, disorder, seed) => {
          const rng = mulberry32(seed);
          const rows = genRows(rng, { n: 1 + Math.floor(rng() * 150), keys: 4, disorder, maxStep: 6, start: -50 });
          // Less lag than disorder, so some rows are late and lateness must survive the restore.
          const steps = streamSteps<Op>(rows, rng, Math.floor(disorder / 2), 10);
          expectSameOutput(window, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('slices (HOP and CUMULATE)', () => {
    it('updates one accumulator per row: its group in its slice, however many windows cover it', () => {
      const h = countSum({ kind: 'hop', slide: 1, size: 60, offset: 0 });
      for (let ts = 0; ts < 10; ts++) h.insert(['a', 1, ts], ['a', 2, ts]);
      h.insert(['b', 5, 3]);
      // 10 slices of a, 1 of b; per window it would have been about 60 entries per row's group.
      expect(slicesOf(h).size).toBe(11);
      expect(slicesOf(h).get('a', 4)!.accs).toEqual([{ n: 2 }, { sum: 3, n: 2 }]);
      const out = h.finish().map((c) => c.row);
      expect(out).toHaveLength(69 + 60);
      // The window [-50, 10) holds every row of a (ts 0..9) and b's row.
      expect(out).toContainEqual(['a', 20, 30, -50, 10, 9]);
      expect(out).toContainEqual(['b', 1, 5, -50, 10, 9]);
      expect(out).toContainEqual(['a', 2, 3, 9, 69, 68]);
      expect(slicesOf(h).size).toBe(0);
    });

    it('drops a slice once no unfired window covers it (HOP)', () => {
      const h = countSum({ kind: 'hop', slide: 5, size: 15, offset: 0 });
      h.insert(['a', 1, 1], ['a', 1, 6], ['a', 1, 11], ['a', 1, 16]); // slices ending 5, 10, 15, 20
      expect(sliceEnds(h)).toEqual([5, 10, 15, 20]);
      expect(h.watermark(14).map((c) => c.row.slice(3, 5))).toEqual([[-10, 5], [-5, 10], [0, 15]]);
      expect(sliceEnds(h)).toEqual([10, 15, 20]); // [5, 20) is next: it covers slices 10..20
      h.watermark(19);
      expect(sliceEnds(h)).toEqual([15, 20]);
      expect(h.op.openWindows).toBe(2);
      h.finish();
      expect(sliceEnds(h)).toEqual([]);
      expect(h.op.openWindows).toBe(0);
    });

    it('keeps a max window\u2019s slices until its last window fires (CUMULATE)', () => {
      const h = countSum({ kind: 'cumulate', step: 5, maxSize: 15, offset: 0 });
      h.insert(['a', 1, 1], ['b', 2, 6], ['a', 4, 11], ['a', 8, 17]);
      expect(h.watermark(9).map((c) => c.row)).toEqual([
        ['a', 1, 1, 0, 5, 4],
        ['a', 1, 1, 0, 10, 9],
        ['b', 1, 2, 0, 10, 9],
      ]);
      expect(sliceEnds(h)).toEqual([5, 10, 15, 20]);
      expect(h.watermark(14).map((c) => c.row)).toEqual([
        ['a', 2, 5, 0, 15, 14],
        ['b', 1, 2, 0, 15, 14],
      ]);
      expect(sliceEnds(h)).toEqual([20]);
      expect(h.finish().map((c) => c.row)).toEqual([['a', 1, 8, 15, 20, 19], ['a', 1, 8, 15, 25, 24], ['a', 1, 8, 15, 30, 29]]);
    });

    it('emits a window\u2019s groups in first-seen order across its slices', () => {
      const h = countSum({ kind: 'hop', slide: 10, size: 20, offset: 0 });
      h.insert(['b', 1, 15], ['a', 1, 3], ['c', 1, 16], ['a', 1, 14], ['d', 1, 4]);
      expect(h.finish().map((c) => [c.row[0], c.row[3], c.row[4]])).toEqual([
        ['a', -10, 10],
        ['d', -10, 10],
        ['b', 0, 20], // first seen in [0, 20) before a (whose first row there came second)
        ['a', 0, 20],
        ['c', 0, 20],
        ['d', 0, 20],
        ['b', 10, 30],
        ['c', 10, 30],
        ['a', 10, 30],
      ]);
    });

    it('keeps one accumulator per window when an aggregate depends on arrival order', () => {
      const hop: AlignedWindow = { kind: 'hop', slide: 5, size: 10, offset: 0 };
      const h = new OperatorHarness(
        new WindowAggregate({
          window: hop,
          timeIndex: 2,
          groupKeys: [0],
          aggs: [builtin('LAST_VALUE', 'LAST_VALUE($1)', [T.string()], 1), builtin('LISTAGG', 'LISTAGG($1)', [T.string()], 1)],
        }),
      );
      // 'y' comes second but lies in the earlier slice: the window [0, 10) saw x, then y.
      h.insert(['a', 'x', 7], ['a', 'y', 2]);
      expect(sliceEnds(h)).toEqual([5, 10, 15]); // window ends, not slices
      expect(h.finish().map((c) => c.row)).toEqual([
        ['a', 'y', 'y', -5, 5, 4],
        ['a', 'y', 'x,y', 0, 10, 9],
        ['a', 'x', 'x', 5, 15, 14],
      ]);
    });

    describe('equal a batch computation with the built-in aggregates, straight and restored at random points', () => {
      /** Rows `[key, value, ts, flag, text]`: genRows' rows with the value as text too (for LISTAGG). */
      const withText = (rows: Row[]): Row[] => rows.map((r) => [...r, r[1] === null ? null : `v${r[1] as number}`]);
      const sliced = (): AggCall[] => [
        builtin('COUNT', 'COUNT(*)', [], -1),
        builtin('COUNT', 'COUNT($1)', [T.bigint()], 1),
        builtin('SUM', 'SUM($1)', [T.bigint()], 1),
        builtin('MIN', 'MIN($1)', [T.bigint()], 1),
        builtin('MAX', 'MAX($1)', [T.bigint()], 1),
        builtin('AVG', 'AVG($1)', [T.bigint()], 1),
        builtin('COUNT', 'COUNT(DISTINCT $1)', [T.bigint()], 1, true),
      ];
      const slicedResults = (rows: Row[]): unknown[] => {
        const vs = rows.map((r) => r[1] as number | null).filter((v): v is number => v !== null);
        const sum = vs.reduce((a, b) => a + b, 0);
        return [
          rows.length,
          vs.length,
          vs.length ? sum : null,
          vs.length ? Math.min(...vs) : null,
          vs.length ? Math.max(...vs) : null,
          vs.length ? Math.trunc(sum / vs.length) + 0 : null, // integer division (no -0 in a BIGINT)
          new Set(vs).size,
        ];
      };
      const ordered = (): AggCall[] => [
        builtin('COUNT', 'COUNT(*)', [], -1),
        builtin('FIRST_VALUE', 'FIRST_VALUE($1)', [T.bigint()], 1),
        builtin('LAST_VALUE', 'LAST_VALUE($1)', [T.bigint()], 1),
        builtin('LISTAGG', 'LISTAGG($4)', [T.string()], 4),
      ];
      const orderedResults = (rows: Row[]): unknown[] => {
        const vs = rows.map((r) => r[1]).filter((v) => v !== null);
        const texts = rows.map((r) => r[4]).filter((v) => v !== null);
        return [rows.length, vs[0] ?? null, vs[vs.length - 1] ?? null, texts.length ? texts.join(',') : null];
      };

      for (const [name, aggs, results] of [
        ['mergeable aggregates (sliced)', sliced, slicedResults],
        ['arrival-order aggregates (one accumulator per window)', ordered, orderedResults],
      ] as const) {
        it(name, () => {
          fc.assert(
            fc.property(windows, fc.integer({ min: 0, max: 30 }), fc.integer(), (window, disorder, seed) => {
              const rng = mulberry32(seed);
              const rows = withText(genRows(rng, { n: 1 + Math.floor(rng() * 200), keys: 5, disorder, maxStep: 6, start: -100 }));
              const make = () => new WindowAggregate({ window, timeIndex: 2, groupKeys: [0], aggs: aggs() });
              // The watermark lags the largest time by more than the disorder: no row is late.
              const steps = streamSteps<WindowAggregate>(rows, rng, disorder + 1, 12);
              const expected = batchInOrder(window, rows, results);
              const straight = runStraight(make, steps);
              expect(straight.changes.map((c) => c.row)).toEqual(expected);
              const restored = runRestored(make, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
              expect(restored.changes.map((c) => c.row)).toEqual(expected);
              expect(restored.counters['lateRecordsDropped'] ?? 0).toBe(0);
            }),
            { numRuns: 60 },
          );
        });
      }
    });
  });
});
