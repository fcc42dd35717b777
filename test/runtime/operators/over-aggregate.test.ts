/**
 * OverAggregate: hand-checked frames, then property tests over shuffled input (bounded disorder, the
 * watermark lagging more than the disorder) against a batch computation written here with plain loops;
 * the state after the data passes; idle partitions leaving with table.exec.state.ttl; checkpoint/restore
 * at random points.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Row } from '../../../src/runtime/changelog.js';
import { OverAggregate, type OverAggregateFrame } from '../../../src/runtime/operators/over-aggregate.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { ch, OperatorHarness, type OutputEvent } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, streamSteps } from './checkpoint-run.js';
import { genRows, mulberry32, sortRows } from './stream-gen.js';
import { call, lastValueImpl, standardCalls, standardResults } from './test-aggregates.js';

// Rows are [key, value, ts, flag] (stream-gen.ts), partitioned by key, ordered by ts.
const make = (frame: OverAggregateFrame, aggs = standardCalls()) => () => new OverAggregate({ partitionKeys: [0], timeIndex: 2, frame, aggs });

const FRAMES: readonly [string, OverAggregateFrame][] = [
  ['ROWS 2 PRECEDING', { units: 'ROWS', preceding: 2 }],
  ['ROWS 0 PRECEDING (CURRENT ROW)', { units: 'ROWS', preceding: 0 }],
  ['ROWS UNBOUNDED PRECEDING', { units: 'ROWS' }],
  ['RANGE 15 ms PRECEDING', { units: 'RANGE', preceding: 15 }],
  ['RANGE 0 ms PRECEDING (peers only)', { units: 'RANGE', preceding: 0 }],
  ['RANGE UNBOUNDED PRECEDING', { units: 'RANGE' }],
];

/**
 * The frame of each row, computed directly: per partition, the rows in time order (ties in arrival order,
 * the order of `rows`); ROWS n takes the row and the n before it, RANGE x every row of the partition whose
 * time is within [ts - x, ts] (so all peers of the row).
 */
function batchFrames(rows: readonly Row[], frame: OverAggregateFrame): [Row, Row[]][] {
  const partitions = new Map<unknown, Row[]>();
  for (const r of rows) partitions.set(r[0], [...(partitions.get(r[0]) ?? []), r]);
  const out: [Row, Row[]][] = [];
  for (const part of partitions.values()) {
    const sorted = part.map((r, i) => [r, i] as const).sort((a, b) => (a[0][2] as number) - (b[0][2] as number) || a[1] - b[1]).map(([r]) => r);
    sorted.forEach((r, i) => {
      const ts = r[2] as number;
      const inFrame =
        frame.units === 'ROWS'
          ? sorted.slice(frame.preceding === undefined ? 0 : Math.max(0, i - frame.preceding), i + 1)
          : sorted.filter((o) => (o[2] as number) <= ts && (frame.preceding === undefined || (o[2] as number) >= ts - frame.preceding));
      out.push([r, inFrame]);
    });
  }
  return out;
}

/** Every emitted row's time lies above the watermark emitted before it and at or below the one after it. */
function expectTimesWithinWatermarks(events: readonly OutputEvent[]): void {
  let before = Number.NEGATIVE_INFINITY;
  const open: number[] = [];
  for (const e of events) {
    if (e.type === 'batch') {
      for (const r of e.batch.rows) {
        expect(r[2] as number).toBeGreaterThan(before);
        open.push(r[2] as number);
      }
    } else if (e.type === 'watermark') {
      for (const ts of open) expect(ts).toBeLessThanOrEqual(e.watermark);
      open.length = 0;
      before = e.watermark;
    }
  }
}

describe('OverAggregate', () => {
  it('ROWS BETWEEN 1 PRECEDING: each row with the one before it, in time order once the watermark passes', () => {
    const h = new OperatorHarness(make({ units: 'ROWS', preceding: 1 }, [call('SUM($1)', standardCalls()[2]!.impl, 1)])());
    expect(h.insert(['a', 1, 10, true], ['a', 4, 30, true], ['a', 2, 20, true], ['b', 7, 15, true])).toEqual([]);
    expect(h.watermark(20)).toEqual([ch('+I', ['a', 1, 10, true, 1]), ch('+I', ['b', 7, 15, true, 7]), ch('+I', ['a', 2, 20, true, 3])]);
    expect(h.insert(['a', 9, 19, true])).toEqual([]); // behind the watermark: late
    expect(h.counter('lateRecordsDropped')).toBe(1);
    expect(h.finish()).toEqual([ch('+I', ['a', 4, 30, true, 6])]);
    expect(h.watermarks).toEqual([20, Number.POSITIVE_INFINITY]);
  });

  it('RANGE BETWEEN 10 PRECEDING: peers (same time) share one result; rows older than time - 10 leave', () => {
    const h = new OperatorHarness(make({ units: 'RANGE', preceding: 10 }, [call('COUNT(*)', standardCalls()[0]!.impl, -1), call('SUM($1)', standardCalls()[2]!.impl, 1)])());
    h.insert(['a', 1, 0, true], ['a', 2, 10, true], ['a', 3, 10, true], ['a', 4, 11, true], ['a', 5, 21, true]);
    expect(h.watermark(100)).toEqual([
      ch('+I', ['a', 1, 0, true, 1, 1]),
      ch('+I', ['a', 2, 10, true, 3, 6]),
      ch('+I', ['a', 3, 10, true, 3, 6]),
      ch('+I', ['a', 4, 11, true, 3, 9]), // 0 is older than 11 - 10
      ch('+I', ['a', 5, 21, true, 2, 9]), // 11 and 21; the peers at 10 left
    ]);
    expect(h.op.stateSize()).toEqual({ waiting: 0, frames: 0, frameRows: 0, timers: 0 });
  });

  it('a NULL time is dropped and counted; a NULL key is a partition of its own', () => {
    const h = new OperatorHarness(make({ units: 'ROWS' }, [call('COUNT(*)', standardCalls()[0]!.impl, -1)])());
    h.insert(['a', 1, null, true], [null, 1, 5, true], [null, 2, 6, true], ['a', 3, 6, true]);
    expect(h.counter('nullTimeRecordsDropped')).toBe(1);
    expect(h.finish()).toEqual([ch('+I', [null, 1, 5, true, 1]), ch('+I', ['a', 3, 6, true, 1]), ch('+I', [null, 2, 6, true, 2])]);
  });

  it('empty input: nothing out, the watermark forwarded, the end passed on', () => {
    const h = new OperatorHarness(make({ units: 'RANGE', preceding: 5 })());
    expect(h.watermark(10)).toEqual([]);
    expect(h.finish()).toEqual([]);
    expect(h.watermarks).toEqual([10, Number.POSITIVE_INFINITY]);
    expect(h.ended).toBe(true);
  });

  for (const [name, frame] of FRAMES) {
    it(`${name}: over shuffled input the output equals a batch computation; insert-only, rows between the right watermarks`, () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const rng = mulberry32(seed);
          // Small steps and a small value domain: many ties on the time within a partition.
          const rows = genRows(rng, { n: 1 + Math.floor(rng() * 250), keys: 4, disorder: 20, maxStep: 4, start: -50 });
          const h = new OperatorHarness(make(frame)());
          for (const step of streamSteps<OverAggregate>(rows, rng, 21, 12)) step(h); // lag > disorder: no row is late
          expect(h.counter('lateRecordsDropped')).toBe(0);
          expect(h.changes.every((c) => c.kind === '+I')).toBe(true);
          const expected = batchFrames(rows, frame).map(([r, inFrame]) => [...r, ...standardResults(inFrame)]);
          expect(sortRows(h.changes.map((c) => c.row))).toEqual(sortRows(expected));
          expectTimesWithinWatermarks(h.events);
          expect(h.op.stateSize()).toEqual({ waiting: 0, frames: 0, frameRows: 0, timers: 0 });
        }),
        { numRuns: 40 },
      );
    });
  }

  it('an aggregate that cannot retract (LAST_VALUE) in bounded frames: the accumulators are rebuilt from the frame', () => {
    for (const frame of [{ units: 'ROWS', preceding: 3 }, { units: 'RANGE', preceding: 8 }] as const) {
      const rng = mulberry32(7);
      const rows = genRows(rng, { n: 300, keys: 3, disorder: 10, maxStep: 5, start: 0 });
      const h = new OperatorHarness(make(frame, [call('LAST_VALUE($1)', lastValueImpl, 1)])());
      for (const step of streamSteps<OverAggregate>(rows, rng, 11, 10)) step(h);
      const last = (inFrame: Row[]) => inFrame.reduce<unknown>((v, r) => (r[1] === null ? v : r[1]), null);
      const expected = batchFrames(rows, frame).map(([r, inFrame]) => [...r, last(inFrame)]);
      expect(sortRows(h.changes.map((c) => c.row))).toEqual(sortRows(expected));
    }
  });

  it('state once the watermark passes the data: RANGE frames empty; ROWS n keeps n rows and UNBOUNDED one accumulator per partition until idle', () => {
    const rng = mulberry32(3);
    const rows = genRows(rng, { n: 400, keys: 5, disorder: 10, maxStep: 5, start: 0 });
    const maxTs = Math.max(...rows.map((r) => r[2] as number));
    const partitions = new Map<unknown, number>();
    for (const r of rows) partitions.set(r[0], (partitions.get(r[0]) ?? 0) + 1);
    const sizes: Record<string, ReturnType<OverAggregate['stateSize']>> = {};
    for (const [name, frame] of FRAMES) {
      const h = new OperatorHarness(make(frame)());
      h.insert(...rows);
      h.watermark(maxTs + 100);
      sizes[name] = h.op.stateSize();
      h.finish();
      expect(h.op.stateSize(), name).toEqual({ waiting: 0, frames: 0, frameRows: 0, timers: 0 });
    }
    const rowsKept = [...partitions.values()].reduce((n, c) => n + Math.min(2, c), 0);
    expect(sizes['ROWS 2 PRECEDING']).toEqual({ waiting: 0, frames: partitions.size, frameRows: rowsKept, timers: 0 });
    expect(sizes['ROWS 0 PRECEDING (CURRENT ROW)']).toEqual({ waiting: 0, frames: partitions.size, frameRows: 0, timers: 0 });
    expect(sizes['ROWS UNBOUNDED PRECEDING']).toEqual({ waiting: 0, frames: partitions.size, frameRows: 0, timers: 0 });
    expect(sizes['RANGE UNBOUNDED PRECEDING']).toEqual({ waiting: 0, frames: partitions.size, frameRows: 0, timers: 0 });
    expect(sizes['RANGE 15 ms PRECEDING']).toEqual({ waiting: 0, frames: 0, frameRows: 0, timers: 0 });
    expect(sizes['RANGE 0 ms PRECEDING (peers only)']).toEqual({ waiting: 0, frames: 0, frameRows: 0, timers: 0 });
  });

  it('a RANGE frame holds only the rows of the last interval while data flows', () => {
    const h = new OperatorHarness(make({ units: 'RANGE', preceding: 10 })());
    for (let ts = 0; ts < 1000; ts++) {
      h.insert(['a', 1, ts, true], ['b', 1, ts, true]);
      h.watermark(ts - 1);
      // Processed rows up to ts - 1: each partition keeps the times ts - 11 .. ts - 1 (at most 11 rows).
      expect(h.op.stateSize().frameRows).toBeLessThanOrEqual(22);
    }
  });

  it('idle partitions of ROWS and UNBOUNDED frames leave with table.exec.state.ttl', () => {
    for (const frame of [{ units: 'ROWS', preceding: 2 }, { units: 'RANGE' }] as const) {
      let now = 0;
      const backend = new StateBackend(undefined, false, { ttlMs: 1000, now: () => now });
      const h = new OperatorHarness(make(frame)(), backend);
      h.insert(['a', 1, 1, true], ['a', 2, 2, true], ['b', 3, 3, true]);
      h.watermark(5);
      now = 800;
      h.insert(['b', 4, 6, true]);
      h.watermark(10); // b's frame written again
      now = 1500;
      backend.expire(now);
      expect(h.op.stateSize().frames).toBe(1);
      // a starts again from an empty frame; b still has its rows.
      expect(h.insert(['a', 10, 11, true], ['b', 10, 11, true])).toEqual([]);
      const out = h.watermark(20).map((c) => c.row);
      expect(out.find((r) => r[0] === 'a')![4]).toBe(1);
      expect(out.find((r) => r[0] === 'b')![4]).toBe(3);
    }
  });

  for (const [name, frame] of FRAMES) {
    it(`${name}: checkpointed and restored at random points, the output is the same`, () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const rng = mulberry32(seed);
          const rows = genRows(rng, { n: Math.floor(rng() * 200), keys: 4, disorder: 30, maxStep: 6, start: 0 });
          const steps = streamSteps<OverAggregate>(rows, rng, 10, 8); // lag < disorder: some rows are late
          const straight = runStraight(make(frame), steps);
          const restored = runRestored(make(frame), steps, randomCuts(rng, steps.length, 3), Math.floor(rng() * 3));
          expect(restored.changes).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
          expect(restored.counters).toEqual(straight.counters);
        }),
        { numRuns: 15 },
      );
    });
  }
});

describe('OverAggregate on processing time', () => {
  // Rows are [key, value, proctime, flag]: the operator takes them as they arrive, in arrival order.
  const makeProc = (frame: OverAggregateFrame) => new OverAggregate({ partitionKeys: [0], timeIndex: 2, proctime: true, frame, aggs: standardCalls() });

  it('ROWS n and UNBOUNDED frames: each batch aggregated at once, in arrival order; nothing waits, nothing is late', () => {
    for (const frame of [{ units: 'ROWS', preceding: 2 }, { units: 'ROWS' }, { units: 'RANGE' }] as const) {
      const rng = mulberry32(11);
      // Arrival times that go forward; batches of random size.
      const rows = genRows(rng, { n: 300, keys: 4, disorder: 0, maxStep: 3, start: 1000 });
      const h = new OperatorHarness(makeProc(frame));
      const out: Row[] = [];
      for (let i = 0; i < rows.length; ) {
        const size = 1 + Math.floor(rng() * 10);
        out.push(...h.insert(...rows.slice(i, i + size)).map((c) => c.row));
        i += size;
        h.watermark(-1e9); // watermarks are passed on and release nothing
      }
      expect(out).toHaveLength(rows.length);
      // Arrival order is the order: ROWS frames count rows by arrival (RANGE UNBOUNDED: all rows so far).
      const byArrival: OverAggregateFrame = frame.units === 'RANGE' ? { units: 'ROWS' } : frame;
      const expected = batchFrames(rows, byArrival).map(([r, inFrame]) => [...r, ...standardResults(inFrame)]);
      expect(sortRows(out)).toEqual(sortRows(expected));
      expect(h.counter('lateRecordsDropped')).toBe(0);
      expect(h.op.stateSize().waiting).toBe(0);
      h.finish();
      expect(h.op.stateSize()).toEqual({ waiting: 0, frames: 0, frameRows: 0, timers: 0 });
    }
  });

  it('RANGE interval: rows of the last interval by processing time; rows of one time in a batch are peers; old rows leave as rows arrive', () => {
    const h = new OperatorHarness(makeProc({ units: 'RANGE', preceding: 10 }));
    expect(h.insert(['a', 1, 100, true], ['a', 2, 100, true], ['b', 5, 100, true]).map((c) => c.row.slice(0, 5))).toEqual([
      ['a', 1, 100, true, 2],
      ['a', 2, 100, true, 2],
      ['b', 5, 100, true, 1],
    ]);
    expect(h.insert(['a', 3, 110, true]).map((c) => c.row[4])).toEqual([3]);
    expect(h.insert(['a', 4, 111, true]).map((c) => c.row[4])).toEqual([2]); // the rows at 100 are older than 111 - 10
    expect(h.op.stateSize()).toEqual({ waiting: 0, frames: 2, frameRows: 3, timers: 0 });
  });
});
