/**
 * Nexmark q4, q5, q7, q8 and q9 (the benchmark's Flink SQL texts and DDL, bench/nexmark/) run on a small
 * generated input (test/e2e/nexmark/generate.ts: 6,000 events, a
 * minute of event time, each file out of order within the watermark delay). Each query's SELECT runs into a
 * collect sink instead of the benchmark's blackhole table, and the final state of its changelog (applied as a
 * multiset) equals a batch computation of the query written here in plain JS over the same rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, materialize, runQuery, sortedRows, tempDir } from './helpers.js';
import { generateNexmark, writeNexmark, type Auction, type Bid } from './nexmark/generate.js';

const BENCH = fileURLToPath(new URL('../../bench/nexmark/', import.meta.url));
const SECOND = 1000;
const data = generateNexmark(6000, 2026);

/** The SELECT of a benchmark query file (`CREATE TABLE nexmark_qN (...) WITH (blackhole); INSERT INTO nexmark_qN SELECT ...`). */
function selectOf(query: string): string {
  const text = readFileSync(join(BENCH, 'queries', `${query}.sql`), 'utf8');
  expect(text).toContain(`CREATE TABLE nexmark_${query}`);
  expect(text).toContain("'connector' = 'blackhole'");
  const m = /INSERT INTO nexmark_\w+\s+([\s\S]*?);?\s*$/.exec(text);
  if (!m) throw new Error(`no INSERT INTO in ${query}.sql`);
  return m[1]!;
}

/** The bids of an auction placed between its start and its expiry (both included): q4's and q9's join. */
function bidsInAuction(): Map<Auction, Bid[]> {
  const byId = new Map(data.auctions.map((a) => [a.id, a]));
  const out = new Map<Auction, Bid[]>();
  for (const b of data.bids) {
    const a = byId.get(b.auction);
    if (a && b.dateTime >= a.dateTime && b.dateTime <= a.expires) out.set(a, [...(out.get(a) ?? []), b]);
  }
  return out;
}

/** Tumbling window start of `ts`. */
const tumble = (ts: number, size: number) => Math.floor(ts / size) * size;

function q4(): unknown[][] {
  const finals = new Map<number, number[]>();
  for (const [a, bids] of bidsInAuction()) finals.set(a.category, [...(finals.get(a.category) ?? []), Math.max(...bids.map((b) => b.price))]);
  // AVG of a BIGINT is a BIGINT (truncated), as in Flink.
  return [...finals].map(([category, fs]) => [category, Math.trunc(fs.reduce((s, f) => s + f, 0) / fs.length)]);
}

function q5(): unknown[][] {
  // HOP of 10 s every 2 s: the windows [s, s + 10 s) holding each bid.
  const counts = new Map<number, Map<number, number>>();
  for (const b of data.bids) {
    for (let s = tumble(b.dateTime, 2 * SECOND); s > b.dateTime - 10 * SECOND; s -= 2 * SECOND) {
      const perAuction = counts.get(s) ?? new Map<number, number>();
      perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
      counts.set(s, perAuction);
    }
  }
  const out: unknown[][] = [];
  for (const perAuction of counts.values()) {
    const max = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) if (num >= max) out.push([auction, num]);
  }
  return out;
}

function q7(): unknown[][] {
  const maxPrice = new Map<number, number>();
  for (const b of data.bids) {
    const end = tumble(b.dateTime, 10 * SECOND) + 10 * SECOND;
    maxPrice.set(end, Math.max(maxPrice.get(end) ?? -Infinity, b.price));
  }
  const out: unknown[][] = [];
  for (const [end, price] of maxPrice) {
    for (const b of data.bids) if (b.price === price && b.dateTime >= end - 10 * SECOND && b.dateTime <= end) out.push([b.auction, b.price, b.bidder, b.dateTime, b.extra]);
  }
  return out;
}

function q8(): unknown[][] {
  const sellers = new Set(data.auctions.map((a) => `${a.seller}|${tumble(a.dateTime, 10 * SECOND)}`));
  const persons = new Map<string, unknown[]>();
  for (const p of data.persons) {
    const start = tumble(p.dateTime, 10 * SECOND);
    if (sellers.has(`${p.id}|${start}`)) persons.set(`${p.id}|${p.name}|${start}`, [p.id, p.name, start]);
  }
  return [...persons.values()];
}

function q9(): unknown[][] {
  const out: unknown[][] = [];
  for (const [a, bids] of bidsInAuction()) {
    // The highest price, the earliest of equal prices (event times are unique).
    const w = [...bids].sort((x, y) => y.price - x.price || x.dateTime - y.dateTime)[0]!;
    out.push([a.id, a.itemName, a.description, a.initialBid, a.reserve, a.dateTime, a.expires, a.seller, a.category, a.extra, w.auction, w.bidder, w.price, w.dateTime, w.extra]);
  }
  return out;
}

const BATCH: Record<string, () => unknown[][]> = { q4, q5, q7, q8, q9 };

describe('Nexmark q4, q5, q7, q8, q9 vs batch', () => {
  let eddy: Eddy;
  beforeAll(async () => {
    const dir = tempDir('eddy-nexmark-');
    writeNexmark(dir, data, 7);
    eddy = new Eddy({ variables: { NEXMARK_DATA: dir } });
    await executeAll(eddy, readFileSync(join(BENCH, 'ddl-files.sql'), 'utf8'));
  });

  it('generates an input where the queries have something to find', () => {
    expect([data.persons.length, data.auctions.length, data.bids.length]).toEqual([120, 360, 5520]);
    const joined = bidsInAuction();
    // Bids outside their auction's time (before it, or after it expired) and inside it.
    expect(joined.size).toBeGreaterThan(200);
    const auctions = new Map(data.auctions.map((a) => [a.id, a]));
    const early = data.bids.filter((b) => b.dateTime < (auctions.get(b.auction)?.dateTime ?? Infinity)).length;
    const expired = data.bids.filter((b) => b.dateTime > (auctions.get(b.auction)?.expires ?? Infinity)).length;
    expect([early, expired].every((n) => n > 100)).toBe(true);
    for (const q of Object.keys(BATCH)) expect(BATCH[q]!().length, q).toBeGreaterThanOrEqual(5);
  });

  for (const query of Object.keys(BATCH)) {
    it(`${query} equals its batch computation`, async () => {
      const { changes, summary } = await runQuery(eddy, selectOf(query));
      expect(summary.lateRowsDropped).toBe(0);
      expect(materialize(changes)).toEqual(sortedRows(BATCH[query]!()));
    }, 120_000);
  }
});
