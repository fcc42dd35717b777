/**
 * IntervalJoin over bounded, shuffled input with watermarks: the result equals a nested-loop join written
 * here (rows of equal key with lower <= l.ts - r.ts <= upper, plus the unmatched rows of preserved sides
 * null-padded), no row is ever late, the state drains to nothing once the watermark passes the data, the
 * output watermark never passes an emitted row's times, and a run restored from checkpoints at random
 * points gives the same output.
 */
import { describe, expect, it } from 'vitest';
import { INSERT, type Row } from '../../../src/runtime/changelog.js';
import { IntervalJoin, type IntervalJoinConfig } from '../../../src/runtime/operators/interval-join.js';
import { OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { arrivalSteps as joinArrivals } from './join-arrivals.js';
import { mulberry32 } from './stream-gen.js';

type JoinType = 'inner' | 'left' | 'right' | 'full';
const LOWER = -5_000;
const UPPER = 3_000;
/** Rows are [key, id, ts] on both sides. */
const TS = 2;
/** How late (ms) a row may arrive after its time; each side's watermark trails its latest arrival by this. */
const DELAY = 4_000;

function config(type: JoinType, lower = LOWER, upper = UPPER): IntervalJoinConfig {
  return {
    keys: [[(r) => r[0]], [(r) => r[0]]],
    residual: (j) => (j[0] === null || j[3] === null ? null : (j[TS] as number) - (j[3 + TS] as number) >= lower && (j[TS] as number) - (j[3 + TS] as number) <= upper),
    widths: [3, 3],
    preserved: [type === 'left' || type === 'full', type === 'right' || type === 'full'],
    times: [TS, TS],
    lower,
    upper,
    description: type,
  };
}

/** `n` rows of one side over about `span` ms; some keys NULL. */
function genSide(rng: () => number, n: number, span: number, side: string): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) rows.push([rng() < 0.05 ? null : Math.floor(rng() * 4), `${side}${i}`, Math.floor(rng() * span)]);
  return rows;
}

/** The expected result, by nested loops over the rows. */
function nestedLoops(type: JoinType, left: Row[], right: Row[], lower = LOWER, upper = UPPER): string[] {
  const out: Row[] = [];
  const rightMatched = new Set<Row>();
  for (const l of left) {
    let matched = false;
    for (const r of right) {
      if (l[0] === null || l[0] !== r[0]) continue;
      const d = (l[TS] as number) - (r[TS] as number);
      if (d < lower || d > upper) continue;
      out.push([...l, ...r]);
      matched = true;
      rightMatched.add(r);
    }
    if (!matched && (type === 'left' || type === 'full')) out.push([...l, null, null, null]);
  }
  if (type === 'right' || type === 'full') for (const r of right) if (!rightMatched.has(r)) out.push([null, null, null, ...r]);
  return out.map((r) => JSON.stringify(r)).sort();
}

/** Both sides' rows in arrival order, with watermarks (see join-arrivals.ts). */
function arrivalSteps(rng: () => number, left: Row[], right: Row[]): Step<IntervalJoin>[] {
  return joinArrivals<IntervalJoin>(rng, left, right, TS, DELAY);
}

const sorted = (rows: readonly { row: Row }[]) => rows.map((c) => JSON.stringify(c.row)).sort();

describe('IntervalJoin', () => {
  for (const type of ['inner', 'left', 'right', 'full'] as const) {
    it(`${type}: equals the nested-loop join over shuffled input, and its state drains to 0 entries, for 20 seeds`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const rng = mulberry32(seed);
        const left = genSide(rng, 150, 300_000, 'l');
        const right = genSide(rng, 150, 300_000, 'r');
        const h = new OperatorHarness(new IntervalJoin(config(type)));
        let maxStored = 0;
        for (const step of arrivalSteps(rng, left, right)) {
          step(h);
          const [l, r] = h.op.stored();
          maxStored = Math.max(maxStored, l + r);
        }
        expect(sorted(h.changes), `seed ${seed}`).toEqual(nestedLoops(type, left, right));
        expect(h.changes.every((c) => c.kind === '+I')).toBe(true);
        expect(h.counter('lateRecordsDropped')).toBe(0);
        // Measured: nothing is left once the watermark passed the data, and state stayed far below the input.
        expect(h.op.stored()).toEqual([0, 0]);
        expect(h.op.pendingTimers()).toBe(0);
        expect(maxStored).toBeLessThan(100);
        // No emitted row's time is at or behind a watermark sent before it.
        let mark = -Infinity;
        for (const e of h.events) {
          if (e.type === 'watermark') mark = e.watermark;
          else if (e.type === 'batch') {
            for (const row of e.batch.rows) {
              for (const t of [row[TS], row[3 + TS]]) if (t !== null) expect(t as number).toBeGreaterThan(mark);
            }
          }
        }
      }
    });

    it(`${type}: restored from checkpoints at random points into fresh operators, the output is the same`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const rng = mulberry32(500 + seed);
        const steps = arrivalSteps(rng, genSide(rng, 60, 100_000, 'l'), genSide(rng, 60, 100_000, 'r'));
        const make = () => new IntervalJoin(config(type));
        const straight = runStraight(make, steps);
        for (const lost of [0, 3]) {
          const restored = runRestored(make, steps, randomCuts(rng, steps.length, 4), lost);
          expect(restored.changes, `seed ${seed}, lost ${lost}`).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
        }
      }
    });
  }

  it('bounds that exclude zero (the left row 1 to 2 seconds after the right one) still match', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rng = mulberry32(900 + seed);
      const left = genSide(rng, 100, 60_000, 'l');
      const right = genSide(rng, 100, 60_000, 'r');
      const h = new OperatorHarness(new IntervalJoin(config('full', 1_000, 2_000)));
      for (const step of arrivalSteps(rng, left, right)) step(h);
      expect(sorted(h.changes), `seed ${seed}`).toEqual(nestedLoops('full', left, right, 1_000, 2_000));
      expect(h.op.stored()).toEqual([0, 0]);
    }
  });

  it('rows exactly at the bounds match, one millisecond beyond them do not (either side arriving first)', () => {
    for (const leftFirst of [true, false]) {
      const h = new OperatorHarness(new IntervalJoin(config('inner')));
      const left: Row[] = [[1, 'l', 10_000]];
      const right: Row[] = [[1, 'r1', 15_000], [1, 'r2', 15_001], [1, 'r3', 7_000], [1, 'r4', 6_999]];
      const feed = (rows: Row[], side: number) => h.op.processBatch({ rows, kinds: rows.map(() => INSERT) }, side);
      if (leftFirst) feed(left, 0);
      feed(right, 1);
      if (!leftFirst) feed(left, 0);
      // d = l.ts - r.ts: -5000 (= lower) and 3000 (= upper) match; -5001 and 3001 do not.
      expect(sorted(h.changes)).toEqual([JSON.stringify([1, 'l', 10_000, 1, 'r1', 15_000]), JSON.stringify([1, 'l', 10_000, 1, 'r3', 7_000])]);
    }
  });

  it('a late row is dropped and counted; a row with a NULL time is dropped and counted', () => {
    const h = new OperatorHarness(new IntervalJoin(config('left')));
    h.op.processWatermark(10_000, 0);
    h.op.processWatermark(10_000, 1);
    h.op.processBatch({ rows: [[1, 'late', 10_000], [1, 'nul', null]], kinds: [INSERT, INSERT] }, 0);
    expect(h.changes).toEqual([]);
    expect(h.counter('lateRecordsDropped')).toBe(1);
    expect(h.counter('nullTimeRecordsDropped')).toBe(1);
  });
});

describe('IntervalJoin with a grace (ksqlDB stream-stream joins)', () => {
  const GRACE = 1_000;
  const withGrace = (type: JoinType): IntervalJoinConfig => ({ ...config(type), grace: GRACE });
  const feed = (h: OperatorHarness<IntervalJoin>, rows: Row[], side: number) => h.op.processBatch({ rows, kinds: rows.map(() => INSERT) }, side);
  /** ksqlDB's stream time on both inputs: the watermark is the largest time seen, with no delay. */
  const streamTime = (h: OperatorHarness<IntervalJoin>, t: number) => {
    h.op.processWatermark(t, 0);
    h.op.processWatermark(t, 1);
  };

  it('an outer row comes out null-padded only once stream time passes its window end plus the grace; rows within the grace still join', () => {
    const h = new OperatorHarness(new IntervalJoin(withGrace('left')));
    // The left row at 10 s matches right rows in [10 s - 3 s, 10 s + 5 s]; its window ends at 15 s, plus 1 s grace.
    feed(h, [[1, 'l1', 10_000]], 0);
    streamTime(h, 16_000);
    expect(h.changes).toEqual([]);
    // 1 s behind stream time, but its window (and the left row's) is still open: it joins.
    feed(h, [[1, 'r1', 15_000]], 1);
    expect(sorted(h.changes)).toEqual([JSON.stringify([1, 'l1', 10_000, 1, 'r1', 15_000])]);
    feed(h, [[2, 'l2', 20_000]], 0);
    streamTime(h, 26_000);
    expect(h.changes).toHaveLength(1);
    streamTime(h, 26_001);
    expect(h.changes.map((c) => c.row)).toContainEqual([2, 'l2', 20_000, null, null, null]);
    expect(h.changes).toHaveLength(2);
    // A left row whose window and grace ended before it arrived is late: dropped and counted.
    feed(h, [[1, 'late', 10_000]], 0);
    expect(h.changes).toHaveLength(2);
    expect(h.counter('lateRecordsDropped')).toBe(1);
  });

  it('a row at stream time itself is not late (ksqlDB accepts records at the current stream time)', () => {
    const h = new OperatorHarness(new IntervalJoin({ ...config('inner', 0, 0), grace: 0 }));
    feed(h, [[1, 'l', 5_000]], 0);
    streamTime(h, 5_000);
    feed(h, [[1, 'r', 5_000]], 1);
    expect(sorted(h.changes)).toEqual([JSON.stringify([1, 'l', 5_000, 1, 'r', 5_000])]);
    expect(h.counter('lateRecordsDropped')).toBe(0);
  });

  for (const type of ['inner', 'left', 'right', 'full'] as const) {
    it(`${type}: rows arriving up to the grace behind stream time give the nested-loop join, and state drains, for 10 seeds`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const rng = mulberry32(1300 + seed);
        const left = genSide(rng, 100, 200_000, 'l');
        const right = genSide(rng, 100, 200_000, 'r');
        // Each row arrives up to GRACE ms after its time; stream time is the largest time seen so far.
        const arrivals = [...left.map((r) => ({ side: 0, r })), ...right.map((r) => ({ side: 1, r }))]
          .map((a) => ({ ...a, at: (a.r[TS] as number) + Math.floor(rng() * GRACE) }))
          .sort((a, b) => a.at - b.at);
        const h = new OperatorHarness(new IntervalJoin(withGrace(type)));
        let seen = -Infinity;
        for (const a of arrivals) {
          feed(h, [a.r], a.side);
          seen = Math.max(seen, a.r[TS] as number);
          streamTime(h, seen);
        }
        streamTime(h, seen + 100_000);
        expect(sorted(h.changes), `seed ${seed}`).toEqual(nestedLoops(type, left, right));
        expect(h.counter('lateRecordsDropped')).toBe(0);
        expect(h.op.stored()).toEqual([0, 0]);
        expect(h.op.pendingTimers()).toBe(0);
      }
    });
  }

  it('restored from checkpoints at random points, the output is the same', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rng = mulberry32(1700 + seed);
      const steps = joinArrivals<IntervalJoin>(rng, genSide(rng, 60, 100_000, 'l'), genSide(rng, 60, 100_000, 'r'), TS, DELAY);
      const make = () => new IntervalJoin(withGrace('full'));
      const straight = runStraight(make, steps);
      const restored = runRestored(make, steps, randomCuts(rng, steps.length, 4), 2);
      expect(restored.changes, `seed ${seed}`).toEqual(straight.changes);
    }
  });
});
