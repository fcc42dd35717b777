/**
 * WindowRank (window Top-N) and WindowDeduplicate (window deduplication) on their own: over windowed rows
 * with bounded disorder fed in random batches with watermarks, the output is insert-only, each window's
 * rows come once the watermark passes the window's end, and they equal a batch computation done here;
 * state is empty once the windows closed; a run restored from checkpoints at random points gives the same
 * output.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RankType, SortKey } from '../../../src/planner/logical-plan.js';
import type { Row } from '../../../src/runtime/changelog.js';
import { CounterNames } from '../../../src/runtime/metrics.js';
import { WindowRank, type WindowRankConfig } from '../../../src/runtime/operators/window-rank.js';
import { WindowDeduplicate, type WindowDeduplicateConfig } from '../../../src/runtime/operators/window-deduplicate.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, streamSteps, type Step } from './checkpoint-run.js';
import { genRows, mulberry32, sortRows } from './stream-gen.js';

const SIZE = 100;
/** Rows are at most 40 ms behind the largest time before them; the watermark lags one more, so none is late. */
const DISORDER = 40;
const LAG = DISORDER + 1;
const SLIDE = 50;
// Rows are [key, value, ts, id, window_start, window_end, window_time].
const KEY = 0;
const VALUE = 1;
const TS = 2;
const ID = 3;
const WS = 4;
const WE = 5;
const WT = 6;
const PARTITION = [KEY, WS, WE];

/** value DESC NULLS LAST, then id: a total order. */
const BY_VALUE_ID: SortKey[] = [
  { index: VALUE, descending: true, nullsFirst: false },
  { index: ID, descending: false, nullsFirst: false },
];
const BY_VALUE: SortKey[] = [{ index: VALUE, descending: true, nullsFirst: false }];

/** The rows of a HOP (or TUMBLE, when slide = size) window TVF, computed here: each row once per window. */
function windowed(rows: readonly Row[], slide: number): Row[] {
  const out: Row[] = [];
  rows.forEach((r, id) => {
    const ts = r[TS] as number;
    const lastStart = Math.floor(ts / slide) * slide;
    for (let start = lastStart - SIZE + slide; start <= lastStart; start += slide) {
      if (ts >= start && ts < start + SIZE) out.push([r[KEY], r[VALUE], ts, id, start, start + SIZE, start + SIZE - 1]);
    }
  });
  return out;
}

function generate(seed: number, slide: number): { rows: Row[]; rng: () => number } {
  const rng = mulberry32(seed);
  const raw = genRows(rng, { n: 1 + Math.floor(rng() * 300), keys: 3, disorder: DISORDER, maxStep: 12, start: -200 });
  return { rows: windowed(raw, slide), rng };
}

/** Batch window Top-N: per (key, window) sort the rows, rank them, keep ranks up to n; `[...row, rank]`. */
function batchWindowTopN(rows: readonly Row[], rankType: RankType, n: number, withRank = true): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = JSON.stringify([r[KEY], r[WS], r[WE]]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const value = (r: Row) => (r[VALUE] === null ? -Infinity : (r[VALUE] as number));
  const out: Row[] = [];
  for (const g of groups.values()) {
    for (const r of g) {
      const better = g.filter((o) => value(o) > value(r) || (rankType === 'ROW_NUMBER' && value(o) === value(r) && (o[ID] as number) < (r[ID] as number)));
      const rank = rankType === 'DENSE_RANK' ? new Set(better.map(value)).size + 1 : better.length + 1;
      if (rank <= n) out.push(withRank ? [...r, rank] : r);
    }
  }
  return out;
}

function windowRank(config: Partial<WindowRankConfig>): WindowRank {
  return new WindowRank({ rankType: 'ROW_NUMBER', partitionKeys: PARTITION, orderKeys: BY_VALUE_ID, rankEnd: 3, outputRank: true, window: { timeIndex: WT, endIndex: WE }, ...config });
}

/**
 * Runs the steps, checking that every change is an insert, that a window's rows come only once the
 * watermark reached its window_time, and that no window's rows come twice.
 */
function runChecked(h: OperatorHarness, steps: readonly Step<any>[]): Row[] {
  let watermark = Number.NEGATIVE_INFINITY;
  const out: Row[] = [];
  const fired = new Set<number>();
  for (const step of steps) {
    const before = h.changes.length;
    const wmBefore = h.watermarks.length;
    step(h);
    if (h.watermarks.length > wmBefore) watermark = h.watermarks[h.watermarks.length - 1]!;
    const windows = new Set<number>();
    for (const c of h.changes.slice(before)) {
      expect(c.kind).toBe('+I');
      expect(c.row[WT] as number).toBeLessThanOrEqual(h.watermarks.length > wmBefore ? watermark : Number.POSITIVE_INFINITY);
      expect(fired.has(c.row[WT] as number), 'a window fired twice').toBe(false);
      windows.add(c.row[WT] as number);
      out.push(c.row);
    }
    for (const w of windows) fired.add(w);
  }
  return out;
}

describe('WindowRank (window Top-N)', () => {
  it('emits a window\'s top rows with their ranks when the watermark passes its end, and drops the window', () => {
    const h = new OperatorHarness(windowRank({ rankEnd: 2 }));
    // Window [0, 100): key a has 5, 9, 7 (ids 1..3); key b has 1. Window [100, 200): key a has 4.
    expect(h.insert(['a', 5, 10, 1, 0, 100, 99], ['a', 9, 20, 2, 0, 100, 99], ['b', 1, 30, 3, 0, 100, 99], ['a', 7, 40, 4, 0, 100, 99], ['a', 4, 120, 5, 100, 200, 199])).toEqual([]);
    expect(h.op.storedRows).toBe(4);
    expect(h.watermark(98)).toEqual([]);
    expect(h.watermark(99)).toEqual([ch('+I', ['a', 9, 20, 2, 0, 100, 99, 1]), ch('+I', ['a', 7, 40, 4, 0, 100, 99, 2]), ch('+I', ['b', 1, 30, 3, 0, 100, 99, 1])]);
    expect(h.op.storedRows).toBe(1);
    // A row of the fired window is late: dropped and counted.
    expect(h.insert(['a', 100, 50, 6, 0, 100, 99])).toEqual([]);
    expect(h.counters.get(CounterNames.lateRecordsDropped)!.value).toBe(1);
    expect(h.finish()).toEqual([ch('+I', ['a', 4, 120, 5, 100, 200, 199, 1])]);
    expect(h.op.storedRows).toBe(0);
    expect(h.op.timerCount).toBe(0);
  });

  it('without window_time, fires at window_end - 1; without the rank column, emits the rows as they are', () => {
    const h = new OperatorHarness(windowRank({ rankEnd: 1, outputRank: false, window: { timeIndex: -1, endIndex: WE } }));
    h.insert(['a', 5, 10, 1, 0, 100, 99], ['a', 9, 20, 2, 0, 100, 99]);
    expect(h.watermark(98)).toEqual([]);
    expect(h.watermark(99)).toEqual([ch('+I', ['a', 9, 20, 2, 0, 100, 99])]);
  });

  for (const [rankType, slide] of [['ROW_NUMBER', SIZE], ['ROW_NUMBER', SLIDE], ['RANK', SIZE], ['DENSE_RANK', SLIDE]] as const) {
    it(`${rankType} over ${slide === SIZE ? 'TUMBLE' : 'HOP'} rows: insert-only, final per window, equal to a batch computation; no state left`, () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (seed, n) => {
          const { rows, rng } = generate(seed, slide);
          const op = windowRank({ rankType, rankEnd: n, orderKeys: rankType === 'ROW_NUMBER' ? BY_VALUE_ID : BY_VALUE });
          const h = new OperatorHarness(op);
          const out = runChecked(h, streamSteps(rows, rng, LAG, 20));
          expect(sortRows(out)).toEqual(sortRows(batchWindowTopN(rows, rankType, n)));
          expect(h.counters.get(CounterNames.lateRecordsDropped)?.value ?? 0).toBe(0);
          expect(op.storedRows).toBe(0);
          expect(op.timerCount).toBe(0);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('holds at most N rows per window and key (ROW_NUMBER), and only the windows not yet fired', () => {
    const { rows, rng } = generate(3, SLIDE);
    const op = windowRank({ rankEnd: 2 });
    const h = new OperatorHarness(op);
    let max = 0;
    for (const step of streamSteps(rows, rng, LAG, 20)) {
      step(h);
      max = Math.max(max, op.storedRows);
    }
    // Rows 12 ms apart at most, disorder 40: at most a few windows are open at once, 3 keys (+ NULL), 2 rows each.
    expect(max).toBeLessThanOrEqual(6 * 4 * 2);
    expect(op.storedRows).toBe(0);
  });

  it('gives the uninterrupted output when checkpointed and restored at random points', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom<RankType>('ROW_NUMBER', 'RANK', 'DENSE_RANK'), (seed, rankType) => {
        const { rows, rng } = generate(seed, SLIDE);
        const steps = streamSteps<WindowRank>(rows, rng, LAG, 20);
        const make = () => windowRank({ rankType, rankEnd: 2, orderKeys: rankType === 'ROW_NUMBER' ? BY_VALUE_ID : BY_VALUE });
        const straight = runStraight(make, steps);
        const restored = runRestored(make, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        expect(restored.changes).toEqual(straight.changes);
        expect(restored.watermarks).toEqual(straight.watermarks);
      }),
      { numRuns: 25 },
    );
  });
});

describe('WindowDeduplicate (window deduplication)', () => {
  function dedup(config: Partial<WindowDeduplicateConfig>): WindowDeduplicate {
    return new WindowDeduplicate({ partitionKeys: PARTITION, timeIndex: TS, keepLast: false, outputRank: true, window: { timeIndex: WT, endIndex: WE }, ...config });
  }

  /** Per (key, window), in arrival order: the first row of the smallest time, or the last of the largest. */
  function batchDedup(rows: readonly Row[], keepLast: boolean): Row[] {
    const best = new Map<string, Row>();
    for (const r of rows) {
      const k = JSON.stringify([r[KEY], r[WS], r[WE]]);
      const held = best.get(k);
      const t = r[TS] as number;
      if (!held || (keepLast ? t >= (held[TS] as number) : t < (held[TS] as number))) best.set(k, r);
    }
    return [...best.values()].map((r) => [...r, 1]);
  }

  it('keeps the first row (ties: the first to arrive) or the last (ties: the last to arrive), emitted when the window closes', () => {
    const rows: Row[] = [['a', 1, 30, 1, 0, 100, 99], ['a', 2, 10, 2, 0, 100, 99], ['a', 3, 10, 3, 0, 100, 99], ['a', 4, 50, 4, 0, 100, 99], ['a', 5, 50, 5, 0, 100, 99]];
    const first = new OperatorHarness(dedup({}));
    expect(first.insert(...rows)).toEqual([]);
    expect(first.watermark(99)).toEqual([ch('+I', ['a', 2, 10, 2, 0, 100, 99, 1])]);
    const last = new OperatorHarness(dedup({ keepLast: true, outputRank: false }));
    last.insert(...rows);
    expect(last.watermark(99)).toEqual([ch('+I', ['a', 5, 50, 5, 0, 100, 99])]);
    expect(first.op.storedRows + last.op.storedRows).toBe(0);
  });

  for (const keepLast of [false, true]) {
    it(`keep ${keepLast ? 'last' : 'first'}: insert-only, final per window, equal to a batch computation; no state left`, () => {
      fc.assert(
        fc.property(fc.integer(), fc.boolean(), (seed, hop) => {
          const { rows, rng } = generate(seed, hop ? SLIDE : SIZE);
          const op = dedup({ keepLast });
          const h = new OperatorHarness(op);
          const out = runChecked(h, streamSteps(rows, rng, LAG, 20));
          expect(sortRows(out)).toEqual(sortRows(batchDedup(rows, keepLast)));
          expect(h.counters.get(CounterNames.lateRecordsDropped)?.value ?? 0).toBe(0);
          expect(op.storedRows).toBe(0);
          expect(op.timerCount).toBe(0);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('gives the uninterrupted output when checkpointed and restored at random points', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, keepLast) => {
        const { rows, rng } = generate(seed, SLIDE);
        const steps = streamSteps<WindowDeduplicate>(rows, rng, LAG, 20);
        const make = () => dedup({ keepLast });
        const straight = runStraight(make, steps);
        const restored = runRestored(make, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        expect(restored.changes).toEqual(straight.changes);
        expect(restored.watermarks).toEqual(straight.watermarks);
      }),
      { numRuns: 25 },
    );
  });
});
