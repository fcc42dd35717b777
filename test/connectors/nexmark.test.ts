import { describe, expect, it } from 'vitest';
import { nexmarkConnector, BLOCK_EVENTS } from '../../src/connectors/nexmark/source.js';
import { NEXMARK_BASE_TIME, nexmarkConfig } from '../../src/connectors/nexmark/config.js';
import { builtinFormats, validateOptions, findConnector } from '../../src/connectors/index.js';
import { EddyError } from '../../src/common/errors.js';
import { T, type Schema } from '../../src/common/types.js';
import type { SourceReader } from '../../src/runtime/connector.js';
import { testContext } from './context.js';

const person = T.row([
  { name: 'id', type: T.bigint() },
  { name: 'name', type: T.string() },
  { name: 'emailAddress', type: T.string() },
  { name: 'creditCard', type: T.string() },
  { name: 'city', type: T.string() },
  { name: 'state', type: T.string() },
  { name: 'dateTime', type: T.timestamp(3) },
  { name: 'extra', type: T.string() },
]);
const auction = T.row([
  { name: 'id', type: T.bigint() },
  { name: 'itemName', type: T.string() },
  { name: 'description', type: T.string() },
  { name: 'initialBid', type: T.bigint() },
  { name: 'reserve', type: T.bigint() },
  { name: 'dateTime', type: T.timestamp(3) },
  { name: 'expires', type: T.timestamp(3) },
  { name: 'seller', type: T.bigint() },
  { name: 'category', type: T.bigint() },
  { name: 'extra', type: T.string() },
]);
const bid = T.row([
  { name: 'auction', type: T.bigint() },
  { name: 'bidder', type: T.bigint() },
  { name: 'price', type: T.bigint() },
  { name: 'channel', type: T.string() },
  { name: 'url', type: T.string() },
  { name: 'dateTime', type: T.timestamp(3) },
  { name: 'extra', type: T.string() },
]);
/** The physical columns of Flink Nexmark's `datagen` table. */
const SCHEMA: Schema = [
  { name: 'event_type', type: T.int() },
  { name: 'person', type: person },
  { name: 'auction', type: auction },
  { name: 'bid', type: bid },
];

type Row = readonly unknown[];

function reader(options: Record<string, string>, extra: { split?: { index: number; count: number }; restored?: unknown; schema?: Schema } = {}): SourceReader {
  const ctx = { ...testContext(extra.schema ?? SCHEMA, { connector: 'nexmark', ...options }, 'datagen'), ...(extra.split ? { split: extra.split } : {}), ...(extra.restored !== undefined ? { restored: extra.restored } : {}) };
  return nexmarkConnector.createSource!(ctx);
}

async function readAll(r: SourceReader, maxChunks = Infinity): Promise<Row[]> {
  await r.open();
  const rows: Row[] = [];
  for (let i = 0; i < maxChunks; i++) {
    const c = await r.next();
    if (c === null) break;
    rows.push(...c.rows);
  }
  return rows;
}

const problems = (options: Record<string, string>, schema: Schema = SCHEMA) =>
  validateOptions(nexmarkConnector, builtinFormats(), { connector: 'nexmark', ...options }, [], { columns: schema.map((c) => c.name), schema });

describe('nexmark options', () => {
  it('is registered, splittable, and accepts the Flink Nexmark DDL options', () => {
    expect(findConnector('nexmark')).toBe(nexmarkConnector);
    expect(nexmarkConnector.splittable).toBe(true);
    expect(
      problems({ 'first-event.rate': '10000000', 'next-event.rate': '10000000', 'events.num': '100000000', 'person.proportion': '1', 'auction.proportion': '3', 'bid.proportion': '46' }),
    ).toEqual([]);
    expect(problems({ 'rate.shape': 'square', 'rate.period': '10 min', 'max-emit-speed': 'false', 'person.avg-size': '1 kb', 'bid.hot-ratio.auctions': '3', 'keep-alive': 'true' })).toEqual([]);
  });

  it('refuses unknown options and bad values, naming the option', () => {
    expect(problems({ 'events.number': '5' }).map((p) => p.key)).toEqual(['events.number']);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ 'events.num': '-1' }, 'events.num', /out of range/],
      [{ 'first-event.rate': 'fast' }, 'first-event.rate', /not an integer/],
      [{ 'first-event.rate': '0' }, 'first-event.rate', /out of range/],
      [{ 'first-event.rate': '1000', 'next-event.rate': '2000' }, 'next-event.rate', /one rate/],
      [{ 'rate.shape': 'SINE' }, 'rate.shape', /not supported/],
      [{ 'rate.period': 'soon' }, 'rate.period', /not a duration/],
      [{ 'bid.proportion': '0' }, 'bid.proportion', /at least 1/],
      [{ 'person.avg-size': '200 parsecs' }, 'person.avg-size', /not a memory size/],
      [{ 'max-emit-speed': 'yes' }, 'max-emit-speed', /.*/],
    ];
    for (const [options, key, message] of cases) {
      const ps = problems(options);
      expect(ps.map((p) => p.key), JSON.stringify(options)).toEqual([key]);
      expect(ps[0]!.message).toMatch(message);
    }
  });

  it('refuses columns and fields the generator does not make, or types that cannot hold its values', () => {
    const bad = (schema: Schema) => problems({}, schema).map((p) => p.message);
    expect(bad([...SCHEMA, { name: 'other', type: T.int() }])[0]).toMatch(/column `other` is not one the nexmark generator makes/);
    expect(bad([{ name: 'bid', type: T.row([{ name: 'auction', type: T.bigint() }, { name: 'tip', type: T.bigint() }]) }])[0]).toMatch(/field `bid`.`tip` is not a bid field/);
    expect(bad([{ name: 'bid', type: T.row([{ name: 'price', type: T.int() }]) }])[0]).toMatch(/`bid`.`price` must be BIGINT, not INT/);
    expect(bad([{ name: 'bid', type: T.row([{ name: 'url', type: T.string(10) }]) }])[0]).toMatch(/must be STRING/);
    expect(bad([{ name: 'person', type: T.string() }])[0]).toMatch(/must be a ROW of the person fields/);
    expect(bad([{ name: 'event_type', type: T.string() }])[0]).toMatch(/must be an integer type/);
  });

  it('refuses them when a reader is created too', () => {
    expect(() => reader({ 'first-event.rate': 'x' })).toThrow(EddyError);
    expect(() => reader({}, { schema: [{ name: 'zzz', type: T.int() }] })).toThrow(/zzz/);
  });
});

describe('nexmark events', () => {
  const RATE = 1000;
  const N = 20_000;
  const options = { 'events.num': String(N), 'first-event.rate': String(RATE), 'next-event.rate': String(RATE) };

  it('makes events.num events, one ROW set per event by n % 50 (1:3:46), at base + n / rate', async () => {
    const rows = await readAll(reader(options));
    expect(rows.length).toBe(N);
    rows.forEach((r, n) => {
      const m = n % 50;
      const kind = m < 1 ? 0 : m < 4 ? 1 : 2;
      expect(r[0]).toBe(kind);
      for (let k = 0; k < 3; k++) expect(r[1 + k] === null).toBe(k !== kind);
      const value = r[1 + kind] as Row;
      const time = value[kind === 0 ? 6 : kind === 1 ? 5 : 5];
      expect(time).toBe(NEXMARK_BASE_TIME + Math.floor((n * 1000) / RATE));
    });
  });

  it('follows the generator rules: ids, sellers, bidders, auctions, prices, channels, sizes', async () => {
    const rows = await readAll(reader(options));
    let persons = 0;
    let auctions = 0;
    let hotAuction = 0;
    let hotBidder = 0;
    let hotSeller = 0;
    let hotChannel = 0;
    let cheap = 0;
    const bids: Row[] = [];
    rows.forEach((r, n) => {
      if (r[0] === 0) {
        const p = r[1] as Row;
        expect(p[0]).toBe(1000 + persons); // ids count up from 1000
        persons++;
        expect(p[1]).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
        expect(p[2]).toMatch(/^[a-z ]+@[a-z ]+\.com$/);
        expect(p[3]).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
        expect(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY']).toContain(p[5]);
        const size = 8 + (p[1] as string).length + (p[2] as string).length + (p[3] as string).length + (p[4] as string).length + (p[5] as string).length;
        const pad = 200 - size;
        expect((p[7] as string).length).toBeGreaterThanOrEqual(pad - Math.round(pad * 0.2));
        expect((p[7] as string).length).toBeLessThan(pad + Math.round(pad * 0.2));
      } else if (r[0] === 1) {
        const a = r[2] as Row;
        expect(a[0]).toBe(1000 + auctions);
        auctions++;
        const seller = a[7] as number;
        const lastPerson = persons - 1; // base 0
        if (seller - 1000 === Math.floor(lastPerson / 100) * 100) hotSeller++;
        expect(seller - 1000).toBeGreaterThanOrEqual(Math.max(0, persons - 1000));
        expect(seller - 1000).toBeLessThan(persons + 10);
        expect(a[8]).toBeGreaterThanOrEqual(10);
        expect(a[8]).toBeLessThanOrEqual(14);
        expect(a[4]).toBeGreaterThan(a[3] as number); // reserve = initialBid + a price
        expect(a[6]).toBeGreaterThan(a[5] as number); // expires after the auction's time
        expect((a[1] as string).length).toBeLessThan(20);
        expect((a[2] as string).length).toBeLessThan(100);
      } else {
        const b = r[3] as Row;
        bids.push(b);
        const lastAuction = auctions - 1;
        const auctionId = (b[0] as number) - 1000;
        if (auctionId === Math.floor(lastAuction / 100) * 100) hotAuction++;
        else {
          expect(auctionId).toBeGreaterThanOrEqual(Math.max(lastAuction - 100, 0));
          expect(auctionId).toBeLessThanOrEqual(lastAuction + 10);
        }
        // Bidders are offset by 2000: the reference adds FIRST_PERSON_ID twice.
        const bidder = (b[1] as number) - 2000;
        if (bidder === Math.floor((persons - 1) / 100) * 100 + 1) hotBidder++;
        else {
          expect(bidder).toBeGreaterThanOrEqual(Math.max(0, persons - 1000));
          expect(bidder).toBeLessThan(persons + 10);
        }
        const price = b[2] as number;
        expect(Number.isInteger(price)).toBe(true);
        expect(price).toBeGreaterThanOrEqual(100);
        expect(price).toBeLessThanOrEqual(100_000_000);
        if (price < 10_000) cheap++;
        if (['Google', 'Facebook', 'Baidu', 'Apple'].includes(b[3] as string)) {
          hotChannel++;
          expect(b[4]).toMatch(/^https:\/\/www\.nexmark\.com\/[a-z_]+\/[a-z_]+\/[a-z_]+\/item\.htm\?query=1$/);
        } else {
          expect(b[3]).toMatch(/^channel-\d{1,4}$/);
          expect(b[4]).toMatch(/^https:\/\/www\.nexmark\.com\/.*item\.htm\?query=1(&channel_id=\d+)?$/);
        }
        expect((b[6] as string).length).toBeGreaterThanOrEqual(68 - 14);
        expect((b[6] as string).length).toBeLessThan(68 + 14);
        expect(b[6]).toMatch(/^[a-z]*$/);
      }
      void n;
    });
    const nBids = bids.length;
    expect(persons).toBe(N / 50);
    expect(auctions).toBe((N / 50) * 3);
    // Hot shares: 1 - 1/ratio (plus the random picks that land on the hot one).
    expect(hotAuction / nBids).toBeGreaterThan(0.47);
    expect(hotAuction / nBids).toBeLessThan(0.56);
    expect(hotBidder / nBids).toBeGreaterThan(0.72);
    expect(hotBidder / nBids).toBeLessThan(0.78);
    expect(hotSeller / auctions).toBeGreaterThan(0.7);
    expect(hotSeller / auctions).toBeLessThan(0.8);
    expect(hotChannel / nBids).toBeGreaterThan(0.47);
    expect(hotChannel / nBids).toBeLessThan(0.53);
    // Log-uniform over 6 decades: 2 of them below 10^4.
    expect(cheap / nBids).toBeGreaterThan(0.31);
    expect(cheap / nBids).toBeLessThan(0.36);
    // Channel urls are fixed per channel.
    const urlOf = new Map<unknown, unknown>();
    for (const b of bids) {
      if (urlOf.has(b[3])) expect(urlOf.get(b[3])).toBe(b[4]);
      urlOf.set(b[3], b[4]);
    }
  });

  it('is deterministic, and the proportions and sizes follow the options', async () => {
    const a = await readAll(reader(options));
    const b = await readAll(reader(options));
    expect(b).toEqual(a);
    const custom = await readAll(reader({ 'events.num': '1000', 'person.proportion': '2', 'auction.proportion': '2', 'bid.proportion': '6', 'bid.avg-size': '1kb' }));
    expect(custom.map((r) => r[0]).slice(0, 10)).toEqual([0, 0, 1, 1, 2, 2, 2, 2, 2, 2]);
    const extra = (custom[5]![3] as Row)[6] as string;
    expect(extra.length).toBeGreaterThan(1024 - 32 - 200);
  });

  it('splits event numbers in interleaved blocks: the splits together make the whole stream, times advancing together', async () => {
    const whole = await readAll(reader(options));
    const count = 3;
    const parts = await Promise.all(Array.from({ length: count }, (_, index) => readAll(reader(options, { split: { index, count } }))));
    expect(parts.reduce((s, p) => s + p.length, 0)).toBe(N);
    // Rebuild the stream: block b comes from split b % count, in order.
    const merged: Row[] = [];
    const cursors = parts.map(() => 0);
    for (let block = 0; block * BLOCK_EVENTS < N; block++) {
      const s = block % count;
      const size = Math.min(BLOCK_EVENTS, N - block * BLOCK_EVENTS);
      merged.push(...parts[s]!.slice(cursors[s], cursors[s]! + size));
      cursors[s]! += size;
    }
    expect(merged).toEqual(whole);
  });

  it('resumes after the last emitted event from its position, per split', async () => {
    for (const split of [undefined, { index: 1, count: 2 }]) {
      const whole = await readAll(reader(options, split ? { split } : {}));
      const first = reader(options, split ? { split } : {});
      const head = await readAll(first, 2);
      const position = JSON.parse(JSON.stringify((first as { position(): unknown }).position()));
      const tail = await readAll(reader(options, { ...(split ? { split } : {}), restored: position }));
      expect([...head, ...tail]).toEqual(whole);
    }
    expect(() => reader(options, { split: { index: 0, count: 2 }, restored: { next: 0, index: 0, count: 3 } })).toThrow(/cannot be rescaled/);
    expect(() => reader(options, { restored: { what: 1 } })).toThrow(/checkpointed position/);
  });

  it('is bounded with events.num, unbounded without (or with keep-alive)', async () => {
    expect(reader({ 'events.num': '10' }).bounded).toBe(true);
    expect(reader({}).bounded).toBe(false);
    const alive = reader({ 'events.num': '10', 'keep-alive': 'true' });
    expect(alive.bounded).toBe(false);
    await alive.open();
    expect((await alive.next())!.rows.length).toBe(10);
    const waiting = alive.next();
    await alive.close();
    expect(await waiting).toBe(null);
    const unbounded = reader({});
    const c = await unbounded.next();
    expect(c!.rows.length).toBeGreaterThan(0);
    await unbounded.close();
  });

  it('fills ROW columns by field name, in any order and subset', async () => {
    const schema: Schema = [
      { name: 'bid', type: T.row([{ name: 'price', type: T.bigint() }, { name: 'auction', type: T.bigint() }]) },
      { name: 'event_type', type: T.bigint() },
    ];
    const rows = await readAll(reader({ 'events.num': '200' }, { schema }));
    const full = await readAll(reader({ 'events.num': '200' }));
    expect(rows).toEqual(full.map((r) => [r[3] === null ? null : [(r[3] as Row)[2], (r[3] as Row)[0]], r[0]]));
  });

  it('paces events at the event-time rate when max-emit-speed is false', async () => {
    const r = reader({ 'events.num': '12000', 'first-event.rate': '20000', 'max-emit-speed': 'false' });
    const started = Date.now();
    const rows = await readAll(r);
    expect(rows.length).toBe(12000);
    // The last chunk starts at event 8000, 400 ms of event time after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(nexmarkConfig({ 'rate.limited': 'true' }).paced).toBe(true);
    expect(nexmarkConfig({}).paced).toBe(false);
  });
});
