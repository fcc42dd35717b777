/**
 * Window Top-N, window deduplication, `ORDER BY .. LIMIT n` on a stream and Top-N without the rank column,
 * through the engine, over a bounded input read from a real JSON file in shuffled order (shuffled within
 * the watermark's allowance, so no row is late): the final state of the streaming changelog equals a batch
 * computation written here with plain loops; window results are insert-only (final, once per window).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, failureOf, materialize, prng, runQuery, sortedRows, tempDir, writeJsonLines } from './helpers.js';

interface Bid {
  id: number;
  item: number;
  price: number;
  /** Epoch ms, unique per bid. */
  ts: number;
}

const BASE = Date.UTC(2024, 0, 1);
const SECOND = 1000;

/** Bids 10 ms apart over ~100 s, items skewed (low numbers more often), in an arrival order at most 4 s out of time order. */
function generate(seed: number, n: number): Bid[] {
  const rand = prng(seed);
  const bids: Bid[] = [];
  for (let i = 0; i < n; i++) bids.push({ id: i, item: Math.floor(rand() * rand() * 40), price: 1 + Math.floor(rand() * 500), ts: BASE + i * 10 });
  // Arrival order: by time plus a random delay below 4 s (the watermark allows 5 s).
  const delay = bids.map(() => Math.floor(rand() * 4000));
  return bids.map((b, i) => [b, b.ts + delay[i]!] as const).sort((a, b) => a[1] - b[1]).map(([b]) => b);
}

/** Tumbling window start of a time. */
const tumble = (ts: number, size: number) => Math.floor(ts / size) * size;

/** The [start, end) of each HOP window holding `ts`. */
function hops(ts: number, slide: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = tumble(ts, slide) - size + slide; start <= ts; start += slide) if (ts < start + size) out.push([start, start + size]);
  return out;
}

/** Groups values by a key (JSON of the key parts). */
function groupBy<T>(rows: readonly T[], key: (r: T) => unknown[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = JSON.stringify(key(r));
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return groups;
}

describe('window Top-N and window deduplication vs batch', () => {
  let bids: Bid[];
  let ddl: string;

  beforeAll(() => {
    bids = generate(21, 10_000);
    const path = writeJsonLines(tempDir(), 'bids.json', bids.map((b) => ({ ...b, ts: new Date(b.ts).toISOString() })));
    ddl = `CREATE TABLE bids (id INT, item INT, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
           WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');`;
  });

  async function engine(): Promise<Eddy> {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    return eddy;
  }

  async function run(sql: string) {
    return runQuery(await engine(), sql);
  }

  /** Runs a query to its end; returns the entries left in its job's state tables. */
  async function stateLeft(sql: string): Promise<number> {
    const r = await (await engine()).execute(sql);
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    await r.query.collect();
    return r.query.progress().stateEntries;
  }

  async function explain(sql: string): Promise<string> {
    const r = await (await engine()).execute(`EXPLAIN ${sql}`);
    if (r.kind !== 'explain') throw new Error(`expected an explain, got ${r.kind}`);
    return r.text;
  }

  const TOP3_ITEMS = `SELECT window_start, window_end, item, cnt, rn FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY cnt DESC, item) AS rn FROM (
        SELECT window_start, window_end, item, COUNT(*) AS cnt
        FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
        GROUP BY window_start, window_end, item))
    WHERE rn <= 3`;

  it('Nexmark-like: the top 3 items per 10-second tumbling window by count — insert-only, equal to the batch result', async () => {
    const { changes, summary } = await run(TOP3_ITEMS);
    expect(summary.lateRowsDropped).toBe(0);
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    const counts = groupBy(bids, (b) => [tumble(b.ts, 10 * SECOND), b.item]);
    const perWindow = groupBy([...counts.values()], (g) => [tumble(g[0]!.ts, 10 * SECOND)]);
    const expected: unknown[][] = [];
    for (const groups of perWindow.values()) {
      const ranked = groups.map((g) => ({ item: g[0]!.item, cnt: g.length, start: tumble(g[0]!.ts, 10 * SECOND) })).sort((a, b) => b.cnt - a.cnt || a.item - b.item);
      ranked.slice(0, 3).forEach((r, i) => expected.push([r.start, r.start + 10 * SECOND, r.item, r.cnt, i + 1]));
    }
    expect(expected.length).toBe(30);
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
  });

  it('state: nothing is left once the windows closed (a regular Top-N keeps its partitions)', async () => {
    expect(await stateLeft(TOP3_ITEMS)).toBe(0);
    expect(await stateLeft(`SELECT id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, item ORDER BY ts) AS rn FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))) WHERE rn = 1`)).toBe(0);
    expect(await stateLeft(`SELECT id FROM (SELECT *, RANK() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rn FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))) WHERE rn <= 3`)).toBe(0);
    // The same top 3 per item without windows: one partition per item stays.
    const items = new Set(bids.map((b) => b.item)).size;
    expect(await stateLeft('SELECT id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 3')).toBeGreaterThanOrEqual(items);
  });

  it('state while it runs (a followed file): only the window the watermark has not passed is held', async () => {
    const path = writeJsonLines(tempDir(), 'followed.json', bids.map((b) => ({ ...b, ts: new Date(b.ts).toISOString() })));
    const eddy = new Eddy();
    await executeAll(
      eddy,
      `CREATE TABLE live (id INT, item INT, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
       WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '50 ms');`,
    );
    const r = await eddy.execute(`SELECT id FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, item ORDER BY ts) AS rn
        FROM TABLE(TUMBLE(TABLE live, DESCRIPTOR(ts), INTERVAL '10' SECOND))) WHERE rn = 1`);
    if (r.kind !== 'query') throw new Error('expected a query');
    let out = 0;
    r.query.onChanges((b) => (out += b.rows.length));
    try {
      // The watermark ends 5 s behind the last bid: every window but the last has closed.
      const watermark = Math.max(...bids.map((b) => b.ts)) - 5 * SECOND;
      const closed = new Set(bids.filter((b) => tumble(b.ts, 10 * SECOND) + 10 * SECOND - 1 <= watermark).map((b) => `${tumble(b.ts, 10 * SECOND)}|${b.item}`));
      const open = new Set(bids.filter((b) => tumble(b.ts, 10 * SECOND) + 10 * SECOND - 1 > watermark).map((b) => b.item));
      for (let i = 0; i < 500 && out < closed.size; i++) await new Promise((res) => setTimeout(res, 20));
      expect(out).toBe(closed.size);
      // One row per item of the open window, its timer, and a few single values (watermarks); not the 10,000 rows read.
      const entries = r.query.progress().stateEntries;
      expect(entries).toBeGreaterThanOrEqual(open.size);
      expect(entries).toBeLessThanOrEqual(open.size + 10);
    } finally {
      await r.query.cancel();
    }
  });

  it('EXPLAIN: a WindowRank after the WindowAggregate, with its window, cleanup rule and state tables, insert-only', async () => {
    const text = await explain(TOP3_ITEMS);
    expect(text).toMatch(
      /WindowRank\(rankType=\[ROW_NUMBER\], rankRange=\[rankStart=1, rankEnd=3\], partitionBy=\[window_start, window_end\], orderBy=\[cnt DESC, item ASC\], window=\[TUMBLE\(size=\[10 s\]\)\], cleanup=\[window's rows when watermark >= window_end - 1 ms\]\), state=\[windows, timers, watermark\], changelog=\[I\]/,
    );
    expect(text).toMatch(/WindowAggregate\(window=\[TUMBLE/);
    expect(text).not.toMatch(/\bRank\(/);
  });

  it('directly over a HOP window TVF: the 2 highest bids per item and window, without the rank column', async () => {
    const sql = `SELECT id, item, price, window_start, window_end, window_time FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, item ORDER BY price DESC, id) AS rn
        FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)))
      WHERE rn <= 2`;
    const { changes } = await run(sql);
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    const rows = bids.flatMap((b) => hops(b.ts, 5 * SECOND, 10 * SECOND).map(([s, e]) => ({ ...b, s, e })));
    const expected: unknown[][] = [];
    for (const g of groupBy(rows, (r) => [r.s, r.item]).values()) {
      for (const r of [...g].sort((a, b) => b.price - a.price || a.id - b.id).slice(0, 2)) expected.push([r.id, r.item, r.price, r.s, r.e, r.e - 1]);
    }
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
    expect(await explain(sql)).toMatch(/WindowRank\(.*outputRankNumber=\[false\], window=\[HOP\(slide=\[5 s\], size=\[10 s\]\)\], cleanup=\[window's rows when watermark >= window_time\]\)/);
  });

  it('DENSE_RANK over a CUMULATE window TVF: the two highest prices per window (ties share a rank)', async () => {
    const { changes } = await run(`SELECT id, price, window_start, window_end, r FROM (
        SELECT *, DENSE_RANK() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS r
        FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)))
      WHERE r <= 2`);
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    const rows = bids.flatMap((b) => {
      const start = tumble(b.ts, 20 * SECOND);
      const out: { b: Bid; s: number; e: number }[] = [];
      for (let e = tumble(b.ts, 5 * SECOND) + 5 * SECOND; e <= start + 20 * SECOND; e += 5 * SECOND) out.push({ b, s: start, e });
      return out;
    });
    const expected: unknown[][] = [];
    for (const g of groupBy(rows, (r) => [r.s, r.e]).values()) {
      const prices = [...new Set(g.map((r) => r.b.price))].sort((a, b) => b - a);
      for (const r of g) {
        const rank = prices.indexOf(r.b.price) + 1;
        if (rank <= 2) expected.push([r.b.id, r.b.price, r.s, r.e, rank]);
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
  });

  for (const keepLast of [false, true]) {
    it(`window deduplication, keep ${keepLast ? 'last' : 'first'}: the ${keepLast ? 'latest' : 'earliest'} bid per item and 10-second window, insert-only`, async () => {
      const sql = `SELECT id, item, window_start, rn FROM (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, item ORDER BY ts${keepLast ? ' DESC' : ''}) AS rn
          FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)))
        WHERE rn = 1`;
      const { changes } = await run(sql);
      expect(changes.every((c) => c.kind === 0)).toBe(true);
      const expected = [...groupBy(bids, (b) => [tumble(b.ts, 10 * SECOND), b.item]).values()].map((g) => {
        const pick = g.reduce((best, b) => ((keepLast ? b.ts > best.ts : b.ts < best.ts) ? b : best));
        return [pick.id, pick.item, tumble(pick.ts, 10 * SECOND), 1];
      });
      expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
      expect(await explain(sql)).toMatch(
        new RegExp(
          `WindowDeduplicate\\(keep=\\[${keepLast ? 'LastRow' : 'FirstRow'}\\], partitionBy=\\[window_start, window_end, item\\], order=\\[ROWTIME ts\\], window=\\[TUMBLE\\(size=\\[10 s\\]\\)\\], cleanup=\\[window's rows when watermark >= window_time\\]\\), state=\\[rows, timers, watermark\\], changelog=\\[I\\]`,
        ),
      );
    });
  }

  it('keeps window_time a time attribute: a 30-second window over the 10-second top 3', async () => {
    const eddy = await engine();
    await executeAll(
      eddy,
      `CREATE VIEW top3 AS SELECT window_time, item, cnt FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY cnt DESC, item) AS rn FROM (
           SELECT window_start, window_end, window_time, item, COUNT(*) AS cnt
           FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
           GROUP BY window_start, window_end, window_time, item))
       WHERE rn <= 3;`,
    );
    const { changes } = await runQuery(eddy, `SELECT window_start, SUM(cnt) AS s FROM TABLE(TUMBLE(TABLE top3, DESCRIPTOR(window_time), INTERVAL '30' SECOND)) GROUP BY window_start, window_end`);
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    const sums = new Map<number, number>();
    for (const groups of groupBy([...groupBy(bids, (b) => [tumble(b.ts, 10 * SECOND), b.item]).values()], (g) => [tumble(g[0]!.ts, 10 * SECOND)]).values()) {
      const top = groups.map((g) => ({ item: g[0]!.item, cnt: g.length })).sort((a, b) => b.cnt - a.cnt || a.item - b.item).slice(0, 3);
      const start = tumble(tumble(groups[0]![0]!.ts, 10 * SECOND) + 10 * SECOND - 1, 30 * SECOND);
      sums.set(start, (sums.get(start) ?? 0) + top.reduce((n, t) => n + t.cnt, 0));
    }
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows([...sums].map(([s, n]) => [s, n])));
  });

  it('after a SESSION window aggregation: per session window, the item with the most bids', async () => {
    // Ticks 0.3 s apart with gaps; at each tick some of 4 items bid, so items share sessions now and then.
    const rand = prng(8);
    const rows: { item: number; ts: number }[] = [];
    let t = BASE;
    for (let i = 0; i < 400; i++) {
      t += 300 * (rand() < 0.1 ? 8 : 1 + Math.floor(rand() * 3));
      for (let item = 0; item < 4; item++) if (rand() < 0.5) rows.push({ item, ts: t });
    }
    const path = writeJsonLines(tempDir(), 'sessions.json', rows.map((r) => ({ item: r.item, ts: new Date(r.ts).toISOString() })));
    const eddy = new Eddy();
    await executeAll(eddy, `CREATE TABLE s (item INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');`);
    const { changes } = await runQuery(
      eddy,
      `SELECT window_start, window_end, item, cnt FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY cnt DESC, item) AS rn FROM (
           SELECT window_start, window_end, item, COUNT(*) AS cnt
           FROM TABLE(SESSION(TABLE s PARTITION BY item, DESCRIPTOR(ts), INTERVAL '1' SECOND))
           GROUP BY window_start, window_end, item))
       WHERE rn = 1`,
    );
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    // Sessions per item: rows less than the gap (1 s) apart share one; a session ends 1 s after its last row.
    const sessions: { item: number; start: number; end: number; cnt: number }[] = [];
    for (let item = 0; item < 4; item++) {
      let cur: { item: number; start: number; end: number; cnt: number } | undefined;
      for (const r of rows.filter((x) => x.item === item)) {
        if (cur && r.ts < cur.end) {
          cur.end = r.ts + SECOND;
          cur.cnt++;
        } else {
          cur = { item, start: r.ts, end: r.ts + SECOND, cnt: 1 };
          sessions.push(cur);
        }
      }
    }
    const expected = [...groupBy(sessions, (x) => [x.start, x.end]).values()].map((g) => {
      const best = [...g].sort((a, b) => b.cnt - a.cnt || a.item - b.item)[0]!;
      return [best.start, best.end, best.item, best.cnt];
    });
    // Some session windows are shared by several items.
    expect(expected.length).toBeLessThan(sessions.length);
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
  });

  it('refuses a window Top-N over TIMESTAMP_LTZ windows in another zone without window_time, with a positioned error', async () => {
    const eddy = new Eddy();
    await executeAll(
      eddy,
      `SET 'table.local-time-zone' = 'Europe/Berlin';
       CREATE TABLE ltz (item INT, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10');`,
    );
    const err = await failureOf(
      eddy,
      `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY cnt DESC) AS rn FROM (
         SELECT window_start, window_end, item, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE ltz, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, item)) WHERE rn <= 3`,
    );
    expect(err.code).toBe('EDDY-L002');
    expect(err.message).toMatch(/needs the window_time column/);
    expect(err.diagnostics[0]!.span).toMatchObject({ line: 1 });
  });

  describe('ORDER BY .. LIMIT n on a stream (a Top-N without partition keys)', () => {
    const byPriceDesc = (a: Bid, b: Bid) => b.price - a.price || a.id - b.id;

    it('the 5 latest bids (ORDER BY ts DESC): updating while it runs, its final state equals the batch ORDER BY .. LIMIT', async () => {
      const { changes } = await run('SELECT id, price, ts FROM bids ORDER BY ts DESC LIMIT 5');
      // The file is read in several chunks: later chunks push earlier bids out.
      expect(changes.some((c) => c.kind === 3)).toBe(true);
      expect(materialize(changes)).toEqual(sortedRows([...bids].sort((a, b) => b.ts - a.ts).slice(0, 5).map((b) => [b.id, b.price, b.ts])));
    });

    it('the 5 highest bids, ties by id', async () => {
      const { changes } = await run('SELECT id, price FROM bids ORDER BY price DESC, id LIMIT 5');
      expect(materialize(changes)).toEqual(sortedRows([...bids].sort(byPriceDesc).slice(0, 5).map((b) => [b.id, b.price])));
    });

    it('with OFFSET: ranks 3..5', async () => {
      const { changes } = await run('SELECT id, price FROM bids ORDER BY price DESC, id LIMIT 3 OFFSET 2');
      expect(materialize(changes)).toEqual(sortedRows([...bids].sort(byPriceDesc).slice(2, 5).map((b) => [b.id, b.price])));
    });

    it('over an updating input: the 3 items with the most bids (GROUP BY .. ORDER BY COUNT(*) DESC LIMIT 3)', async () => {
      const { changes } = await run('SELECT item, COUNT(*) AS n FROM bids GROUP BY item ORDER BY n DESC, item LIMIT 3');
      const counts = [...groupBy(bids, (b) => [b.item]).values()].map((g) => [g[0]!.item, g.length] as [number, number]);
      counts.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      expect(materialize(changes)).toEqual(sortedRows(counts.slice(0, 3)));
    });

    it('EXPLAIN shows a Rank without partition keys and without the rank column; ORDER BY the rowtime stays a TemporalSort', async () => {
      expect(await explain('SELECT id, price FROM bids ORDER BY price DESC, id LIMIT 3 OFFSET 2')).toMatch(
        /Rank\(rankType=\[ROW_NUMBER\], rankRange=\[rankStart=3, rankEnd=5\], partitionBy=\[\], orderBy=\[price DESC, id ASC\], outputRankNumber=\[false\]\), state=\[partitions, watermark\], changelog=\[I,UB,UA,D\]/,
      );
      const temporal = await explain('SELECT id, ts FROM bids ORDER BY ts LIMIT 3');
      expect(temporal).toMatch(/TemporalSort\(orderBy=\[ts ASC\]\)/);
      expect(temporal).not.toMatch(/Rank\(/);
    });

    it('ORDER BY a non-time column without LIMIT is still refused, with a positioned error that names LIMIT', async () => {
      const err = await failureOf(await engine(), 'SELECT id, price FROM bids ORDER BY price DESC');
      expect(err.code).toBe('EDDY-L002');
      expect(err.diagnostics[0]!.span).toMatchObject({ line: 1, column: 37 });
      expect(err.diagnostics[0]!.hint).toMatch(/LIMIT n/);
    });
  });

  describe('Top-N without the rank column', () => {
    const TOP = (select: string) => `SELECT ${select} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC, id) AS rn FROM bids) WHERE rn <= 3`;

    it('emits fewer changes than with the rank column (no re-ranking of the rows below), same final rows, equal to the batch result', async () => {
      const withRank = await run(TOP('id, item, price, rn'));
      const without = await run(TOP('id, item, price'));
      // Without the rank, a row entering the top only deletes the row it pushes out: inserts and deletes, no updates.
      expect(without.changes.every((c) => c.kind === 0 || c.kind === 3)).toBe(true);
      expect(without.changes.length).toBeLessThan(withRank.changes.length);
      const expected: unknown[][] = [];
      for (const g of groupBy(bids, (b) => [b.item]).values()) for (const b of [...g].sort((x, y) => y.price - x.price || x.id - y.id).slice(0, 3)) expected.push([b.id, b.item, b.price]);
      expect(materialize(without.changes)).toEqual(sortedRows(expected));
      expect(materialize(withRank.changes).map((r) => JSON.stringify(JSON.parse(r).slice(0, 3))).sort()).toEqual(sortedRows(expected));
      // Each insert beyond the first three per item pushes out exactly one row: deletes = inserts - final rows.
      const inserts = without.changes.filter((c) => c.kind === 0).length;
      expect(without.changes.length - inserts).toBe(inserts - expected.length);
    });

    it('over an updating input (a GROUP BY): the 2 items with the most bids, final state equal to the batch result', async () => {
      const sql = (select: string) => `SELECT ${select} FROM (SELECT item, n, ROW_NUMBER() OVER (ORDER BY n DESC, item) AS rn FROM (SELECT item, COUNT(*) AS n FROM bids GROUP BY item)) WHERE rn <= 2`;
      const without = await run(sql('item, n'));
      const withRank = await run(sql('item, n, rn'));
      // Counts only grow here: without the rank, a count update is -D/+I where it was -U/+U; never more changes.
      expect(without.changes.length).toBeLessThanOrEqual(withRank.changes.length);
      const counts = [...groupBy(bids, (b) => [b.item]).values()].map((g) => ({ item: g[0]!.item, n: g.length })).sort((a, b) => b.n - a.n || a.item - b.item);
      expect(materialize(without.changes)).toEqual(sortedRows(counts.slice(0, 2).map((c) => [c.item, c.n])));
    });

    it('EXPLAIN: the Rank says outputRankNumber=[false] and the filter on the rank is gone', async () => {
      const text = await explain(TOP('id, item, price'));
      expect(text).toMatch(/Rank\(rankType=\[ROW_NUMBER\], rankRange=\[rankStart=1, rankEnd=3\], partitionBy=\[item\], orderBy=\[price DESC, id ASC\], outputRankNumber=\[false\]\)/);
      expect(text.slice(text.indexOf('== Optimized Physical Plan =='))).not.toMatch(/where=/);
    });
  });
});
