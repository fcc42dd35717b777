/**
 * The binary state encoding's numbers, checked against an encoder written here from the format's
 * description (packed.ts): the writers' fast paths (small integers, runs of writes on a local position,
 * numeric keys of upserts) must write exactly those bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PackReader, PackWriter } from '../../../src/runtime/state/packed.js';
import { OpWriter } from '../../../src/runtime/state/state-writer.js';

/** A varint: 7 bits per byte, low bits first, the high bit set on every byte but the last. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A number: tag 3 + varint for integers 0 .. 2^53-1, tag 4 + varint of -v for negative ones, else tag 5 + float64 LE (-0 too). */
function number(v: number): number[] {
  if (Number.isSafeInteger(v) && !Object.is(v, -0)) return v >= 0 ? [3, ...varint(v)] : [4, ...varint(-v)];
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [5, ...b];
}

const u32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const f64 = (v: number): number[] => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...b];
};
const hex = (bytes: Iterable<number>): string => Buffer.from([...bytes]).toString('hex');

/** Edge cases of each path: the small-integer one (< 128), the varint ones, the float one. */
const EDGES = [
  0, -0, 1, 127, 128, 255, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -1, -127, -128, -(2 ** 31), -(2 ** 53 - 1),
  -(2 ** 53), 0.5, -0.5, 127.5, 1e300, -1e-300, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
];
const anyNumber = fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(...EDGES));

describe('packed numbers', () => {
  it('writes every number as the format describes, and reads it back', () => {
    const check = (v: number): void => {
      const w = new PackWriter(16);
      w.number(v);
      expect(hex(w.bytes()), String(v)).toBe(hex(number(v)));
      expect(Object.is(new PackReader(w.bytes()).value(), v), String(v)).toBe(true);
    };
    for (const v of EDGES) check(v);
    fc.assert(fc.property(anyNumber, check));
  });

  it('writes the same bytes in a run on a local position, growing the buffer as it goes', () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { maxLength: 40 }), (values) => {
        const w = new PackWriter(4); // grows several times within the run
        let p = w.arrayHeaderAt(w.pos, values.length);
        for (const v of values) p = w.numberAt(p, v);
        p = w.f64At(p, 1.25);
        w.pos = p;
        expect(hex(w.bytes())).toBe(hex([7, ...varint(values.length), ...values.flatMap(number), ...f64(1.25)]));
      }),
    );
  });

  it("writes an upsert's numeric key like any other key (-0 as the key 0)", () => {
    fc.assert(
      fc.property(anyNumber, fc.double(), fc.integer({ min: 0, max: 300 }), (key, time, value) => {
        const w = new OpWriter(8);
        w.upsert(2, '', key, value, time);
        const k = number(Object.is(key, -0) ? 0 : key);
        const v = number(value);
        // UPSERT, table, namespace '' (a string of no bytes: tag 6, length 0), key, time, value; fields behind u32 lengths.
        expect(hex(w.bytes()), String(key)).toBe(hex([1, 2, ...u32(2), 6, 0, ...u32(k.length), ...k, ...f64(time), ...u32(v.length), ...v]));
      }),
    );
  });
});
