import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCode } from '../../../src/common/errors.js';
import type { BadRecord } from '../../../src/runtime/connector.js';
import { INSERT, type Row, UPDATE_AFTER, UPDATE_BEFORE } from '../../../src/runtime/changelog.js';
import { SemiAntiJoin, type SemiAntiJoinConfig } from '../../../src/runtime/operators/semi-anti-join.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { ch, Collector, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight } from './checkpoint-run.js';
import { mulberry32 } from './stream-gen.js';
import { changeSteps, collapse, del, feed, finalInputs, ins, randomChanges } from './two-input-changes.js';

type Residual = (row: readonly unknown[]) => unknown;

/** Rows are `[key, value]` on both sides; keyed on the key, with an optional residual over `[lk, lv, rk, rv]`. */
function config(type: 'semi' | 'anti', residual?: Residual, keyed = true): SemiAntiJoinConfig {
  return { type, keys: keyed ? [[(r) => r[0]], [(r) => r[0]]] : [[], []], residual, description: type };
}

const make = (type: 'semi' | 'anti', residual?: Residual, keyed = true) => new OperatorHarness(new SemiAntiJoin(config(type, residual, keyed)));


/** `x NOT IN (y ...)`'s pair condition: the values equal, or either NULL (SQL's null-aware anti join). */
const nullAware: Residual = (r) => r[1] === null || r[3] === null || r[1] === r[3];

describe('SemiAntiJoin', () => {
  it('semi: a left row appears with its first match and disappears with its last one', () => {
    const h = make('semi');
    expect(feed(h, 0, ...ins(['a', 1], ['b', 2]))).toEqual([]);
    expect(feed(h, 1, ...ins(['a', 10]))).toEqual([ch('+I', ['a', 1])]);
    // A second match changes nothing; a left row arriving after its matches is emitted at once.
    expect(feed(h, 1, ...ins(['a', 11]))).toEqual([]);
    expect(feed(h, 0, ...ins(['a', 3]))).toEqual([ch('+I', ['a', 3])]);
    expect(feed(h, 1, ...del(['a', 10]))).toEqual([]);
    expect(feed(h, 1, ...del(['a', 11]))).toEqual([ch('-D', ['a', 1]), ch('-D', ['a', 3])]);
    expect(feed(h, 1, ...ins(['b', 20]))).toEqual([ch('+I', ['b', 2])]);
  });

  it('anti: a left row is out while it has no match, retracted with the first, back with the last gone', () => {
    const h = make('anti');
    expect(feed(h, 0, ...ins(['a', 1]))).toEqual([ch('+I', ['a', 1])]);
    expect(feed(h, 1, ...ins(['a', 10], ['a', 11]))).toEqual([ch('-D', ['a', 1])]);
    expect(feed(h, 0, ...ins(['a', 2]))).toEqual([]);
    expect(feed(h, 1, ...del(['a', 10], ['a', 11]))).toEqual([ch('+I', ['a', 1]), ch('+I', ['a', 2])]);
  });

  it('passes the kinds of left changes on (-U/+U); right changes give +I/-D', () => {
    const h = make('semi');
    feed(h, 1, ...ins(['a', 10]));
    expect(feed(h, 0, [INSERT, ['a', 1]], [UPDATE_BEFORE, ['a', 1]], [UPDATE_AFTER, ['a', 2]])).toEqual([ch('+I', ['a', 1]), ch('-U', ['a', 1]), ch('+U', ['a', 2])]);
    expect(feed(h, 1, [UPDATE_BEFORE, ['a', 10]], [UPDATE_AFTER, ['a', 12]])).toEqual([ch('-D', ['a', 2]), ch('+I', ['a', 2])]);
  });

  it('copies: identical left rows enter and leave one by one; identical right rows count one by one', () => {
    const h = make('semi');
    feed(h, 0, ...ins(['a', 1], ['a', 1]));
    expect(feed(h, 1, ...ins(['a', 5], ['a', 5]))).toEqual([ch('+I', ['a', 1]), ch('+I', ['a', 1])]);
    expect(feed(h, 1, ...del(['a', 5]))).toEqual([]);
    expect(feed(h, 0, ...del(['a', 1]))).toEqual([ch('-D', ['a', 1])]);
    expect(feed(h, 1, ...del(['a', 5]))).toEqual([ch('-D', ['a', 1])]);
  });

  it('a NULL key matches nothing: a semi join drops the row, an anti join passes it (and its retraction) without state', () => {
    const semi = make('semi');
    feed(semi, 1, ...ins([null, 1]));
    expect(feed(semi, 0, ...ins([null, 1]))).toEqual([]);
    const anti = make('anti');
    feed(anti, 1, ...ins([null, 1]));
    expect(feed(anti, 0, ...ins([null, 1]))).toEqual([ch('+I', [null, 1])]);
    expect(feed(anti, 0, ...del([null, 1]))).toEqual([ch('-D', [null, 1])]);
    expect(anti.op.state.keys(0)).toBe(0);
    expect(anti.op.state.keys(1)).toBe(0);
  });

  it('checks the residual condition on each pair of the same key', () => {
    const h = make('anti', (r) => (r[3] as number) > (r[1] as number));
    expect(feed(h, 0, ...ins(['a', 5], ['a', 1]))).toEqual([ch('+I', ['a', 5]), ch('+I', ['a', 1])]);
    expect(feed(h, 1, ...ins(['a', 3]))).toEqual([ch('-D', ['a', 1])]);
    expect(feed(h, 1, ...ins(['a', 9]))).toEqual([ch('-D', ['a', 5])]);
  });

  it('null-aware NOT IN (no keys, x = y OR x IS NULL OR y IS NULL): a NULL value blocks everything; an empty side lets everything through', () => {
    const h = make('anti', nullAware, false);
    expect(feed(h, 0, ...ins(['a', 1], ['b', null], ['c', 3]))).toEqual([ch('+I', ['a', 1]), ch('+I', ['b', null]), ch('+I', ['c', 3])]);
    // A value blocks the equal x and the NULL x.
    expect(feed(h, 1, ...ins(['r', 1]))).toEqual([ch('-D', ['a', 1]), ch('-D', ['b', null])]);
    // A NULL value blocks every x.
    expect(feed(h, 1, ...ins(['r', null]))).toEqual([ch('-D', ['c', 3])]);
    expect(feed(h, 1, ...del(['r', 1]))).toEqual([]);
    expect(feed(h, 1, ...del(['r', null]))).toEqual([ch('+I', ['a', 1]), ch('+I', ['b', null]), ch('+I', ['c', 3])]);
  });

  it('state: every row retracted leaves no entries', () => {
    const h = make('semi');
    feed(h, 0, ...ins(['a', 1], ['b', 2]));
    feed(h, 1, ...ins(['a', 1], ['c', 3]));
    feed(h, 0, ...del(['a', 1], ['b', 2]));
    feed(h, 1, ...del(['a', 1], ['c', 3]));
    expect(h.op.state.keys(0)).toBe(0);
    expect(h.op.state.keys(1)).toBe(0);
  });

  it('forwards the minimum of both watermarks and ends when both inputs have; empty input gives no output', () => {
    const h = make('anti');
    h.op.processWatermark(10, 0);
    h.op.processWatermark(5, 1);
    h.op.processWatermark(20, 1);
    h.op.endInput(0);
    expect(h.ended).toBe(false);
    h.op.endInput(1);
    // Once the left input ended, only the right one holds the watermark back.
    expect(h.watermarks).toEqual([5, 10, 20]);
    expect(h.changes).toEqual([]);
    expect(h.ended).toBe(true);
  });

  it('an error in the residual goes to the error policy: the pair does not match', () => {
    const bad: BadRecord[] = [];
    const out = new Collector();
    const op = new SemiAntiJoin(
      config('anti', (r) => {
        if (r[3] === 0) throw new EddyError({ code: ErrorCode.EXPRESSION_FAILED, message: 'Division by zero' });
        return true;
      }),
    );
    op.open({ ...out.contextFor('SemiAntiJoin#1', new StateBackend()), badRecord: (r) => bad.push(r) });
    op.processBatch({ rows: [['a', 1]], kinds: [INSERT] }, 0);
    op.processBatch({ rows: [['a', 0], ['a', 2]], kinds: [INSERT, INSERT] }, 1);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ kind: 'expression-error', message: 'Division by zero' });
    expect(out.changes).toEqual([ch('+I', ['a', 1]), ch('-D', ['a', 1])]);
    // Without an error policy (no badRecord), the error fails the job.
    const strict = make('semi', () => {
      throw new EddyError({ code: ErrorCode.EXPRESSION_FAILED, message: 'boom' });
    });
    feed(strict, 1, ...ins(['a', 1]));
    expect(() => feed(strict, 0, ...ins(['a', 1]))).toThrow('boom');
  });

  it('idle keys expire with table.exec.state.ttl, as the regular join', () => {
    let now = 0;
    const backend = new StateBackend(undefined, false, { ttlMs: 1000, now: () => now });
    const h = new OperatorHarness(new SemiAntiJoin(config('semi')), backend);
    feed(h, 0, ...ins(['a', 1], ['b', 2]));
    now = 800;
    feed(h, 0, ...ins(['b', 3]));
    now = 1500;
    backend.expire(now);
    expect(h.op.state.keys(0)).toBe(1);
    expect(feed(h, 1, ...ins(['a', 10], ['b', 20]))).toEqual([ch('+I', ['b', 2]), ch('+I', ['b', 3])]);
  });
});

/** By the definition: the left rows for which some right row satisfies `condition` (semi), or none does (anti). */
function batchSemiAnti(type: 'semi' | 'anti', left: readonly Row[], right: readonly Row[], condition: Residual): string[] {
  return left
    .filter((l) => right.some((r) => condition([...l, ...r]) === true) === (type === 'semi'))
    .map((r) => JSON.stringify(r))
    .sort();
}

describe('SemiAntiJoin against a batch semi/anti join (random changelogs, both sides updating)', () => {
  const residual: Residual = (r) => (r[1] as number) <= (r[3] as number) + 1;
  const cases: { name: string; type: 'semi' | 'anti'; residual?: Residual; keyed: boolean; condition: Residual; nulls: number }[] = [
    { name: 'semi (IN / EXISTS) on the key', type: 'semi', keyed: true, condition: (r) => r[0] !== null && r[0] === r[2], nulls: 0 },
    { name: 'anti (NOT EXISTS) on the key only', type: 'anti', keyed: true, condition: (r) => r[0] !== null && r[0] === r[2], nulls: 0 },
    { name: 'semi (EXISTS) on the key with a residual', type: 'semi', residual, keyed: true, condition: (r) => r[0] !== null && r[0] === r[2] && residual(r), nulls: 0 },
    { name: 'uncorrelated anti (NOT EXISTS): no keys, no residual', type: 'anti', keyed: false, condition: () => true, nulls: 0 },
    { name: 'anti (NOT EXISTS) on the key with a residual', type: 'anti', residual, keyed: true, condition: (r) => r[0] !== null && r[0] === r[2] && residual(r), nulls: 0 },
    { name: 'null-aware anti (NOT IN) on the values, NULLs on both sides', type: 'anti', residual: nullAware, keyed: false, condition: nullAware, nulls: 0.2 },
    { name: 'null-aware anti (correlated NOT IN): key and values', type: 'anti', residual: nullAware, keyed: true, condition: (r) => r[0] !== null && r[0] === r[2] && nullAware(r) === true, nulls: 0.2 },
  ];
  for (const c of cases) {
    it(`${c.name}: the collapsed changelog equals the batch answer over the final inputs, for 30 seeds`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const rng = mulberry32(seed);
        const changes = randomChanges(rng, 120, c.nulls);
        const out = runStraight(() => new SemiAntiJoin(config(c.type, c.residual, c.keyed)), changeSteps(changes, rng, 6));
        const [left, right] = finalInputs(changes);
        expect(collapse(out.changes), `seed ${seed}`).toEqual(batchSemiAnti(c.type, left, right, c.condition));
        expect(out.ended).toBe(true);
      }
    });

    it(`${c.name}: restored from checkpoints at random points into fresh operators, the output is the same as straight through`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const rng = mulberry32(200 + seed);
        const steps = changeSteps<SemiAntiJoin>(randomChanges(rng, 80, c.nulls), rng, 5);
        const makeOp = () => new SemiAntiJoin(config(c.type, c.residual, c.keyed));
        const straight = runStraight(makeOp, steps);
        for (const lost of [0, 3]) {
          const restored = runRestored(makeOp, steps, randomCuts(rng, steps.length, 4), lost);
          expect(restored.changes, `seed ${seed}, lost ${lost}`).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
          expect(restored.ended).toBe(true);
        }
      }
    });
  }
});
