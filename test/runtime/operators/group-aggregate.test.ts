import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DELETE, INSERT, type Row, type RowKind, UPDATE_AFTER, UPDATE_BEFORE } from '../../../src/runtime/changelog.js';
import type { AggCall } from '../../../src/runtime/operators/aggregate-call.js';
import { GroupAggregate } from '../../../src/runtime/operators/group-aggregate.js';
import { accumulatorLayout } from '../../../src/runtime/operators/accumulator-layout.js';
import { type DataType, T } from '../../../src/common/types.js';
import { builtinAggregates } from '../../../src/functions/aggregate/index.js';
import { type Change, ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { mulberry32, sortRows } from './stream-gen.js';
import { call, countImpl, extremumImpl, lastValueImpl, standardCalls, standardResults, sumImpl } from './test-aggregates.js';

const minMax = (): AggCall[] => [
  call('COUNT(*)', countImpl(true), -1),
  call('MIN($1)', extremumImpl('min'), 1),
  call('MAX($1)', extremumImpl('max'), 1),
];

function agg(groupKeys: number[], aggs: AggCall[], inputUpdating = true): OperatorHarness<GroupAggregate> {
  return new OperatorHarness(new GroupAggregate({ groupKeys, aggs, inputUpdating }));
}

const batch = (...changes: [RowKind, Row][]) => ({ rows: changes.map((c) => c[1]), kinds: changes.map((c) => c[0]) });

describe('GroupAggregate', () => {
  it('inserts new groups, then updates them with -U/+U', () => {
    const h = agg([0], [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1)], false);
    expect(h.insert(['a', 1], ['b', 2], ['a', 3])).toEqual([ch('+I', ['a', 2, 4]), ch('+I', ['b', 1, 2])]);
    expect(h.insert(['b', 5])).toEqual([ch('-U', ['b', 1, 2]), ch('+U', ['b', 2, 7])]);
  });

  it('folds a whole batch before emitting (one update per touched key)', () => {
    const h = agg([0], [call('SUM($1)', sumImpl, 1)]);
    h.insert(['a', 1]);
    expect(h.insert(['a', 2], ['a', 3], ['a', 4])).toEqual([ch('-U', ['a', 1]), ch('+U', ['a', 10])]);
  });

  it("per record (ksqlDB's EMIT CHANGES): each row emits its group's row, in order, even when unchanged", () => {
    const h = new OperatorHarness(new GroupAggregate({ groupKeys: [0], aggs: [call('COUNT(*)', countImpl(true), -1), call('MAX($1)', extremumImpl('max'), 1)], inputUpdating: false, perRecord: true }));
    expect(h.insert(['a', 1], ['b', 2], ['a', 3], ['a', 2])).toEqual([
      ch('+I', ['a', 1, 1]),
      ch('+I', ['b', 1, 2]),
      ch('-U', ['a', 1, 1]),
      ch('+U', ['a', 2, 3]),
      ch('-U', ['a', 2, 3]),
      ch('+U', ['a', 3, 3]),
    ]);
    const unchanged = new OperatorHarness(new GroupAggregate({ groupKeys: [0], aggs: [call('MAX($1)', extremumImpl('max'), 1)], inputUpdating: false, perRecord: true }));
    unchanged.insert(['a', 5]);
    expect(unchanged.insert(['a', 1])).toEqual([ch('-U', ['a', 5]), ch('+U', ['a', 5])]);
    expect(unchanged.op.explain()).toBe('GroupAggregate(groupBy=[$0], select=[MAX($1)], perRecord)');
  });

  it('skips a group whose result row did not change', () => {
    const h = agg([0], [call('MAX($1)', extremumImpl('max'), 1)]);
    h.insert(['a', 5]);
    expect(h.insert(['a', 3])).toEqual([]);
    expect(h.feed(batch([DELETE, ['a', 3]]))).toEqual([]);
  });

  it('retracts MIN and MAX exactly, and deletes an emptied group', () => {
    const h = agg([0], minMax());
    h.insert(['a', 5], ['a', 1], ['a', 9], ['a', 1]);
    expect(h.feed(batch([DELETE, ['a', 1]]))).toEqual([ch('-U', ['a', 4, 1, 9]), ch('+U', ['a', 3, 1, 9])]);
    expect(h.feed(batch([DELETE, ['a', 1]]))).toEqual([ch('-U', ['a', 3, 1, 9]), ch('+U', ['a', 2, 5, 9])]);
    expect(h.feed(batch([UPDATE_BEFORE, ['a', 9]], [UPDATE_AFTER, ['a', 7]]))).toEqual([
      ch('-U', ['a', 2, 5, 9]),
      ch('+U', ['a', 2, 5, 7]),
    ]);
    expect(h.feed(batch([DELETE, ['a', 5]], [DELETE, ['a', 7]]))).toEqual([ch('-D', ['a', 2, 5, 7])]);
    expect(h.op.state.size).toBe(0);
    // The group comes back from fresh accumulators.
    expect(h.insert(['a', 4])).toEqual([ch('+I', ['a', 1, 4, 4])]);
  });

  it('a group emptied and refilled within one batch is an update; one created and emptied is nothing', () => {
    const h = agg([0], minMax());
    h.insert(['a', 1]);
    expect(h.feed(batch([DELETE, ['a', 1]], [INSERT, ['a', 2]], [INSERT, ['b', 1]], [DELETE, ['b', 1]]))).toEqual([
      ch('-U', ['a', 1, 1, 1]),
      ch('+U', ['a', 1, 2, 2]),
    ]);
  });

  it('ignores retractions of groups it does not hold', () => {
    const h = agg([0], minMax());
    expect(h.feed(batch([DELETE, ['a', 1]], [UPDATE_BEFORE, ['b', 1]]))).toEqual([]);
    expect(h.insert(['a', 2])).toEqual([ch('+I', ['a', 1, 2, 2])]);
  });

  it('a global aggregate emits its one group on the first input only', () => {
    const h = agg([], [call('COUNT(*)', countImpl(true), -1)]);
    expect(h.insert()).toEqual([]);
    expect(h.insert([1], [2])).toEqual([ch('+I', [2])]);
    expect(h.insert([3])).toEqual([ch('-U', [2]), ch('+U', [3])]);
    expect(h.op.upsertKey).toEqual([]);
  });

  it('SELECT DISTINCT: a group per distinct row, deleted when its last copy goes', () => {
    const h = agg([0, 1], []);
    expect(h.insert(['a', 1], ['a', 1], ['b', null])).toEqual([ch('+I', ['a', 1]), ch('+I', ['b', null])]);
    expect(h.feed(batch([DELETE, ['a', 1]]))).toEqual([]);
    expect(h.feed(batch([DELETE, ['a', 1]]))).toEqual([ch('-D', ['a', 1])]);
    expect(h.op.upsertKey).toEqual([0, 1]);
  });

  it('forwards advancing watermarks and ends; empty input emits nothing', () => {
    const h = agg([0], minMax());
    h.watermark(4);
    h.watermark(4);
    expect(h.finish()).toEqual([]);
    expect(h.events).toEqual([{ type: 'watermark', watermark: 4 }, { type: 'watermark', watermark: Infinity }, { type: 'end' }]);
  });

  it('refuses an updating input with an aggregate that cannot retract, and retractions on append-only input', () => {
    expect(() => agg([0], [call('LAST_VALUE($1)', lastValueImpl, 1)], true)).toThrow(/LAST_VALUE\(\$1\) cannot retract/);
    const h = agg([0], [call('LAST_VALUE($1)', lastValueImpl, 1)], false);
    expect(h.insert(['a', 1], ['a', 2])).toEqual([ch('+I', ['a', 2])]);
    expect(() => h.feed(batch([DELETE, ['a', 1]]))).toThrow(/insert-only/);
  });

  it('explains itself', () => {
    expect(agg([0], minMax()).op.explain()).toBe('GroupAggregate(groupBy=[$0], select=[COUNT(*), MIN($1), MAX($1)], retract)');
  });

  describe('final materialized state equals a batch computation over the net input', () => {
    /** Applies a changelog keyed by the first `keyWidth` columns, checking it is well formed. */
    function materialize(changes: Change[], keyWidth: number): Row[] {
      const table = new Map<string, Row>();
      let pendingBefore: string | undefined;
      for (const { kind, row } of changes) {
        const key = JSON.stringify(row.slice(0, keyWidth));
        if (kind === '+I' || kind === '+U') {
          expect(table.has(key)).toBe(false);
          if (kind === '+U') expect(pendingBefore).toBe(key);
          table.set(key, row);
          pendingBefore = undefined;
        } else {
          expect(table.get(key)).toEqual(row);
          table.delete(key);
          pendingBefore = kind === '-U' ? key : undefined;
        }
      }
      return [...table.values()];
    }

    /** Random inserts, deletes and updates of live rows `[key, value, ts, flag]`, in random batches. */
    function run(seed: number, groupKeys: number[], aggs: AggCall[], expected: (live: Row[]) => Row[]): void {
      const rng = mulberry32(seed);
      const h = agg(groupKeys, aggs);
      const live: Row[] = [];
      const n = Math.floor(rng() * 400);
      let pending: [RowKind, Row][] = [];
      const flush = () => {
        h.feed(batch(...pending));
        pending = [];
      };
      const fresh = (): Row => [`k${Math.floor(rng() * 5)}`, rng() < 0.1 ? null : Math.floor(rng() * 21) - 10, 0, rng() < 0.5];
      for (let i = 0; i < n; i++) {
        const p = rng();
        if (live.length > 0 && p < 0.35) {
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
        if (rng() < 0.15) flush();
      }
      flush();
      expect(sortRows(materialize(h.changes, groupKeys.length))).toEqual(sortRows(expected(live)));
    }

    const byKey = (live: Row[], width: number): Map<string, Row[]> => {
      const groups = new Map<string, Row[]>();
      for (const r of live) {
        const id = JSON.stringify(r.slice(0, width));
        groups.set(id, [...(groups.get(id) ?? []), r]);
      }
      return groups;
    };

    it('for GROUP BY key', () => {
      fc.assert(
        fc.property(fc.integer(), (seed) =>
          run(seed, [0], standardCalls(), (live) => [...byKey(live, 1).values()].map((g) => [g[0]![0], ...standardResults(g)])),
        ),
        { numRuns: 200 },
      );
    });

    it('for a global aggregate', () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => run(seed, [], standardCalls(), (live) => (live.length === 0 ? [] : [standardResults(live)]))),
        { numRuns: 100 },
      );
    });

    it('for SELECT DISTINCT', () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => run(seed, [0, 1], [], (live) => [...byKey(live, 2).values()].map((g) => g[0]!.slice(0, 2)))),
        { numRuns: 100 },
      );
    });
  });

  describe('checkpoint and restore', () => {
    type Op = GroupAggregate;
    const make = (groupKeys: number[], aggs: () => AggCall[]) => () => new GroupAggregate({ groupKeys, aggs: aggs(), inputUpdating: true });

    /** The output order is deterministic (first-touched order per batch), so the sequences must be equal. */
    function expectSameOutput(m: () => Op, steps: Step<Op>[], cuts: number[], lost = 0): void {
      const straight = runStraight(m, steps);
      const restored = runRestored(m, steps, cuts, lost);
      expect(restored.changes).toEqual(straight.changes);
      expect(restored.watermarks).toEqual(straight.watermarks);
      expect(restored.ended).toBe(straight.ended);
    }

    it('restores groups, their accumulators, counts and last emitted rows, and the watermark', () => {
      const steps: Step<Op>[] = [
        (h) => h.insert(['a', 5], ['a', 1], ['b', 9], ['a', 1]),
        (h) => h.watermark(10),
        (h) => h.feed(batch([DELETE, ['a', 1]], [DELETE, ['b', 9]])), // b is emptied and removed
        (h) => h.watermark(5), // not forwarded, also after a restore
        (h) => h.feed(batch([DELETE, ['a', 1]], [INSERT, ['b', 2]], [INSERT, ['c', null]])),
        (h) => h.feed(batch([UPDATE_BEFORE, ['a', 5]], [UPDATE_AFTER, ['a', 5]])), // same result: no output
        (h) => h.feed(batch([DELETE, ['a', 5]])),
        (h) => h.finish(),
      ];
      const m = make([0], minMax);
      for (let cut = 0; cut <= steps.length; cut++) expectSameOutput(m, steps, [cut]);
      expectSameOutput(m, steps, [1, 2, 3, 4, 5, 6, 7]);
      expectSameOutput(m, steps, [2, 5], 2);
    });

    it('checkpoints a group whose accumulators changed while its result row did not', () => {
      const steps: Step<Op>[] = [
        (h) => h.insert(['a', 5]),
        (h) => h.insert(['a', 3]), // MAX stays 5: no output, but the accumulator holds 3 now
        (h) => h.feed(batch([DELETE, ['a', 5]])),
        (h) => h.finish(),
      ];
      const m = make([0], () => [call('MAX($1)', extremumImpl('max'), 1)]);
      expect(runStraight(m, steps).changes).toEqual([ch('+I', ['a', 5]), ch('-U', ['a', 5]), ch('+U', ['a', 3])]);
      for (let cut = 0; cut <= steps.length; cut++) expectSameOutput(m, steps, [cut]);
      expectSameOutput(m, steps, [1, 2]); // only step 1 changes the group between these checkpoints
    });

    it('gives the uninterrupted output for random updating input and restore points', () => {
      fc.assert(
        fc.property(fc.integer(), fc.boolean(), (seed, global) => {
          const rng = mulberry32(seed);
          const live: Row[] = [];
          const steps: Step<Op>[] = [];
          const fresh = (): Row => [`k${Math.floor(rng() * 5)}`, rng() < 0.1 ? null : Math.floor(rng() * 21) - 10, 0, rng() < 0.5];
          let pending: [RowKind, Row][] = [];
          const n = Math.floor(rng() * 200);
          for (let i = 0; i < n; i++) {
            const p = rng();
            if (live.length > 0 && p < 0.35) {
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
            if (rng() < 0.15 || i === n - 1) {
              const b = batch(...pending);
              steps.push((h) => h.feed(b));
              pending = [];
            }
          }
          steps.push((h) => h.finish());
          expectSameOutput(make(global ? [] : [0], standardCalls), steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        }),
        { numRuns: 40 },
      );
    });

    it('gives the uninterrupted output with built-in aggregates kept in one array per group (flat layout)', () => {
      const builtin = (name: string, types: DataType[]) => {
        const r = builtinAggregates.find((f) => f.name === name)!.resolve(types, false);
        if ('error' in r) throw new Error(r.error);
        return r.impl;
      };
      const flatCalls = (): AggCall[] => [
        call('COUNT(*)', builtin('COUNT', []), -1),
        call('COUNT($1)', builtin('COUNT', [T.int()]), 1),
        call('SUM($1)', builtin('SUM', [T.int()]), 1),
        call('AVG($2)', builtin('AVG', [T.double()]), 2),
      ];
      expect(accumulatorLayout(flatCalls()).create()).toBeInstanceOf(Float64Array);
      for (let seed = 1; seed <= 30; seed++) {
        const rng = mulberry32(seed);
        const live: Row[] = [];
        const steps: Step<Op>[] = [];
        const fresh = (): Row => [`k${Math.floor(rng() * 5)}`, rng() < 0.1 ? null : Math.floor(rng() * 21) - 10, rng() < 0.1 ? null : (rng() - 0.5) * 1000];
        for (let b = 0; b < 12; b++) {
          const pending: [RowKind, Row][] = [];
          for (let i = 0; i < 8; i++) {
            if (live.length > 0 && rng() < 0.35) pending.push([DELETE, live.splice(Math.floor(rng() * live.length), 1)[0]!]);
            else {
              const row = fresh();
              pending.push([INSERT, row]);
              live.push(row);
            }
          }
          const input = batch(...pending);
          steps.push((h) => h.feed(input));
        }
        steps.push((h) => h.finish());
        expectSameOutput(make([0], flatCalls), steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
      }
    });
  });
});
