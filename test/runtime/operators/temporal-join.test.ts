/**
 * TemporalJoin over bounded, shuffled input with watermarks: each left row joins the version of its key
 * valid at its time, as computed here by a plain scan of the changes (the latest insert/update at or before
 * the left time, unless a delete came after it), INNER and LEFT, with a residual condition; nothing is late;
 * once the watermark passes the data, state holds no left row and one version per live key (none after the
 * end); a run restored from checkpoints at random points gives the same output.
 */
import { describe, expect, it } from 'vitest';
import { DELETE, INSERT, type Row, type RowKind, UPDATE_AFTER, UPDATE_BEFORE } from '../../../src/runtime/changelog.js';
import { TemporalJoin, type TemporalJoinConfig } from '../../../src/runtime/operators/temporal-join.js';
import { OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { mulberry32, twoInputSteps, type Arrival } from './stream-gen.js';

/** Left rows are [key, id, ts]; right rows (versions) are [key, value, ts]. */
const TS = 2;
const DELAY = 4_000;
const KEYS = 5;

function config(type: 'inner' | 'left'): TemporalJoinConfig {
  return {
    keys: [[(r) => r[0]], [(r) => r[0]]],
    // A version whose value is a multiple of 7 does not match (the residual is checked on the version found).
    residual: (j) => (j[4] as number) % 7 !== 0,
    widths: [3, 3],
    preserved: [type === 'left', false],
    times: [TS, TS],
    description: type,
  };
}

interface RightChange {
  readonly kind: RowKind;
  readonly row: Row;
}

/** Left rows over `span` ms; some keys NULL, some keys the right side never has. */
function genLeft(rng: () => number, n: number, span: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) rows.push([rng() < 0.05 ? null : Math.floor(rng() * (KEYS + 1)), `l${i}`, Math.floor(rng() * span)]);
  return rows;
}

/**
 * A changelog of versions per key (key KEYS never appears): first +I, then updates (-U of the old row, +U
 * of the new, at a later time) and sometimes a delete (-D at its own time) and a new insert later.
 */
function genRight(rng: () => number, perKey: number, span: number): RightChange[] {
  const out: RightChange[] = [];
  let value = 0;
  for (let key = 0; key < KEYS; key++) {
    const times = new Set<number>();
    while (times.size < perKey) times.add(Math.floor(rng() * span));
    let live: Row | undefined;
    for (const t of [...times].sort((a, b) => a - b)) {
      if (live && rng() < 0.15) {
        out.push({ kind: DELETE, row: [key, live[1], t] });
        live = undefined;
        continue;
      }
      const row: Row = [key, ++value, t];
      if (live) out.push({ kind: UPDATE_BEFORE, row: live }, { kind: UPDATE_AFTER, row });
      else out.push({ kind: INSERT, row });
      live = row;
    }
  }
  return out;
}

/** The expected join, by scanning the changes for each left row. */
function expected(type: 'inner' | 'left', left: Row[], right: RightChange[]): string[] {
  const out: Row[] = [];
  for (const l of left) {
    let valid: RightChange | undefined;
    for (const c of right) {
      if (c.kind === UPDATE_BEFORE || c.row[0] !== l[0] || l[0] === null) continue;
      if ((c.row[TS] as number) <= (l[TS] as number) && (!valid || (c.row[TS] as number) > (valid.row[TS] as number))) valid = c;
    }
    if (valid && valid.kind !== DELETE && (valid.row[1] as number) % 7 !== 0) out.push([...l, ...valid.row]);
    else if (type === 'left') out.push([...l, null, null, null]);
  }
  return out.map((r) => JSON.stringify(r)).sort();
}

/**
 * Steps delivering both sides in arrival order (a change arrives up to DELAY after its time, in small
 * batches), each side's watermark trailing its latest arrival by DELAY, then a watermark past everything.
 */
function arrivalSteps(rng: () => number, left: Row[], right: RightChange[]): Step<TemporalJoin>[] {
  const changes = [...left.map((row) => ({ side: 0 as const, kind: INSERT, row })), ...right.map((c) => ({ side: 1 as const, kind: c.kind, row: c.row }))];
  const arrivals: Arrival[] = changes.map((c) => ({ ...c, at: (c.row[TS] as number) + Math.floor(rng() * DELAY) }));
  // A -U travels with its +U (just before it).
  const together = arrivals.map((a, j) => (a.kind === UPDATE_BEFORE ? { ...a, at: arrivals[j + 1]!.at } : a));
  return twoInputSteps(rng, together, DELAY);
}

const sorted = (rows: readonly { row: Row }[]) => rows.map((c) => JSON.stringify(c.row)).sort();

/** Keys whose last change is not a delete: each keeps its newest version once the watermark passed everything. */
function liveKeys(right: RightChange[]): number {
  const last = new Map<unknown, RowKind>();
  for (const c of [...right].sort((a, b) => (a.row[TS] as number) - (b.row[TS] as number))) if (c.kind !== UPDATE_BEFORE) last.set(c.row[0], c.kind);
  return [...last.values()].filter((k) => k !== DELETE).length;
}

describe('TemporalJoin', () => {
  for (const type of ['inner', 'left'] as const) {
    it(`${type}: each left row joins the version valid at its time (shuffled input, 20 seeds); state drains to one version per live key`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const rng = mulberry32(seed);
        const left = genLeft(rng, 200, 300_000);
        const right = genRight(rng, 30, 300_000);
        const h = new OperatorHarness(new TemporalJoin(config(type)));
        let maxVersions = 0;
        for (const step of arrivalSteps(rng, left, right)) {
          step(h);
          maxVersions = Math.max(maxVersions, h.op.stored()[1]);
        }
        const want = expected(type, left, right);
        expect(want.length).toBeGreaterThan(type === 'left' ? 150 : 50);
        expect(sorted(h.changes), `seed ${seed}`).toEqual(want);
        expect(h.changes.every((c) => c.kind === '+I')).toBe(true);
        expect(h.counter('lateRecordsDropped')).toBe(0);
        // Measured: no left row waits, and each key keeps only its newest version (none for a deleted key).
        expect(h.op.stored()).toEqual([0, liveKeys(right)]);
        expect(maxVersions).toBeLessThan(60);
        // Rows leave as the watermark passes them: none is at or behind a watermark sent before it.
        let mark = -Infinity;
        for (const e of h.events) {
          if (e.type === 'watermark') mark = e.watermark;
          else if (e.type === 'batch') for (const row of e.batch.rows) expect(row[TS] as number).toBeGreaterThan(mark);
        }
        h.op.endInput(0);
        h.op.endInput(1);
        expect(h.op.stored()).toEqual([0, 0]);
        expect(h.ended).toBe(true);
      }
    });

    it(`${type}: restored from checkpoints at random points into fresh operators, the output is the same`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const rng = mulberry32(700 + seed);
        const steps = arrivalSteps(rng, genLeft(rng, 80, 100_000), genRight(rng, 12, 100_000));
        const make = () => new TemporalJoin(config(type));
        const straight = runStraight(make, steps);
        expect(straight.changes.length).toBeGreaterThan(20);
        for (const lost of [0, 3]) {
          const restored = runRestored(make, steps, randomCuts(rng, steps.length, 4), lost);
          expect(restored.changes, `seed ${seed}, lost ${lost}`).toEqual(straight.changes);
          expect(restored.watermarks).toEqual(straight.watermarks);
        }
      }
    });
  }

  it('a delete ends validity; the later of two changes at one time wins; a version at the left time itself is valid', () => {
    const h = new OperatorHarness(new TemporalJoin(config('left')));
    const right = (kind: RowKind, row: Row) => h.op.processBatch({ rows: [row], kinds: [kind] }, 1);
    right(INSERT, [1, 10, 1_000]);
    right(DELETE, [1, 10, 5_000]);
    right(INSERT, [1, 11, 8_000]);
    right(UPDATE_AFTER, [1, 12, 8_000]);
    h.op.processBatch({ rows: [[1, 'a', 999], [1, 'b', 1_000], [1, 'c', 4_999], [1, 'd', 5_000], [1, 'e', 8_000]], kinds: [INSERT, INSERT, INSERT, INSERT, INSERT] }, 0);
    expect(h.changes).toEqual([]);
    h.op.processWatermark(10_000, 0);
    h.op.processWatermark(10_000, 1);
    expect(sorted(h.changes)).toEqual(
      [
        [1, 'a', 999, null, null, null],
        [1, 'b', 1_000, 1, 10, 1_000],
        [1, 'c', 4_999, 1, 10, 1_000],
        [1, 'd', 5_000, null, null, null],
        [1, 'e', 8_000, 1, 12, 8_000],
      ].map((r) => JSON.stringify(r)).sort(),
    );
    expect(h.op.stored()).toEqual([0, 1]);
  });

  it('a late left row is dropped and counted; NULL times are dropped and counted; a NULL key is null-padded at once (LEFT)', () => {
    const h = new OperatorHarness(new TemporalJoin(config('left')));
    h.op.processWatermark(10_000, 0);
    h.op.processWatermark(10_000, 1);
    h.op.processBatch({ rows: [[1, 'late', 10_000], [1, 'nul', null], [null, 'nokey', 20_000]], kinds: [INSERT, INSERT, INSERT] }, 0);
    h.op.processBatch({ rows: [[1, 5, null]], kinds: [INSERT] }, 1);
    expect(h.changes.map((c) => c.row)).toEqual([[null, 'nokey', 20_000, null, null, null]]);
    expect(h.counter('lateRecordsDropped')).toBe(1);
    expect(h.counter('nullTimeRecordsDropped')).toBe(2);
  });
});

describe('TemporalJoin in stream-time mode (ksqlDB stream-table joins)', () => {
  const ksql = (type: 'inner' | 'left'): TemporalJoinConfig => ({ ...config(type), streamTime: 'stream' });
  const feed = (h: OperatorHarness<TemporalJoin>, side: number, rows: Row[], kind: RowKind = INSERT) => h.op.processBatch({ rows, kinds: rows.map(() => kind) }, side);

  it('the stream\'s watermark alone releases its records: a table that sends nothing holds none back', () => {
    const h = new OperatorHarness(new TemporalJoin(ksql('left')));
    feed(h, 1, [[1, 10, 1_000]]);
    h.op.processWatermark(1_000, 1);
    feed(h, 0, [[1, 'a', 5_000], [2, 'b', 6_000]]);
    h.op.processWatermark(6_000, 0);
    // The table's watermark is still 1 s: a Flink temporal join would wait; ksqlDB's stream time does not.
    expect(sorted(h.changes)).toEqual([JSON.stringify([1, 'a', 5_000, 1, 10, 1_000]), JSON.stringify([2, 'b', 6_000, null, null, null])]);
    expect(h.events.filter((e) => e.type === 'watermark').map((e) => (e as { watermark: number }).watermark)).toEqual([6_000]);
  });

  it("with 'both' (a bounded table), the table's watermark holds records back, but a record at the watermark is not late", () => {
    const h = new OperatorHarness(new TemporalJoin({ ...config('left'), streamTime: 'both' }));
    feed(h, 1, [[1, 10, 1_000]]);
    h.op.processWatermark(1_000, 1);
    feed(h, 0, [[1, 'a', 5_000]]);
    h.op.processWatermark(6_000, 0);
    expect(h.changes).toEqual([]);
    feed(h, 1, [[1, 20, 5_000]]);
    h.op.processWatermark(5_000, 1);
    expect(sorted(h.changes)).toEqual([JSON.stringify([1, 'a', 5_000, 1, 20, 5_000])]);
    // Stream time is 5 s: another record at 5 s joins at once instead of being dropped as late.
    feed(h, 0, [[1, 'b', 5_000]]);
    expect(h.changes.map((c) => c.row)).toContainEqual([1, 'b', 5_000, 1, 20, 5_000]);
    expect(h.counter('lateRecordsDropped')).toBe(0);
  });

  it('records at or behind stream time are not late: each joins at once, with the version of its time when kept', () => {
    const h = new OperatorHarness(new TemporalJoin(ksql('inner')));
    feed(h, 1, [[1, 10, 1_000]]);
    feed(h, 1, [[1, 20, 3_000]]);
    feed(h, 0, [[1, 'a', 4_000]]);
    h.op.processWatermark(4_000, 0);
    expect(sorted(h.changes)).toEqual([JSON.stringify([1, 'a', 4_000, 1, 20, 3_000])]);
    // Another record at the same time (stream time is 4 s), and one behind it, still join.
    feed(h, 0, [[1, 'b', 4_000], [1, 'c', 3_500]]);
    expect(sorted(h.changes)).toEqual([
      JSON.stringify([1, 'a', 4_000, 1, 20, 3_000]),
      JSON.stringify([1, 'b', 4_000, 1, 20, 3_000]),
      JSON.stringify([1, 'c', 3_500, 1, 20, 3_000]),
    ]);
    // Behind the kept versions (the 1 s version left state): the row as of stream time, as ksqlDB's lookup gives.
    feed(h, 0, [[1, 'd', 2_000]]);
    expect(h.changes.map((c) => c.row)).toContainEqual([1, 'd', 2_000, 1, 20, 3_000]);
    expect(h.counter('lateRecordsDropped')).toBe(0);
  });

  for (const type of ['inner', 'left'] as const) {
    it(`${type}: in time order (ties included), each record joins the version valid at its time, for 10 seeds`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const rng = mulberry32(2100 + seed);
        // Times in whole seconds, so that records share times with each other (not with versions: odd ms).
        const left = genLeft(rng, 150, 300).map((r) => [r[0], r[1], (r[TS] as number) * 1_000] as Row);
        const right = genRight(rng, 12, 150).map((c) => ({ ...c, row: [c.row[0], c.row[1], (c.row[TS] as number) * 2_000 + 1] as Row }));
        const h = new OperatorHarness(new TemporalJoin(ksql(type)));
        const changes = [...left.map((row) => ({ side: 0, kind: INSERT, row })), ...right.map((c) => ({ side: 1, kind: c.kind, row: c.row }))];
        const order = changes.map((c, i) => ({ c, i, t: c.kind === UPDATE_BEFORE ? (changes[i + 1]!.row[TS] as number) : (c.row[TS] as number) })).sort((a, b) => a.t - b.t || a.i - b.i);
        let streamTime = -Infinity;
        for (const { c } of order) {
          feed(h, c.side, [c.row], c.kind);
          if (c.side === 0 && (c.row[TS] as number) > streamTime) {
            streamTime = c.row[TS] as number;
            h.op.processWatermark(streamTime, 0);
          }
        }
        expect(sorted(h.changes), `seed ${seed}`).toEqual(expected(type, left, right));
        expect(h.counter('lateRecordsDropped')).toBe(0);
      }
    });
  }
});
