/**
 * The Nexmark event generator, by the rules of the reference generator (nexmark/nexmark, nexmark-flink's
 * generator/NexmarkGenerator and generator/model/*), written for speed and for splitting:
 *
 * - Event n (0-based, global) is a pure function of (n, config): its kind by `n % totalProportion` (person
 *   first, then auctions, then bids: 1:3:46 by default), its ids from n, and its random choices from a PRNG
 *   seeded by n alone (the reference seeds `new Random(eventId)`-style per event; Eddy uses mulberry32, so the
 *   values differ from the Java generator's but follow the same distributions). Any split of the event numbers
 *   can so be generated independently, and `eddy nexmark` writes the same events as the `nexmark` source.
 * - Event time of n: base + floor(n * 1000 / first-event.rate) ms, in order (no out-of-order groups).
 * - Person n: id = the person count so far + 1000; name, email, credit card, city and state as the reference.
 * - Auction: id from the auction count + 1000; seller the hot seller (first person of the current batch of
 *   100) with probability 1 - 1/hot-ratio.sellers, else a random active person (the last 1000, plus 10 not
 *   yet created); category 10..14; initialBid a price; reserve = initialBid + a price; expires after 1 ms up to
 *   twice the time 100 more auctions take.
 * - Bid: auction the hot one (first of the current batch of 100 auctions) with probability
 *   1 - 1/hot-ratio.auctions, else one of the last 100 auctions (plus 10 ahead); bidder the hot bidder (second
 *   person of the batch) with probability 1 - 1/hot-ratio.bidders, else a random active person; as in the
 *   reference BidGenerator, 1000 (FIRST_PERSON_ID) is added to the bidder twice. price = round(10^(6u) * 100)
 *   (log-uniform, 100 to 100,000,000 cents); channel one of 4 hot channels with their urls (probability 1/2),
 *   else `channel-K` (K < 10,000) with its url (90% of them ending in `&channel_id=...`).
 * - `extra` pads each event to its average size (±20%), as the reference's nextExtra; its text is a substring
 *   of one shared random string of letters (the reference builds a new random string each time). Random words
 *   (names, descriptions) are likewise substrings of a shared random text of letters and spaces, trimmed.
 *
 * Rows are positional arrays (a ROW value), fields in the order of {@link PERSON_FIELDS}, {@link AUCTION_FIELDS}
 * and {@link BID_FIELDS}; timestamps are epoch milliseconds.
 */
import type { NexmarkConfig } from './config.js';

export const PERSON = 0;
export const AUCTION = 1;
export const BID = 2;

export const PERSON_FIELDS = ['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'] as const;
export const AUCTION_FIELDS = ['id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra'] as const;
export const BID_FIELDS = ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'] as const;

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
/** The batch of ids the hot seller / bidder / auction is the first (second) of. */
const HOT_BATCH = 100;
const NUM_ACTIVE_PEOPLE = 1000;
const NUM_IN_FLIGHT_AUCTIONS = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

const TWO_32 = 4294967296;
const SIX_LN10 = 6 * Math.LN10;

/** A mulberry32 stream, for the fixed tables below (not per event). */
function tableRandom(seed: number): (bound: number) => number {
  let s = seed | 0;
  return (bound) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / TWO_32) * bound);
  };
}

/** Shared random texts, built once per process from fixed seeds (so every process has the same). */
interface Texts {
  /** Lowercase letters, for `extra`. */
  readonly letters: string;
  /** Lowercase letters with a space at 1 in 13 places, for words. */
  readonly words: string;
  /** `words` with `_` instead of spaces, for urls. */
  readonly hotUrls: readonly string[];
  readonly channelNames: readonly string[];
  readonly channelUrls: readonly string[];
}

let texts: Texts | undefined;

function buildTexts(): Texts {
  const rand = tableRandom(0x4e584d4b); // "NXMK"
  const letterBytes = Buffer.allocUnsafe(1 << 20);
  for (let i = 0; i < letterBytes.length; i++) letterBytes[i] = 97 + rand(26);
  const wordBytes = Buffer.allocUnsafe(1 << 16);
  for (let i = 0; i < wordBytes.length; i++) wordBytes[i] = rand(13) === 0 ? 32 : 97 + rand(26);
  const word = (maxLength: number, special: string): string => {
    let len = 3 + rand(maxLength - 3);
    let s = '';
    while (len-- > 0) s += rand(13) === 0 ? special : String.fromCharCode(97 + rand(26));
    return s.trim();
  };
  const baseUrl = () => `https://www.nexmark.com/${word(5, '_')}/${word(5, '_')}/${word(5, '_')}/item.htm?query=1`;
  const hotUrls = HOT_CHANNELS.map(() => baseUrl());
  const channelNames: string[] = [];
  const channelUrls: string[] = [];
  for (let i = 0; i < CHANNELS_NUMBER; i++) {
    channelNames.push(`channel-${i}`);
    let url = baseUrl();
    if (rand(10) > 0) url += `&channel_id=${Math.abs(reverseInt32(i))}`;
    channelUrls.push(url);
  }
  return { letters: letterBytes.toString('latin1'), words: wordBytes.toString('latin1'), hotUrls, channelNames, channelUrls };
}

/** Java's Integer.reverse. */
function reverseInt32(i: number): number {
  let r = 0;
  for (let k = 0; k < 32; k++) {
    r = (r << 1) | (i & 1);
    i >>>= 1;
  }
  return r | 0;
}

function pad4(n: number): string {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : `${n}`;
}

/** Generates events by number; one instance per reader (it holds the per-event PRNG state). */
export class NexmarkGenerator {
  private readonly texts: Texts;
  private readonly personP: number;
  private readonly auctionP: number;
  private readonly totalP: number;
  private readonly msPerEventNumerator: number;
  /** Events until 100 more auctions have been created. */
  private readonly eventsForAuctions: number;
  /** The PRNG state of the event being generated. */
  private s = 0;

  constructor(readonly config: NexmarkConfig) {
    texts ??= buildTexts();
    this.texts = texts;
    this.personP = config.personProportion;
    this.auctionP = config.auctionProportion;
    this.totalP = config.totalProportion;
    this.msPerEventNumerator = 1000;
    this.eventsForAuctions = Math.floor((NUM_IN_FLIGHT_AUCTIONS * this.totalP) / this.auctionP);
  }

  /** The kind of event n: {@link PERSON}, {@link AUCTION} or {@link BID}. */
  kind(n: number): number {
    const rem = n % this.totalP;
    return rem < this.personP ? PERSON : rem < this.personP + this.auctionP ? AUCTION : BID;
  }

  /** Event time of event n (epoch ms). */
  timestamp(n: number): number {
    return this.config.baseTime + Math.floor((n * this.msPerEventNumerator) / this.config.firstEventRate);
  }

  /** Event n as a ROW value of its kind's fields. */
  event(n: number): unknown[] {
    const k = this.kind(n);
    return k === BID ? this.bid(n) : k === AUCTION ? this.auction(n) : this.person(n);
  }

  /** The id (base 0) of the last person created by event n (n itself when it is a person). */
  lastBase0PersonId(n: number): number {
    const epoch = Math.floor(n / this.totalP);
    let offset = n % this.totalP;
    if (offset >= this.personP) offset = this.personP - 1;
    return epoch * this.personP + offset;
  }

  /** The id (base 0) of the last auction created by event n (n itself when it is an auction). */
  lastBase0AuctionId(n: number): number {
    let epoch = Math.floor(n / this.totalP);
    let offset = n % this.totalP;
    if (offset < this.personP) {
      epoch--;
      offset = this.auctionP - 1;
    } else if (offset >= this.personP + this.auctionP) {
      offset = this.auctionP - 1;
    } else {
      offset -= this.personP;
    }
    return epoch * this.auctionP + offset;
  }

  person(n: number): unknown[] {
    this.seed(n);
    const id = this.lastBase0PersonId(n) + FIRST_PERSON_ID;
    const name = `${FIRST_NAMES[this.int(FIRST_NAMES.length)]!} ${LAST_NAMES[this.int(LAST_NAMES.length)]!}`;
    const email = `${this.word(7)}@${this.word(5)}.com`;
    const card = `${pad4(this.int(10000))} ${pad4(this.int(10000))} ${pad4(this.int(10000))} ${pad4(this.int(10000))}`;
    const city = US_CITIES[this.int(US_CITIES.length)]!;
    const state = US_STATES[this.int(US_STATES.length)]!;
    const size = 8 + name.length + email.length + card.length + city.length + state.length;
    return [id, name, email, card, city, state, this.timestamp(n), this.extra(size, this.config.avgPersonSize)];
  }

  auction(n: number): unknown[] {
    this.seed(n);
    const id = this.lastBase0AuctionId(n) + FIRST_AUCTION_ID;
    const seller = (this.int(this.config.hotSellersRatio) > 0 ? Math.floor(this.lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH : this.nextBase0PersonId(n)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + this.int(NUM_CATEGORIES);
    const initialBid = this.price();
    const t = this.timestamp(n);
    const horizon = this.timestamp(n + this.eventsForAuctions) - t;
    const expires = t + 1 + this.long(Math.max(horizon * 2, 1));
    const itemName = this.word(20);
    const description = this.word(100);
    const reserve = initialBid + this.price();
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    return [id, itemName, description, initialBid, reserve, t, expires, seller, category, this.extra(size, this.config.avgAuctionSize)];
  }

  bid(n: number): unknown[] {
    this.seed(n);
    const auction = (this.int(this.config.hotAuctionRatio) > 0 ? Math.floor(this.lastBase0AuctionId(n) / HOT_BATCH) * HOT_BATCH : this.nextBase0AuctionId(n)) + FIRST_AUCTION_ID;
    const bidder = (this.int(this.config.hotBiddersRatio) > 0 ? Math.floor(this.lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH + 1 : this.nextBase0PersonId(n)) + 2 * FIRST_PERSON_ID;
    const price = this.price();
    let channel: string;
    let url: string;
    if (this.int(HOT_CHANNELS_RATIO) > 0) {
      const i = this.int(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = this.texts.hotUrls[i]!;
    } else {
      const k = this.int(CHANNELS_NUMBER);
      channel = this.texts.channelNames[k]!;
      url = this.texts.channelUrls[k]!;
    }
    return [auction, bidder, price, channel, url, this.timestamp(n), this.extra(32, this.config.avgBidSize)];
  }

  private nextBase0PersonId(n: number): number {
    const numPeople = this.lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
    return numPeople - active + this.long(active + PERSON_ID_LEAD);
  }

  private nextBase0AuctionId(n: number): number {
    const max = this.lastBase0AuctionId(n);
    const min = Math.max(max - NUM_IN_FLIGHT_AUCTIONS, 0);
    return min + this.long(max - min + 1 + AUCTION_ID_LEAD);
  }

  /** Log-uniform prices: 100 to 100,000,000. */
  private price(): number {
    // 10^(6u) = e^(6 ln 10 u), u uniform in [0, 1) by 32 bits.
    return Math.round(Math.exp((this.next32() / TWO_32) * SIX_LN10) * 100);
  }

  /** A random word of 3 to maxLength - 1 characters (letters and spaces), trimmed. */
  private word(maxLength: number): string {
    const len = 3 + this.int(maxLength - 3);
    const words = this.texts.words;
    const off = this.int(words.length - len);
    return words.substring(off, off + len).trim();
  }

  /** Padding so that currentSize + its length is on average `average` (±20%). */
  private extra(currentSize: number, average: number): string {
    if (currentSize > average) return '';
    const desired = average - currentSize;
    const delta = Math.round(desired * 0.2);
    const size = desired - delta + (delta === 0 ? 0 : this.int(2 * delta));
    const letters = this.texts.letters;
    const off = this.int(letters.length - size);
    return letters.substring(off, off + size);
  }

  /** Seeds the PRNG for event n (n < 2^53): a hash of n's two 32-bit halves. */
  private seed(n: number): void {
    const lo = n >>> 0;
    const hi = (n - lo) / TWO_32;
    let h = Math.imul(lo ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 16;
    h = Math.imul(h, 0x21f0aaad);
    h ^= h >>> 15;
    h = Math.imul(h, 0x735a2d97);
    this.s = h ^ (h >>> 15);
  }

  /** mulberry32: the next 32 random bits. */
  private next32(): number {
    const s = (this.s = (this.s + 0x6d2b79f5) | 0);
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, bound), bound <= 2^21. */
  private int(bound: number): number {
    return Math.floor((this.next32() * bound) / TWO_32);
  }

  /** Uniform in [0, bound) for any safe bound. */
  private long(bound: number): number {
    return bound <= 2097152 ? this.int(bound) : Math.floor(this.double() * bound);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  private double(): number {
    return ((this.next32() >>> 5) * 67108864 + (this.next32() >>> 6)) / 9007199254740992;
  }
}
