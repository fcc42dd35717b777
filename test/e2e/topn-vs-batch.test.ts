/**
 * Top-N (`ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..)` bounded in an outer WHERE) through the engine: the
 * final state of the streaming changelog equals a batch Top-N computed here with plain loops, over a
 * bounded, shuffled input read from a real JSON file in several chunks (so ranks change while it runs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, materialize, prng, runQuery, sortedRows, tempDir, writeJsonLines } from './helpers.js';

interface Ev {
  id: number;
  k: number;
  v: number | null;
}

/** Rows in shuffled order: unique ids, 7 keys, values with ties and NULLs. */
function generate(seed: number, n: number): Ev[] {
  const rand = prng(seed);
  const events: Ev[] = [];
  for (let i = 0; i < n; i++) events.push({ id: i, k: Math.floor(rand() * 7), v: rand() < 0.05 ? null : Math.floor(rand() * 1000) });
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  return events;
}

/** Per partition, rows sorted by `compare`, numbered from 1, ranks 1..n kept: `[...row, rank]`. */
function batchTopN<T>(rows: readonly T[], partition: (r: T) => unknown, compare: (a: T, b: T) => number, n: number): [T, number][] {
  const groups = new Map<unknown, T[]>();
  for (const r of rows) groups.set(partition(r), [...(groups.get(partition(r)) ?? []), r]);
  const out: [T, number][] = [];
  for (const g of groups.values()) [...g].sort(compare).slice(0, n).forEach((r, i) => out.push([r, i + 1]));
  return out;
}

/** v DESC (NULLs last, Flink's default for DESC), then id ASC. */
const byValueDesc = (a: Ev, b: Ev) => (a.v === b.v ? a.id - b.id : a.v === null ? 1 : b.v === null ? -1 : b.v - a.v);

describe('Top-N vs batch', () => {
  let events: Ev[];
  let ddl: string;

  beforeAll(() => {
    events = generate(11, 20_000);
    const path = writeJsonLines(tempDir(), 'events.json', events);
    ddl = `CREATE TABLE events (id INT, k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');`;
  });

  async function run(sql: string) {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    return runQuery(eddy, sql);
  }

  it('top 3 per key (rn <= 3), with the rank column: updates while it runs, final state equals the batch result', async () => {
    const { changes, summary } = await run('SELECT * FROM (SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM events) WHERE rn <= 3');
    expect(changes.some((c) => c.kind !== 0)).toBe(true);
    const expected = batchTopN(events, (e) => e.k, byValueDesc, 3).map(([e, rn]) => [e.id, e.k, e.v, rn]);
    expect(expected).toHaveLength(21);
    expect(materialize(changes)).toEqual(sortedRows(expected));
    expect(summary.rowsIn).toBe(events.length);
  });

  it('rn < 3 with the rank column not selected, and ascending order (NULLs first)', async () => {
    const { changes } = await run('SELECT k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v, id DESC) AS rn FROM events) WHERE rn < 3');
    const asc = (a: Ev, b: Ev) => (a.v === b.v ? b.id - a.id : a.v === null ? -1 : b.v === null ? 1 : a.v - b.v);
    expect(materialize(changes)).toEqual(sortedRows(batchTopN(events, (e) => e.k, asc, 2).map(([e]) => [e.k, e.id])));
  });

  it('rn = 2: only the second row of each partition', async () => {
    const { changes } = await run('SELECT id, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM events) WHERE rn = 2');
    const expected = batchTopN(events, (e) => e.k, byValueDesc, 2).filter(([, rn]) => rn === 2).map(([e, rn]) => [e.id, rn]);
    expect(materialize(changes)).toEqual(sortedRows(expected));
  });

  it('over an updating input (a GROUP BY): the top 2 groups per key, refilled as sums change', async () => {
    const { changes } = await run(
      'SELECT k, g, s FROM (SELECT k, g, s, ROW_NUMBER() OVER (PARTITION BY k ORDER BY s DESC, g) AS rn FROM (SELECT k, id % 10 AS g, SUM(v) AS s FROM events GROUP BY k, id % 10)) WHERE rn <= 2',
    );
    const sums = new Map<string, { k: number; g: number; s: number | null }>();
    for (const e of events) {
      const key = `${e.k}|${e.id % 10}`;
      const cur = sums.get(key) ?? { k: e.k, g: e.id % 10, s: null };
      if (e.v !== null) cur.s = (cur.s ?? 0) + e.v;
      sums.set(key, cur);
    }
    const bySumDesc = (a: { g: number; s: number | null }, b: { g: number; s: number | null }) =>
      a.s === b.s ? a.g - b.g : a.s === null ? 1 : b.s === null ? -1 : b.s - a.s;
    const expected = batchTopN([...sums.values()], (r) => r.k, bySumDesc, 2).map(([r]) => [r.k, r.g, r.s]);
    expect(materialize(changes)).toEqual(sortedRows(expected));
  });

  for (const fn of ['RANK', 'DENSE_RANK'] as const) {
    it(`${fn}: ties share a rank; the final state equals a batch computation`, async () => {
      // b = v / 100 has many ties per key.
      const { changes } = await run(`SELECT * FROM (SELECT id, k, b, ${fn}() OVER (PARTITION BY k ORDER BY b DESC) AS r FROM (SELECT id, k, v / 100 AS b FROM events)) WHERE r <= 3`);
      const bucket = (e: Ev) => (e.v === null ? null : Math.trunc(e.v / 100));
      const order = (b: number | null) => (b === null ? -Infinity : b);
      // Per key: how many rows have each bucket; a row's rank follows from the buckets above its own.
      const counts = new Map<number, Map<number | null, number>>();
      for (const e of events) {
        const m = counts.get(e.k) ?? new Map<number | null, number>();
        m.set(bucket(e), (m.get(bucket(e)) ?? 0) + 1);
        counts.set(e.k, m);
      }
      const expected: unknown[][] = [];
      for (const e of events) {
        const above = [...counts.get(e.k)!].filter(([b]) => order(b) > order(bucket(e)));
        const r = fn === 'RANK' ? above.reduce((n, [, c]) => n + c, 0) + 1 : above.length + 1;
        if (r <= 3) expected.push([e.id, e.k, bucket(e), r]);
      }
      expect(expected.length).toBeGreaterThan(21);
      expect(materialize(changes)).toEqual(sortedRows(expected));
    });
  }

  it('EXPLAIN shows the Rank operator, its range and its state tables', async () => {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    const r = await eddy.execute('EXPLAIN SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM events) WHERE rn <= 3');
    const text = JSON.stringify(r);
    expect(text).toMatch(/Rank\(rankType=\[ROW_NUMBER\], rankRange=\[rankStart=1, rankEnd=3\], partitionBy=\[k\], orderBy=\[v DESC\]\), state=\[partitions, watermark\]/);
  });

  describe('deduplication on event time', () => {
    // Rows with bounded disorder (< the 5 s watermark delay, so none is late), several per key and time.
    let rows: { id: number; k: number; ts: number }[];
    let dedupDdl: string;
    const BASE = Date.UTC(2024, 0, 1);

    beforeAll(() => {
      const rand = prng(5);
      rows = [];
      let t = BASE;
      for (let i = 0; i < 20_000; i++) {
        t += Math.floor(rand() * 50);
        rows.push({ id: i, k: Math.floor(rand() * 3000), ts: t - Math.floor(rand() * 4000) });
      }
      const path = writeJsonLines(tempDir(), 'rows.json', rows.map((r) => ({ id: r.id, k: r.k, ts: new Date(r.ts).toISOString() })));
      dedupDdl = `CREATE TABLE rows_t (id INT, k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
                  WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');`;
    });

    async function runDedup(sql: string) {
      const eddy = new Eddy();
      await executeAll(eddy, dedupDdl);
      return runQuery(eddy, sql);
    }

    /** Per key, the row that `better` prefers over every other (ties: the first to arrive). */
    function pick(better: (a: { ts: number }, b: { ts: number }) => boolean): unknown[][] {
      const best = new Map<number, { id: number; k: number; ts: number }>();
      for (const r of rows) {
        const held = best.get(r.k);
        if (!held || better(r, held)) best.set(r.k, r);
      }
      return [...best.values()].map((r) => [r.id, r.k]);
    }

    it('keep first (ORDER BY ts ASC, rn = 1): insert-only, the earliest row per key', async () => {
      const { changes, summary } = await runDedup('SELECT id, k FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM rows_t) WHERE rn = 1');
      expect(changes.every((c) => c.kind === 0)).toBe(true);
      expect(summary.lateRowsDropped).toBe(0);
      expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(pick((a, b) => a.ts < b.ts)));
    });

    it('keep last (ORDER BY ts DESC, rn = 1): updating, its final state is the latest row per key', async () => {
      const { changes } = await runDedup('SELECT id, k FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM rows_t) WHERE rn = 1');
      expect(changes.some((c) => c.kind !== 0)).toBe(true);
      expect(materialize(changes)).toEqual(sortedRows(pick((a, b) => a.ts > b.ts)));
    });

    it('EXPLAIN shows keep-first as a Deduplicate operator with its state tables, insert-only', async () => {
      const eddy = new Eddy();
      await executeAll(eddy, dedupDdl);
      const text = JSON.stringify(await eddy.execute('EXPLAIN SELECT id, k FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM rows_t) WHERE rn = 1'));
      expect(text).toMatch(/Deduplicate\(keep=\[FirstRow\], key=\[k\], order=\[ROWTIME ts\]\), state=\[keys, timers, watermark\], changelog=\[I\]/);
    });
  });
});
