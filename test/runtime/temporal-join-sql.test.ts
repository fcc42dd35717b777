/**
 * Event-time temporal joins planned from SQL and run as jobs over real files: orders joined with the
 * currency rate valid at each order's time, against an insert-only versioned table (PRIMARY KEY and
 * WATERMARK) and against a versioned view made by deduplication; INNER and LEFT; the result equals a plain
 * computation over the rows written here, whatever order the rows arrive in (within the watermark); EXPLAIN
 * shows the TemporalJoin with its state and cleanup rule; the shapes Flink refuses are refused, positioned.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainPhysical } from '../../src/planner/explain.js';
import { tempDir } from '../e2e/helpers.js';
import { expectError, TestPlanner } from '../planner/helpers.js';
import { mulberry32 } from './operators/stream-gen.js';
import { runInsertOnly } from './run-query.js';

const MINUTE = 60_000;
const base = Date.UTC(2024, 0, 1);
const rng = mulberry32(16);
const CURRENCIES = ['EUR', 'GBP', 'JPY', 'CHF'];

interface Rate {
  currency: string;
  rate: number;
  ts: number;
}
interface Order {
  id: number;
  currency: string;
  amount: number;
  ts: number;
}

// Rates: versions of each currency at distinct minutes over 6 hours (no two of a currency at one time).
const rates: Rate[] = [];
for (const currency of CURRENCIES) {
  const minutes = new Set<number>();
  while (minutes.size < 40) minutes.add(Math.floor(rng() * 360));
  for (const m of minutes) rates.push({ currency, rate: Math.round(rng() * 1000) / 100, ts: base + m * MINUTE + Math.floor(rng() * 1000) });
}
// Orders over the same hours and a little before (no version yet), some in a currency without rates.
const orders: Order[] = [];
for (let id = 0; id < 400; id++) {
  const currency = rng() < 0.1 ? 'USD' : CURRENCIES[Math.floor(rng() * CURRENCIES.length)]!;
  orders.push({ id, currency, amount: 1 + Math.floor(rng() * 100), ts: base - 10 * MINUTE + Math.floor(rng() * 370 * MINUTE) });
}

/** Rows in arrival order: each arrives up to 4 s after its time (the watermarks allow 5 s). */
function arrivalOrder<T extends { ts: number }>(rows: T[]): T[] {
  return rows.map((r) => ({ r, at: r.ts + Math.floor(rng() * 4_000) })).sort((a, b) => a.at - b.at).map((a) => a.r);
}
const dir = tempDir();
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const lines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
writeFileSync(join(dir, 'orders.json'), lines(arrivalOrder(orders).map((o) => ({ ...o, ts: iso(o.ts) }))));
writeFileSync(join(dir, 'rates.json'), lines(arrivalOrder(rates).map((r) => ({ ...r, ts: iso(r.ts) }))));

const wm = "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND";
const tp = new TestPlanner([
  `CREATE TABLE orders (id INT, currency STRING, amount INT, ts TIMESTAMP(3), ${wm})
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'orders.json')}', 'format' = 'json')`,
  `CREATE TABLE rates (currency STRING, rate DOUBLE, ts TIMESTAMP(3), ${wm}, PRIMARY KEY (currency) NOT ENFORCED)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates.json')}', 'format' = 'json')`,
  `CREATE TABLE rates_log (currency STRING, rate DOUBLE, ts TIMESTAMP(3), ${wm})
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates.json')}', 'format' = 'json')`,
  `CREATE TABLE rates_nokey (currency STRING, rate DOUBLE, ts TIMESTAMP(3), ${wm})
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates.json')}', 'format' = 'json')`,
  `CREATE TABLE rates_notime (currency STRING, rate DOUBLE, ts TIMESTAMP(3), PRIMARY KEY (currency) NOT ENFORCED)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates.json')}', 'format' = 'json')`,
  // Flink's versioned view: the latest rate per currency (the rank column is not selected).
  `CREATE VIEW versioned_rates AS SELECT currency, rate, ts FROM (
     SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY ts DESC) AS rn FROM rates_log) WHERE rn = 1`,
  `CREATE VIEW converted AS SELECT o.id, o.currency, o.ts, o.amount * r.rate AS converted
   FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency`,
]);

const run = (sql: string) => runInsertOnly(tp, sql, 'temporal-join-sql');

const asText = (rows: readonly unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

/** For each order, the rate of its currency valid at its time: the latest at or before it. */
function expected(left: boolean): unknown[][] {
  const out: unknown[][] = [];
  for (const o of orders) {
    let valid: Rate | undefined;
    for (const r of rates) if (r.currency === o.currency && r.ts <= o.ts && (!valid || r.ts > valid.ts)) valid = r;
    if (valid) out.push([o.id, o.currency, o.ts, valid.rate, valid.ts, o.amount * valid.rate]);
    else if (left) out.push([o.id, o.currency, o.ts, null, null, null]);
  }
  return out;
}

const select = (join: string, table: string) =>
  `SELECT o.id, o.currency, o.ts, r.rate, r.ts AS rate_ts, o.amount * r.rate AS converted FROM orders AS o ${join} ${table} FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency`;

describe('event-time temporal joins from SQL', () => {
  it('INNER against a versioned table (PRIMARY KEY, WATERMARK): planned as a TemporalJoin (EXPLAIN shows state and cleanup), result equals the valid versions', async () => {
    const sql = select('JOIN', 'rates');
    const explain = explainPhysical(tp.plan(sql).pipeline.root);
    expect(explain).toMatch(
      /TemporalJoin\(joinType=\[InnerJoin\], leftKeys=\[currency\], rightKeys=\[currency\], asOf=\[ts\], versionTime=\[ts\], cleanup=\[left row when watermark >= ts \(joined then\), right version when a newer version of its key is at or before the watermark\]\), state=\[left, right, inputs, timers, watermark\], changelog=\[I\], rowtime=\[ts\]/,
    );
    const want = expected(false);
    expect(want.length).toBeGreaterThan(300);
    expect(asText(await run(sql))).toEqual(asText(want));
  });

  it('LEFT: orders without a valid version (too early, or no rates for the currency) come NULL-padded', async () => {
    const want = expected(true);
    expect(want.filter((r) => r[3] === null).length).toBeGreaterThan(30);
    expect(asText(await run(select('LEFT JOIN', 'rates')))).toEqual(asText(want));
  });

  it('against a versioned view made by deduplication (keep the latest row per key): its key and version time are inferred; each deduplicated row is a version', async () => {
    const explain = explainPhysical(tp.plan(select('JOIN', 'versioned_rates')).pipeline.root);
    expect(explain).toMatch(/TemporalJoin\(joinType=\[InnerJoin\].*versionTime=\[ts\]/);
    // The join reads the rows the view deduplicates (each a version), not the deduplication's updates.
    expect(explain).toMatch(/TemporalJoin[^\n]*\n(.*\n)*.*Exchange\(distribution=\[hash\[currency\]\]\)[^\n]*\n.*TableSourceScan\(table=\[rates_log\]/);
    expect(explain).not.toMatch(/Rank\(/);
    expect(asText(await run(select('JOIN', 'versioned_rates')))).toEqual(asText(expected(false)));
    expect(asText(await run(select('LEFT JOIN', 'versioned_rates')))).toEqual(asText(expected(true)));
    // A versioned view that selects its rank column too (it is 1 in every version).
    tp.ddl(`CREATE VIEW ranked_rates AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY ts DESC) AS rn FROM rates_log) WHERE rn = 1`);
    const ranked = 'SELECT o.id, r.rate, r.rn FROM orders AS o JOIN ranked_rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency';
    expect(explainPhysical(tp.plan(ranked).pipeline.root)).not.toMatch(/Rank\(/);
    expect(asText(await run(ranked))).toEqual(asText(expected(false).map((r) => [r[0], r[3], 1])));
  });

  it('columns neither the query nor the join reads are dropped before the join (the time columns stay), for a table and a versioned view', async () => {
    for (const table of ['rates', 'versioned_rates']) {
      const sql = `SELECT o.id, r.rate FROM orders AS o LEFT JOIN ${table} FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency`;
      const explain = explainPhysical(tp.plan(sql).pipeline.root);
      expect(explain, table).toMatch(/TableSourceScan\(table=\[orders\], connector=\[filesystem\], fields=\[id, currency, ts\]/);
      expect(explain, table).toMatch(/TemporalJoin\(joinType=\[LeftOuterJoin\], leftKeys=\[currency\], rightKeys=\[currency\], asOf=\[ts\], versionTime=\[ts\]/);
      expect(explain, table).not.toMatch(/Rank\(/);
      expect(asText(await run(sql)), table).toEqual(asText(expected(true).map((r) => [r[0], r[3]])));
    }
  });

  it('a window over the join output: the left time stays a time attribute', async () => {
    const sql = `SELECT window_start, SUM(converted) AS total, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE converted, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end`;
    const sums = new Map<number, [number, number]>();
    for (const [, , ts, , , converted] of expected(false)) {
      const start = (ts as number) - ((ts as number) % (60 * MINUTE));
      const [s, n] = sums.get(start) ?? [0, 0];
      sums.set(start, [s + (converted as number), n + 1]);
    }
    const got = await run(sql);
    const round = (rows: unknown[][]) => rows.map(([w, s, n]) => [w, Math.round((s as number) * 1000) / 1000, n]);
    expect(asText(round(got))).toEqual(asText(round([...sums].map(([w, [s, n]]) => [w, s, n]))));
  });

  it('refuses, positioned, what Flink refuses: RIGHT/FULL joins, no primary key, no event time, an AS OF that is not a left time attribute, AS OF outside a join', () => {
    const cases: [string, string, RegExp, string?][] = [
      [select('RIGHT JOIN', 'rates'), 'RIGHT JOIN rates', /must be an INNER or LEFT join/],
      [select('FULL JOIN', 'rates'), 'FULL JOIN rates', /must be an INNER or LEFT join/],
      [select('JOIN', 'rates_nokey'), 'JOIN rates_nokey', /needs a primary key/],
      [select('JOIN', 'rates_notime'), 'rates_notime FOR SYSTEM_TIME AS OF o.ts AS r', /needs an event-time attribute/],
      ['SELECT * FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.amount AS r ON o.currency = r.currency', 'o.amount', /takes a time attribute of the left side/, 'EDDY-B007'],
      ['SELECT * FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON CAST(o.amount AS DOUBLE) = r.rate', 'JOIN rates', /primary key \[currency\].*must be compared by equality/],
      ['SELECT * FROM rates FOR SYSTEM_TIME AS OF TIMESTAMP \'2024-01-01 00:00:00\'', "TIMESTAMP '2024-01-01 00:00:00'", /allowed only on the table on the right side of a JOIN/],
    ];
    for (const [sql, at, message, code] of cases) {
      const err = expectError(() => tp.plan(sql), code ?? 'EDDY-L002');
      expect(err.message, sql).toMatch(message);
      expect(err.span, sql).toBeDefined();
      expect(sql.slice(err.span!.start, err.span!.end), sql).toContain(at);
    }
  });
});
