/**
 * The streaming result of every window kind (TVF and legacy syntax) and of non-windowed aggregation equals a
 * batch computation of the same query over the same rows, computed here with plain loops. The input is
 * bounded, out of order within the watermark delay, and read from a real JSON file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, materialize, prng, runQuery, sortedRows, tempDir, writeJsonLines } from './helpers.js';

interface Ev {
  k: number;
  v: number | null;
  ts: number;
}

const BASE = Date.UTC(2024, 0, 1, 12, 0, 0);
const DISORDER = 4800; // < watermark delay (5 s) minus the smallest step, so no row is late

function generate(seed: number, n: number): Ev[] {
  const rand = prng(seed);
  const events: Ev[] = [];
  let t = BASE;
  for (let i = 0; i < n; i++) {
    t += rand() < 0.02 ? 8000 : Math.floor(rand() * 300);
    const ts = t - Math.floor(rand() * DISORDER);
    events.push({ k: 1 + Math.floor(rand() * 5), v: rand() < 0.1 ? null : Math.floor(rand() * 100), ts });
  }
  return events;
}

/** COUNT(*), SUM(v), MIN(v), MAX(v) of a group, with SQL NULL semantics. */
function aggregate(group: readonly Ev[]): [number, number | null, number | null, number | null] {
  const vs = group.map((e) => e.v).filter((v): v is number => v !== null);
  return [group.length, vs.length ? vs.reduce((a, b) => a + b, 0) : null, vs.length ? Math.min(...vs) : null, vs.length ? Math.max(...vs) : null];
}

/** Groups events by (k, window) and aggregates: rows [k, start, end, count, sum, min, max]. */
function batchWindows(events: readonly Ev[], windowsOf: (ts: number) => [number, number][]): unknown[][] {
  const groups = new Map<string, Ev[]>();
  for (const e of events) {
    for (const [s, en] of windowsOf(e.ts)) {
      const key = `${e.k}|${s}|${en}`;
      const g = groups.get(key) ?? [];
      g.push(e);
      groups.set(key, g);
    }
  }
  return [...groups.entries()].map(([key, g]) => {
    const [k, s, en] = key.split('|').map(Number);
    return [k, s, en, ...aggregate(g)];
  });
}

function batchSessions(events: readonly Ev[], gap: number): unknown[][] {
  const out: unknown[][] = [];
  const byKey = new Map<number, Ev[]>();
  for (const e of events) byKey.set(e.k, [...(byKey.get(e.k) ?? []), e]);
  for (const [k, list] of byKey) {
    const sorted = [...list].sort((a, b) => a.ts - b.ts);
    let current: Ev[] = [];
    let end = -Infinity;
    const close = () => {
      if (current.length) out.push([k, current[0]!.ts, end, ...aggregate(current)]);
    };
    for (const e of sorted) {
      if (current.length && e.ts > end) {
        close();
        current = [];
      }
      current.push(e);
      end = Math.max(end, e.ts + gap);
    }
    close();
  }
  return out;
}

const floorTo = (x: number, m: number) => Math.floor(x / m) * m;
const tumble = (size: number) => (ts: number): [number, number][] => [[floorTo(ts, size), floorTo(ts, size) + size]];
const hop = (slide: number, size: number) => (ts: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let s = floorTo(ts, slide); s > ts - size; s -= slide) out.push([s, s + size]);
  return out;
};
const cumulate = (step: number, max: number) => (ts: number): [number, number][] => {
  const s = floorTo(ts, max);
  const out: [number, number][] = [];
  for (let end = s + step; end <= s + max; end += step) if (ts < end) out.push([s, end]);
  return out;
};

const AGGS = 'COUNT(*) AS c, SUM(v) AS s, MIN(v) AS mn, MAX(v) AS mx';

describe('streaming windows equal the batch answer', () => {
  let events: Ev[];
  let ddl: string;

  beforeAll(() => {
    // Enough rows that the file is read in several chunks (the runtime folds changes per chunk).
    events = generate(7, 20_000);
    const dir = tempDir();
    const path = writeJsonLines(
      dir,
      'events.json',
      events.map((e) => ({ k: e.k, v: e.v, ts: new Date(e.ts).toISOString() })),
    );
    ddl = `CREATE TABLE events (k INT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
           WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');`;
  });

  async function run(sql: string) {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    return runQuery(eddy, sql);
  }

  async function expectAppendOnly(sql: string, expected: unknown[][]) {
    const { changes, summary } = await run(sql);
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
    expect(summary.lateRowsDropped).toBe(0);
    expect(summary.rowsIn).toBe(events.length);
  }

  it('TUMBLE TVF', async () => {
    await expectAppendOnly(
      `SELECT k, window_start, window_end, ${AGGS} FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECONDS)) GROUP BY window_start, window_end, k`,
      batchWindows(events, tumble(10_000)),
    );
  });

  it('TUMBLE TVF with named arguments and a WHERE clause', async () => {
    await expectAppendOnly(
      `SELECT k, window_start, window_end, ${AGGS}
       FROM TABLE(TUMBLE(DATA => TABLE events, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '1' MINUTE))
       WHERE v > 20 GROUP BY window_start, window_end, k`,
      batchWindows(events.filter((e) => e.v !== null && e.v > 20), tumble(60_000)),
    );
  });

  it('HOP TVF', async () => {
    await expectAppendOnly(
      `SELECT k, window_start, window_end, ${AGGS} FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY window_start, window_end, k`,
      batchWindows(events, hop(5_000, 15_000)),
    );
  });

  it('CUMULATE TVF', async () => {
    await expectAppendOnly(
      `SELECT k, window_start, window_end, ${AGGS} FROM TABLE(CUMULATE(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)) GROUP BY window_start, window_end, k`,
      batchWindows(events, cumulate(5_000, 20_000)),
    );
  });

  it('SESSION TVF', async () => {
    await expectAppendOnly(
      `SELECT k, window_start, window_end, ${AGGS} FROM TABLE(SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '3' SECOND)) GROUP BY window_start, window_end, k`,
      batchSessions(events, 3_000),
    );
  });

  it('legacy GROUP BY TUMBLE', async () => {
    await expectAppendOnly(
      `SELECT k, TUMBLE_START(ts, INTERVAL '10' SECOND), TUMBLE_END(ts, INTERVAL '10' SECOND), ${AGGS} FROM events GROUP BY k, TUMBLE(ts, INTERVAL '10' SECOND)`,
      batchWindows(events, tumble(10_000)),
    );
  });

  it('legacy GROUP BY HOP', async () => {
    await expectAppendOnly(
      `SELECT k, HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND), HOP_END(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND), ${AGGS} FROM events GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND), k`,
      batchWindows(events, hop(5_000, 15_000)),
    );
  });

  it('legacy GROUP BY SESSION', async () => {
    await expectAppendOnly(
      `SELECT k, SESSION_START(ts, INTERVAL '3' SECOND), SESSION_END(ts, INTERVAL '3' SECOND), ${AGGS} FROM events GROUP BY k, SESSION(ts, INTERVAL '3' SECOND)`,
      batchSessions(events, 3_000),
    );
  });

  it('non-windowed GROUP BY: the final state of the changelog', async () => {
    const { changes } = await run(`SELECT k, ${AGGS} FROM events GROUP BY k`);
    // The file spans several read chunks, so earlier results were revised (-U/+U), not just inserted.
    const byKey = new Map<number, Ev[]>();
    for (const e of events) byKey.set(e.k, [...(byKey.get(e.k) ?? []), e]);
    const expected = [...byKey.entries()].map(([k, g]) => [k, ...aggregate(g)]);
    expect(materialize(changes)).toEqual(sortedRows(expected));
    expect(changes.some((c) => c.kind === 1)).toBe(true); // it did revise results
  });

  it('aggregation over an updating input retracts correctly (MIN/MAX included)', async () => {
    const counts = new Map<number, number>();
    for (const e of events) counts.set(e.k, (counts.get(e.k) ?? 0) + 1);
    const cs = [...counts.values()];
    const { changes } = await run(`SELECT MIN(c), MAX(c), SUM(c), COUNT(*) FROM (SELECT k, COUNT(*) AS c FROM events GROUP BY k)`);
    expect(materialize(changes)).toEqual(sortedRows([[Math.min(...cs), Math.max(...cs), cs.reduce((a, b) => a + b, 0), cs.length]]));
    const histogram = await run(`SELECT c, COUNT(*) AS n FROM (SELECT k, COUNT(*) AS c FROM events GROUP BY k) GROUP BY c`);
    const hist = new Map<number, number>();
    for (const c of cs) hist.set(c, (hist.get(c) ?? 0) + 1);
    expect(materialize(histogram.changes)).toEqual(sortedRows([...hist.entries()]));
  });

  describe('window aggregates written through a subquery, a CTE and a view are window aggregates (Flink)', () => {
    const tvfs: [string, string, unknown[][] | (() => unknown[][])][] = [
      ['TUMBLE', `TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECONDS)`, () => batchWindows(events, tumble(10_000))],
      ['HOP', `HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND)`, () => batchWindows(events, hop(5_000, 15_000))],
      ['CUMULATE', `CUMULATE(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)`, () => batchWindows(events, cumulate(5_000, 20_000))],
      ['SESSION', `SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '3' SECOND)`, () => batchSessions(events, 3_000)],
    ];
    const forms: [string, (tvf: string) => { ddl?: string; sql: string }][] = [
      ['a subquery', (tvf) => ({ sql: `SELECT k, window_start, window_end, ${AGGS} FROM (SELECT * FROM TABLE(${tvf})) GROUP BY window_start, window_end, k` })],
      [
        'a CTE that projects and filters',
        (tvf) => ({
          sql: `WITH w AS (SELECT window_end, v, k, window_start FROM TABLE(${tvf}) WHERE k > 0) SELECT k, window_start, window_end, ${AGGS} FROM w GROUP BY window_start, window_end, k`,
        }),
      ],
      ['a view', (tvf) => ({ ddl: `CREATE TEMPORARY VIEW windowed AS SELECT * FROM TABLE(${tvf});`, sql: `SELECT k, window_start, window_end, ${AGGS} FROM windowed GROUP BY window_start, window_end, k` })],
    ];
    for (const [name, tvf, expected] of tvfs) {
      for (const [form, make] of forms) {
        it(`${name} through ${form}`, async () => {
          const { ddl: view, sql } = make(tvf);
          const eddy = new Eddy();
          await executeAll(eddy, ddl + (view ?? ''));
          const explain = await eddy.execute(`EXPLAIN ${sql}`);
          if (explain.kind !== 'explain') throw new Error(`expected EXPLAIN text, got ${explain.kind}`);
          const physical = explain.text.slice(explain.text.indexOf('== Optimized Physical Plan =='));
          expect(physical).toContain(name === 'SESSION' ? 'SessionWindowAggregate(window=[SESSION' : `WindowAggregate(window=[${name}`);
          expect(physical).not.toContain('GroupAggregate');
          expect(physical).not.toContain('WindowTableFunction');
          expect(physical).not.toContain('changelog=[I,UB,UA,D]');
          const { changes, summary } = await runQuery(eddy, sql);
          expect(changes.every((c) => c.kind === 0)).toBe(true);
          expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(typeof expected === 'function' ? expected() : expected));
          expect(summary.rowsIn).toBe(events.length);
        });
      }
    }

    it('a filter on a window column between the TVF and the GROUP BY: the rows keep their windows, aggregated per window (final rows only)', async () => {
      const cut = BASE + 60_000;
      const { changes } = await run(
        `SELECT k, window_start, window_end, ${AGGS} FROM (SELECT * FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECONDS)) WHERE window_start >= TIMESTAMP '${new Date(cut).toISOString().replace('T', ' ').replace('Z', '')}') GROUP BY window_start, window_end, k`,
      );
      const expected = batchWindows(events, tumble(10_000)).filter((r) => (r[1] as number) >= cut);
      expect(materialize(changes)).toEqual(sortedRows(expected));
      expect(changes.every((c) => c.kind === 0)).toBe(true);
    });

    it('a SESSION through a subquery must group by its PARTITION BY columns', async () => {
      await expect(
        run(`SELECT window_start, window_end, COUNT(*) FROM (SELECT * FROM TABLE(SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '3' SECOND))) GROUP BY window_start, window_end`),
      ).rejects.toThrow(/PARTITION BY columns/);
    });
  });
});
