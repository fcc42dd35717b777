/** The binary min-heaps: entries come out in time order, and at one time in the tie-breaker's order. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap, TimerHeap } from '../../src/runtime/min-heap.js';

describe('min-heaps', () => {
  it('MinHeap pops numbers in ascending order, duplicates included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), (xs) => {
        const h = new MinHeap();
        for (const x of xs) h.push(x);
        const out: number[] = [];
        while (h.size > 0) out.push(h.pop()!);
        expect(out).toEqual([...xs].sort((a, b) => a - b));
        expect(h.pop()).toBeUndefined();
      }),
    );
  });

  it('TimerHeap with a tie-breaker pops (time, key) in one order, whatever order they were pushed in', () => {
    const entries = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 3 })), { maxLength: 60 });
    fc.assert(
      fc.property(entries, fc.integer(), (list, seed) => {
        const shuffled = [...list].sort((a, b) => ((a[0] * 31 + a[1].length + seed) % 7) - ((b[0] * 31 + b[1].length + seed) % 7));
        const h = new TimerHeap<string>((a, b) => a < b);
        for (const [t, k] of shuffled) h.push(t, k);
        const out: [number, string][] = [];
        while (h.size > 0) {
          const t = h.peek()!;
          expect(h.peekKey()).toBeDefined();
          out.push([t, h.pop()!]);
        }
        const expected = [...list].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
        expect(out).toEqual(expected);
      }),
    );
  });
});
