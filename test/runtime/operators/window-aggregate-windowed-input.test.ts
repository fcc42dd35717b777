/**
 * WindowAggregate over an input that is already windowed (`windowEnd`: a window aggregate or window join
 * before it put each row in one HOP window, named by its window columns): each row counts in its own window
 * only (not in every HOP window its time would fall in), a window's rows come out when the watermark
 * reaches its window_time, rows of a window that fired are late (dropped and counted), state drains, and a
 * run restored from checkpoints at random points gives the same output.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../src/runtime/changelog.js';
import { WindowAggregate } from '../../../src/runtime/operators/window-aggregate.js';
import type { AlignedWindow } from '../../../src/runtime/operators/window-assigner.js';
import { OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { mulberry32 } from './stream-gen.js';
import { call, countImpl, sumImpl } from './test-aggregates.js';

const HOP: AlignedWindow = { kind: 'hop', slide: 5, size: 20, offset: 0 };
/** Input rows: [key, value, window_start, window_end]. */
const END = 3;

function make(): WindowAggregate {
  return new WindowAggregate({ window: HOP, timeIndex: END, windowEnd: END, groupKeys: [0], aggs: [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1)] });
}

/** Rows of windows ending at 20, 25, .. in window order, a window's rows shuffled among the next window's. */
function genRows(rng: () => number, windows: number): Row[][] {
  const batches: Row[][] = [];
  for (let w = 0; w < windows; w++) {
    const end = 20 + w * 5;
    const rows: Row[] = [];
    const n = 1 + Math.floor(rng() * 6);
    for (let i = 0; i < n; i++) rows.push([`k${Math.floor(rng() * 3)}`, Math.floor(rng() * 10), end - 20, end]);
    batches.push(rows);
  }
  return batches;
}

/** Steps: window w's rows, then the watermark w's window_time (it fires), window by window, then the end. */
function steps(batches: Row[][]): Step<WindowAggregate>[] {
  const out: Step<WindowAggregate>[] = [];
  for (const rows of batches) {
    out.push((h) => h.insert(...rows));
    out.push((h) => h.watermark((rows[0]![END] as number) - 1));
  }
  out.push((h) => h.finish());
  return out;
}

/** The expected rows, computed here: per window and key, COUNT(*) and SUM of the rows given that window. */
function expected(batches: Row[][]): string[] {
  const groups = new Map<string, [number, number]>();
  for (const rows of batches) {
    for (const [k, v, s, e] of rows) {
      const key = JSON.stringify([k, s, e]);
      const [n, sum] = groups.get(key) ?? [0, 0];
      groups.set(key, [n + 1, sum + (v as number)]);
    }
  }
  return [...groups].map(([key, [n, sum]]) => {
    const [k, s, e] = JSON.parse(key) as [string, number, number];
    return JSON.stringify([k, n, sum, s, e, e - 1]);
  }).sort();
}

describe('WindowAggregate over a windowed input', () => {
  it("counts each row in its own window only, emits each window when the watermark reaches its window_time, drains its state", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rng = mulberry32(seed);
      const batches = genRows(rng, 12);
      const h = new OperatorHarness(make());
      for (const [i, step] of steps(batches).entries()) {
        step(h);
        // After window i's watermark, exactly windows 0..i have fired.
        if (i % 2 === 1 && i < batches.length * 2) {
          const fired = new Set(h.changes.map((c) => c.row[4]));
          expect([...fired].sort((a, b) => (a as number) - (b as number))).toEqual(batches.slice(0, (i + 1) / 2).map((b) => b[0]![END]));
        }
      }
      expect(h.changes.map((c) => JSON.stringify(c.row)).sort(), `seed ${seed}`).toEqual(expected(batches));
      expect(h.op.openWindows).toBe(0);
    }
  });

  it('a row of a window that already fired is late: dropped and counted', () => {
    const h = new OperatorHarness(make());
    h.insert(['a', 1, 0, 20]);
    h.watermark(19);
    expect(h.insert(['a', 5, 0, 20], ['a', 2, 5, 25])).toEqual([]);
    expect(h.counter('lateRecordsDropped')).toBe(1);
    expect(h.finish().map((c) => c.row)).toEqual([['a', 1, 2, 5, 25, 24]]);
  });

  it('restored from checkpoints at random points, the output is the same', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rng = mulberry32(100 + seed);
      const s = steps(genRows(rng, 10));
      const straight = runStraight(make, s);
      for (const lost of [0, 2]) {
        const restored = runRestored(make, s, randomCuts(rng, s.length, 3), lost);
        expect(restored.changes, `seed ${seed}`).toEqual(straight.changes);
      }
    }
  });
});
