import { describe, expect, it } from 'vitest';
import { insertBatch } from '../../../src/runtime/changelog.js';
import { Union } from '../../../src/runtime/operators/union.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { runRestored, runStraight, type Step } from './checkpoint-run.js';

const wm = (input: number, watermark: number): Step<Union> => (h) => h.op.processWatermark(watermark, input);
/** A batch on input `_input` (a Union forwards batches whichever input they come from). */
const rows = (_input: number, ...values: number[]): Step<Union> => (h) => h.op.processBatch(insertBatch(values.map((v) => [v])));
const end = (input: number): Step<Union> => (h) => h.op.endInput(input);

describe('Union', () => {
  it('forwards batches; its watermark is the minimum over inputs; it ends when all inputs have', () => {
    const h = new OperatorHarness(new Union(2));
    rows(1, 7)(h);
    expect(h.changes).toEqual([ch('+I', [7])]);
    wm(0, 5)(h);
    expect(h.watermarks).toEqual([]);
    wm(1, 3)(h);
    wm(1, 9)(h);
    expect(h.watermarks).toEqual([3, 5]);
    end(0)(h);
    expect(h.watermarks).toEqual([3, 5, 9]);
    expect(h.ended).toBe(false);
    end(1)(h);
    expect(h.ended).toBe(true);
  });

  describe('checkpoint and restore', () => {
    const make = () => new Union(3);
    const steps: Step<Union>[] = [
      rows(0, 1),
      wm(0, 10),
      wm(1, 4),
      rows(2, 2),
      wm(2, 6), // → 4
      wm(1, 12), // → 6
      end(2), // → 10
      wm(0, 11), // → 11
      rows(1, 3),
      wm(0, 20), // → 12
      end(0),
      end(1),
    ];

    it('restores every input watermark and ended inputs, so the combined watermark goes on the same', () => {
      const straight = runStraight(make, steps);
      expect(straight.watermarks).toEqual([4, 6, 10, 11, 12]);
      for (let cut = 0; cut <= steps.length; cut++) {
        for (const lost of [0, 2]) {
          const restored = runRestored(make, steps, [cut], lost);
          expect(restored.changes).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
          expect(restored.ended).toBe(true);
        }
      }
      expect(runRestored(make, steps, [2, 4, 6, 8, 10]).watermarks).toEqual(straight.watermarks);
    });
  });
});
