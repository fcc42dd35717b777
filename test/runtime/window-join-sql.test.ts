/**
 * Window joins planned from SQL and run as jobs: two inputs windowed by the same TVF (directly, or through
 * window aggregates whose window columns are renamed, as Nexmark q8 does) and joined on their window_start
 * and window_end plan as a WindowJoin (EXPLAIN shows it, its windows, state tables and cleanup rule); the
 * result equals a batch computation written here over the same rows (INNER, LEFT, RIGHT, FULL; TUMBLE, HOP,
 * CUMULATE); the output keeps window_time as a time attribute, so a window can follow; and joins that are
 * not of that exact shape stay regular joins, as in Flink.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainPhysical } from '../../src/planner/explain.js';
import type { LogicalPlan } from '../../src/planner/logical-plan.js';
import { physicalInputs, type PhysicalPipeline, type PhysicalPlan } from '../../src/planner/physical-plan.js';
import { windowJoinRule } from '../../src/planner/window-join-rule.js';
import type { Row } from '../../src/runtime/changelog.js';
import { tempDir } from '../e2e/helpers.js';
import { runInsertOnly } from './run-insert-only.js';
import { TestPlanner } from '../planner/helpers.js';
import { mulberry32 } from './operators/stream-gen.js';

const SEC = 1_000;
const base = Date.UTC(2024, 0, 1);
const rng = mulberry32(7);

interface Person {
  id: number;
  name: string;
  ts: number;
}
interface Auction {
  seller: number;
  price: number;
  ts: number;
}

// People and auctions over 5 minutes; sellers are mostly people, some are not. Each file is in arrival
// order: a row arrives up to 3 s after its time (the watermark allows 5 s).
const people: Person[] = [];
const auctions: Auction[] = [];
for (let i = 0; i < 160; i++) people.push({ id: Math.floor(rng() * 40), name: `p${i % 7}`, ts: base + Math.floor(rng() * 300 * SEC) });
for (let i = 0; i < 220; i++) auctions.push({ seller: Math.floor(rng() * 50), price: Math.floor(rng() * 100), ts: base + Math.floor(rng() * 300 * SEC) });
function arrivalOrder<T extends { ts: number }>(rows: T[]): T[] {
  return rows.map((r) => ({ r, at: r.ts + Math.floor(rng() * 3 * SEC) })).sort((a, b) => a.at - b.at).map((a) => a.r);
}
const dir = tempDir();
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
writeFileSync(join(dir, 'person.json'), arrivalOrder(people).map((p) => JSON.stringify({ id: p.id, name: p.name, ts: iso(p.ts) })).join('\n') + '\n');
// Bids on 30 auctions over 2 minutes, for Nexmark q5.
const bids: { auction: number; ts: number }[] = [];
for (let i = 0; i < 400; i++) bids.push({ auction: Math.floor(rng() * 30), ts: base + Math.floor(rng() * 120 * SEC) });
writeFileSync(join(dir, 'bid.json'), arrivalOrder(bids).map((b) => JSON.stringify({ auction: b.auction, dateTime: iso(b.ts) })).join('\n') + '\n');
writeFileSync(join(dir, 'auction.json'), arrivalOrder(auctions).map((a) => JSON.stringify({ seller: a.seller, price: a.price, ts: iso(a.ts) })).join('\n') + '\n');

const tp = new TestPlanner([
  `CREATE TABLE person (id INT, name STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'person.json')}', 'format' = 'json')`,
  `CREATE TABLE bid (auction BIGINT, \`dateTime\` TIMESTAMP(3), WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '5' SECOND)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'bid.json')}', 'format' = 'json')`,
  `CREATE TABLE auction (seller INT, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'auction.json')}', 'format' = 'json')`,
]);

function run(sql: string): Promise<Row[]> {
  return runInsertOnly(tp.plan(sql).pipeline, 'window-join-sql');
}

function runPipeline(pipeline: PhysicalPipeline): Promise<Row[]> {
  return runInsertOnly(pipeline, 'window-join-sql');
}

/** The first node of kind `kind` in a plan (pre-order). */
function findNode(p: PhysicalPlan, kind: string): PhysicalPlan | undefined {
  if (p.kind === kind) return p;
  for (const i of physicalInputs(p)) {
    const found = findNode(i, kind);
    if (found) return found;
  }
  return undefined;
}

const asText = (rows: readonly unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

type Win = [number, number];
/** The windows of a row at `ts`, computed here: TUMBLE(size), HOP(slide, size), CUMULATE(step, max). */
const tumble = (size: number) => (ts: number): Win[] => [[ts - (ts % size), ts - (ts % size) + size]];
const hop = (slide: number, size: number) => (ts: number): Win[] => {
  const out: Win[] = [];
  for (let s = ts - (ts % slide); s > ts - size; s -= slide) out.push([s, s + size]);
  return out;
};
const cumulate = (step: number, max: number) => (ts: number): Win[] => {
  const s = ts - (ts % max);
  const out: Win[] = [];
  for (let e = s + step; e <= s + max; e += step) if (e > ts) out.push([s, e]);
  return out;
};

/** A batch join of windowed rows: rows pair when their windows and keys are equal; outer sides null-padded. */
function batchJoin<L, R>(type: string, left: [L, Win][], right: [R, Win][], on: (l: L, r: R) => boolean, emit: (l: L | null, r: R | null, w: Win | null, rw: Win | null) => unknown[]): unknown[][] {
  const out: unknown[][] = [];
  const rightMatched = new Set<number>();
  for (const [l, lw] of left) {
    let any = false;
    right.forEach(([r, rw], j) => {
      if (lw[0] !== rw[0] || lw[1] !== rw[1] || !on(l, r)) return;
      out.push(emit(l, r, lw, rw));
      any = true;
      rightMatched.add(j);
    });
    if (!any && (type === 'LEFT' || type === 'FULL')) out.push(emit(l, null, lw, null));
  }
  if (type === 'RIGHT' || type === 'FULL') right.forEach(([r, rw], j) => rightMatched.has(j) || out.push(emit(null, r, null, rw)));
  return out;
}

const tvf = (table: string, window: string) => `TABLE(${window.replace('$T', `TABLE ${table}`)})`;

describe('window joins from SQL', () => {
  it('Nexmark q8 shape (two TUMBLE window aggregates, window columns renamed): a WindowJoin, result equals a batch join', async () => {
    const sql = `SELECT P.id, P.name, P.starttime
      FROM (SELECT id, name, window_start AS starttime, window_end AS endtime
            FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY id, name, window_start, window_end) P
      JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
            FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY seller, window_start, window_end) A
      ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`;
    const explain = explainPhysical(tp.plan(sql).pipeline.root);
    expect(explain).toContain(
      "WindowJoin(joinType=[InnerJoin], where=[(id = seller)], leftWindow=[TUMBLE(size=[10 s]): starttime, endtime], rightWindow=[TUMBLE(size=[10 s]): starttime, endtime], cleanup=[a window's rows of both sides when watermark >= its window_end - 1 ms]), state=[left, right, inputs, timers, watermark], changelog=[I]",
    );
    expect(explain).not.toMatch(/\bJoin\(/);
    // Batch: distinct (id, name) per window joined with distinct sellers per window.
    const w = tumble(10 * SEC);
    const p = new Set(people.map((x) => JSON.stringify([x.id, x.name, w(x.ts)[0]![0]])));
    const a = new Set(auctions.map((x) => JSON.stringify([x.seller, w(x.ts)[0]![0]])));
    const expected: unknown[][] = [];
    for (const pk of p) {
      const [id, name, start] = JSON.parse(pk) as [number, string, number];
      if (a.has(JSON.stringify([id, start]))) expected.push([id, name, start]);
    }
    expect(expected.length).toBeGreaterThan(10);
    expect(asText(await run(sql))).toEqual(asText(expected));
  });

  it('Nexmark q5 (HOP window aggregates; the maximum per window is a window aggregate over a window aggregate): a WindowJoin with a residual, result equals a batch computation', async () => {
    const sql = `SELECT AuctionBids.auction, AuctionBids.num
       FROM (
         SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
         FROM TABLE(HOP(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
         GROUP BY auction, window_start, window_end
       ) AS AuctionBids
       JOIN (
         SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
         FROM (
           SELECT count(*) AS num, window_start AS starttime, window_end AS endtime
           FROM TABLE(HOP(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
           GROUP BY auction, window_start, window_end
         ) AS CountBids
         GROUP BY CountBids.starttime, CountBids.endtime
       ) AS MaxBids
       ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime AND AuctionBids.num >= MaxBids.maxn`;
    const explain = explainPhysical(tp.plan(sql).pipeline.root);
    expect(explain).toContain('WindowJoin(joinType=[InnerJoin], where=[(num >= maxn)], leftWindow=[HOP(slide=[2 s], size=[10 s]): starttime, endtime], rightWindow=[HOP(slide=[2 s], size=[10 s]): starttime, endtime]');
    // The maximum per window: a window aggregate over the counts' windows, not a non-windowed (updating) one.
    expect(explain).toMatch(/WindowAggregate\(window=\[HOP\(slide=\[2 s\], size=\[10 s\]\)\], windowEnd=\[endtime\], group=\[\], aggs=\[MAX\(num\)\]\)/);
    expect(explain).not.toMatch(/\bJoin\(|GroupAggregate/);
    const counts = new Map<number, Map<number, number>>();
    for (const b of bids) {
      for (const [start] of hop(2 * SEC, 10 * SEC)(b.ts)) {
        const perAuction = counts.get(start) ?? new Map<number, number>();
        perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
        counts.set(start, perAuction);
      }
    }
    const expected: unknown[][] = [];
    for (const perAuction of counts.values()) {
      const max = Math.max(...perAuction.values());
      for (const [auction, n] of perAuction) if (n >= max) expected.push([auction, n]);
    }
    expect(expected.length).toBeGreaterThan(60);
    expect(asText(await run(sql))).toEqual(asText(expected));
  });

  const windowings: [string, string, (ts: number) => Win[]][] = [
    ['TUMBLE', "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '10' SECOND)", tumble(10 * SEC)],
    ['HOP', "HOP($T, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND)", hop(5 * SEC, 15 * SEC)],
  ];
  for (const [name, window, assign] of windowings) {
    for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL']) {
      it(`${name} ${type} JOIN of two window TVFs: a WindowJoin, result equals a batch join over the windowed rows`, async () => {
        const sql = `SELECT L.id, L.name, R.price, L.window_start, L.window_end, R.window_start, R.window_end
          FROM ${tvf('person', window)} L ${type} JOIN ${tvf('auction', window)} R
          ON L.id = R.seller AND L.window_start = R.window_start AND L.window_end = R.window_end AND R.price > L.id`;
        const explain = explainPhysical(tp.plan(sql).pipeline.root);
        expect(explain).toMatch(new RegExp(`WindowJoin\\(joinType=\\[${type === 'INNER' ? 'Inner' : type === 'LEFT' ? 'LeftOuter' : type === 'RIGHT' ? 'RightOuter' : 'FullOuter'}Join\\], where=\\[\\(id = seller\\) AND \\(price > id\\)\\]`));
        expect(explain).not.toMatch(/\bJoin\(/);
        const left = people.flatMap((x) => assign(x.ts).map((win): [Person, Win] => [x, win]));
        const right = auctions.flatMap((x) => assign(x.ts).map((win): [Auction, Win] => [x, win]));
        const expected = batchJoin(type, left, right, (l, r) => l.id === r.seller && r.price > l.id, (l, r, lw, rw) => [l?.id ?? null, l?.name ?? null, r?.price ?? null, lw?.[0] ?? null, lw?.[1] ?? null, rw?.[0] ?? null, rw?.[1] ?? null]);
        expect(asText(await run(sql))).toEqual(asText(expected));
      });
    }
  }

  it('CUMULATE FULL JOIN: a WindowJoin, result equals a batch join', async () => {
    const window = "CUMULATE($T, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)";
    const sql = `SELECT L.id, R.seller, L.window_start, L.window_end, R.window_start, R.window_end
      FROM ${tvf('person', window)} L FULL JOIN ${tvf('auction', window)} R
      ON L.id = R.seller AND L.window_start = R.window_start AND L.window_end = R.window_end`;
    expect(explainPhysical(tp.plan(sql).pipeline.root)).toMatch(/WindowJoin\(joinType=\[FullOuterJoin\], where=\[\(id = seller\)\], leftWindow=\[CUMULATE\(step=\[5 s\], max_size=\[20 s\]\): window_start, window_end\]/);
    const assign = cumulate(5 * SEC, 20 * SEC);
    const left = people.flatMap((x) => assign(x.ts).map((win): [Person, Win] => [x, win]));
    const right = auctions.flatMap((x) => assign(x.ts).map((win): [Auction, Win] => [x, win]));
    const expected = batchJoin('FULL', left, right, (l, r) => l.id === r.seller, (l, r, lw, rw) => [l?.id ?? null, r?.seller ?? null, lw?.[0] ?? null, lw?.[1] ?? null, rw?.[0] ?? null, rw?.[1] ?? null]);
    expect(asText(await run(sql))).toEqual(asText(expected));
  });

  it('window_time stays a time attribute: a TUMBLE over the window join output counts pairs per minute', async () => {
    tp.ddl(`CREATE VIEW pairs AS SELECT L.id, L.window_time FROM ${tvf('person', "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '10' SECOND)")} L
        JOIN ${tvf('auction', "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '10' SECOND)")} R
        ON L.id = R.seller AND L.window_start = R.window_start AND L.window_end = R.window_end`);
    const sql = `SELECT window_start, window_end, COUNT(*) AS pairs FROM TABLE(TUMBLE(TABLE pairs, DESCRIPTOR(window_time), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end`;
    const explain = explainPhysical(tp.plan(sql).pipeline.root);
    expect(explain).toMatch(/WindowAggregate\(window=\[TUMBLE\(size=\[1 min\]\)\]/);
    expect(explain).toMatch(/WindowJoin\(/);
    const w = tumble(10 * SEC);
    const perMinute = new Map<number, number>();
    for (const p of people) {
      for (const a of auctions) {
        if (p.id !== a.seller || w(p.ts)[0]![0] !== w(a.ts)[0]![0]) continue;
        const time = w(p.ts)[0]![1] - 1;
        const minute = time - (time % 60_000);
        perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
      }
    }
    const expected = [...perMinute].map(([m, n]) => [m, m + 60_000, n]);
    expect(expected.length).toBeGreaterThan(3);
    expect(asText(await run(sql))).toEqual(asText(expected));
  });

  it('joins that are not of the exact shape stay regular joins (as in Flink): different windows, or no window_end equality', () => {
    const t10 = tvf('person', "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '10' SECOND)");
    const t20 = tvf('auction', "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '20' SECOND)");
    const a10 = tvf('auction', "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '10' SECOND)");
    const different = `SELECT L.id, R.seller FROM ${t10} L JOIN ${t20} R ON L.id = R.seller AND L.window_start = R.window_start AND L.window_end = R.window_end`;
    const noEnd = `SELECT L.id, R.seller FROM ${t10} L JOIN ${a10} R ON L.id = R.seller AND L.window_start = R.window_start`;
    for (const sql of [different, noEnd]) {
      const explain = explainPhysical(tp.plan(sql).pipeline.root);
      expect(explain).toMatch(/\bJoin\(joinType=\[InnerJoin\]/);
      expect(explain).not.toMatch(/WindowJoin/);
    }
  });

  it('GROUP BY window_start, window_end over a window join is a window aggregation over its windows (final rows, no updates)', async () => {
    tp.ddl(`CREATE VIEW matched AS SELECT L.id, R.price, L.window_start, L.window_end
      FROM ${tvf('person', "HOP($T, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)")} L
      JOIN ${tvf('auction', "HOP($T, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)")} R
      ON L.id = R.seller AND L.window_start = R.window_start AND L.window_end = R.window_end`);
    const sql = 'SELECT window_start, window_end, COUNT(*) AS pairs, SUM(price) AS total FROM matched GROUP BY window_start, window_end';
    const explain = explainPhysical(tp.plan(sql).pipeline.root);
    expect(explain).toMatch(/WindowAggregate\(window=\[HOP\(slide=\[5 s\], size=\[10 s\]\)\], windowEnd=\[window_end\], group=\[\], aggs=\[COUNT\(\*\), SUM\(price\)\]\)/);
    expect(explain).not.toMatch(/GroupAggregate|\bJoin\(/);
    const assign = hop(5 * SEC, 10 * SEC);
    const perWindow = new Map<string, [number, number]>();
    for (const p of people) {
      for (const a of auctions) {
        if (p.id !== a.seller) continue;
        for (const [s, e] of assign(p.ts)) {
          if (!assign(a.ts).some(([s2]) => s2 === s)) continue;
          const k = JSON.stringify([s, e]);
          const [n, total] = perWindow.get(k) ?? [0, 0];
          perWindow.set(k, [n + 1, total + a.price]);
        }
      }
    }
    const expected = [...perWindow].map(([k, v]) => [...(JSON.parse(k) as number[]), ...v]);
    expect(expected.length).toBeGreaterThan(10);
    expect(asText(await run(sql))).toEqual(asText(expected));
  });

  for (const type of ['semi', 'anti'] as const) {
    it(`a physical ${type.toUpperCase()} WindowJoin (how window IN / EXISTS will run) over two TVFs equals a batch computation`, async () => {
      const window = "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '10' SECOND)";
      // The inputs and condition of the INNER window join of the same shape, joined again as SEMI / ANTI.
      const planned = tp.plan(`SELECT * FROM (SELECT id, name, window_start, window_end FROM ${tvf('person', window)}) L
        JOIN (SELECT seller, price, window_start, window_end FROM ${tvf('auction', window)}) R
        ON L.id = R.seller AND L.window_start = R.window_start AND L.window_end = R.window_end`);
      const logical = planned.optimized.kind === 'LogicalJoin' ? planned.optimized : (planned.optimized as { input: LogicalPlan }).input;
      if (logical.kind !== 'LogicalJoin') throw new Error(`expected a join, got ${logical.kind}`);
      const inner = findNode(planned.pipeline.root, 'WindowJoin')!;
      const [left, right] = physicalInputs(inner).map((e) => physicalInputs(e)[0]!) as [PhysicalPlan, PhysicalPlan];
      const condition = logical.condition;
      const node = windowJoinRule(type, left, right, condition, left.schema);
      expect(node).toBeDefined();
      expect(explainPhysical(node!)).toMatch(new RegExp(`^WindowJoin\\(joinType=\\[${type === 'semi' ? 'LeftSemiJoin' : 'LeftAntiJoin'}\\], where=\\[\\(id = seller\\)\\]`));
      // The output is the left row; its window stays (a window aggregation can follow).
      expect(node!.props.windows.map((w) => [w.start, w.end])).toEqual([[2, 3]]);
      const got = await runPipeline({ root: node!, sink: { kind: 'collect' }, schema: left.schema });
      const w = tumble(10 * SEC);
      const sellers = new Set(auctions.map((a) => JSON.stringify([a.seller, w(a.ts)[0]![0]])));
      const expected = people.filter((p) => sellers.has(JSON.stringify([p.id, w(p.ts)[0]![0]])) === (type === 'semi')).map((p) => [p.id, p.name, ...w(p.ts)[0]!]);
      expect(expected.length).toBeGreaterThan(10);
      expect(asText(got)).toEqual(asText(expected));
    });
  }
});

describe('window IN / EXISTS / NOT IN / NOT EXISTS from SQL (subqueries correlated on the window run as SEMI / ANTI window joins)', () => {
  const W = "TUMBLE($T, DESCRIPTOR(ts), INTERVAL '10' SECOND)";
  const w = tumble(10 * SEC);
  // Auctions again, a tenth of them without a seller, for NOT IN's NULL rules.
  const withNulls = auctions.map((a, i) => ({ ...a, seller: i % 10 === 3 ? null : a.seller }));
  writeFileSync(join(dir, 'auction_n.json'), arrivalOrder(withNulls).map((a) => JSON.stringify({ seller: a.seller, price: a.price, ts: iso(a.ts) })).join('\n') + '\n');
  tp.ddl(`CREATE TABLE auction_n (seller INT, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
   WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'auction_n.json')}', 'format' = 'json')`);
  const L = `(SELECT id, name, window_start, window_end FROM ${tvf('person', W)}) L`;
  const R = (table: string) => `(SELECT seller, price, window_start, window_end FROM ${tvf(table, W)}) R`;
  const sameWindow = 'L.window_start = R.window_start AND L.window_end = R.window_end';
  const select = `SELECT L.id, L.name, L.window_start, L.window_end FROM ${L} WHERE`;

  /** The people whose window's sellers (of `rows`) pass `keep`, computed here. */
  function expected(rows: { seller: number | null; ts: number }[], keep: (id: number, sellers: (number | null)[]) => boolean): unknown[][] {
    return people.filter((p) => keep(p.id, rows.filter((a) => w(a.ts)[0]![0] === w(p.ts)[0]![0]).map((a) => a.seller))).map((p) => [p.id, p.name, ...w(p.ts)[0]!]);
  }
  const cases: [string, string, string, unknown[][]][] = [
    ['IN', `${select} L.id IN (SELECT R.seller FROM ${R('auction')} WHERE ${sameWindow})`, 'LeftSemiJoin', expected(auctions, (id, s) => s.includes(id))],
    ['EXISTS', `${select} EXISTS (SELECT * FROM ${R('auction')} WHERE L.id = R.seller AND ${sameWindow})`, 'LeftSemiJoin', expected(auctions, (id, s) => s.includes(id))],
    ['NOT EXISTS', `${select} NOT EXISTS (SELECT * FROM ${R('auction_n')} WHERE L.id = R.seller AND ${sameWindow})`, 'LeftAntiJoin', expected(withNulls, (id, s) => !s.includes(id))],
    // NOT IN: a window whose subquery has a NULL seller passes nobody; an empty one passes everybody.
    ['NOT IN', `${select} L.id NOT IN (SELECT R.seller FROM ${R('auction_n')} WHERE ${sameWindow})`, 'LeftAntiJoin', expected(withNulls, (id, s) => s.length === 0 || (!s.includes(null) && !s.includes(id)))],
  ];
  it('the data has windows whose NOT IN subquery holds a NULL (NOT IN passes fewer people than NOT EXISTS)', () => {
    expect(cases[3]![3].length).toBeLessThan(cases[2]![3].length);
  });
  for (const [name, sql, joinType, want] of cases) {
    it(`${name}: a ${joinType} WindowJoin, result equals a batch computation`, async () => {
      expect(explainPhysical(tp.plan(sql).pipeline.root)).toMatch(new RegExp(`WindowJoin\\(joinType=\\[${joinType}\\]`));
      expect(want.length).toBeGreaterThan(5);
      expect(want.length).toBeLessThan(people.length);
      expect(asText(await run(sql))).toEqual(asText(want));
    });
  }
});
