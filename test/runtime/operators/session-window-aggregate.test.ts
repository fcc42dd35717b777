import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_WATERMARK, type Row, UPDATE_AFTER } from '../../../src/runtime/changelog.js';
import { SessionWindowAggregate } from '../../../src/runtime/operators/session-window-aggregate.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step, streamSteps } from './checkpoint-run.js';
import { feedWithWatermarks, genRows, mulberry32, sortRows } from './stream-gen.js';
import { call, countImpl, extremumImpl, standardCalls, standardResults, sumImpl } from './test-aggregates.js';

/** COUNT(*), SUM($1), MIN($1) per key $0 over time $2, gap 10. */
function sessions(gap = 10): OperatorHarness<SessionWindowAggregate> {
  return new OperatorHarness(
    new SessionWindowAggregate({
      gap,
      timeIndex: 2,
      groupKeys: [0],
      aggs: [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1), call('MIN($1)', extremumImpl('min'), 1)],
    }),
  );
}

describe('SessionWindowAggregate', () => {
  it('keeps separate sessions apart and fires each when the watermark passes its end - 1', () => {
    const h = sessions();
    h.insert(['a', 1, 0], ['a', 2, 5], ['a', 3, 30], ['b', 4, 2]);
    // a: [0, 15) and [30, 40); b: [2, 12). The watermark 14 fires b's (end 12) then a's first (end 15).
    expect(h.watermark(13)).toEqual([ch('+I', ['b', 1, 4, 4, 2, 12, 11])]);
    expect(h.watermark(14)).toEqual([ch('+I', ['a', 2, 3, 1, 0, 15, 14])]);
    expect(h.watermark(38)).toEqual([]);
    expect(h.watermark(20)).toEqual([]); // does not go back
    expect(h.finish()).toEqual([ch('+I', ['a', 1, 3, 3, 30, 40, 39])]);
    expect(h.watermarks).toEqual([13, 14, 38, MAX_WATERMARK]);
  });

  it('merges sessions that touch (end of one = start of the next)', () => {
    const h = sessions();
    h.insert(['a', 1, 0], ['a', 2, 10]);
    expect(h.finish()).toEqual([ch('+I', ['a', 2, 3, 1, 0, 20, 19])]);
  });

  it('merges two sessions bridged by a later row, combining their accumulators', () => {
    const h = sessions();
    h.insert(['a', 5, 0], ['a', 7, 30]); // [0, 10), [30, 40)
    h.insert(['b', 1, 20]);
    h.insert(['a', -1, 15]); // [15, 25): a third session in between
    h.insert(['a', 2, 8]); // [8, 18) bridges [0, 10) and [15, 25) → [0, 25)
    h.insert(['a', 3, 22]); // [22, 32) bridges [0, 25) and [30, 40) → [0, 40)
    expect(h.op.state.get('a')!.sessions.map((x) => [x.start, x.end])).toEqual([[0, 40]]);
    expect(h.finish()).toEqual([ch('+I', ['b', 1, 1, 1, 20, 30, 29]), ch('+I', ['a', 5, 16, -1, 0, 40, 39])]);
  });

  it('drops and counts rows whose session would already have fired, without resurrecting it', () => {
    const h = sessions();
    h.insert(['a', 1, 0]);
    expect(h.watermark(9)).toEqual([ch('+I', ['a', 1, 1, 1, 0, 10, 9])]);
    h.insert(['a', 1, -5], ['a', 1, -1], ['b', 1, -1]); // [-1, 9): 8 <= 9 → late
    expect(h.counter('lateRecordsDropped')).toBe(3);
    // At 10 (= the fired session's end) a row is on time, and opens a new session.
    h.insert(['a', 2, 10]);
    expect(h.finish()).toEqual([ch('+I', ['a', 1, 2, 2, 10, 20, 19])]);
  });

  it('a row behind the watermark is on time when it joins an open session', () => {
    const h = sessions();
    h.insert(['a', 1, 10]);
    h.watermark(12);
    h.insert(['a', 1, 1]); // [1, 11) touches [10, 20) → [1, 20), not fired
    expect(h.counter('lateRecordsDropped')).toBe(0);
    expect(h.finish()).toEqual([ch('+I', ['a', 2, 2, 1, 1, 20, 19])]);
  });

  it('fires sessions with the same end by start, then by key first-seen order', () => {
    const h = sessions();
    h.insert(['b', 1, 5], ['a', 1, 5], ['c', 1, 0], ['c', 1, 5]);
    expect(h.finish().map((c) => c.row[0])).toEqual(['c', 'b', 'a']);
  });

  it('emits nothing for empty input, drops NULL times, rejects non-inserts', () => {
    const h = sessions();
    h.insert();
    h.insert(['a', 1, null]);
    expect(h.counter('nullTimeRecordsDropped')).toBe(1);
    expect(() => h.feed({ rows: [['a', 1, 1]], kinds: [UPDATE_AFTER] })).toThrow(/insert-only/);
    expect(h.finish()).toEqual([]);
    expect(h.ended).toBe(true);
  });

  it('explains itself and rejects a non-positive gap', () => {
    expect(sessions(60_000).op.explain()).toBe(
      'SessionWindowAggregate(window=[SESSION(gap=[1 min])], time=[$2], partitionBy=[$0], select=[COUNT(*), SUM($1), MIN($1)])',
    );
    expect(() => sessions(0)).toThrow(/gap/);
  });

  it('equals a batch computation over bounded-disorder input', () => {
    /** Batch answer: per key, sort times; consecutive rows at most `gap` apart share a session. */
    function batchAnswer(gap: number, rows: Row[]): Row[] {
      const byKey = new Map<unknown, Row[]>();
      for (const r of rows) {
        const list = byKey.get(r[0]) ?? [];
        list.push(r);
        byKey.set(r[0], list);
      }
      const out: Row[] = [];
      for (const [key, list] of byKey) {
        list.sort((a, b) => (a[2] as number) - (b[2] as number));
        let current: Row[] = [];
        const close = () => {
          const start = current[0]![2] as number;
          const end = (current[current.length - 1]![2] as number) + gap;
          out.push([key, ...standardResults(current), start, end, end - 1]);
        };
        for (const r of list) {
          if (current.length > 0 && (r[2] as number) - (current[current.length - 1]![2] as number) > gap) {
            close();
            current = [];
          }
          current.push(r);
        }
        close();
      }
      return out;
    }

    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 40 }), fc.integer(), (gap, disorder, seed) => {
        const rng = mulberry32(seed);
        const rows = genRows(rng, { n: 1 + Math.floor(rng() * 300), keys: 4, disorder, maxStep: 2 * gap, start: -100 });
        const h = new OperatorHarness(new SessionWindowAggregate({ gap, timeIndex: 2, groupKeys: [0], aggs: standardCalls() }));
        // One more ms of lag than for aligned windows: a session [s, e) fires at watermark e - 1, and a row
        // at exactly e (on time then) would touch it; the batch answer merges the two, the stream cannot.
        feedWithWatermarks(h, rows, rng, disorder + 2, 20);
        expect(h.counter('lateRecordsDropped')).toBe(0);
        const out = h.changes;
        expect(sortRows(out.map((c) => c.row))).toEqual(sortRows(batchAnswer(gap, rows)));
        const ends = out.map((c) => c.row[c.row.length - 2] as number);
        expect(ends).toEqual([...ends].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('skips timers of sessions that grew or merged (no stale firing, no duplicates)', () => {
    const h = sessions();
    h.insert(['a', 1, 0]); // [0, 10)
    h.insert(['a', 1, 5]); // grows to [0, 15): the timer at 10 goes stale
    h.insert(['a', 1, 30], ['a', 1, 20]); // [30, 40) and [20, 30): touching, merged into [20, 40)
    expect(h.watermark(12)).toEqual([]);
    expect(h.watermark(14)).toEqual([ch('+I', ['a', 2, 2, 1, 0, 15, 14])]);
    expect(h.watermark(35)).toEqual([]);
    expect(h.finish()).toEqual([ch('+I', ['a', 2, 2, 1, 20, 40, 39])]);
  });

  it('keeps about one timer per key, not one per row, while sessions grow', () => {
    const h = sessions();
    // The timers in the timer service's table: each entry holds a key's time, or its times.
    const timers = () => {
      const table = h.state.forOperator(`${h.op.kind}#1`).table<number | number[]>('timers');
      let size = 0;
      for (const ns of table.namespaces()) for (const [, times] of table.namespace(ns)) size += Array.isArray(times) ? times.length : 1;
      return { size };
    };
    for (let ts = 0; ts < 100; ts += 3) h.insert(['a', 1, ts], ['b', 1, ts + 1]);
    expect(timers().size).toBe(2); // a's at 9 (its first session's end - 1), b's at 10
    // Each watermark moves a timer that fired early to the session's end now; nothing fires before it.
    for (let wm = 0; wm < 107; wm += 5) expect(h.watermark(wm)).toEqual([]);
    expect(timers().size).toBe(2);
    expect(h.watermark(108)).toEqual([ch('+I', ['a', 34, 34, 1, 0, 109, 108])]);
    h.insert(['b', 1, 95]); // behind the watermark, but joins b's open session: no new timer
    expect(timers().size).toBe(1);
    h.insert(['c', 1, 120], ['c', 1, 112]); // [120, 130), then [112, 122) merges in: the timer at 129 is early enough
    expect(timers().size).toBe(2);
    h.insert(['c', 1, 200], ['c', 1, 150]); // later sessions of c: its timer at 129 is still the earliest
    expect(timers().size).toBe(2);
    h.insert(['c', 1, 100]); // [100, 110) ends before c's others: an earlier timer, at 109
    expect(timers().size).toBe(3);
    expect(h.watermark(109)).toEqual([ch('+I', ['b', 35, 35, 1, 1, 110, 109]), ch('+I', ['c', 1, 1, 1, 100, 110, 109])]);
    // One timer of c fires every session of c the watermark passed.
    expect(h.watermark(159)).toEqual([ch('+I', ['c', 2, 2, 1, 112, 130, 129]), ch('+I', ['c', 1, 1, 1, 150, 160, 159])]);
    expect(timers().size).toBe(1);
    expect(h.finish()).toEqual([ch('+I', ['c', 1, 1, 1, 200, 210, 209])]);
    expect(timers().size).toBe(0);
  });

  describe('checkpoint and restore', () => {
    type Op = SessionWindowAggregate;
    const make = (gap: number) => () =>
      new SessionWindowAggregate({ gap, timeIndex: 2, groupKeys: [0], aggs: standardCalls() });

    /** Sessions fire in a deterministic order (end, start, first-seen), so the sequences must be equal. */
    function expectSameOutput(gap: number, steps: Step<Op>[], cuts: number[], lost = 0): void {
      const straight = runStraight(make(gap), steps);
      const restored = runRestored(make(gap), steps, cuts, lost);
      expect(restored.changes).toEqual(straight.changes);
      expect(restored.watermarks).toEqual(straight.watermarks);
      expect(restored.ended).toBe(true);
      expect(restored.counters['lateRecordsDropped'] ?? 0).toBe(straight.counters['lateRecordsDropped'] ?? 0);
    }

    it('restores open sessions that later merge, and the first-seen order of keys', () => {
      const steps: Step<Op>[] = [
        (h) => h.insert(['b', 1, 5, true], ['a', 5, 0, true], ['a', 7, 30, false]), // a: [0, 10), [30, 40); b: [5, 15)
        (h) => h.insert(['c', 1, 0, true], ['c', 1, 5, true]), // c: [0, 15), same end as b
        (h) => h.watermark(3),
        (h) => h.insert(['a', -1, 15, true]), // a: [15, 25) in between
        (h) => h.insert(['a', 2, 8, true]), // bridges [0, 10) and [15, 25) → [0, 25)
        (h) => h.watermark(14), // fires c then b (same end, c starts first)
        (h) => h.insert(['a', 3, 22, true], ['b', 1, 2, true]), // a → [0, 40); b's row is late
        (h) => h.finish(),
      ];
      for (let cut = 0; cut <= steps.length; cut++) expectSameOutput(10, steps, [cut]);
      expectSameOutput(10, steps, [1, 2, 3, 4, 5, 6, 7]);
      expectSameOutput(10, steps, [3, 5], 2);
    });

    it('keeps the key sequence across a restore (ties between keys first seen before and after it)', () => {
      const steps: Step<Op>[] = [
        (h) => h.insert(['z', 1, 0, true]),
        (h) => h.insert(['y', 1, 0, true], ['x', 1, 0, true]),
        (h) => h.finish(),
      ];
      expect(runStraight(make(10), steps).changes.map((c) => c.row[0])).toEqual(['z', 'y', 'x']);
      for (let cut = 0; cut <= steps.length; cut++) expectSameOutput(10, steps, [cut]);
    });

    it('gives the uninterrupted output for random streams and restore points', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer(), (gap, disorder, seed) => {
          const rng = mulberry32(seed);
          const rows = genRows(rng, { n: 1 + Math.floor(rng() * 150), keys: 4, disorder, maxStep: 2 * gap, start: -50 });
          const steps = streamSteps<Op>(rows, rng, Math.floor(disorder / 2), 10);
          expectSameOutput(gap, steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
        }),
        { numRuns: 40 },
      );
    });
  });
});
