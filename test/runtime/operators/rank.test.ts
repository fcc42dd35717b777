import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DELETE, INSERT, type Row, type RowKind, UPDATE_AFTER, UPDATE_BEFORE } from '../../../src/runtime/changelog.js';
import { Rank, type RankConfig } from '../../../src/runtime/operators/rank.js';
import type { SortKey } from '../../../src/planner/logical-plan.js';
import { type Change, ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { mulberry32, sortRows } from './stream-gen.js';

// Rows are [key, value, ts, id]; ids are unique, so (value DESC NULLS LAST, id ASC) is a total order.
const BY_VALUE_DESC: SortKey[] = [
  { index: 1, descending: true, nullsFirst: false },
  { index: 3, descending: false, nullsFirst: false },
];

const batch = (...changes: [RowKind, Row][]) => ({ rows: changes.map((c) => c[1]), kinds: changes.map((c) => c[0]) });

function rank(config: Partial<RankConfig> & { rankEnd: number }): OperatorHarness<Rank> {
  return new OperatorHarness(new Rank({ partitionKeys: [0], orderKeys: BY_VALUE_DESC, inputUpdating: false, ...config }));
}

/** The rows a changelog leaves: +I/+U add a row, -U/-D remove an equal one (which must be there). */
function materialize(changes: readonly Change[]): Row[] {
  const live: Row[] = [];
  for (const c of changes) {
    if (c.kind === '+I' || c.kind === '+U') live.push(c.row);
    else {
      const at = live.findIndex((r) => JSON.stringify(r) === JSON.stringify(c.row));
      expect(at, `${c.kind} ${JSON.stringify(c.row)} retracts a row that is not there`).toBeGreaterThanOrEqual(0);
      live.splice(at, 1);
    }
  }
  return live;
}

/**
 * Top-N computed as a batch, independently of the operator: group by key, sort each group by value
 * descending (NULLs last) then id, number the rows from 1 and keep ranks up to n.
 */
function batchTopN(rows: readonly Row[], n: number): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = JSON.stringify(r[0]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: Row[] = [];
  for (const g of groups.values()) {
    const sorted = [...g].sort((a, b) => {
      const av = a[1] as number | null;
      const bv = b[1] as number | null;
      if (av !== bv) {
        if (av === null) return 1;
        if (bv === null) return -1;
        return bv - av;
      }
      return (a[3] as number) - (b[3] as number);
    });
    sorted.slice(0, n).forEach((r, i) => out.push([...r, i + 1]));
  }
  return out;
}

/** A random changelog over rows [key, value, ts, id]: inserts, and (when `updating`) deletes and updates of live rows. */
function randomChanges(rng: () => number, updating: boolean): { batches: [RowKind, Row][][]; live: Row[] } {
  const live: Row[] = [];
  const batches: [RowKind, Row][][] = [];
  let id = 0;
  const fresh = (): Row => [rng() < 0.05 ? null : `k${Math.floor(rng() * 4)}`, rng() < 0.1 ? null : Math.floor(rng() * 15), Math.floor(rng() * 1000), id++];
  let pending: [RowKind, Row][] = [];
  const n = 1 + Math.floor(rng() * 150);
  for (let i = 0; i < n; i++) {
    const p = rng();
    if (updating && live.length > 0 && p < 0.35) {
      const [row] = live.splice(Math.floor(rng() * live.length), 1);
      if (p < 0.2) pending.push([DELETE, row!]);
      else {
        const next = fresh();
        pending.push([UPDATE_BEFORE, row!], [UPDATE_AFTER, next]);
        live.push(next);
      }
    } else {
      const row = fresh();
      pending.push([INSERT, row]);
      live.push(row);
    }
    if (rng() < 0.2 || i === n - 1) {
      batches.push(pending);
      pending = [];
    }
  }
  return { batches, live };
}

describe('Rank (Top-N, ROW_NUMBER)', () => {
  it('emits the top rows with their rank, and moves rows between ranks with -U/+U', () => {
    const h = rank({ rankEnd: 2 });
    expect(h.insert(['a', 5, 0, 1], ['b', 1, 0, 2])).toEqual([ch('+I', ['a', 5, 0, 1, 1]), ch('+I', ['b', 1, 0, 2, 1])]);
    // 9 takes rank 1 from 5, which moves to rank 2.
    expect(h.insert(['a', 9, 0, 3])).toEqual([ch('-U', ['a', 5, 0, 1, 1]), ch('+U', ['a', 9, 0, 3, 1]), ch('+I', ['a', 5, 0, 1, 2])]);
    // 7 enters at rank 2; 5 drops out of the top 2 (and, on insert-only input, out of state).
    expect(h.insert(['a', 7, 0, 4])).toEqual([ch('-U', ['a', 5, 0, 1, 2]), ch('+U', ['a', 7, 0, 4, 2])]);
    expect(h.insert(['a', 2, 0, 5])).toEqual([]);
    expect(h.op.storedRows).toBe(3);
  });

  it('refills a rank from the rows below the top when a top row is retracted (updating input)', () => {
    const h = rank({ rankEnd: 1, inputUpdating: true });
    h.insert(['a', 5, 0, 1], ['a', 3, 0, 2]);
    expect(h.feed(batch([DELETE, ['a', 5, 0, 1]]))).toEqual([ch('-U', ['a', 5, 0, 1, 1]), ch('+U', ['a', 3, 0, 2, 1])]);
    expect(h.feed(batch([DELETE, ['a', 3, 0, 2]]))).toEqual([ch('-D', ['a', 3, 0, 2, 1])]);
    expect(h.op.storedRows).toBe(0);
    // A retraction of a row never seen is ignored.
    expect(h.feed(batch([DELETE, ['a', 1, 0, 9]]))).toEqual([]);
  });

  it('refuses a retraction on insert-only input', () => {
    const h = rank({ rankEnd: 1 });
    expect(() => h.feed(batch([DELETE, ['a', 1, 0, 1]]))).toThrow(/insert-only/);
  });

  for (const updating of [false, true]) {
    it(`the changelog's final state equals a batch Top-N (${updating ? 'updating' : 'insert-only'} input, shuffled batches)`, () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (seed, n) => {
          const rng = mulberry32(seed);
          const { batches, live } = randomChanges(rng, updating);
          const h = rank({ rankEnd: n, inputUpdating: updating });
          for (const b of batches) h.feed(batch(...b));
          h.finish();
          expect(sortRows(materialize(h.changes))).toEqual(sortRows(batchTopN(live, n)));
          if (!updating) expect(h.op.storedRows).toBeLessThanOrEqual(n * 5);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('holds no rows once every row is deleted', () => {
    const rng = mulberry32(7);
    const { batches, live } = randomChanges(rng, true);
    const h = rank({ rankEnd: 3, inputUpdating: true });
    for (const b of batches) h.feed(batch(...b));
    h.feed(batch(...live.map((r): [RowKind, Row] => [DELETE, r])));
    expect(h.op.storedRows).toBe(0);
    expect(materialize(h.changes)).toEqual([]);
  });

  it('gives the uninterrupted output when checkpointed and restored at random points', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, updating) => {
        const rng = mulberry32(seed);
        const { batches } = randomChanges(rng, updating);
        const steps: Step<Rank>[] = [];
        batches.forEach((b, i) => steps.push((h) => h.feed(batch(...b)), (h) => h.watermark(i * 10)));
        steps.push((h) => h.finish());
        const make = () => new Rank({ partitionKeys: [0], orderKeys: BY_VALUE_DESC, rankEnd: 2, inputUpdating: updating });
        const straight = runStraight(make, steps);
        const restored = runRestored(make, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        expect(restored.changes).toEqual(straight.changes);
        expect(restored.watermarks).toEqual(straight.watermarks);
        expect(restored.ended).toBe(straight.ended);
      }),
      { numRuns: 30 },
    );
  });

  describe('without the rank column (outputRankNumber=false), and ranks from rankStart (ORDER BY .. LIMIT .. OFFSET)', () => {
    it('a row entering a full top N inserts itself and deletes only the row it pushes out', () => {
      const h = rank({ rankEnd: 2, outputRank: false });
      expect(h.insert(['a', 5, 0, 1], ['a', 3, 0, 2])).toEqual([ch('+I', ['a', 5, 0, 1]), ch('+I', ['a', 3, 0, 2])]);
      // 9 takes rank 1: 5 moves to rank 2 (nothing to say), 3 leaves the top.
      expect(h.insert(['a', 9, 0, 3])).toEqual([ch('-D', ['a', 3, 0, 2]), ch('+I', ['a', 9, 0, 3])]);
      expect(h.insert(['a', 1, 0, 4])).toEqual([]);
    });

    it('copies of one row object in a batch (a join emits a pair once per matched copy) enter and leave the top copy for copy', () => {
      const h = rank({ rankEnd: 2, outputRank: false });
      const five: Row = ['a', 5, 0, 1];
      expect(h.feed(batch([INSERT, five], [INSERT, five]))).toEqual([ch('+I', five), ch('+I', five)]);
      // 9 takes rank 1 and pushes one copy of 5 out; the other copy stays.
      expect(h.insert(['a', 9, 0, 3])).toEqual([ch('-D', five), ch('+I', ['a', 9, 0, 3])]);
      // A row equal to the remaining copy (another object) does not enter: it sorts after it.
      expect(h.insert(['a', 5, 0, 1])).toEqual([]);
      expect(h.insert(['a', 7, 0, 4])).toEqual([ch('-D', five), ch('+I', ['a', 7, 0, 4])]);
    });

    it('on updating input, a retracted top row is replaced by the next one: one -D, one +I', () => {
      const h = rank({ rankEnd: 2, outputRank: false, inputUpdating: true });
      h.insert(['a', 9, 0, 1], ['a', 5, 0, 2], ['a', 3, 0, 3]);
      expect(h.feed(batch([DELETE, ['a', 9, 0, 1]]))).toEqual([ch('-D', ['a', 9, 0, 1]), ch('+I', ['a', 3, 0, 3])]);
    });

    it('rankStart: only ranks rankStart..rankEnd are output', () => {
      const h = rank({ rankEnd: 3, rankStart: 2, outputRank: false, partitionKeys: [] });
      expect(h.insert(['a', 5, 0, 1])).toEqual([]);
      expect(h.insert(['b', 7, 0, 2])).toEqual([ch('+I', ['a', 5, 0, 1])]);
      // 6 enters at rank 2: 5 moves to rank 3, still output.
      expect(h.insert(['c', 6, 0, 3])).toEqual([ch('+I', ['c', 6, 0, 3])]);
      // 8 takes rank 1: 7 moves to rank 2 (in), 5 to rank 4 (out).
      expect(h.insert(['d', 8, 0, 4])).toEqual([ch('-D', ['a', 5, 0, 1]), ch('+I', ['b', 7, 0, 2])]);
    });

    for (const updating of [false, true]) {
      it(`the final state equals a batch Top-N, with fewer or as many changes as with the rank column (${updating ? 'updating' : 'insert-only'} input)`, () => {
        fc.assert(
          fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (seed, n, start) => {
            const rng = mulberry32(seed);
            const { batches, live } = randomChanges(rng, updating);
            const without = rank({ rankEnd: n, rankStart: start, outputRank: false, inputUpdating: updating });
            const withRank = rank({ rankEnd: n, rankStart: start, inputUpdating: updating });
            for (const b of batches) {
              without.feed(batch(...b));
              withRank.feed(batch(...b));
            }
            expect(without.changes.every((c) => c.kind === '+I' || c.kind === '-D')).toBe(true);
            expect(without.changes.length).toBeLessThanOrEqual(withRank.changes.length);
            const expected = batchTopN(live, n).filter((r) => (r[4] as number) >= start);
            expect(sortRows(materialize(without.changes))).toEqual(sortRows(expected.map((r) => r.slice(0, 4))));
            expect(sortRows(materialize(withRank.changes))).toEqual(sortRows(expected));
          }),
          { numRuns: 60 },
        );
      });
    }

    it('gives the uninterrupted output when checkpointed and restored at random points', () => {
      fc.assert(
        fc.property(fc.integer(), fc.boolean(), (seed, updating) => {
          const rng = mulberry32(seed);
          const { batches } = randomChanges(rng, updating);
          const steps: Step<Rank>[] = batches.map((b) => (h) => h.feed(batch(...b)));
          steps.push((h) => h.finish());
          const make = () => new Rank({ partitionKeys: [0], orderKeys: BY_VALUE_DESC, rankEnd: 3, rankStart: 2, outputRank: false, inputUpdating: updating });
          const straight = runStraight(make, steps);
          expect(runRestored(make, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3)).changes).toEqual(straight.changes);
        }),
        { numRuns: 20 },
      );
    });
  });

  describe('RANK and DENSE_RANK (ties share a rank)', () => {
    const BY_VALUE: SortKey[] = [{ index: 1, descending: true, nullsFirst: false }];

    /** Batch RANK / DENSE_RANK by value descending (NULLs last), ranks up to n, computed independently. */
    function batchRanks(rows: readonly Row[], n: number, dense: boolean): Row[] {
      const groups = new Map<string, Row[]>();
      for (const r of rows) groups.set(JSON.stringify(r[0]), [...(groups.get(JSON.stringify(r[0])) ?? []), r]);
      const out: Row[] = [];
      const key = (v: unknown) => (v === null ? -Infinity : (v as number));
      for (const g of groups.values()) {
        for (const r of g) {
          const better = g.filter((o) => key(o[1]) > key(r[1]));
          const rank = dense ? new Set(better.map((o) => key(o[1]))).size + 1 : better.length + 1;
          if (rank <= n) out.push([...r, rank]);
        }
      }
      return out;
    }

    it('gives ties one rank: RANK skips after them, DENSE_RANK does not', () => {
      const rows: Row[] = [['a', 5, 0, 1], ['a', 9, 0, 2], ['a', 5, 0, 3], ['a', 4, 0, 4]];
      const r = rank({ rankEnd: 3, rankType: 'RANK', orderKeys: BY_VALUE });
      r.insert(...rows);
      expect(sortRows(materialize(r.changes))).toEqual(sortRows([['a', 9, 0, 2, 1], ['a', 5, 0, 1, 2], ['a', 5, 0, 3, 2]]));
      const d = rank({ rankEnd: 3, rankType: 'DENSE_RANK', orderKeys: BY_VALUE });
      d.insert(...rows);
      expect(sortRows(materialize(d.changes))).toEqual(sortRows([['a', 9, 0, 2, 1], ['a', 5, 0, 1, 2], ['a', 5, 0, 3, 2], ['a', 4, 0, 4, 3]]));
    });

    for (const rankType of ['RANK', 'DENSE_RANK'] as const) {
      it(`${rankType}: the changelog's final state equals a batch computation (insert-only and updating input)`, () => {
        fc.assert(
          fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), fc.boolean(), (seed, n, updating) => {
            const rng = mulberry32(seed);
            const { batches, live } = randomChanges(rng, updating);
            const h = rank({ rankEnd: n, inputUpdating: updating, rankType, orderKeys: BY_VALUE });
            for (const b of batches) h.feed(batch(...b));
            h.finish();
            expect(sortRows(materialize(h.changes))).toEqual(sortRows(batchRanks(live, n, rankType === 'DENSE_RANK')));
          }),
          { numRuns: 60 },
        );
      });
    }

    it('gives the uninterrupted output when checkpointed and restored at random points', () => {
      fc.assert(
        fc.property(fc.integer(), fc.boolean(), fc.boolean(), (seed, updating, dense) => {
          const rng = mulberry32(seed);
          const { batches } = randomChanges(rng, updating);
          const steps: Step<Rank>[] = batches.map((b) => (h) => h.feed(batch(...b)));
          steps.push((h) => h.finish());
          const make = () => new Rank({ rankType: dense ? 'DENSE_RANK' : 'RANK', partitionKeys: [0], orderKeys: BY_VALUE, rankEnd: 2, inputUpdating: updating });
          const straight = runStraight(make, steps);
          expect(runRestored(make, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3)).changes).toEqual(straight.changes);
        }),
        { numRuns: 20 },
      );
    });
  });
});
