/**
 * A small, deterministic Nexmark-like input for the query tests: persons, auctions and bids in the benchmark's
 * proportions (event n is a person when n % 50 is 0, an auction when it is 1..3, else a bid: 1:3:46), the
 * columns of ddl.sql, event time 10 ms apart from 2026-03-01 00:00 UTC (6,000 events span a minute, so the
 * 10-second windows fill). Ids count from 1000 per kind. An auction's seller is the latest person or one of
 * the 20 before, its `expires` 0.5 to 8 s after it; a bid goes to the latest auction half the time, else to
 * one of the 30 before it or the 3 after it (not there yet: such a bid comes before its auction, and bids
 * often come after `expires`), with a log-uniform price. Each table's file is written in arrival order: a
 * row arrives up to 3.9 s after its event time, less than the tables' 4-second watermark delay, so no row is
 * late.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../helpers.js';

export const BASE = Date.UTC(2026, 2, 1);
const STEP_MS = 10;

export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}
export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}
export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}
export interface Nexmark {
  persons: Person[];
  auctions: Auction[];
  bids: Bid[];
}

const FIRST = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie'];
const LAST = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton'];
const CITIES = ['Phoenix', 'Los Angeles', 'Boise', 'Portland', 'Seattle'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA'];
const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

export function generateNexmark(events: number, seed: number): Nexmark {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const word = (n: number) => Array.from({ length: 3 + int(n) }, () => String.fromCharCode(97 + int(26))).join('');
  const out: Nexmark = { persons: [], auctions: [], bids: [] };
  for (let n = 0; n < events; n++) {
    const dateTime = BASE + n * STEP_MS;
    const r = n % 50;
    if (r === 0) {
      out.persons.push({
        id: 1000 + out.persons.length,
        name: `${FIRST[int(FIRST.length)]} ${LAST[int(LAST.length)]}`,
        emailAddress: `${word(5)}@${word(3)}.com`,
        creditCard: Array.from({ length: 4 }, () => String(int(10000)).padStart(4, '0')).join(' '),
        city: CITIES[int(CITIES.length)]!,
        state: STATES[int(STATES.length)]!,
        dateTime,
        extra: word(10),
      });
    } else if (r <= 3) {
      const latest = 1000 + out.persons.length - 1;
      const initialBid = 1 + int(1000);
      out.auctions.push({
        id: 1000 + out.auctions.length,
        itemName: word(8),
        description: `${word(8)} ${word(8)}`,
        initialBid,
        reserve: initialBid + int(1000),
        dateTime,
        expires: dateTime + 500 + int(7500),
        seller: rand() < 0.3 ? latest : Math.max(1000, latest - int(20)),
        category: 10 + int(5),
        extra: word(20),
      });
    } else {
      const latest = 1000 + out.auctions.length - 1;
      const hot = CHANNELS[int(CHANNELS.length)]!;
      out.bids.push({
        auction: rand() < 0.5 ? latest : Math.max(1000, latest - 30 + int(34)),
        bidder: 1000 + int(out.persons.length + 1),
        price: Math.round(Math.pow(10, rand() * 4) * 10),
        channel: rand() < 0.5 ? hot : `channel-${int(100)}`,
        url: `https://www.nexmark.com/${word(4)}/item.htm?query=1`,
        dateTime,
        extra: word(6),
      });
    }
  }
  return out;
}

/** `yyyy-MM-dd HH:mm:ss.SSS` (UTC), as the json format reads a TIMESTAMP(3). */
export function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Writes person.jsonl, auction.jsonl and bid.jsonl into `dir`, each in arrival order (see the file comment). */
export function writeNexmark(dir: string, data: Nexmark, seed: number): void {
  const rand = prng(seed);
  const write = (name: string, rows: readonly { dateTime: number }[], text: (r: never) => object) => {
    const arrival = rows.map((r) => ({ r, at: r.dateTime + (rand() < 0.8 ? rand() * 500 : rand() * 3_900) })).sort((a, b) => a.at - b.at);
    writeFileSync(join(dir, name), arrival.map((a) => JSON.stringify(text(a.r as never))).join('\n') + '\n');
  };
  write('person.jsonl', data.persons, (p: Person) => ({ ...p, dateTime: timestampText(p.dateTime) }));
  write('auction.jsonl', data.auctions, (a: Auction) => ({ ...a, dateTime: timestampText(a.dateTime), expires: timestampText(a.expires) }));
  write('bid.jsonl', data.bids, (b: Bid) => ({ ...b, dateTime: timestampText(b.dateTime) }));
}
