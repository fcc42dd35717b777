import { describe, expect, it } from 'vitest';
import { insertBatch, type Row } from '../../../src/runtime/changelog.js';
import { Limit } from '../../../src/runtime/operators/limit.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { runRestored, runStraight, type Step } from './checkpoint-run.js';

const rows = (...values: number[]): Row[] => values.map((v) => [v]);

describe('Limit', () => {
  it('passes rows offset .. offset + limit across batches, then ends', () => {
    const h = new OperatorHarness(new Limit(3, 2));
    expect(h.insert(...rows(1))).toEqual([]);
    expect(h.insert(...rows(2, 3, 4))).toEqual([ch('+I', [3]), ch('+I', [4])]);
    h.watermark(7);
    expect(h.ended).toBe(false);
    expect(h.insert(...rows(5, 6))).toEqual([ch('+I', [5])]);
    expect(h.ended).toBe(true);
    expect(h.insert(...rows(7))).toEqual([]);
    h.watermark(8); // not forwarded after the end
    expect(h.watermarks).toEqual([7]);
    expect(h.events.filter((e) => e.type === 'end')).toHaveLength(1);
  });

  it('LIMIT 0 ends at once; end of input ends a limit not reached', () => {
    expect(new OperatorHarness(new Limit(0, 0)).ended).toBe(true);
    const h = new OperatorHarness(new Limit(5, 0));
    h.insert(...rows(1));
    h.op.endInput();
    expect(h.changes).toEqual([ch('+I', [1])]);
    expect(h.ended).toBe(true);
  });

  describe('checkpoint and restore', () => {
    const make = () => new Limit(4, 3);
    const steps: Step<Limit>[] = [1, 2, 3, 4, 5].map((n, i) => (h) => {
      h.feed(insertBatch(rows(...Array.from({ length: n }, (_, j) => i * 10 + j))));
      h.watermark(i);
    });

    it('restores the rows seen mid-offset and mid-limit', () => {
      const straight = runStraight(make, steps);
      expect(straight.changes.map((c) => c.row[0])).toEqual([20, 21, 22, 30]);
      for (let cut = 0; cut <= steps.length; cut++) {
        for (const lost of [0, 1]) {
          const restored = runRestored(make, steps, [cut], lost);
          expect(restored.changes).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
          expect(restored.ended).toBe(true);
        }
      }
      expect(runRestored(make, steps, [1, 2, 3, 4]).changes).toEqual(straight.changes);
    });

    it('a Limit restored after it finished ends its output again, and passes nothing more', () => {
      const restored = runRestored(make, steps, [4]);
      expect(restored.changes.map((c) => c.row[0])).toEqual([20, 21, 22, 30]);
      expect(restored.watermarks).toEqual([0, 1, 2]);
      expect(restored.ended).toBe(true);
    });
  });
});
