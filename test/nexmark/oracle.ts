/**
 * The batch meaning of each Nexmark query, in plain TypeScript over the whole input (the oracle of the query
 * tests): group-bys with maps, windows by hand, joins by nested loops over the matching rows. Each function
 * returns the query's final rows in its SELECT's column order; timestamps are epoch ms.
 *
 * Flink semantics followed here: TUMBLE/HOP windows are [start, end) aligned to epoch multiples of the slide;
 * session windows merge when an event is at most `gap` after the previous one's window end (Flink's
 * TimeWindow.intersects is inclusive), a session being [first event, last event + gap); a bounded input
 * flushes every window at its end; AVG of a BIGINT is a BIGINT (the sum divided by the count, truncated);
 * DATE_FORMAT of a (zoneless) TIMESTAMP formats its fields, here the UTC fields of the epoch ms.
 */
import type { Auction, Bid, Events } from './events.js';
import { dayOf, groupBy, hopWindows, minuteOf, SECOND, tumbleStart } from './harness.js';

type Rows = unknown[][];

const bidRow = (b: Bid) => [b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra];
const auctionRow = (a: Auction) => [a.id, a.itemName, a.description, a.initialBid, a.reserve, a.dateTime, a.expires, a.seller, a.category, a.extra];

export function q0(e: Events): Rows {
  return e.bids.map((b) => [b.auction, b.bidder, b.price, b.dateTime, b.extra]);
}

/** 0.908 * price: DECIMAL(23, 3), exactly price * 908 / 1000 (compared as the nearest double). */
export function q1(e: Events): Rows {
  return e.bids.map((b) => [b.auction, b.bidder, (b.price * 908) / 1000, b.dateTime, b.extra]);
}

export function q2(e: Events): Rows {
  return e.bids.filter((b) => b.auction % 123 === 0).map((b) => [b.auction, b.price]);
}

export function q3(e: Events): Rows {
  const out: Rows = [];
  for (const a of e.auctions) {
    if (a.category !== 10) continue;
    for (const p of e.persons) {
      if (p.id === a.seller && (p.state === 'OR' || p.state === 'ID' || p.state === 'CA')) out.push([p.name, p.city, p.state, a.id]);
    }
  }
  return out;
}

/** The bids of each auction placed between its start and its expiry, both included (q4's and q9's join). */
export function bidsInAuction(e: Events): Map<Auction, Bid[]> {
  const byAuction = groupBy(e.bids, (b) => String(b.auction));
  const out = new Map<Auction, Bid[]>();
  for (const a of e.auctions) {
    const bids = (byAuction.get(String(a.id)) ?? []).filter((b) => b.dateTime >= a.dateTime && b.dateTime <= a.expires);
    if (bids.length > 0) out.set(a, bids);
  }
  return out;
}

export function q4(e: Events): Rows {
  const finals = new Map<number, number[]>();
  for (const [a, bids] of bidsInAuction(e)) {
    const list = finals.get(a.category) ?? [];
    list.push(Math.max(...bids.map((b) => b.price)));
    finals.set(a.category, list);
  }
  return [...finals].map(([category, fs]) => [category, Math.trunc(fs.reduce((s, f) => s + f, 0) / fs.length)]);
}

export function q5(e: Events): Rows {
  // Count per (window, auction) over HOP(2 s, 10 s); per window, the auctions with the highest count.
  const counts = new Map<number, Map<number, number>>();
  for (const b of e.bids) {
    for (const [start] of hopWindows(b.dateTime, 2 * SECOND, 10 * SECOND)) {
      const perAuction = counts.get(start) ?? new Map<number, number>();
      perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
      counts.set(start, perAuction);
    }
  }
  const out: Rows = [];
  for (const perAuction of counts.values()) {
    const max = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) if (num >= max) out.push([auction, num]);
  }
  return out;
}

export function q7(e: Events): Rows {
  const maxPrice = new Map<number, number>(); // window end -> max price
  for (const b of e.bids) {
    const end = tumbleStart(b.dateTime, 10 * SECOND) + 10 * SECOND;
    maxPrice.set(end, Math.max(maxPrice.get(end) ?? -Infinity, b.price));
  }
  const out: Rows = [];
  for (const [end, price] of maxPrice) {
    for (const b of e.bids) {
      if (b.price === price && b.dateTime >= end - 10 * SECOND && b.dateTime <= end) out.push([b.auction, b.price, b.bidder, b.dateTime, b.extra]);
    }
  }
  return out;
}

export function q8(e: Events): Rows {
  const size = 10 * SECOND;
  // Each side grouped (so one row per group), then joined on id = seller and the window.
  const persons = new Map<string, [number, string, number]>();
  for (const p of e.persons) persons.set(JSON.stringify([p.id, p.name, tumbleStart(p.dateTime, size)]), [p.id, p.name, tumbleStart(p.dateTime, size)]);
  const sellers = new Map<string, [number, number]>();
  for (const a of e.auctions) sellers.set(JSON.stringify([a.seller, tumbleStart(a.dateTime, size)]), [a.seller, tumbleStart(a.dateTime, size)]);
  const out: Rows = [];
  for (const [id, name, start] of persons.values()) {
    for (const [seller, aStart] of sellers.values()) if (id === seller && start === aStart) out.push([id, name, start]);
  }
  return out;
}

export function q9(e: Events): Rows {
  const out: Rows = [];
  for (const [a, bids] of bidsInAuction(e)) {
    // ORDER BY price DESC, dateTime ASC: the first row.
    const w = [...bids].sort((x, y) => y.price - x.price || x.dateTime - y.dateTime)[0]!;
    out.push([...auctionRow(a), w.auction, w.bidder, w.price, w.dateTime, w.extra]);
  }
  return out;
}

/** Whether q9's winner of an auction is unique (no other bid with the same price and time). */
export function q9Deterministic(e: Events): boolean {
  for (const bids of bidsInAuction(e).values()) {
    const sorted = [...bids].sort((x, y) => y.price - x.price || x.dateTime - y.dateTime);
    if (sorted.length > 1 && sorted[0]!.price === sorted[1]!.price && sorted[0]!.dateTime === sorted[1]!.dateTime) return false;
  }
  return true;
}

export function q11(e: Events): Rows {
  const gap = 10 * SECOND;
  const out: Rows = [];
  for (const bids of groupBy(e.bids, (b) => String(b.bidder)).values()) {
    const sorted = [...bids].sort((x, y) => x.dateTime - y.dateTime);
    let start = sorted[0]!.dateTime;
    let end = start + gap;
    let count = 0;
    for (const b of sorted) {
      if (b.dateTime > end) {
        out.push([b.bidder, count, start, end]);
        start = b.dateTime;
        count = 0;
      }
      count++;
      end = Math.max(end, b.dateTime + gap);
    }
    out.push([sorted[0]!.bidder, count, start, end]);
  }
  return out;
}

export function q12e(e: Events): Rows {
  const size = 10 * SECOND;
  const out: Rows = [];
  for (const [key, bids] of groupBy(e.bids, (b) => `${b.bidder}|${tumbleStart(b.dateTime, size)}`)) {
    const start = tumbleStart(bids[0]!.dateTime, size);
    out.push([Number(key.split('|')[0]), bids.length, start, start + size]);
  }
  return out;
}

/** q13 over a side input of (key, value) rows. */
export function q13(e: Events, side: readonly [number, string][]): Rows {
  const out: Rows = [];
  for (const b of e.bids) {
    for (const [key, value] of side) if (b.auction % 10000 === key) out.push([b.auction, b.bidder, b.price, b.dateTime, value]);
  }
  return out;
}

/** The three price bands of q15–q17. */
const rank1 = (b: Bid) => b.price < 10000;
const rank2 = (b: Bid) => b.price >= 10000 && b.price < 1000000;
const rank3 = (b: Bid) => b.price >= 1000000;

/** total/rank1/rank2/rank3 bids, distinct bidders, distinct auctions (q15 and q16). */
function bandStats(bids: readonly Bid[]): number[] {
  const bands = [() => true, rank1, rank2, rank3];
  const counts = bands.map((f) => bids.filter(f).length);
  const bidders = bands.map((f) => new Set(bids.filter(f).map((b) => b.bidder)).size);
  const auctions = bands.map((f) => new Set(bids.filter(f).map((b) => b.auction)).size);
  return [...counts, ...bidders, ...auctions];
}

export function q15(e: Events): Rows {
  return [...groupBy(e.bids, (b) => dayOf(b.dateTime))].map(([day, bids]) => [day, ...bandStats(bids)]);
}

export function q16(e: Events): Rows {
  return [...groupBy(e.bids, (b) => `${b.channel}|${dayOf(b.dateTime)}`).values()].map((bids) => {
    const minute = bids.map((b) => minuteOf(b.dateTime)).reduce((m, x) => (x > m ? x : m));
    return [bids[0]!.channel, dayOf(bids[0]!.dateTime), minute, ...bandStats(bids)];
  });
}

export function q17(e: Events): Rows {
  return [...groupBy(e.bids, (b) => `${b.auction}|${dayOf(b.dateTime)}`).values()].map((bids) => {
    const prices = bids.map((b) => b.price);
    const sum = prices.reduce((s, p) => s + p, 0);
    return [
      bids[0]!.auction,
      dayOf(bids[0]!.dateTime),
      bids.length,
      bids.filter(rank1).length,
      bids.filter(rank2).length,
      bids.filter(rank3).length,
      Math.min(...prices),
      Math.max(...prices),
      Math.trunc(sum / bids.length),
      sum,
    ];
  });
}

export function q18(e: Events): Rows {
  return [...groupBy(e.bids, (b) => `${b.bidder}|${b.auction}`).values()].map((bids) => {
    const last = bids.reduce((l, b) => (b.dateTime > l.dateTime ? b : l));
    return bidRow(last);
  });
}

/** Whether q18's last bid of every (bidder, auction) is unique (no two of its bids at the same time). */
export function q18Deterministic(e: Events): boolean {
  for (const bids of groupBy(e.bids, (b) => `${b.bidder}|${b.auction}`).values()) {
    const last = Math.max(...bids.map((b) => b.dateTime));
    if (bids.filter((b) => b.dateTime === last).length > 1) return false;
  }
  return true;
}

/**
 * Checks q19's final rows (auction, bidder, price, channel, url, dateTime, extra, rank_number) against the
 * bids: per auction, ranks 1..min(10, bids) once each, the price at rank r the r-th highest price, and each
 * row one of the auction's bids (each bid at most once). With no tie in price this is the one answer; among
 * bids of equal price, ROW_NUMBER's order is arbitrary, so any of them may hold those ranks.
 */
export function checkQ19(e: Events, rows: Rows): string[] {
  const problems: string[] = [];
  const byAuction = groupBy(e.bids, (b) => String(b.auction));
  const outByAuction = groupBy(rows, (r) => String(r[0]));
  for (const key of outByAuction.keys()) if (!byAuction.has(key)) problems.push(`rows for auction ${key}, which has no bids`);
  for (const [key, bids] of byAuction) {
    const out = [...(outByAuction.get(key) ?? [])].sort((x, y) => (x[7] as number) - (y[7] as number));
    const prices = bids.map((b) => b.price).sort((x, y) => y - x);
    const k = Math.min(10, bids.length);
    const ranks = out.map((r) => r[7]);
    if (JSON.stringify(ranks) !== JSON.stringify(Array.from({ length: k }, (_, i) => i + 1))) {
      problems.push(`auction ${key}: ranks ${JSON.stringify(ranks)}, expected 1..${k}`);
      continue;
    }
    const available = new Map<string, number>();
    for (const b of bids) available.set(JSON.stringify(bidRow(b)), (available.get(JSON.stringify(bidRow(b))) ?? 0) + 1);
    for (const r of out) {
      const rank = r[7] as number;
      if (r[2] !== prices[rank - 1]) problems.push(`auction ${key}: rank ${rank} has price ${String(r[2])}, expected ${prices[rank - 1]}`);
      const bid = JSON.stringify(r.slice(0, 7));
      const n = available.get(bid) ?? 0;
      if (n === 0) problems.push(`auction ${key}: rank ${rank} is not one of its bids (or repeats one): ${bid}`);
      available.set(bid, n - 1);
    }
  }
  return problems;
}

/** q19's rows when no two bids of an auction have the same price (then the answer is unique). */
export function q19(e: Events): Rows {
  const out: Rows = [];
  for (const bids of groupBy(e.bids, (b) => String(b.auction)).values()) {
    [...bids]
      .sort((x, y) => y.price - x.price)
      .slice(0, 10)
      .forEach((b, i) => out.push([...bidRow(b), i + 1]));
  }
  return out;
}

export function q20(e: Events): Rows {
  const auctions = groupBy(
    e.auctions.filter((a) => a.category === 10),
    (a) => String(a.id),
  );
  const out: Rows = [];
  for (const b of e.bids) {
    for (const a of auctions.get(String(b.auction)) ?? []) {
      out.push([...bidRow(b), a.itemName, a.description, a.initialBid, a.reserve, a.dateTime, a.expires, a.seller, a.category, a.extra]);
    }
  }
  return out;
}

/** REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2): the second group of the first match, NULL without one. */
const channelIdOf = (url: string): string | null => /(&|^)channel_id=([^&]*)/.exec(url)?.[2] ?? null;
const HOT_IDS: Record<string, string> = { apple: '0', google: '1', facebook: '2', baidu: '3' };

export function q21(e: Events): Rows {
  const out: Rows = [];
  for (const b of e.bids) {
    const id = HOT_IDS[b.channel.toLowerCase()] ?? channelIdOf(b.url);
    if (channelIdOf(b.url) !== null || b.channel.toLowerCase() in HOT_IDS) out.push([b.auction, b.bidder, b.price, b.channel, id]);
  }
  return out;
}

/** SPLIT_INDEX(s, '/', i): the i-th (from 0) of the '/'-separated fields, NULL past the last. */
const splitIndex = (s: string, i: number): string | null => s.split('/')[i] ?? null;

export function q22(e: Events): Rows {
  return e.bids.map((b) => [b.auction, b.bidder, b.price, b.channel, splitIndex(b.url, 3), splitIndex(b.url, 4), splitIndex(b.url, 5)]);
}
