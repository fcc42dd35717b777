import { describe, expect, it } from 'vitest';
import { INSERT, type Row, UPDATE_AFTER, UPDATE_BEFORE } from '../../../src/runtime/changelog.js';
import { NullAwareAntiJoin, type NullAwareAntiJoinConfig } from '../../../src/runtime/operators/null-aware-anti-join.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight } from './checkpoint-run.js';
import { mulberry32 } from './stream-gen.js';
import { changeSteps, collapse, del, feed, finalInputs, ins, randomChanges } from './two-input-changes.js';

/** Rows are `[key, value]` on both sides: `value NOT IN (SELECT value ... [WHERE key = outer key])`. */
function config(keyed: boolean): NullAwareAntiJoinConfig {
  return { keys: keyed ? [[(r) => r[0]], [(r) => r[0]]] : [[], []], values: [(r) => r[1], (r) => r[1]], description: 'test' };
}

const make = (keyed = false) => new OperatorHarness(new NullAwareAntiJoin(config(keyed)));


/** SQL's `x NOT IN (values)` is TRUE. */
function notIn(x: unknown, values: readonly unknown[]): boolean {
  if (values.length === 0) return true;
  if (x === null || values.includes(null)) return false;
  return !values.includes(x);
}

describe('NullAwareAntiJoin', () => {
  it('an empty subquery lets every row through; a value blocks the equal x and every NULL x; a NULL value blocks all', () => {
    const h = make();
    expect(feed(h, 0, ...ins(['a', 1], ['b', null], ['c', 3], ['d', 1]))).toEqual([ch('+I', ['a', 1]), ch('+I', ['b', null]), ch('+I', ['c', 3]), ch('+I', ['d', 1])]);
    expect(feed(h, 1, ...ins(['r', 1]))).toEqual([ch('-D', ['a', 1]), ch('-D', ['d', 1]), ch('-D', ['b', null])]);
    expect(feed(h, 1, ...ins(['r', 5]))).toEqual([]);
    expect(feed(h, 1, ...ins(['r', null]))).toEqual([ch('-D', ['c', 3])]);
    // Rows arriving now are out; the NULL value gone, those not blocked by a value come back.
    expect(feed(h, 0, ...ins(['e', 7]))).toEqual([]);
    expect(feed(h, 1, ...del(['r', null]))).toEqual([ch('+I', ['c', 3]), ch('+I', ['e', 7])]);
    expect(feed(h, 1, ...del(['r', 5], ['r', 1]))).toEqual([ch('+I', ['a', 1]), ch('+I', ['d', 1]), ch('+I', ['b', null])]);
  });

  it('correlated: each key is on its own; a NULL key passes as it is', () => {
    const h = make(true);
    feed(h, 1, ...ins(['k1', null], ['k2', 2]));
    expect(feed(h, 0, ...ins(['k1', 1], ['k2', 1], ['k2', 2], ['k3', null], [null, 2]))).toEqual([ch('+I', ['k2', 1]), ch('+I', ['k3', null]), ch('+I', [null, 2])]);
    expect(feed(h, 0, ...del([null, 2]))).toEqual([ch('-D', [null, 2])]);
  });

  it('left changes keep their kinds; copies enter and leave one by one', () => {
    const h = make();
    expect(feed(h, 0, [INSERT, ['a', 1]], [INSERT, ['a', 1]], [UPDATE_BEFORE, ['a', 1]], [UPDATE_AFTER, ['a', 2]])).toEqual([ch('+I', ['a', 1]), ch('+I', ['a', 1]), ch('-U', ['a', 1]), ch('+U', ['a', 2])]);
    feed(h, 0, ...ins(['a', 1]));
    expect(feed(h, 1, ...ins(['r', 1]))).toEqual([ch('-D', ['a', 1]), ch('-D', ['a', 1])]);
    // A retraction of a right row it does not hold is ignored.
    expect(feed(h, 1, ...del(['r', 9], ['r', null]))).toEqual([]);
  });

  it('state: every row retracted leaves no entries in any table', () => {
    const h = make(true);
    feed(h, 0, ...ins(['a', 1], ['b', null]));
    feed(h, 1, ...ins(['a', 1], ['a', null], ['c', 3]));
    feed(h, 0, ...del(['a', 1], ['b', null]));
    feed(h, 1, ...del(['a', 1], ['a', null], ['c', 3]));
    expect(h.op.stateSizes()).toEqual({ left: 0, right: 0, counts: 0 });
  });

  it('idle keys expire with table.exec.state.ttl', () => {
    let now = 0;
    const backend = new StateBackend(undefined, false, { ttlMs: 1000, now: () => now });
    const h = new OperatorHarness(new NullAwareAntiJoin(config(true)), backend);
    feed(h, 0, ...ins(['a', 1], ['b', 2]));
    now = 1500;
    backend.expire(now);
    expect(h.op.stateSizes().left).toBe(0);
    // The expired rows are not retracted when their value arrives.
    expect(feed(h, 1, ...ins(['a', 1]))).toEqual([]);
  });
});

describe('NullAwareAntiJoin against the batch NOT IN (random changelogs, NULLs on both sides)', () => {
  for (const keyed of [false, true]) {
    const name = keyed ? 'correlated' : 'uncorrelated';
    const inSubquery = (l: Row, right: readonly Row[]) => (keyed ? right.filter((r) => l[0] !== null && r[0] === l[0]) : right).map((r) => r[1]);

    it(`${name}: the collapsed changelog equals the rows whose x NOT IN (..) is TRUE, for 40 seeds`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const rng = mulberry32(seed);
        const changes = randomChanges(rng, 120, 0.15);
        const out = runStraight(() => new NullAwareAntiJoin(config(keyed)), changeSteps(changes, rng, 6));
        const [left, right] = finalInputs(changes);
        const expected = left.filter((l) => notIn(l[1], inSubquery(l, right))).map((r) => JSON.stringify(r)).sort();
        expect(collapse(out.changes), `seed ${seed}`).toEqual(expected);
        expect(out.ended).toBe(true);
      }
    });

    it(`${name}: restored from checkpoints at random points into fresh operators, the output is the same as straight through`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const rng = mulberry32(300 + seed);
        const steps = changeSteps<NullAwareAntiJoin>(randomChanges(rng, 80, 0.15), rng, 5);
        const makeOp = () => new NullAwareAntiJoin(config(keyed));
        const straight = runStraight(makeOp, steps);
        for (const lost of [0, 3]) {
          const restored = runRestored(makeOp, steps, randomCuts(rng, steps.length, 4), lost);
          expect(restored.changes, `seed ${seed}, lost ${lost}`).toEqual(straight.changes);
          expect(restored.ended).toBe(true);
        }
      }
    });
  }
});
