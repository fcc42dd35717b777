import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  alignedStart,
  assignWindows,
  checkAlignedWindow,
  firstWindowEnd,
  sliceEndOf,
  sliceWidth,
  type AlignedWindow,
} from '../../../src/runtime/operators/window-assigner.js';

const tumble = (size: number, offset = 0): AlignedWindow => ({ kind: 'tumble', size, offset });
const hop = (slide: number, size: number, offset = 0): AlignedWindow => ({ kind: 'hop', slide, size, offset });
const cumulate = (step: number, maxSize: number, offset = 0): AlignedWindow => ({ kind: 'cumulate', step, maxSize, offset });

/** Is `n` a multiple of `m` (any sign)? */
const divides = (m: number, n: number): boolean => ((n % m) + m) % m === 0;

/** All windows holding `ts`, by brute force over every candidate start. */
function bruteForce(w: AlignedWindow, ts: number): [number, number][] {
  const out: [number, number][] = [];
  if (w.kind === 'cumulate') {
    for (let s = ts - w.maxSize + 1; s <= ts; s++) {
      if (!divides(w.maxSize, s - w.offset)) continue;
      for (let e = s + w.step; e <= s + w.maxSize; e += w.step) if (e > ts) out.push([s, e]);
    }
  } else {
    const size = w.size;
    const slide = w.kind === 'hop' ? w.slide : w.size;
    for (let s = ts - size + 1; s <= ts; s++) if (divides(slide, s - w.offset)) out.push([s, s + size]);
  }
  return out.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

describe('window-assigner', () => {
  it('floors negative timestamps instead of truncating', () => {
    expect(alignedStart(-1, 0, 10)).toBe(-10);
    expect(alignedStart(-10, 0, 10)).toBe(-10);
    expect(alignedStart(-11, 0, 10)).toBe(-20);
    expect(alignedStart(9, 0, 10)).toBe(0);
    expect(alignedStart(3, 5, 10)).toBe(-5);
    expect(alignedStart(3, -5, 10)).toBe(-5);
    expect(alignedStart(5, 5, 10)).toBe(5);
  });

  it('assigns tumbling windows', () => {
    expect(assignWindows(tumble(10), 0)).toEqual([[0, 10]]);
    expect(assignWindows(tumble(10), 9)).toEqual([[0, 10]]);
    expect(assignWindows(tumble(10), -1)).toEqual([[-10, 0]]);
    expect(assignWindows(tumble(10, 3), 2)).toEqual([[-7, 3]]);
    expect(firstWindowEnd(tumble(10), -1)).toBe(0);
  });

  it('assigns size/slide hopping windows, ascending by end', () => {
    expect(assignWindows(hop(5, 15), 7)).toEqual([
      [-5, 10],
      [0, 15],
      [5, 20],
    ]);
    expect(assignWindows(hop(5, 15), -1)).toEqual([
      [-15, 0],
      [-10, 5],
      [-5, 10],
    ]);
    expect(firstWindowEnd(hop(5, 15), 7)).toBe(10);
    expect(firstWindowEnd(hop(5, 15), 10)).toBe(15);
  });

  it('assigns no hopping window in the gaps when the size is smaller than the slide', () => {
    expect(assignWindows(hop(10, 4), 2)).toEqual([[0, 4]]);
    expect(assignWindows(hop(10, 4), 5)).toEqual([]);
  });

  it('assigns every growing cumulating window holding the row', () => {
    expect(assignWindows(cumulate(10, 30), 0)).toEqual([
      [0, 10],
      [0, 20],
      [0, 30],
    ]);
    expect(assignWindows(cumulate(10, 30), 15)).toEqual([
      [0, 20],
      [0, 30],
    ]);
    expect(assignWindows(cumulate(10, 30), 29)).toEqual([[0, 30]]);
    expect(assignWindows(cumulate(10, 30), -1)).toEqual([[-30, 0]]);
    expect(firstWindowEnd(cumulate(10, 30), 15)).toBe(20);
  });

  it('matches a brute-force enumeration, with slice end = smallest end', () => {
    const spec = fc.oneof(
      fc.record({ size: fc.integer({ min: 1, max: 40 }), offset: fc.integer({ min: -50, max: 50 }) }).map(({ size, offset }) => tumble(size, offset)),
      fc
        .record({ slide: fc.integer({ min: 1, max: 10 }), k: fc.integer({ min: 1, max: 5 }), offset: fc.integer({ min: -50, max: 50 }) })
        .map(({ slide, k, offset }) => hop(slide, slide * k, offset)),
      fc
        .record({ step: fc.integer({ min: 1, max: 10 }), k: fc.integer({ min: 1, max: 5 }), offset: fc.integer({ min: -50, max: 50 }) })
        .map(({ step, k, offset }) => cumulate(step, step * k, offset)),
    );
    fc.assert(
      fc.property(spec, fc.integer({ min: -1000, max: 1000 }), (w, ts) => {
        const windows = assignWindows(w, ts);
        expect(windows).toEqual(bruteForce(w, ts));
        expect(firstWindowEnd(w, ts)).toBe(windows[0]![1]);
      }),
      { numRuns: 500 },
    );
  });

  it('cuts time into slices that every window covers whole (HOP slices are gcd(size, slide) wide)', () => {
    expect(sliceWidth(tumble(10))).toBe(10);
    expect(sliceWidth(hop(5, 15))).toBe(5);
    expect(sliceWidth(hop(10, 15))).toBe(5);
    expect(sliceWidth(hop(10, 4))).toBe(2);
    expect(sliceWidth(cumulate(5, 20))).toBe(5);
    expect(sliceEndOf(hop(10, 15, 3), 5, 3)).toBe(8);
    expect(sliceEndOf(hop(10, 15, 3), 5, 2)).toBe(3);
    const spec = fc.oneof(
      fc.record({ size: fc.integer({ min: 1, max: 40 }), offset: fc.integer({ min: -50, max: 50 }) }).map(({ size, offset }) => tumble(size, offset)),
      fc
        .record({ slide: fc.integer({ min: 1, max: 12 }), size: fc.integer({ min: 1, max: 40 }), offset: fc.integer({ min: -50, max: 50 }) })
        .map(({ slide, size, offset }) => hop(slide, size, offset)),
      fc
        .record({ step: fc.integer({ min: 1, max: 10 }), k: fc.integer({ min: 1, max: 5 }), offset: fc.integer({ min: -50, max: 50 }) })
        .map(({ step, k, offset }) => cumulate(step, step * k, offset)),
    );
    fc.assert(
      fc.property(spec, fc.integer({ min: -1000, max: 1000 }), (w, ts) => {
        const width = sliceWidth(w);
        const end = sliceEndOf(w, width, ts);
        expect(end - width <= ts && ts < end).toBe(true);
        // Every time of the slice has the same windows, and each of those holds the whole slice.
        const windows = bruteForce(w, ts);
        for (let t = end - width; t < end; t++) expect(bruteForce(w, t)).toEqual(windows);
        for (const [s, e] of windows) expect(s <= end - width && end <= e).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects invalid windows', () => {
    expect(() => checkAlignedWindow(tumble(0))).toThrow(/positive/);
    expect(() => checkAlignedWindow(cumulate(7, 30))).toThrow(/multiple of step/);
    expect(() => checkAlignedWindow(hop(5, 15))).not.toThrow();
  });
});
