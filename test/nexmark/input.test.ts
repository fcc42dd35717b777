/**
 * The test input itself: deterministic, each event a function of its number alone, in event-time order,
 * and shaped so that every query finds rows of each kind it distinguishes (the oracle is only as good as the
 * cases the input holds).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, generateEvents } from './events.js';
import { dayOf, groupBy, SECOND } from './harness.js';
import * as oracle from './oracle.js';

const events = generateEvents(DEFAULT_CONFIG);

describe('the Nexmark test input', () => {
  it('has the 1:3:46 proportions, is deterministic, and event n does not depend on the events before it', () => {
    expect([events.persons.length, events.auctions.length, events.bids.length]).toEqual([160, 480, 7360]);
    expect(generateEvents(DEFAULT_CONFIG)).toEqual(events);
    const fewer = generateEvents({ ...DEFAULT_CONFIG, events: 3000 });
    expect(fewer.bids).toEqual(events.bids.slice(0, fewer.bids.length));
    expect(fewer.auctions).toEqual(events.auctions.slice(0, fewer.auctions.length));
  });

  it('is in event-time order, 10 ms apart, and spans midnight', () => {
    for (const rows of [events.persons, events.auctions, events.bids]) {
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.dateTime).toBeGreaterThan(rows[i - 1]!.dateTime);
    }
    expect(new Set(events.bids.map((b) => dayOf(b.dateTime))).size).toBe(2);
  });

  it('gives the joins bids before an auction starts, within it and after it expires', () => {
    const auctions = new Map(events.auctions.map((a) => [a.id, a]));
    const before = events.bids.filter((b) => b.dateTime < (auctions.get(b.auction)?.dateTime ?? -Infinity)).length;
    const after = events.bids.filter((b) => b.dateTime > (auctions.get(b.auction)?.expires ?? Infinity)).length;
    const within = [...oracle.bidsInAuction(events).values()].reduce((n, bids) => n + bids.length, 0);
    expect(Math.min(before, after, within)).toBeGreaterThan(100);
  });

  it('gives q11 bidders with several sessions, q21 rows of each branch, and each price band', () => {
    const sessions = groupBy(oracle.q11(events), (r) => String(r[0]));
    expect([...sessions.values()].filter((s) => s.length > 1).length).toBeGreaterThan(20);
    // q11: sessions shorter than 20 s (a single bid: exactly the gap) and longer ones.
    const lengths = oracle.q11(events).map((r) => (r[3] as number) - (r[2] as number));
    expect(lengths.filter((l) => l === 10 * SECOND).length).toBeGreaterThan(5);
    expect(lengths.filter((l) => l > 20 * SECOND).length).toBeGreaterThan(5);
    // q21: hot channels (CASE), channel_id from the url (REGEXP_EXTRACT), and bids filtered out.
    const q21 = oracle.q21(events);
    expect(q21.filter((r) => /^[0-3]$/.test(String(r[4]))).length).toBeGreaterThan(1000);
    expect(q21.filter((r) => String(r[4]).length > 1).length).toBeGreaterThan(1000);
    expect(events.bids.length - q21.length).toBeGreaterThan(50);
    // q15-q17: each price band.
    for (const [lo, hi] of [[0, 1e4], [1e4, 1e6], [1e6, Infinity]] as const) {
      expect(events.bids.filter((b) => b.price >= lo && b.price < hi).length).toBeGreaterThan(1000);
    }
  });
});
