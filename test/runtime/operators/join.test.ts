import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCode } from '../../../src/common/errors.js';
import { INSERT, type Row, UPDATE_AFTER, UPDATE_BEFORE } from '../../../src/runtime/changelog.js';
import type { BadRecord } from '../../../src/runtime/connector.js';
import { Join, type JoinConfig } from '../../../src/runtime/operators/join.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { nestedLoopJoin } from '../../planner/evaluate.js';
import { ch, Collector, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight } from './checkpoint-run.js';
import { changeSteps, collapse, del, feed, finalInputs, ins, randomChanges } from './two-input-changes.js';
import { mulberry32 } from './stream-gen.js';

type JoinType = 'inner' | 'left' | 'right' | 'full';

/** Rows are `[key, value]` on both sides; the join is on the key, with an optional residual over `[lk, lv, rk, rv]`. */
function config(type: JoinType, residual?: (row: readonly unknown[]) => unknown, keyed = true): JoinConfig {
  return {
    keys: keyed ? [[(r) => r[0]], [(r) => r[0]]] : [[], []],
    residual,
    widths: [2, 2],
    preserved: [type === 'left' || type === 'full', type === 'right' || type === 'full'],
    description: type,
  };
}

const join = (type: JoinType, residual?: (row: readonly unknown[]) => unknown) => new OperatorHarness(new Join(config(type, residual)));


describe('Join', () => {
  describe('inner', () => {
    it('emits each matching pair once both rows have arrived, whichever side comes first', () => {
      const h = join('inner');
      expect(feed(h, 0, ...ins(['a', 1], ['b', 2]))).toEqual([]);
      expect(feed(h, 1, ...ins(['a', 10], ['c', 30], ['a', 11]))).toEqual([ch('+I', ['a', 1, 'a', 10]), ch('+I', ['a', 1, 'a', 11])]);
      expect(feed(h, 0, ...ins(['a', 3]))).toEqual([ch('+I', ['a', 3, 'a', 10]), ch('+I', ['a', 3, 'a', 11])]);
      expect(feed(h, 1, ...ins(['b', 20]))).toEqual([ch('+I', ['b', 2, 'b', 20])]);
    });

    it('one row per key on one side, the other side in the same key order: either side first gives the same changelog', () => {
      const orders: Row[] = [['c1', 1], ['c1', 2], ['c2', 3], ['c3', 4], ['c9', 5]];
      const customers: Row[] = [['c1', 'Ada'], ['c2', 'Bo'], ['c3', 'Cy'], ['c4', 'Di']];
      const ordersFirst = join('inner');
      feed(ordersFirst, 0, ...ins(...orders));
      const a = feed(ordersFirst, 1, ...ins(...customers));
      const customersFirst = join('inner');
      feed(customersFirst, 1, ...ins(...customers));
      const b = feed(customersFirst, 0, ...ins(...orders));
      expect(a).toEqual(b);
      expect(a.map((c) => c.row[1])).toEqual([1, 2, 3, 4]);
    });

    it('keeps identical rows as copies: each copy joins, and a retraction removes one', () => {
      const h = join('inner');
      feed(h, 0, ...ins(['a', 1], ['a', 1]));
      expect(feed(h, 1, ...ins(['a', 5]))).toEqual([ch('+I', ['a', 1, 'a', 5]), ch('+I', ['a', 1, 'a', 5])]);
      expect(feed(h, 0, ...del(['a', 1]))).toEqual([ch('-D', ['a', 1, 'a', 5])]);
      expect(feed(h, 1, ...ins(['a', 6]))).toEqual([ch('+I', ['a', 1, 'a', 6])]);
      expect(feed(h, 0, ...del(['a', 1]))).toEqual([ch('-D', ['a', 1, 'a', 5]), ch('-D', ['a', 1, 'a', 6])]);
      expect(h.op.state.keys(0)).toBe(0);
    });

    it('passes its input change kinds on (-U/+U of an updating input give -U/+U)', () => {
      const h = join('inner');
      feed(h, 1, ...ins(['a', 5], ['a', 6]));
      feed(h, 0, ...ins(['a', 1]));
      expect(feed(h, 0, [UPDATE_BEFORE, ['a', 1]], [UPDATE_AFTER, ['a', 2]])).toEqual([
        ch('-U', ['a', 1, 'a', 5]),
        ch('-U', ['a', 1, 'a', 6]),
        ch('+U', ['a', 2, 'a', 5]),
        ch('+U', ['a', 2, 'a', 6]),
      ]);
    });

    it('ignores a retraction of a row it does not hold, and keeps no state for it', () => {
      const h = join('inner');
      feed(h, 1, ...ins(['a', 5]));
      expect(feed(h, 0, ...del(['a', 1]), [UPDATE_BEFORE, ['b', 1]])).toEqual([]);
      expect(h.op.state.keys(0)).toBe(0);
      expect(feed(h, 0, ...ins(['a', 1]))).toEqual([ch('+I', ['a', 1, 'a', 5])]);
    });

    it('a NULL key matches nothing, not even another NULL key, and is not stored', () => {
      const h = join('inner');
      feed(h, 0, ...ins([null, 1]));
      expect(feed(h, 1, ...ins([null, 2]))).toEqual([]);
      expect(h.op.state.keys(0) + h.op.state.keys(1)).toBe(0);
    });

    it('checks the residual condition on each pair of the same key', () => {
      const h = join('inner', (r) => (r[1] as number) < (r[3] as number));
      feed(h, 0, ...ins(['a', 5], ['a', 1]));
      expect(feed(h, 1, ...ins(['a', 3]))).toEqual([ch('+I', ['a', 1, 'a', 3])]);
      expect(feed(h, 1, ...del(['a', 3]))).toEqual([ch('-D', ['a', 1, 'a', 3])]);
    });

    it('without keys, compares every pair (a cross join under one key)', () => {
      const h = new OperatorHarness(new Join(config('inner', undefined, false)));
      feed(h, 0, ...ins(['a', 1], ['b', 2]));
      expect(feed(h, 1, ...ins([null, 9]))).toEqual([ch('+I', ['a', 1, null, 9]), ch('+I', ['b', 2, null, 9])]);
      expect(h.op.state.keys(0)).toBe(1);
    });
  });

  describe('outer', () => {
    it('LEFT: an unmatched left row is null-padded; the first match retracts it, the last one gone brings it back', () => {
      const h = join('left');
      expect(feed(h, 0, ...ins(['a', 1]))).toEqual([ch('+I', ['a', 1, null, null])]);
      expect(feed(h, 1, ...ins(['a', 10]))).toEqual([ch('-D', ['a', 1, null, null]), ch('+I', ['a', 1, 'a', 10])]);
      expect(feed(h, 1, ...ins(['a', 11]))).toEqual([ch('+I', ['a', 1, 'a', 11])]);
      expect(feed(h, 1, ...del(['a', 10]))).toEqual([ch('-D', ['a', 1, 'a', 10])]);
      expect(feed(h, 1, ...del(['a', 11]))).toEqual([ch('-D', ['a', 1, 'a', 11]), ch('+I', ['a', 1, null, null])]);
      expect(feed(h, 0, ...del(['a', 1]))).toEqual([ch('-D', ['a', 1, null, null])]);
      expect(h.op.state.keys(0) + h.op.state.keys(1)).toBe(0);
    });

    it('LEFT: a left row arriving after its matches joins them directly; its retraction retracts the joined rows', () => {
      const h = join('left');
      expect(feed(h, 1, ...ins(['a', 10], ['b', 20]))).toEqual([]);
      expect(feed(h, 0, ...ins(['a', 1]))).toEqual([ch('+I', ['a', 1, 'a', 10])]);
      expect(feed(h, 0, ...del(['a', 1]))).toEqual([ch('-D', ['a', 1, 'a', 10])]);
    });

    it('LEFT: outer joins emit +I/-D only, even for -U/+U input', () => {
      const h = join('left');
      feed(h, 1, ...ins(['a', 10]));
      expect(feed(h, 0, [UPDATE_AFTER, ['a', 1]])).toEqual([ch('+I', ['a', 1, 'a', 10])]);
      expect(feed(h, 0, [UPDATE_BEFORE, ['a', 1]])).toEqual([ch('-D', ['a', 1, 'a', 10])]);
    });

    it('LEFT: copies of a left row are null-padded and re-matched copy for copy', () => {
      const h = join('left');
      expect(feed(h, 0, ...ins(['a', 1], ['a', 1]))).toEqual([ch('+I', ['a', 1, null, null]), ch('+I', ['a', 1, null, null])]);
      expect(feed(h, 1, ...ins(['a', 10]))).toEqual([
        ch('-D', ['a', 1, null, null]),
        ch('-D', ['a', 1, null, null]),
        ch('+I', ['a', 1, 'a', 10]),
        ch('+I', ['a', 1, 'a', 10]),
      ]);
    });

    it('LEFT: a left row with a NULL key stays null-padded, and its retraction is not ignored', () => {
      const h = join('left');
      feed(h, 1, ...ins([null, 10]));
      expect(feed(h, 0, ...ins([null, 1]))).toEqual([ch('+I', [null, 1, null, null])]);
      expect(feed(h, 0, ...del([null, 1]))).toEqual([ch('-D', [null, 1, null, null])]);
      expect(h.op.state.keys(1)).toBe(0); // the right row with a NULL key was never stored
    });

    it('LEFT: a residual that rejects every pair keeps the row null-padded', () => {
      const h = join('left', (r) => r[3] !== 'x');
      feed(h, 0, ...ins(['a', 1]));
      expect(feed(h, 1, ...ins(['a', 'x']))).toEqual([]);
      expect(feed(h, 1, ...ins(['a', 'y']))).toEqual([ch('-D', ['a', 1, null, null]), ch('+I', ['a', 1, 'a', 'y'])]);
    });

    it('RIGHT mirrors LEFT', () => {
      const h = join('right');
      expect(feed(h, 1, ...ins(['a', 10]))).toEqual([ch('+I', [null, null, 'a', 10])]);
      expect(feed(h, 0, ...ins(['a', 1]))).toEqual([ch('-D', [null, null, 'a', 10]), ch('+I', ['a', 1, 'a', 10])]);
      expect(feed(h, 0, ...del(['a', 1]))).toEqual([ch('-D', ['a', 1, 'a', 10]), ch('+I', [null, null, 'a', 10])]);
      expect(feed(h, 0, ...ins(['b', 2]))).toEqual([]);
    });

    it('FULL null-pads both sides', () => {
      const h = join('full');
      expect(feed(h, 0, ...ins(['a', 1]))).toEqual([ch('+I', ['a', 1, null, null])]);
      expect(feed(h, 1, ...ins(['b', 20], ['a', 10]))).toEqual([
        ch('+I', [null, null, 'b', 20]),
        ch('-D', ['a', 1, null, null]),
        ch('+I', ['a', 1, 'a', 10]),
      ]);
      expect(feed(h, 0, ...del(['a', 1]))).toEqual([ch('-D', ['a', 1, 'a', 10]), ch('+I', [null, null, 'a', 10])]);
    });
  });

  it('forwards the minimum of both watermarks and ends when both inputs have', () => {
    const h = join('inner');
    h.op.processWatermark(10, 0);
    expect(h.watermarks).toEqual([]);
    h.op.processWatermark(5, 1);
    h.op.processWatermark(20, 1);
    expect(h.watermarks).toEqual([5, 10]);
    h.op.endInput(0);
    expect(h.watermarks).toEqual([5, 10, 20]);
    expect(h.ended).toBe(false);
    h.op.endInput(1);
    expect(h.ended).toBe(true);
  });

  it('has no late data: rows behind the watermark join like any other', () => {
    const h = join('inner');
    h.op.processWatermark(1000, 0);
    h.op.processWatermark(1000, 1);
    feed(h, 0, ...ins(['a', 1]));
    expect(feed(h, 1, ...ins(['a', 2]))).toEqual([ch('+I', ['a', 1, 'a', 2])]);
    expect(h.watermarks).toEqual([1000]);
  });

  it('empty input: no output, and the end passes', () => {
    const h = join('full');
    expect(feed(h, 0)).toEqual([]);
    h.op.endInput(1);
    h.op.endInput(0);
    expect(h.changes).toEqual([]);
    expect(h.ended).toBe(true);
  });

  it('an error in the residual condition goes to the error policy; the pair does not match', () => {
    const bad: BadRecord[] = [];
    const out = new Collector();
    const op = new Join(
      config('left', (r) => {
        if (r[3] === 0) throw new EddyError({ code: ErrorCode.EXPRESSION_FAILED, message: 'Division by zero' });
        return true;
      }),
    );
    op.open({ ...out.contextFor('Join#1', new StateBackend()), badRecord: (r) => bad.push(r) });
    op.processBatch({ rows: [['a', 1]], kinds: [INSERT] }, 0);
    op.processBatch({ rows: [['a', 0], ['a', 2]], kinds: [INSERT, INSERT] }, 1);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ kind: 'expression-error', message: 'Division by zero' });
    expect(out.changes).toEqual([ch('+I', ['a', 1, null, null]), ch('-D', ['a', 1, null, null]), ch('+I', ['a', 1, 'a', 2])]);
    // Without an error policy (no badRecord), the error fails the job.
    const strict = join('inner', () => {
      throw new EddyError({ code: ErrorCode.EXPRESSION_FAILED, message: 'boom' });
    });
    feed(strict, 0, ...ins(['a', 1]));
    expect(() => feed(strict, 1, ...ins(['a', 1]))).toThrow('boom');
  });

  it('idle keys expire with table.exec.state.ttl: a later match is missed, a later retraction ignored', () => {
    let now = 0;
    const backend = new StateBackend(undefined, false, { ttlMs: 1000, now: () => now });
    const h = new OperatorHarness(new Join(config('inner')), backend);
    feed(h, 0, ...ins(['a', 1], ['b', 2]));
    now = 800;
    feed(h, 0, ...ins(['b', 3])); // writes key b again
    now = 1500;
    backend.expire(now);
    expect(h.op.state.keys(0)).toBe(1);
    expect(feed(h, 1, ...ins(['a', 10], ['b', 20]))).toEqual([ch('+I', ['b', 2, 'b', 20]), ch('+I', ['b', 3, 'b', 20])]);
    expect(feed(h, 0, ...del(['a', 1]))).toEqual([]);
  });
});

describe('Join against a nested-loop batch join (random changelogs)', () => {
  const residual = (r: readonly unknown[]) => (r[1] as number) <= (r[3] as number) + 2;
  const condition = (r: readonly unknown[]) => r[0] !== null && r[0] === r[2] && residual(r);

  for (const type of ['inner', 'left', 'right', 'full'] as const) {
    it(`${type}: the collapsed changelog equals the batch join of the final inputs, for 30 seeds`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const rng = mulberry32(seed);
        const changes = randomChanges(rng, 120);
        const out = runStraight(() => new Join(config(type, residual)), changeSteps(changes, rng, 6));
        const [left, right] = finalInputs(changes);
        const expected = nestedLoopJoin(type, left, right, [2, 2], condition).map((r) => JSON.stringify(r)).sort();
        expect(collapse(out.changes), `seed ${seed}`).toEqual(expected);
        // The changelog kinds follow the join type: outer joins only insert and delete.
        if (type !== 'inner') expect(out.changes.every((c) => c.kind === '+I' || c.kind === '-D')).toBe(true);
        expect(out.ended).toBe(true);
      }
    });

    it(`${type}: restored from checkpoints into fresh operators, the output is the same as straight through`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const rng = mulberry32(100 + seed);
        const steps = changeSteps(randomChanges(rng, 80), rng, 5);
        const make = () => new Join(config(type, residual));
        const straight = runStraight(make, steps);
        for (const lost of [0, 3]) {
          const restored = runRestored(make, steps, randomCuts(rng, steps.length, 4), lost);
          expect(restored.changes, `seed ${seed}, lost ${lost}`).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
          expect(restored.ended).toBe(true);
        }
      }
    });
  }
});
