/**
 * The Nexmark generator's configuration, from the `nexmark` connector's options (the option names and
 * defaults of Flink Nexmark's NexmarkSourceOptions) or from `eddy nexmark`'s arguments.
 */
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { OptionSpec } from '../../runtime/connector.js';
import { parseDuration } from '../option-values.js';

/** Everything that decides the events (and, with pacing, when they are emitted). */
export interface NexmarkConfig {
  /** Events to generate; 0: unbounded. */
  readonly eventsNum: number;
  /** Events per second of event time (the inter-event delay is 1e6 / rate µs). */
  readonly firstEventRate: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly totalProportion: number;
  /** Average sizes in bytes the `extra` fields pad events to. */
  readonly avgPersonSize: number;
  readonly avgAuctionSize: number;
  readonly avgBidSize: number;
  /** 1 - 1/ratio of bids are on a hot auction / by a hot bidder; of auctions by a hot seller. */
  readonly hotAuctionRatio: number;
  readonly hotBiddersRatio: number;
  readonly hotSellersRatio: number;
  /** Emit events at wall-clock pace (event time advancing with the clock) instead of as fast as possible. */
  readonly paced: boolean;
  /** A bounded run stays open (no more events) after the last event instead of ending. */
  readonly keepAlive: boolean;
  /** Event time of event 0 (epoch ms). */
  readonly baseTime: number;
}

/** Event time of event 0: 2026-03-01 00:00:00.000 UTC (fixed, so runs are reproducible). */
export const NEXMARK_BASE_TIME = Date.UTC(2026, 2, 1, 0, 0, 0, 0);

/** The connector's options: Flink Nexmark's NexmarkSourceOptions (keys and defaults). */
export const NEXMARK_OPTIONS: readonly OptionSpec[] = [
  { key: 'events.num', description: 'Events to generate (person, auction and bid together); 0: unbounded.', defaultValue: '0' },
  { key: 'first-event.rate', description: 'Events per second of event time: event n happens at base + n / rate seconds.', defaultValue: '10000' },
  { key: 'next-event.rate', description: 'Must equal first-event.rate: Eddy (like the reference generator) keeps one rate.', defaultValue: '10000' },
  { key: 'rate.shape', description: 'Shape of the rate over time; only SQUARE (with one rate, a constant rate).', defaultValue: 'SQUARE', values: ['SQUARE', 'SINE'] },
  { key: 'rate.period', description: 'Period of the rate shape (a duration); no effect with one rate.', defaultValue: '600 s' },
  { key: 'rate.limited', description: "When 'true', events are emitted at wall-clock pace (as with 'max-emit-speed' = 'false').", defaultValue: 'false', values: ['true', 'false'] },
  { key: 'max-emit-speed', description: "Emit as fast as possible ('true', Flink's default); 'false': event time advances with the wall clock.", defaultValue: 'true', values: ['true', 'false'] },
  { key: 'keep-alive', description: 'After events.num events, stay open (no more data) instead of ending.', defaultValue: 'false', values: ['true', 'false'] },
  { key: 'person.proportion', description: 'Share of person events (of person + auction + bid proportions).', defaultValue: '1' },
  { key: 'auction.proportion', description: 'Share of auction events.', defaultValue: '3' },
  { key: 'bid.proportion', description: 'Share of bid events.', defaultValue: '46' },
  { key: 'person.avg-size', description: "Average size of a person event (a memory size, e.g. '200b'); 'extra' pads to it.", defaultValue: '200b' },
  { key: 'auction.avg-size', description: 'Average size of an auction event.', defaultValue: '500b' },
  { key: 'bid.avg-size', description: 'Average size of a bid event.', defaultValue: '100b' },
  { key: 'bid.hot-ratio.auctions', description: '1 - 1/ratio of bids are on the hot auction of the last 100.', defaultValue: '2' },
  { key: 'bid.hot-ratio.bidders', description: '1 - 1/ratio of bids are by the hot bidder of the last 100 people.', defaultValue: '4' },
  { key: 'auction.hot-ratio.sellers', description: '1 - 1/ratio of auctions are by the hot seller of the last 100 people.', defaultValue: '4' },
];

/** Largest number of events: event numbers and ids stay exact doubles. */
export const MAX_EVENTS = 2 ** 50;

function invalid(key: string, message: string, hint?: string): never {
  throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Option '${key}': ${message}`, ...(hint ? { hint } : {}) });
}

function integer(options: Readonly<Record<string, string>>, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = options[key];
  if (text === undefined) return fallback;
  const t = text.trim();
  const n = /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n)) invalid(key, `'${text}' is not an integer`);
  if (n < min || n > max) invalid(key, `${n} is out of range (${min} to ${max})`);
  return n;
}

function bool(options: Readonly<Record<string, string>>, key: string, fallback: boolean): boolean {
  const text = options[key];
  if (text === undefined) return fallback;
  const t = text.trim().toLowerCase();
  if (t !== 'true' && t !== 'false') invalid(key, `'${text}' is not 'true' or 'false'`);
  return t === 'true';
}

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1, bytes: 1,
  k: 1024, kb: 1024, kibibytes: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mebibytes: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gibibytes: 1024 ** 3,
};

/** A Flink MemorySize (`200b`, `1 kb`, `512`), in bytes. */
function memorySize(options: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const text = options[key];
  if (text === undefined) return fallback;
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? MEMORY_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) invalid(key, `'${text}' is not a memory size`, "e.g. '200b', '1kb'");
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) invalid(key, `${text} is too large`);
  return n;
}

/** Reads and checks the options (already checked to be known keys); throws INVALID_OPTION errors. */
export function nexmarkConfig(options: Readonly<Record<string, string>>): NexmarkConfig {
  const rate = integer(options, 'first-event.rate', 10000, 1, 2 ** 31 - 1);
  const nextRate = integer(options, 'next-event.rate', rate, 1, 2 ** 31 - 1);
  if (nextRate !== rate) {
    invalid('next-event.rate', `${nextRate} differs from 'first-event.rate' (${rate}): Eddy generates events at one rate`, `set both to ${rate}`);
  }
  const shape = (options['rate.shape'] ?? 'SQUARE').trim().toUpperCase();
  if (shape !== 'SQUARE') invalid('rate.shape', `'${options['rate.shape']}' is not supported: the rate is constant (SQUARE with one rate)`, "remove the option or set it to 'SQUARE'");
  if (options['rate.period'] !== undefined && parseDuration(options['rate.period']) === undefined) invalid('rate.period', `'${options['rate.period']}' is not a duration`);
  const person = integer(options, 'person.proportion', 1, 0, 1_000_000);
  const auction = integer(options, 'auction.proportion', 3, 0, 1_000_000);
  const bid = integer(options, 'bid.proportion', 46, 0, 1_000_000);
  if (person === 0 || auction === 0 || bid === 0) {
    const key = person === 0 ? 'person.proportion' : auction === 0 ? 'auction.proportion' : 'bid.proportion';
    invalid(key, 'must be at least 1 (auctions need sellers, bids need auctions and bidders)');
  }
  return {
    eventsNum: integer(options, 'events.num', 0, 0, MAX_EVENTS),
    firstEventRate: rate,
    personProportion: person,
    auctionProportion: auction,
    bidProportion: bid,
    totalProportion: person + auction + bid,
    avgPersonSize: memorySize(options, 'person.avg-size', 200),
    avgAuctionSize: memorySize(options, 'auction.avg-size', 500),
    avgBidSize: memorySize(options, 'bid.avg-size', 100),
    hotAuctionRatio: integer(options, 'bid.hot-ratio.auctions', 2, 1, 2 ** 31 - 1),
    hotBiddersRatio: integer(options, 'bid.hot-ratio.bidders', 4, 1, 2 ** 31 - 1),
    hotSellersRatio: integer(options, 'auction.hot-ratio.sellers', 4, 1, 2 ** 31 - 1),
    paced: !bool(options, 'max-emit-speed', true) || bool(options, 'rate.limited', false),
    keepAlive: bool(options, 'keep-alive', false),
    baseTime: NEXMARK_BASE_TIME,
  };
}
