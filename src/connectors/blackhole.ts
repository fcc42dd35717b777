/**
 * Flink's `blackhole` sink: accepts every change and discards it (for benchmarks and dry runs).
 *
 * Eddy's own option `'checksum' = 'true'` (Flink's blackhole has none) makes it keep, instead of nothing, the net
 * number of rows (+1 for +I/+U, −1 for −U/−D) and an order-independent 64-bit checksum of the output: the sum of
 * {@link rowHash} over accumulated rows minus the sum over retracted rows, modulo 2^64. That is a checksum of the
 * final multiset of rows, the same whatever the order of the changes, their batches, or the job's parallelism, so
 * two runs (or two engines' outputs hashed the same way) can be compared without storing the output. Both are kept
 * in the sink's counters (see {@link ChecksumCounters}) and reported in the job's summary.
 */
import type { ConnectorContext, ConnectorFactory, SinkWriter } from '../runtime/connector.js';
import type { ChangeBatch } from '../runtime/changelog.js';
import { CounterNames, type Counter } from '../runtime/metrics.js';
import { isTrue } from './option-values.js';

const TWO_32 = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------------------------
// Row hash: two 32-bit lanes (murmur3-style rounds with different seeds and constants) over a canonical,
// tagged encoding of the row's values. Deterministic across processes and machines (no per-process seed).

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

let h1 = 0;
let h2 = 0;

/** Mixes one 32-bit word into both lanes. */
function word(k: number): void {
  let a = Math.imul(k, 0xcc9e2d51);
  a = (a << 15) | (a >>> 17);
  a = Math.imul(a, 0x1b873593);
  h1 ^= a;
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  let b = Math.imul(k ^ 0x5bd1e995, 0x85ebca6b);
  b = (b << 17) | (b >>> 15);
  b = Math.imul(b, 0xc2b2ae35);
  h2 ^= b;
  h2 = (h2 << 11) | (h2 >>> 21);
  h2 = (Math.imul(h2, 9) + 0x52dce729) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Tags of the canonical encoding: every value starts with one, so that e.g. NULL, 0, '' and FALSE differ.
const T_NULL = 1;
const T_NUMBER = 2;
const T_BIGINT = 3;
const T_STRING = 4;
const T_TRUE = 5;
const T_FALSE = 6;
const T_BYTES = 7;
const T_LIST = 8;
const T_MAP = 9;
const T_DECIMAL = 10;

function str(s: string): void {
  const n = s.length;
  word(n);
  let i = 0;
  for (; i + 1 < n; i += 2) word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) word(s.charCodeAt(i));
}

function value(v: unknown): void {
  switch (typeof v) {
    case 'number':
      word(T_NUMBER);
      // One encoding per value: -0 is 0, every NaN the same. Integers and doubles share it (5 and 5.0 are one value).
      F64[0] = v === 0 ? 0 : Number.isNaN(v) ? NaN : v;
      word(U32[0]!);
      word(U32[1]!);
      return;
    case 'bigint':
      // A BIGINT within ±(2^53−1) is a number in Eddy; the same value as a bigint hashes as that number.
      if (v >= -9007199254740991n && v <= 9007199254740991n) return value(Number(v));
      word(T_BIGINT);
      word(Number(BigInt.asUintN(32, v)));
      word(Number(BigInt.asUintN(32, v >> 32n)));
      return;
    case 'string':
      word(T_STRING);
      str(v);
      return;
    case 'boolean':
      word(v ? T_TRUE : T_FALSE);
      return;
    case 'object':
      if (v === null) return word(T_NULL);
      if (Array.isArray(v)) {
        word(T_LIST);
        word(v.length);
        for (const x of v) value(x);
        return;
      }
      if (v instanceof Uint8Array) {
        word(T_BYTES);
        word(v.length);
        for (const b of v) word(b);
        return;
      }
      if (v instanceof Map) {
        // A MAP's entries have no order: combine their hashes with a commutative sum.
        const saved1 = h1;
        const saved2 = h2;
        let s1 = 0;
        let s2 = 0;
        for (const [k, x] of v) {
          h1 = 0x3c6ef372;
          h2 = 0x1f83d9ab;
          value(k);
          value(x);
          s1 = (s1 + fmix(h1)) | 0;
          s2 = (s2 + fmix(h2)) | 0;
        }
        h1 = saved1;
        h2 = saved2;
        word(T_MAP);
        word(v.size);
        word(s1);
        word(s2);
        return;
      }
      if (typeof (v as { decimal?: unknown }).decimal === 'string') {
        word(T_DECIMAL);
        str((v as { decimal: string }).decimal);
        return;
      }
      if (v instanceof Date) return value(v.getTime());
      break;
  }
  throw new Error(`blackhole checksum: cannot hash a value of type ${typeof v}`);
}

/**
 * The 64-bit hash of a row, as its low and high 32-bit halves (unsigned): over canonical values (NULL, numbers —
 * integers and doubles alike, a safe bigint as its number —, bigints, strings, booleans, bytes, DECIMALs by their
 * exact text, timestamps as the epoch-ms numbers Eddy holds them as, nested ROW/ARRAY as lists, MAP entries in any
 * order), deterministic across processes.
 */
export function rowHash(row: readonly unknown[]): [low: number, high: number] {
  hashRow(row);
  return [hashLow, hashHigh];
}

let hashLow = 0;
let hashHigh = 0;

/** {@link rowHash} into `hashLow` / `hashHigh` (no allocation). */
function hashRow(row: readonly unknown[]): void {
  h1 = 0x9747b28c;
  h2 = 0x2545f491;
  word(row.length);
  for (let i = 0; i < row.length; i++) value(row[i]);
  hashLow = fmix(h1 ^ (row.length * 4));
  hashHigh = fmix(h2 ^ (row.length * 8));
}

/** The 64-bit checksum `low + high·2^32` as 16 hexadecimal digits. */
export function checksumHex(low: number, high: number): string {
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/**
 * A sink's checksum counters: `checksumLow` and `checksumHigh` hold the two 32-bit halves of the sum modulo 2^64
 * (each kept in [0, 2^32)), `checksumRows` the net row count. Counters of several instances of one sink (a parallel
 * job) are summed by whoever reports them; {@link combineChecksum} turns summed halves back into the checksum.
 */
export class ChecksumCounters {
  constructor(
    private readonly low: Counter,
    private readonly high: Counter,
    private readonly rows: Counter,
  ) {}

  /** Adds (`sign` = 1) or removes (`sign` = −1) one row. */
  add(row: readonly unknown[], sign: 1 | -1): void {
    hashRow(row);
    const lo = hashLow;
    const hi = hashHigh;
    let low = this.low.value;
    let high = this.high.value;
    if (sign === 1) {
      low += lo;
      high += hi;
      if (low >= TWO_32) {
        low -= TWO_32;
        high += 1;
      }
    } else {
      low -= lo;
      high -= hi;
      if (low < 0) {
        low += TWO_32;
        high -= 1;
      }
    }
    this.low.value = low;
    this.high.value = high >>> 0;
    this.rows.value += sign;
  }
}

/**
 * The checksum (16 hex digits) of summed halves: `low` and `high` may each be a sum of several instances' halves
 * (each below 2^32); the carry of `low` goes into `high`, and the result is modulo 2^64.
 */
export function combineChecksum(low: number, high: number): string {
  const carry = Math.floor(low / TWO_32);
  return checksumHex(low - carry * TWO_32, (high + carry) % TWO_32 >>> 0);
}

/** A sink that drops everything it is given; with `checksum`, after adding it to its checksum counters. */
export class BlackholeSinkWriter implements SinkWriter {
  private readonly checksum?: ChecksumCounters;

  constructor(ctx?: ConnectorContext) {
    if (ctx && isTrue(ctx.options, 'checksum')) {
      this.checksum = new ChecksumCounters(
        ctx.counter(CounterNames.checksumLow),
        ctx.counter(CounterNames.checksumHigh),
        ctx.counter(CounterNames.checksumRows),
      );
    }
  }

  async open(): Promise<void> {}
  write(batch: ChangeBatch): void {
    const checksum = this.checksum;
    if (!checksum) return;
    const { rows, kinds } = batch;
    // +I (0) and +U (2) add a row, -U (1) and -D (3) retract one.
    for (let i = 0; i < rows.length; i++) checksum.add(rows[i]!, (kinds[i]! & 1) === 0 ? 1 : -1);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** The `blackhole` connector factory. */
export const blackholeConnector: ConnectorFactory = {
  identifier: 'blackhole',
  description: 'Discards every change it receives.',
  options: [
    {
      key: 'checksum',
      description:
        "Eddy's own option (not Flink's): keep the net row count and an order-independent 64-bit checksum of the output (the final multiset of rows), reported in the job's summary.",
      defaultValue: 'false',
      values: ['true', 'false'],
    },
  ],
  sinkChangelogMode: 'all',
  createSink: (ctx) => new BlackholeSinkWriter(ctx),
};
