/**
 * A small, deterministic Nexmark input for the query tests, written here (independent of the engine's own
 * `'connector' = 'nexmark'` generator): persons, auctions and bids in the benchmark's 1:3:46 proportions by
 * event number (event n is a person when n % 50 == 0, an auction when n % 50 is 1..3, else a bid), ids from
 * the event number (from 1000 per kind), every random choice from a PRNG seeded by the event number alone
 * (so event n does not depend on the events before it), and event time advancing at a fixed rate from
 * `base` — events in event-time order, so none is late.
 *
 * Shaped so that every query has something to find:
 *  - auction sellers are recent persons (q3, q8 join a person with the auctions they sell in the same window);
 *  - half the bids go to a hot auction (the first of the current batch of 10), the rest to one of the 30 latest
 *    auctions or to one of the 3 next (not there yet: a bid before its auction's start), and auctions expire
 *    0.5 to 10 s after they start, so q4/q9's `BETWEEN dateTime AND expires` keeps some bids and drops others;
 *  - bidders are a hot person (the second of the current batch of 5), a recent one, or (5 %) any person, so a
 *    bidder's activity stops and sometimes resumes after more than 10 s (q11's sessions); and every 1000th
 *    event (n % 1000 == 4, 10 s apart at 100 events/s) is a bid by bidder 999 (no person: Nexmark bidders may
 *    be people not created yet), whose bids are each exactly the session gap after the previous one — Flink
 *    merges such sessions (a session window [t, t + gap) and the next one's start t + gap intersect);
 *  - prices are log-uniform over 100 .. 10^8 (q15–q17's three bands each get a third);
 *  - channels are one of four hot channels (each with one url, no channel_id) or `channel-K` whose url has
 *    `&channel_id=...` 90 % of the time (q21), urls with three directories (q22).
 * With the default 100 events/s, 8,000 events span 80 s of event time, from 23:59:20 to 00:00:40 UTC, so the
 * 10-second windows fill and the per-day queries (q15–q17) see two days.
 */
import { mulberry32 } from '../../src/connectors/datagen.js';
// The rows of the three tables, as JSON-lines fields (times as epoch ms): the e2e generator's shapes.
import type { Auction, Bid, Person } from '../e2e/nexmark/generate.js';

export type { Auction, Bid, Person };

export interface Events {
  persons: Person[];
  auctions: Auction[];
  bids: Bid[];
}

export interface EventConfig {
  /** Number of events (all kinds). */
  events: number;
  /** Events per second of event time. */
  rate: number;
  /** Event time of event 0 (epoch ms, UTC). */
  base: number;
  seed: number;
}

export const DEFAULT_CONFIG: EventConfig = { events: 8000, rate: 100, base: Date.UTC(2026, 2, 1, 23, 59, 20), seed: 19 };

const FIRST = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const CHANNELS = 50;

/** The bidder of every 1000th event (see the file comment). */
export const EXACT_GAP_BIDDER = 999;

type Rand = () => number;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const word = (rand: Rand, min: number, spread: number) =>
  Array.from({ length: min + int(rand, spread) }, () => String.fromCharCode(97 + int(rand, 26))).join('');

/** The url of a bid, from its own PRNG: three directories, then `item.htm?query=1`. */
function baseUrl(rand: Rand): string {
  return `https://www.nexmark.com/${word(rand, 5, 1)}/${word(rand, 5, 1)}/${word(rand, 5, 1)}/item.htm?query=1`;
}
/** A fixed url per hot channel, and per `channel-K` (with `&channel_id=` for 9 in 10 of them). */
const HOT_URLS = HOT_CHANNELS.map((_, i) => baseUrl(mulberry32(7_000 + i)));
const CHANNEL_URLS = Array.from({ length: CHANNELS }, (_, k) => {
  const rand = mulberry32(9_000 + k);
  const url = baseUrl(rand);
  return int(rand, 10) > 0 ? `${url}&channel_id=${100_000 + int(rand, 900_000)}` : url;
});

/** Base-0 id of the latest person at or before event n (event 0 is a person). */
const lastPerson = (n: number) => Math.floor(n / 50);
/** Base-0 id of the latest auction at or before event n (-1 before the first). */
const lastAuction = (n: number) => Math.floor(n / 50) * 3 + Math.min(n % 50, 3) - 1;

export function eventTime(config: EventConfig, n: number): number {
  return config.base + Math.floor((n * 1000) / config.rate);
}

/** Generates the events 0 .. config.events - 1. */
export function generateEvents(config: EventConfig = DEFAULT_CONFIG): Events {
  const out: Events = { persons: [], auctions: [], bids: [] };
  for (let n = 0; n < config.events; n++) {
    const rand = mulberry32((config.seed * 1_000_003 + n * 2_654_435_761) >>> 0);
    const dateTime = eventTime(config, n);
    const r = n % 50;
    if (r === 0) {
      out.persons.push({
        id: 1000 + lastPerson(n),
        name: `${FIRST[int(rand, FIRST.length)]} ${LAST[int(rand, LAST.length)]}`,
        emailAddress: `${word(rand, 5, 5)}@${word(rand, 3, 3)}.com`,
        creditCard: Array.from({ length: 4 }, () => String(int(rand, 10000)).padStart(4, '0')).join(' '),
        city: CITIES[int(rand, CITIES.length)]!,
        state: STATES[int(rand, STATES.length)]!,
        dateTime,
        extra: word(rand, 10, 10),
      });
    } else if (r <= 3) {
      const latest = lastPerson(n);
      const initialBid = Math.round(Math.pow(10, rand() * 3) * 100);
      out.auctions.push({
        id: 1000 + lastAuction(n),
        itemName: word(rand, 5, 15),
        description: `${word(rand, 5, 10)} ${word(rand, 5, 10)}`,
        initialBid,
        reserve: initialBid + Math.round(Math.pow(10, rand() * 3) * 100),
        dateTime,
        expires: dateTime + 500 + int(rand, 9500),
        seller: 1000 + (rand() < 0.4 ? latest : Math.max(0, latest - int(rand, 10))),
        category: 10 + int(rand, 5),
        extra: word(rand, 10, 20),
      });
    } else {
      const latestAuction = lastAuction(n);
      const latestPerson = lastPerson(n);
      const auction = rand() < 0.5 ? Math.floor(latestAuction / 10) * 10 : Math.max(0, latestAuction - 30 + int(rand, 34));
      const pick = rand();
      const bidder =
        n % 1000 === 4 ? EXACT_GAP_BIDDER - 1000 : pick < 0.4 ? Math.min(latestPerson, Math.floor(latestPerson / 5) * 5 + 1) : pick < 0.95 ? Math.max(0, latestPerson - int(rand, 8)) : int(rand, latestPerson + 1);
      const hot = rand() < 0.5;
      const k = hot ? int(rand, HOT_CHANNELS.length) : int(rand, CHANNELS);
      out.bids.push({
        auction: 1000 + auction,
        bidder: 1000 + bidder,
        price: Math.round(Math.pow(10, rand() * 6) * 100),
        channel: hot ? HOT_CHANNELS[k]! : `channel-${k}`,
        url: hot ? HOT_URLS[k]! : CHANNEL_URLS[k]!,
        dateTime,
        extra: word(rand, 5, 20),
      });
    }
  }
  return out;
}

/** `yyyy-MM-dd HH:mm:ss.SSS` (UTC), as the json format reads a TIMESTAMP(3). */
export function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** person.jsonl, auction.jsonl and bid.jsonl lines (in event-time order) of the events. */
export function jsonLines(events: Events): { person: string; auction: string; bid: string } {
  const lines = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  return {
    person: lines(events.persons.map((p) => ({ ...p, dateTime: timestampText(p.dateTime) }))),
    auction: lines(events.auctions.map((a) => ({ ...a, dateTime: timestampText(a.dateTime), expires: timestampText(a.expires) }))),
    bid: lines(events.bids.map((b) => ({ ...b, dateTime: timestampText(b.dateTime) }))),
  };
}
