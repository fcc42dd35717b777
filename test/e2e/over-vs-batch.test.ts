/**
 * OVER aggregations through the engine: over a bounded input read from a real JSON file whose rows arrive
 * shuffled within the watermark's allowance (and with many ties on the time), each frame's output equals a
 * batch computation written here with plain loops; the output is insert-only, keeps its rowtime (a TUMBLE
 * can follow), and nothing is late.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, prng, runQuery, sortedRows, tempDir, writeJsonLines } from './helpers.js';

interface Ev {
  id: number;
  k: number;
  v: number | null;
  ts: number;
}

const BASE = Date.UTC(2024, 0, 1);
const SECOND = 1000;

/**
 * Events in arrival order: times on whole seconds (so several rows of a key share one), each arriving up to
 * 4 s after its time — less than the 5 s watermark delay, so none is late.
 */
function generate(seed: number, n: number): Ev[] {
  const rand = prng(seed);
  const events: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const ts = BASE + Math.floor(i / 4) * SECOND;
    events.push({ id: i, k: Math.floor(rand() * 5), v: rand() < 0.1 ? null : Math.floor(rand() * 100) - 30, ts });
  }
  return events
    .map((e) => ({ e, at: e.ts + Math.floor(rand() * 4 * SECOND) }))
    .sort((a, b) => a.at - b.at)
    .map(({ e }) => e);
}

/** The frame of each event (per key, in time order, ties in arrival order), as the frame clause defines it. */
function frames(events: readonly Ev[], frame: { units: 'ROWS' | 'RANGE'; preceding?: number }): [Ev, Ev[]][] {
  const byKey = new Map<number, Ev[]>();
  for (const e of events) byKey.set(e.k, [...(byKey.get(e.k) ?? []), e]);
  const out: [Ev, Ev[]][] = [];
  for (const rows of byKey.values()) {
    // Array.prototype.sort is stable: ties keep their arrival order.
    const sorted = [...rows].sort((a, b) => a.ts - b.ts);
    sorted.forEach((e, i) => {
      const p = frame.preceding;
      const inFrame =
        frame.units === 'ROWS' ? sorted.slice(p === undefined ? 0 : Math.max(0, i - p), i + 1) : sorted.filter((o) => o.ts <= e.ts && (p === undefined || o.ts >= e.ts - p));
      out.push([e, inFrame]);
    });
  }
  return out;
}

/** SUM(v), COUNT(*), COUNT(v), MIN(v), MAX(v) of a frame (SQL NULL semantics). */
function aggregates(rows: readonly Ev[]): unknown[] {
  const vs = rows.map((r) => r.v).filter((v): v is number => v !== null);
  return [vs.length ? vs.reduce((a, b) => a + b, 0) : null, rows.length, vs.length, vs.length ? Math.min(...vs) : null, vs.length ? Math.max(...vs) : null];
}

describe('OVER aggregations vs batch', () => {
  let events: Ev[];
  let ddl: string;

  beforeAll(() => {
    events = generate(17, 6000);
    const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    const path = writeJsonLines(tempDir(), 'events.json', events.map((e) => ({ id: e.id, k: e.k, v: e.v, ts: iso(e.ts) })));
    ddl = `CREATE TABLE events (id INT, k INT, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
           WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');`;
  });

  /** Runs a SELECT to its end: its changes, summary, and the entries its state tables hold at the end. */
  async function run(sql: string) {
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    const result = await eddy.execute(sql);
    if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
    const batches = await result.query.collect();
    const changes = batches.flatMap((b) => b.rows.map((row, i) => ({ kind: b.kinds[i]!, row })));
    return { changes, summary: result.query.summary(), stateEntries: result.query.progress().stateEntries };
  }

  const AGGS = 'SUM(v) OVER w, COUNT(*) OVER w, COUNT(v) OVER w, MIN(v) OVER w, MAX(v) OVER w';
  const CASES: [string, string, { units: 'ROWS' | 'RANGE'; preceding?: number }][] = [
    ['ROWS BETWEEN 3 PRECEDING AND CURRENT ROW', 'ROWS BETWEEN 3 PRECEDING AND CURRENT ROW', { units: 'ROWS', preceding: 3 }],
    ["RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW", "RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW", { units: 'RANGE', preceding: 10 * SECOND }],
    ['ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW', 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW', { units: 'ROWS' }],
    ['RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW', 'RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW', { units: 'RANGE' }],
    ['no frame (Flink default: RANGE UNBOUNDED PRECEDING)', '', { units: 'RANGE' }],
    ['RANGE BETWEEN CURRENT ROW AND CURRENT ROW (the peers of a time)', 'RANGE BETWEEN CURRENT ROW AND CURRENT ROW', { units: 'RANGE', preceding: 0 }],
  ];
  for (const [name, clause, frame] of CASES) {
    it(`${name}: insert-only, equals the batch computation, ties on the time included`, async () => {
      const { changes, summary, stateEntries } = await run(`SELECT id, k, v, ${AGGS} FROM events WINDOW w AS (PARTITION BY k ORDER BY ts ${clause})`);
      expect(changes.every((c) => c.kind === 0)).toBe(true);
      expect(summary.lateRowsDropped).toBe(0);
      const expected = frames(events, frame).map(([e, inFrame]) => [e.id, e.k, e.v, ...aggregates(inFrame)]);
      expect(changes).toHaveLength(events.length);
      expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
      // Every waiting row, frame and timer has left once the input ended.
      expect(stateEntries).toBe(0);
    });
  }

  it('COUNT(DISTINCT ..) and FILTER (WHERE ..) in a RANGE frame (values leave the frame by retraction)', async () => {
    const { changes } = await run(
      "SELECT id, COUNT(DISTINCT v) OVER w, SUM(v) FILTER (WHERE v > 0) OVER w FROM events WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW)",
    );
    const expected = frames(events, { units: 'RANGE', preceding: 5 * SECOND }).map(([e, f]) => {
      const distinct = new Set(f.map((r) => r.v).filter((v) => v !== null)).size;
      const positive = f.map((r) => r.v).filter((v): v is number => v !== null && v > 0);
      return [e.id, distinct, positive.length ? positive.reduce((a, b) => a + b, 0) : null];
    });
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
  });

  it('ORDER BY a PROCTIME() column, ROWS frame: rows aggregated as they arrive, frames in file order', async () => {
    const eddy = new Eddy();
    await executeAll(eddy, ddl.replace('ts TIMESTAMP(3),', 'ts TIMESTAMP(3), p AS PROCTIME(),'));
    const result = await eddy.execute('SELECT id, SUM(v) OVER w, COUNT(*) OVER w FROM events WINDOW w AS (PARTITION BY k ORDER BY p ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)');
    if (result.kind !== 'query') throw new Error(result.kind);
    const changes = (await result.query.collect()).flatMap((b) => b.rows);
    // Arrival order is the file's order: number the rows by it and take frames over that order.
    const expected = frames(events.map((e, i) => ({ ...e, ts: i })), { units: 'ROWS', preceding: 3 }).map(([e, f]) => [e.id, aggregates(f)[0], f.length]);
    expect(sortedRows(changes)).toEqual(sortedRows(expected));
  });

  it('without PARTITION BY: one frame over all rows; inline OVER (...) clauses that are the same window', async () => {
    const sql = "SELECT id, SUM(v) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW) AS s, COUNT(*) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW) AS n FROM events";
    const { changes } = await run(sql);
    const expected = frames(events.map((e) => ({ ...e, k: 0 })), { units: 'RANGE', preceding: 2 * SECOND }).map(([e, f]) => {
      const [sum, count] = aggregates(f);
      return [e.id, sum, count];
    });
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows(expected));
  });

  it('the output keeps its rowtime: a TUMBLE window over the OVER aggregation counts rows whose 3-row sum is positive', async () => {
    const eddy = new Eddy();
    await executeAll(eddy, ddl + 'CREATE VIEW sums AS SELECT id, ts, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM events;');
    const { changes } = await runQuery(eddy, 'SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE sums, DESCRIPTOR(ts), INTERVAL \'1\' MINUTE)) WHERE s > 0 GROUP BY window_start, window_end');
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    const counts = new Map<number, number>();
    for (const [e, f] of frames(events, { units: 'ROWS', preceding: 2 })) {
      const s = aggregates(f)[0] as number | null;
      if (s === null || s <= 0) continue;
      const start = e.ts - (e.ts % 60_000);
      counts.set(start, (counts.get(start) ?? 0) + 1);
    }
    expect(counts.size).toBeGreaterThan(10);
    expect(sortedRows(changes.map((c) => c.row))).toEqual(sortedRows([...counts]));
  });
});
