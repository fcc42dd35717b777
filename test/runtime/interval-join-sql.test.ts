/**
 * Interval joins planned from SQL and run as jobs: the planner finds the time bounds of the BETWEEN and the
 * `<`/`<=`/`>`/`>=` forms (EXPLAIN shows an IntervalJoin with its bounds and state tables), the result
 * equals a nested-loop computation over the input files written here, and the output keeps its time
 * attributes, so a TUMBLE window can follow the join.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainPhysical } from '../../src/planner/explain.js';
import { tempDir } from '../e2e/helpers.js';
import { TestPlanner } from '../planner/helpers.js';
import { mulberry32 } from './operators/stream-gen.js';
import { runInsertOnly } from './run-query.js';

const HOUR = 3_600_000;
const base = Date.UTC(2024, 0, 1);
const rng = mulberry32(42);

interface Start {
  id: number;
  zone: string;
  ts: number;
}
interface End {
  id: number;
  ts: number;
}

// Ride starts and ends; most rides end within an hour of their start, some later, some never, some end
// rows have no start. Each file is in arrival order: a row arrives up to 4 s after its time.
const starts: Start[] = [];
const ends: End[] = [];
for (let id = 0; id < 300; id++) {
  const ts = base + Math.floor(rng() * 6 * HOUR);
  starts.push({ id, zone: ['JFK', 'LGA', 'EWR'][id % 3]!, ts });
  const u = rng();
  if (u < 0.8) ends.push({ id, ts: ts + Math.floor(rng() * HOUR) });
  else if (u < 0.9) ends.push({ id, ts: ts + HOUR + 1 + Math.floor(rng() * HOUR) });
}
for (let id = 1000; id < 1020; id++) ends.push({ id, ts: base + Math.floor(rng() * 6 * HOUR) });
function arrivalOrder<T extends { ts: number }>(rows: T[]): T[] {
  return rows.map((r) => ({ r, at: r.ts + Math.floor(rng() * 4_000) })).sort((a, b) => a.at - b.at).map((a) => a.r);
}
const dir = tempDir();
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
writeFileSync(join(dir, 'starts.json'), arrivalOrder(starts).map((s) => JSON.stringify({ id: s.id, zone: s.zone, ts: iso(s.ts) })).join('\n') + '\n');
writeFileSync(join(dir, 'ends.json'), arrivalOrder(ends).map((e) => JSON.stringify({ id: e.id, ts: iso(e.ts) })).join('\n') + '\n');

const tp = new TestPlanner([
  `CREATE TABLE starts (id INT, zone STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'starts.json')}', 'format' = 'json')`,
  `CREATE TABLE ends (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'ends.json')}', 'format' = 'json')`,
  `CREATE VIEW trips AS SELECT s.id, s.zone, s.ts AS start_ts, e.ts AS end_ts FROM starts s JOIN ends e
   ON s.id = e.id AND e.ts BETWEEN s.ts AND s.ts + INTERVAL '1' HOUR`,
]);

const run = (sql: string) => runInsertOnly(tp, sql, 'interval-join-sql');

const asText = (rows: readonly unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

/** Nested loops: each start with each end of the same id within [start, start + 1 hour] (ms bounds relative to the start). */
function tripsExpected(lowMs: number, highMs: number, lowStrict = false, highStrict = false): [number, string, number, number][] {
  const out: [number, string, number, number][] = [];
  for (const s of starts) {
    for (const e of ends) {
      if (s.id !== e.id) continue;
      const d = e.ts - s.ts;
      if ((lowStrict ? d > lowMs : d >= lowMs) && (highStrict ? d < highMs : d <= highMs)) out.push([s.id, s.zone, s.ts, e.ts]);
    }
  }
  return out;
}

describe('interval joins from SQL', () => {
  it('BETWEEN: planned as an IntervalJoin (EXPLAIN shows bounds and state), result equals nested loops', async () => {
    const sql = 'SELECT * FROM trips';
    const explain = explainPhysical(tp.plan(sql).pipeline.root);
    expect(explain).toMatch(/IntervalJoin\(joinType=\[InnerJoin\], leftKeys=\[id\], rightKeys=\[id\], where=\[.*\], bounds=\[-3600000 ms <= ts - ts0 <= 0 ms\], cleanup=\[left row when watermark >= ts \+ 3600000 ms, right row when watermark >= ts0 \+ 0 ms\]\), state=\[left, right, inputs, timers, watermark\]/);
    expect(explain).not.toMatch(/\bJoin\(/);
    const expected = tripsExpected(0, HOUR);
    expect(expected.length).toBeGreaterThan(200);
    expect(asText(await run(sql))).toEqual(asText(expected));
  });

  it('the < and <= forms, either side first, give the same bounds (strict bounds 1 ms tighter)', async () => {
    const sql = `SELECT s.id, s.zone, s.ts, e.ts FROM starts s JOIN ends e ON s.id = e.id AND s.ts < e.ts AND s.ts + INTERVAL '1' HOUR > e.ts`;
    expect(explainPhysical(tp.plan(sql).pipeline.root)).toMatch(/bounds=\[-3599999 ms <= ts - ts0 <= -1 ms\]/);
    expect(asText(await run(sql))).toEqual(asText(tripsExpected(0, HOUR, true, true)));
  });

  for (const [type, keepStart, keepEnd] of [
    ['LEFT', true, false],
    ['RIGHT', false, true],
    ['FULL', true, true],
  ] as const) {
    it(`${type} OUTER: unmatched rows come null-padded, once; the result equals nested loops`, async () => {
      const sql = `SELECT s.id, s.ts, e.id, e.ts FROM starts s ${type} JOIN ends e ON s.id = e.id AND e.ts BETWEEN s.ts AND s.ts + INTERVAL '1' HOUR`;
      const expected: unknown[][] = tripsExpected(0, HOUR).map(([id, , s, e]) => [id, s, id, e]);
      const matched = (pred: (s: Start, e: End) => boolean) => pred;
      const pairs = matched((s, e) => s.id === e.id && e.ts - s.ts >= 0 && e.ts - s.ts <= HOUR);
      if (keepStart) for (const s of starts) if (!ends.some((e) => pairs(s, e))) expected.push([s.id, s.ts, null, null]);
      if (keepEnd) for (const e of ends) if (!starts.some((s) => pairs(s, e))) expected.push([null, null, e.id, e.ts]);
      expect(asText(await run(sql))).toEqual(asText(expected));
    });
  }

  it('a TUMBLE window over the join output (its end time stays a time attribute) counts trips per zone and 30 minutes', async () => {
    const sql = `SELECT window_start, zone, COUNT(*) AS trips, MAX(end_ts) AS last_end FROM TABLE(TUMBLE(TABLE trips, DESCRIPTOR(end_ts), INTERVAL '30' MINUTE)) GROUP BY window_start, window_end, zone`;
    const expected = new Map<string, [number, number]>();
    for (const [, zone, , e] of tripsExpected(0, HOUR)) {
      const start = e - (e % (HOUR / 2));
      const k = JSON.stringify([start, zone]);
      const [n, last] = expected.get(k) ?? [0, -Infinity];
      expected.set(k, [n + 1, Math.max(last, e)]);
    }
    const got = await run(sql);
    expect(got.length).toBeGreaterThan(20);
    expect(asText(got)).toEqual(asText([...expected].map(([k, v]) => [...(JSON.parse(k) as unknown[]), ...v])));
  });
});
