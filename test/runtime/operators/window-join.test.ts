/**
 * WindowJoin over bounded, shuffled, windowed input with watermarks: the result equals a join computed here
 * window by window (pairs of rows of one window with equal keys, the unmatched rows of preserved sides
 * null-padded; SEMI/ANTI: the left rows with/without a match, NOT IN's NULL rules when null-aware), each
 * window's rows come out when the watermark reaches its window_time (not before, not later), no row is
 * late, the state drains to nothing, and a run restored from checkpoints at random points gives the same output.
 */
import { describe, expect, it } from 'vitest';
import { INSERT, type Row } from '../../../src/runtime/changelog.js';
import { WindowJoin, type WindowJoinConfig, type WindowJoinType } from '../../../src/runtime/operators/window-join.js';
import { EddyError, ErrorCode } from '../../../src/common/errors.js';
import type { BadRecord } from '../../../src/runtime/connector.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { Collector, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { arrivalSteps as joinArrivals } from './join-arrivals.js';
import { mulberry32 } from './stream-gen.js';

/** Rows are [key, id, ts, window_start, window_end] on both sides. */
const TS = 2;
const START = 3;
const END = 4;
const WIDTH = 5;
/** How late (ms) a row may arrive after its time; each side's watermark trails its latest arrival by this. */
const DELAY = 4_000;

type Windowing = { kind: 'tumble'; size: number } | { kind: 'hop'; size: number; slide: number } | { kind: 'cumulate'; step: number; max: number };
const TUMBLE: Windowing = { kind: 'tumble', size: 10_000 };
const HOP: Windowing = { kind: 'hop', size: 10_000, slide: 5_000 };
const CUMULATE: Windowing = { kind: 'cumulate', step: 5_000, max: 15_000 };

/** The windows [start, end) a row at `ts` belongs to, computed here from the definitions. */
function windowsOf(w: Windowing, ts: number): [number, number][] {
  const floor = (t: number, size: number) => Math.floor(t / size) * size;
  switch (w.kind) {
    case 'tumble':
      return [[floor(ts, w.size), floor(ts, w.size) + w.size]];
    case 'hop': {
      const out: [number, number][] = [];
      for (let s = floor(ts, w.slide); s > ts - w.size; s -= w.slide) out.push([s, s + w.size]);
      return out;
    }
    case 'cumulate': {
      const s = floor(ts, w.max);
      const out: [number, number][] = [];
      for (let e = s + w.step; e <= s + w.max; e += w.step) if (e > ts) out.push([s, e]);
      return out;
    }
  }
}

/** `n` events of one side over about `span` ms (some keys NULL), each expanded into a row per window. */
function genSide(rng: () => number, n: number, span: number, side: string, w: Windowing, nullKeys = 0.05): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const key = rng() < nullKeys ? null : Math.floor(rng() * 4);
    const ts = Math.floor(rng() * span);
    for (const [s, e] of windowsOf(w, ts)) rows.push([key, `${side}${i}`, ts, s, e]);
  }
  return rows;
}

/** A residual that drops a few pairs: ids whose numbers are both multiples of 7. */
const residualOk = (l: Row, r: Row) => !(Number(String(l[1]).slice(1)) % 7 === 0 && Number(String(r[1]).slice(1)) % 7 === 0);

function config(joinType: WindowJoinType, nullAware = false): WindowJoinConfig {
  return {
    joinType,
    keys: [[(r) => r[0]], [(r) => r[0]]],
    residual: (j) => residualOk(j.slice(0, WIDTH), j.slice(WIDTH)),
    widths: [WIDTH, WIDTH],
    windows: [
      { start: START, end: END },
      { start: START, end: END },
    ],
    ...(nullAware ? { nullAware } : {}),
    description: joinType,
  };
}

/** The expected result, by nested loops over the rows of each window. */
function expected(type: WindowJoinType, left: Row[], right: Row[], nullAware = false): string[] {
  const out: Row[] = [];
  const sameWindow = (l: Row, r: Row) => l[START] === r[START] && l[END] === r[END];
  const matches = (l: Row, r: Row) => sameWindow(l, r) && l[0] !== null && l[0] === r[0] && residualOk(l, r);
  const rightMatched = new Set<Row>();
  for (const l of left) {
    const ms = right.filter((r) => matches(l, r));
    if (type === 'semi' || type === 'anti') {
      // NOT IN: a NULL on either side makes `l.key = r.key` unknown, which keeps the left row out too.
      const blocked = ms.length > 0 || (nullAware && right.some((r) => sameWindow(l, r) && (l[0] === null || r[0] === null) && residualOk(l, r)));
      if ((type === 'semi') === (type === 'semi' ? ms.length > 0 : blocked)) out.push(l);
      continue;
    }
    for (const r of ms) {
      out.push([...l, ...r]);
      rightMatched.add(r);
    }
    if (ms.length === 0 && (type === 'left' || type === 'full')) out.push([...l, null, null, null, null, null]);
  }
  if (type === 'right' || type === 'full') for (const r of right) if (!rightMatched.has(r)) out.push([null, null, null, null, null, ...r]);
  return out.map((r) => JSON.stringify(r)).sort();
}

/** Both sides' rows in arrival order, with watermarks (see join-arrivals.ts). */
function arrivalSteps(rng: () => number, left: Row[], right: Row[]): Step<WindowJoin>[] {
  return joinArrivals<WindowJoin>(rng, left, right, TS, DELAY);
}

const sorted = (rows: readonly { row: Row }[]) => rows.map((c) => JSON.stringify(c.row)).sort();

/** Every emitted row's window_time is after the watermark sent before it and at or before the one sent right after it. */
function checkEmittedWhenWindowCloses(h: OperatorHarness<WindowJoin>, endColumns: number[]): void {
  let previous = -Infinity;
  const events = h.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === 'watermark') previous = e.watermark;
    if (e.type !== 'batch') continue;
    const next = events.slice(i + 1).find((x) => x.type === 'watermark');
    for (const row of e.batch.rows) {
      const end = endColumns.map((c) => row[c]).find((v) => v !== null) as number;
      expect(end - 1).toBeGreaterThan(previous);
      expect(next?.type === 'watermark' ? next.watermark : Infinity).toBeGreaterThanOrEqual(end - 1);
    }
  }
}

describe('WindowJoin', () => {
  const cases: [string, Windowing][] = [
    ['TUMBLE', TUMBLE],
    ['HOP', HOP],
  ];
  for (const [name, windowing] of cases) {
    for (const type of ['inner', 'left', 'right', 'full', 'semi', 'anti'] as const) {
      it(`${name} ${type}: equals the join computed window by window over shuffled input, emitted as windows close; state drains to 0 entries`, () => {
        for (let seed = 1; seed <= 12; seed++) {
          const rng = mulberry32(seed);
          const left = genSide(rng, 120, 200_000, 'l', windowing);
          const right = genSide(rng, 120, 200_000, 'r', windowing);
          const h = new OperatorHarness(new WindowJoin(config(type)));
          let maxStored = 0;
          for (const step of arrivalSteps(rng, left, right)) {
            step(h);
            const [l, r] = h.op.stored();
            maxStored = Math.max(maxStored, l + r);
          }
          expect(sorted(h.changes), `seed ${seed}`).toEqual(expected(type, left, right));
          expect(h.changes.every((c) => c.kind === '+I')).toBe(true);
          expect(h.counter('lateRecordsDropped')).toBe(0);
          // Measured: nothing is left once the watermark passed the data, and state stayed far below the input.
          expect(h.op.stored()).toEqual([0, 0]);
          expect(h.op.pendingTimers()).toBe(0);
          expect(maxStored).toBeLessThan((left.length + right.length) / 3);
          checkEmittedWhenWindowCloses(h, type === 'semi' || type === 'anti' ? [END] : [END, WIDTH + END]);
        }
      });
    }
  }

  it('CUMULATE full: equals the join computed window by window; state drains', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const rng = mulberry32(70 + seed);
      const left = genSide(rng, 100, 150_000, 'l', CUMULATE);
      const right = genSide(rng, 100, 150_000, 'r', CUMULATE);
      const h = new OperatorHarness(new WindowJoin(config('full')));
      for (const step of arrivalSteps(rng, left, right)) step(h);
      expect(sorted(h.changes), `seed ${seed}`).toEqual(expected('full', left, right));
      expect(h.op.stored()).toEqual([0, 0]);
      checkEmittedWhenWindowCloses(h, [END, WIDTH + END]);
    }
  });

  it("null-aware ANTI (NOT IN): a NULL key on either side keeps the left row out when the window has a right row, not when it has none", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rng = mulberry32(300 + seed);
      const left = genSide(rng, 80, 100_000, 'l', TUMBLE, 0.2);
      const right = genSide(rng, 40, 100_000, 'r', TUMBLE, 0.1);
      const h = new OperatorHarness(new WindowJoin(config('anti', true)));
      for (const step of arrivalSteps(rng, left, right)) step(h);
      expect(sorted(h.changes), `seed ${seed}`).toEqual(expected('anti', left, right, true));
      expect(h.op.stored()).toEqual([0, 0]);
    }
    // By hand, one window [0, 10000): right keys {1, NULL}: left 1 matches, left 2 and left NULL are unknown.
    const h = new OperatorHarness(new WindowJoin(config('anti', true)));
    const feed = (rows: Row[], side: number) => h.op.processBatch({ rows, kinds: rows.map(() => INSERT) }, side);
    feed([[1, 'l1', 5, 0, 10_000], [2, 'l2', 6, 0, 10_000], [null, 'l3', 7, 0, 10_000], [2, 'l4', 10_005, 10_000, 20_000], [null, 'l5', 10_006, 10_000, 20_000]], 0);
    feed([[1, 'r1', 1, 0, 10_000], [null, 'r2', 2, 0, 10_000]], 1);
    h.op.processWatermark(30_000, 0);
    h.op.processWatermark(30_000, 1);
    // Only the second window's rows: its right side is empty, so NOT IN holds even for the NULL key.
    expect(sorted(h.changes)).toEqual([JSON.stringify([2, 'l4', 10_005, 10_000, 20_000]), JSON.stringify([null, 'l5', 10_006, 10_000, 20_000])]);
    // Without null-awareness (NOT EXISTS), l2 and l3 come out too.
    const plain = new OperatorHarness(new WindowJoin(config('anti')));
    plain.op.processBatch({ rows: [[2, 'l2', 6, 0, 10_000], [null, 'l3', 7, 0, 10_000]], kinds: [INSERT, INSERT] }, 0);
    plain.op.processBatch({ rows: [[1, 'r1', 1, 0, 10_000], [null, 'r2', 2, 0, 10_000]], kinds: [INSERT, INSERT] }, 1);
    plain.op.processWatermark(10_000, 0);
    plain.op.processWatermark(10_000, 1);
    expect(sorted(plain.changes)).toEqual([JSON.stringify([2, 'l2', 6, 0, 10_000]), JSON.stringify([null, 'l3', 7, 0, 10_000])]);
  });

  for (const type of ['inner', 'left', 'full', 'semi', 'anti'] as const) {
    it(`${type}: restored from checkpoints at random points into fresh operators, the output is the same`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const rng = mulberry32(500 + seed);
        const steps = arrivalSteps(rng, genSide(rng, 60, 100_000, 'l', HOP), genSide(rng, 60, 100_000, 'r', HOP));
        const make = () => new WindowJoin(config(type));
        const straight = runStraight(make, steps);
        for (const lost of [0, 3]) {
          const restored = runRestored(make, steps, randomCuts(rng, steps.length, 4), lost);
          expect(restored.changes, `seed ${seed}, lost ${lost}`).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
        }
      }
    });
  }

  it('a row of a window that already fired is late: dropped and counted; NULL window columns are dropped and counted', () => {
    const h = new OperatorHarness(new WindowJoin(config('left')));
    h.op.processWatermark(9_999, 0);
    h.op.processWatermark(9_999, 1);
    // Window [0, 10000) has fired (its window_time 9999 is at the watermark); [5000, 15000) has not.
    h.op.processBatch({ rows: [[1, 'late', 9_000, 0, 10_000], [1, 'ok', 9_000, 5_000, 15_000], [1, 'nul', 9_000, null, null]], kinds: [INSERT, INSERT, INSERT] }, 0);
    expect(h.counter('lateRecordsDropped')).toBe(1);
    expect(h.counter('nullTimeRecordsDropped')).toBe(1);
    expect(h.op.stored()).toEqual([1, 0]);
    h.op.processWatermark(14_998, 0);
    h.op.processWatermark(14_998, 1);
    expect(h.changes).toEqual([]);
    h.op.processWatermark(14_999, 0);
    // The right input still holds the watermark back.
    expect(h.changes).toEqual([]);
    h.op.processWatermark(14_999, 1);
    expect(h.changes).toEqual([{ kind: '+I', row: [1, 'ok', 9_000, 5_000, 15_000, null, null, null, null, null] }]);
    expect(h.op.stored()).toEqual([0, 0]);
  });

  it('the end of both inputs fires every open window, then ends', () => {
    const h = new OperatorHarness(new WindowJoin(config('inner')));
    h.op.processBatch({ rows: [[1, 'l1', 1, 0, 10_000]], kinds: [INSERT] }, 0);
    h.op.processBatch({ rows: [[1, 'r1', 2, 0, 10_000]], kinds: [INSERT] }, 1);
    h.op.endInput(0);
    expect(h.changes).toEqual([]);
    h.op.endInput(1);
    expect(h.changes).toEqual([{ kind: '+I', row: [1, 'l1', 1, 0, 10_000, 1, 'r1', 2, 0, 10_000] }]);
    expect(h.ended).toBe(true);
  });

  it('a residual that fails goes to the error policy and the pair does not match (the left row comes out null-padded)', () => {
    const bad: BadRecord[] = [];
    const out = new Collector();
    const op = new WindowJoin({
      ...config('left'),
      residual: (j) => {
        if (j[WIDTH + 1] === 'r0') throw new EddyError({ code: ErrorCode.EXPRESSION_FAILED, message: 'Division by zero' });
        return true;
      },
    });
    op.open({ ...out.contextFor('WindowJoin#1', new StateBackend()), badRecord: (r) => bad.push(r) });
    op.processBatch({ rows: [[1, 'l1', 1, 0, 10_000]], kinds: [INSERT] }, 0);
    op.processBatch({ rows: [[1, 'r0', 2, 0, 10_000]], kinds: [INSERT] }, 1);
    op.processWatermark(10_000, 0);
    op.processWatermark(10_000, 1);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ kind: 'expression-error', message: 'Division by zero' });
    expect(out.changes).toEqual([{ kind: '+I', row: [1, 'l1', 1, 0, 10_000, null, null, null, null, null] }]);
  });
});
