import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Row, UPDATE_AFTER } from '../../../src/runtime/changelog.js';
import type { KsqlWindowSpec } from '../../../src/common/ksql-window.js';
import { KsqlWindowAggregate } from '../../../src/runtime/operators/ksql-window-aggregate.js';
import { ch, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { genRows, mulberry32, sortRows } from './stream-gen.js';
import { call, countImpl, extremumImpl, standardCalls, standardResults, sumImpl } from './test-aggregates.js';

type Emit = 'CHANGES' | 'FINAL';

/** COUNT(*), SUM($1) per key $0 over rows `[key, value, ts]`; output `[key, count, sum, WINDOWSTART, WINDOWEND, ROWTIME]`. */
function agg(window: KsqlWindowSpec, emit: Emit = 'CHANGES'): OperatorHarness<KsqlWindowAggregate> {
  return new OperatorHarness(
    new KsqlWindowAggregate({ window, emit, timeIndex: 2, groupKeys: [0], aggs: [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1)] }),
  );
}

const tumbling = (sizeMs: number, graceMs: number): KsqlWindowSpec => ({ type: 'TUMBLING', sizeMs, graceMs });
const hopping = (sizeMs: number, advanceMs: number, graceMs: number): KsqlWindowSpec => ({ type: 'HOPPING', sizeMs, advanceMs, graceMs });
const session = (gap: number, graceMs: number): KsqlWindowSpec => ({ type: 'SESSION', sizeMs: gap, graceMs });

describe('KsqlWindowAggregate: TUMBLING and HOPPING', () => {
  it('EMIT CHANGES: +I for a new window, then -U/+U per record; ROWTIME is the latest event time', () => {
    const h = agg(tumbling(10, 5));
    expect(h.insert(['a', 1, 3])).toEqual([ch('+I', ['a', 1, 1, 0, 10, 3])]);
    expect(h.insert(['a', 2, 7], ['b', 5, 12])).toEqual([
      ch('-U', ['a', 1, 1, 0, 10, 3]),
      ch('+U', ['a', 2, 3, 0, 10, 7]),
      ch('+I', ['b', 1, 5, 10, 20, 12]),
    ]);
    // Out of order but within the grace period (10 + 5 > 12): the window takes it, ROWTIME stays 7.
    expect(h.insert(['a', 4, 5])).toEqual([ch('-U', ['a', 2, 3, 0, 10, 7]), ch('+U', ['a', 3, 7, 0, 10, 7])]);
    expect(h.counter('lateRecordsDropped')).toBe(0);
    // Each record of one key updates the row again (one update per record, not per batch).
    expect(h.insert(['b', 1, 13], ['b', 1, 14]).map((c) => c.kind)).toEqual(['-U', '+U', '-U', '+U']);
  });

  it('drops a record as late when windowEnd + grace <= stream time (stream time advanced by the record itself)', () => {
    const h = agg(tumbling(10, 0));
    h.insert(['a', 1, 3], ['b', 1, 10]);
    // Stream time 10: [0, 10) is closed (10 + 0 <= 10).
    expect(h.insert(['a', 5, 9])).toEqual([]);
    expect(h.counter('lateRecordsDropped')).toBe(1);
    // A record that itself moves stream time is never late for its own window.
    expect(h.insert(['c', 1, 25])).toEqual([ch('+I', ['c', 1, 1, 20, 30, 25])]);
    expect(h.insert(['b', 1, 19])).toEqual([]);
    expect(h.counter('lateRecordsDropped')).toBe(2);
  });

  it("defaults to ksqlDB's grace of 24 hours when the binder passes it on", () => {
    const h = agg(tumbling(1000, 24 * 3_600_000));
    h.insert(['a', 1, 0], ['a', 1, 24 * 3_600_000 - 1]);
    expect(h.insert(['a', 1, 999])).toHaveLength(2); // 1000 + 24 h > stream time
    h.insert(['a', 1, 24 * 3_600_000 + 1000]);
    expect(h.insert(['a', 1, 999])).toEqual([]);
    expect(h.counter('lateRecordsDropped')).toBe(1);
  });

  it('HOPPING: every window holding the record, ascending start, never one starting before 0', () => {
    const h = agg(hopping(10, 5, 100));
    // ts 3 is in [0, 10) only: [-5, 5) would start before 0.
    expect(h.insert(['a', 1, 3])).toEqual([ch('+I', ['a', 1, 1, 0, 10, 3])]);
    expect(h.insert(['a', 2, 7])).toEqual([ch('-U', ['a', 1, 1, 0, 10, 3]), ch('+U', ['a', 2, 3, 0, 10, 7]), ch('+I', ['a', 1, 2, 5, 15, 7])]);
    expect(h.insert(['a', 4, 12])).toEqual([ch('-U', ['a', 1, 2, 5, 15, 7]), ch('+U', ['a', 2, 6, 5, 15, 12]), ch('+I', ['a', 1, 4, 10, 20, 12])]);
  });

  it('HOPPING: a record late for some of its windows still counts in the others', () => {
    const h = agg(hopping(10, 5, 0));
    h.insert(['a', 1, 0], ['b', 1, 12]); // stream time 12: [0, 10) closed, [5, 15) open
    expect(h.insert(['a', 1, 8])).toEqual([ch('+I', ['a', 1, 1, 5, 15, 8])]);
    expect(h.counter('lateRecordsDropped')).toBe(0);
  });

  it('EMIT FINAL: one +I per window once stream time reaches windowEnd + grace; not at the end of input', () => {
    const h = agg(tumbling(10, 2), 'FINAL');
    expect(h.insert(['a', 1, 3], ['a', 2, 7], ['b', 3, 9])).toEqual([]);
    expect(h.insert(['c', 1, 11])).toEqual([]); // 10 + 2 > 11
    expect(h.insert(['c', 1, 12])).toEqual([ch('+I', ['a', 2, 3, 0, 10, 7]), ch('+I', ['b', 1, 3, 0, 10, 9])]);
    expect(h.insert(['a', 9, 8])).toEqual([]); // late: the window closed
    expect(h.counter('lateRecordsDropped')).toBe(1);
    // Watermarks are not this operator's clock; the end of input closes nothing, the job still ends.
    expect(h.watermark(1000)).toEqual([]);
    expect(h.finish()).toEqual([]);
    expect(h.ended).toBe(true);
  });

  it('EMIT FINAL: windows close in time order, many at once when stream time jumps', () => {
    const h = agg(hopping(10, 5, 0), 'FINAL');
    h.insert(['b', 1, 8], ['a', 1, 1], ['a', 1, 6], ['a', 1, 9]);
    const out = h.insert(['z', 1, 100]);
    // By window (close time), then by key.
    expect(out.map((c) => [c.row[0], c.row[3], c.row[4], c.row[1]])).toEqual([['a', 0, 10, 3], ['b', 0, 10, 1], ['a', 5, 15, 2], ['b', 5, 15, 1]]);
  });

  it('drops and counts NULL and negative times, rejects non-inserts, explains itself', () => {
    const h = agg(tumbling(10, 0));
    expect(h.insert(['a', 1, null], ['a', 1, -5])).toEqual([]);
    expect(h.counter('nullTimeRecordsDropped')).toBe(2);
    expect(() => h.feed({ rows: [['a', 1, 1]], kinds: [UPDATE_AFTER] })).toThrow(/insert-only/);
    expect(h.op.explain()).toBe('KsqlWindowAggregate(window=[TUMBLING(SIZE 10 ms, GRACE 0 ms)], emit=[CHANGES], time=[$2], groupBy=[$0], select=[COUNT(*), SUM($1)])');
    expect(() => agg(hopping(10, 11, 0))).toThrow(/Invalid ksqlDB window/);
    expect(() => agg(tumbling(0, 0))).toThrow(/Invalid ksqlDB window/);
  });

  it('purges window state after max(RETENTION, size + grace) of stream time (EMIT CHANGES)', () => {
    const h = new OperatorHarness(new KsqlWindowAggregate({ window: { type: 'TUMBLING', sizeMs: 10, graceMs: 0, retentionMs: 50 }, emit: 'CHANGES', timeIndex: 2, groupKeys: [0], aggs: [call('COUNT(*)', countImpl(true), -1)] }));
    h.insert(['a', 1, 1], ['a', 1, 15]);
    const held = () => [...h.op.state.windows!.namespaces()].sort((x, y) => Number(x) - Number(y));
    expect(held()).toEqual([0, 10]);
    h.insert(['a', 1, 49]);
    expect(held()).toEqual([0, 10, 40]);
    h.insert(['a', 1, 50]); // 0 + 50 <= 50: [0, 10) goes
    expect(held()).toEqual([10, 40, 50]);
  });

  it('EMIT FINAL equals a batch computation over in-order input (windows closed by the last stream time)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 15 }), fc.integer(), (advance, hops, grace, seed) => {
        const rng = mulberry32(seed);
        const size = advance * hops;
        // In order (no disorder): nothing is late, so the answer is a plain GROUP BY key, window.
        const rows = genRows(rng, { n: 1 + Math.floor(rng() * 200), keys: 3, disorder: 0, maxStep: 2 * size, start: 0 });
        const window = hops === 1 ? tumbling(size, grace) : hopping(size, advance, grace);
        const h = new OperatorHarness(new KsqlWindowAggregate({ window, emit: 'FINAL', timeIndex: 2, groupKeys: [0], aggs: standardCalls() }));
        for (let i = 0; i < rows.length; ) {
          const n = 1 + Math.floor(rng() * 10);
          h.insert(...rows.slice(i, i + n));
          i += n;
        }
        h.finish();
        const streamTime = Math.max(...rows.map((r) => r[2] as number));
        const groups = new Map<string, Row[]>();
        for (const r of rows) {
          const ts = r[2] as number;
          for (let start = 0; start <= ts; start += advance) {
            if (ts >= start + size || start + size + grace > streamTime) continue;
            const k = JSON.stringify([r[0], start]);
            groups.set(k, [...(groups.get(k) ?? []), r]);
          }
        }
        const expected = [...groups].map(([k, rs]) => {
          const [key, start] = JSON.parse(k) as [unknown, number];
          return [key, ...standardResults(rs), start, start + size, Math.max(...rs.map((r) => r[2] as number))];
        });
        expect(h.counter('lateRecordsDropped') ?? 0).toBe(0);
        expect(h.changes.every((c) => c.kind === '+I')).toBe(true);
        expect(sortRows(h.changes.map((c) => c.row))).toEqual(sortRows(expected));
      }),
      { numRuns: 150 },
    );
  });
});

describe('KsqlWindowAggregate: SESSION', () => {
  /** MAX($1) per key over `[key, value, ts]`, as ksqlDB's session-windows.json "max session" test. */
  function maxSessions(gap: number, emit: Emit = 'CHANGES', grace = 24 * 3_600_000): OperatorHarness<KsqlWindowAggregate> {
    return new OperatorHarness(new KsqlWindowAggregate({ window: session(gap, grace), emit, timeIndex: 2, groupKeys: [0], aggs: [call('MAX($1)', extremumImpl('max'), 1)] }));
  }

  it('a session ends at its last event; extending it emits -D of the old session, then +I of the new one', () => {
    const h = maxSessions(30_000);
    // ksqlDB's expected output: (0,[0,0]) 0; tombstone [0,0]; (0,[0,10000]) 5; (1,[10000,10000]) 100; tombstone; (1,[10000,40000]) 200.
    expect(h.insert([0, 0, 0])).toEqual([ch('+I', [0, 0, 0, 0, 0])]);
    expect(h.insert([0, 5, 10_000])).toEqual([ch('-D', [0, 0, 0, 0, 0]), ch('+I', [0, 5, 0, 10_000, 10_000])]);
    expect(h.insert([1, 100, 10_000])).toEqual([ch('+I', [1, 100, 10_000, 10_000, 10_000])]);
    expect(h.insert([1, 200, 40_000])).toEqual([ch('-D', [1, 100, 10_000, 10_000, 10_000]), ch('+I', [1, 200, 10_000, 40_000, 40_000])]);
  });

  it('a record bridging two sessions merges them: -D for each, +I of the merged session', () => {
    const h = agg(session(10, 1000));
    h.insert(['a', 1, 0], ['a', 2, 20]);
    expect(h.insert(['a', 4, 10])).toEqual([
      ch('-D', ['a', 1, 1, 0, 0, 0]),
      ch('-D', ['a', 1, 2, 20, 20, 20]),
      ch('+I', ['a', 3, 7, 0, 20, 20]),
    ]);
    // Inside a session without moving its bounds: still replaced (Kafka Streams forwards a tombstone).
    expect(h.insert(['a', 1, 15])).toEqual([ch('-D', ['a', 3, 7, 0, 20, 20]), ch('+I', ['a', 4, 8, 0, 20, 20])]);
    // The record's own point session [ts, ts] is updated in place.
    h.insert(['b', 1, 100]);
    expect(h.insert(['b', 1, 100])).toEqual([ch('-U', ['b', 1, 1, 100, 100, 100]), ch('+U', ['b', 2, 2, 100, 100, 100])]);
    // More than a gap apart: a new session.
    expect(h.insert(['a', 1, 31])).toEqual([ch('+I', ['a', 1, 1, 31, 31, 31])]);
  });

  it('drops a record whose merged session ends before streamTime - gap - grace', () => {
    const h = agg(session(10, 0));
    h.insert(['a', 1, 0], ['b', 1, 100]);
    expect(h.insert(['c', 1, 90])).toEqual([ch('+I', ['c', 1, 1, 90, 90, 90])]); // 90 + 10 + 0 < 100 is false
    // [90, 90] is past its retention (gap + grace: 90 + 10 <= 100), as Kafka Streams' session store leaves out
    // sessions ending before streamTime - retention + 1: c@89 merges with nothing, and alone it is late.
    expect(h.insert(['c', 1, 89])).toEqual([]);
    expect(h.insert(['d', 1, 89])).toEqual([]); // alone: 89 + 10 < 100, late
    expect(h.insert(['a', 1, 5])).toEqual([]);
    expect(h.counter('lateRecordsDropped')).toBe(3);
    // Within the retention a closed-looking neighbour still merges: [95, 95] takes 94 (95 + 10 > 100).
    h.insert(['e', 1, 95]);
    expect(h.insert(['e', 1, 94])).toEqual([ch('-D', ['e', 1, 1, 95, 95, 95]), ch('+I', ['e', 2, 2, 94, 95, 95])]);
  });

  it('RETENTION keeps closed sessions that a later record may still bridge to an open one', () => {
    const run = (retentionMs?: number) => {
      const h = new OperatorHarness(new KsqlWindowAggregate({ window: { ...session(10, 0), ...(retentionMs === undefined ? {} : { retentionMs }) }, emit: 'CHANGES', timeIndex: 2, groupKeys: [0], aggs: [call('COUNT(*)', countImpl(true), -1)] }));
      h.insert(['a', 1, 0], ['a', 1, 18]); // stream time 18: [0, 0] is closed (0 + 10 < 18)
      return h.insert(['a', 1, 9]); // within the gap of both; the merged session ends at 18: not late
    };
    // Default retention (gap + grace = 10): [0, 0] is gone (0 + 10 <= 18), a@9 only joins [18, 18].
    expect(run()).toEqual([ch('-D', ['a', 1, 18, 18, 18]), ch('+I', ['a', 2, 9, 18, 18])]);
    // RETENTION 100: [0, 0] is still kept, and the record bridges it.
    expect(run(100)).toEqual([ch('-D', ['a', 1, 0, 0, 0]), ch('-D', ['a', 1, 18, 18, 18]), ch('+I', ['a', 3, 0, 18, 18])]);
  });

  it('EMIT FINAL: a session is emitted once, when end + gap + grace < stream time; merges emit nothing', () => {
    const h = agg(session(10, 0), 'FINAL');
    expect(h.insert(['a', 1, 0], ['a', 2, 5])).toEqual([]);
    expect(h.insert(['b', 1, 15])).toEqual([]); // a's [0, 5]: 5 + 10 < 15 is false
    expect(h.insert(['b', 1, 16])).toEqual([ch('+I', ['a', 2, 3, 0, 5, 5])]);
    // Stream time 30 closes b's [15, 16] (16 + 10 < 30); a's new sessions merge into [20, 30].
    expect(h.insert(['a', 4, 30], ['a', 8, 20])).toEqual([ch('+I', ['b', 2, 2, 15, 16, 16])]);
    expect(h.op.state.sessions!.get('a')!.sessions.map((x) => [x.start, x.end])).toEqual([[20, 30]]);
    expect(h.insert(['c', 1, 40])).toEqual([]); // 30 + 10 < 40 is false
    expect(h.insert(['c', 1, 41])).toEqual([ch('+I', ['a', 2, 12, 20, 30, 30])]);
    expect(h.finish()).toEqual([]);
    expect(h.ended).toBe(true);
  });
});

describe('KsqlWindowAggregate: checkpoint and restore', () => {
  /** Batches of a random in-order-ish stream, then the end of input (watermarks play no part). */
  function steps(rows: Row[], rng: () => number): Step<KsqlWindowAggregate>[] {
    const out: Step<KsqlWindowAggregate>[] = [];
    for (let i = 0; i < rows.length; ) {
      const n = 1 + Math.floor(rng() * 6);
      const batch = rows.slice(i, i + n);
      i += n;
      out.push((h) => h.insert(...batch));
    }
    out.push((h) => h.finish());
    return out;
  }

  it.each<[string, KsqlWindowSpec, Emit]>([
    ['TUMBLING, EMIT CHANGES', tumbling(20, 5), 'CHANGES'],
    ['HOPPING, EMIT FINAL', hopping(20, 5, 3), 'FINAL'],
    ['SESSION, EMIT CHANGES', session(8, 4), 'CHANGES'],
    ['SESSION, EMIT FINAL', session(8, 4), 'FINAL'],
  ])('%s: a run restored mid-stream emits what a straight run does', (_name, window, emit) => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = mulberry32(seed);
        const rows = genRows(rng, { n: 150, keys: 3, disorder: 15, maxStep: 12, start: 0 }).filter((r) => (r[2] as number) >= 0);
        const all = steps(rows, rng);
        const make = () => new KsqlWindowAggregate({ window, emit, timeIndex: 2, groupKeys: [0], aggs: standardCalls() });
        const straight = runStraight(make, all);
        const restored = runRestored(make, all, randomCuts(rng, all.length, 3));
        expect(restored.changes).toEqual(straight.changes);
        expect(restored.ended).toBe(true);
        expect(restored.counters['lateRecordsDropped'] ?? 0).toBe(straight.counters['lateRecordsDropped'] ?? 0);
        expect(straight.changes.length).toBeGreaterThan(0);
      }),
      { numRuns: 15 },
    );
  });
});
