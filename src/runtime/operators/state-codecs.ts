/**
 * Codecs that turn the operators' state values (row values, rows, accumulators) into JSON-safe data and
 * back, for state tables backed by a store. Only checkpoints and restores call them; the hot path never does.
 */
import type { PackWriter } from '../state/packed.js';
import type { ValueCodec } from '../state/state-types.js';
import type { AggCall } from './aggregate-call.js';

/**
 * Encodes a value so that it survives a JSON round trip exactly. Strings, booleans, null and finite numbers
 * (except -0) stay as they are and arrays are encoded element-wise; everything JSON would lose becomes a
 * one-key object tagged by its kind: `{n: 'NaN' | 'Infinity' | '-Infinity' | '-0'}`, `{i: '123'}` (bigint),
 * `{b: base64}` (BYTES), `{m: [[k, v], ..]}` (MAP), `{o: {..}}` (a plain object, e.g. inside a serialized
 * accumulator). Since every object is tagged, decoding is unambiguous.
 */
export function encodeValue(v: unknown): unknown {
  switch (typeof v) {
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { n: Object.is(v, -0) ? '-0' : String(v) };
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return { i: v.toString() };
    case 'undefined':
      return null;
    default:
      break;
  }
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v instanceof Uint8Array) return { b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof Map) return { m: [...v].map(([k, e]) => [encodeValue(k), encodeValue(e)]) };
  // Object.fromEntries defines own properties, so even a key named `__proto__` survives.
  return { o: Object.fromEntries(Object.entries(v as object).map(([k, e]) => [k, encodeValue(e)])) };
}

/** The inverse of {@link encodeValue}. */
export function decodeValue(d: unknown): unknown {
  if (d === null || typeof d !== 'object') return d;
  if (Array.isArray(d)) return d.map(decodeValue);
  const t = d as { n?: string; i?: string; b?: string; m?: [unknown, unknown][]; o?: Record<string, unknown> };
  if (t.n !== undefined) return t.n === '-0' ? -0 : Number(t.n);
  if (t.i !== undefined) return BigInt(t.i);
  if (t.b !== undefined) return new Uint8Array(Buffer.from(t.b, 'base64'));
  if (t.m !== undefined) return new Map(t.m.map(([k, e]) => [decodeValue(k), decodeValue(e)]));
  return Object.fromEntries(Object.entries(t.o ?? {}).map(([k, e]) => [k, decodeValue(e)]));
}

/**
 * Writes `encodeValue(v)` in the binary state encoding: the same bytes as `w.value(encodeValue(v))`, without
 * building the encoded data (checkpoints write many entries; see ValueCodec.write).
 */
export function writeEncodedValue(w: PackWriter, v: unknown): void {
  switch (typeof v) {
    case 'number':
      writeEncodedNumber(w, v);
      return;
    case 'string':
    case 'boolean':
      w.value(v);
      return;
    case 'bigint':
      tagged(w, 'i', v.toString());
      return;
    case 'undefined':
      w.value(null);
      return;
    default:
      break;
  }
  if (v === null) {
    w.value(null);
  } else if (Array.isArray(v)) {
    let p = w.arrayHeaderAt(w.pos, v.length);
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      // Numbers (most key values) on the short path.
      if (typeof x === 'number') {
        p = encodedNumberAt(w, p, x);
      } else {
        w.pos = p;
        writeEncodedValue(w, x);
        p = w.pos;
      }
    }
    w.pos = p;
  } else if (v instanceof Uint8Array) {
    tagged(w, 'b', Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
  } else if (v instanceof Map) {
    w.objectHeader(1);
    w.str('m');
    w.arrayHeader(v.size);
    for (const [k, e] of v) {
      w.arrayHeader(2);
      writeEncodedValue(w, k);
      writeEncodedValue(w, e);
    }
  } else {
    const entries = Object.entries(v as object);
    w.objectHeader(1);
    w.str('o');
    w.objectHeader(entries.length);
    for (const [k, e] of entries) {
      w.str(k);
      writeEncodedValue(w, e);
    }
  }
}

/** Writes `encodeValue(v)` for a number: the number, or a tagged object for -0, NaN and ±Infinity. */
export function writeEncodedNumber(w: PackWriter, v: number): void {
  w.pos = encodedNumberAt(w, w.pos, v);
}

/** {@link writeEncodedNumber} at `p`, in a run of writes on a local position (see PackWriter.numberAt). */
export function encodedNumberAt(w: PackWriter, p: number, v: number): number {
  if (Number.isFinite(v) && !(v === 0 && 1 / v < 0)) return w.numberAt(p, v);
  w.pos = p;
  tagged(w, 'n', Object.is(v, -0) ? '-0' : String(v));
  return w.pos;
}

/** `{ [tag]: text }`, as encodeValue tags what JSON would lose. */
function tagged(w: PackWriter, tag: string, text: string): void {
  w.objectHeader(1);
  w.str(tag);
  w.value(text);
}

/** A codec for any value {@link encodeValue} handles (rows, key values, watermarks that may be ±∞). */
export const VALUE_CODEC: ValueCodec<any> = { encode: encodeValue, decode: decodeValue, write: writeEncodedValue };

/** Encodes each call's accumulator with the call's `serialize` (then {@link encodeValue}, to be JSON-safe). */
export function encodeAccumulators(aggs: readonly AggCall[], accs: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(aggs.length);
  for (let i = 0; i < aggs.length; i++) out[i] = encodeValue(aggs[i]!.impl.serialize(accs[i]));
  return out;
}

/** Writes {@link encodeAccumulators}' result in the binary state encoding (see {@link writeEncodedValue}). */
export function writeAccumulators(w: PackWriter, aggs: readonly AggCall[], accs: readonly unknown[]): void {
  w.arrayHeader(aggs.length);
  for (let i = 0; i < aggs.length; i++) writeEncodedValue(w, aggs[i]!.impl.serialize(accs[i]));
}

/** The inverse of {@link encodeAccumulators}. */
export function decodeAccumulators(aggs: readonly AggCall[], data: unknown): unknown[] {
  const d = data as unknown[];
  const out = new Array<unknown>(aggs.length);
  for (let i = 0; i < aggs.length; i++) out[i] = aggs[i]!.impl.deserialize(decodeValue(d[i]));
  return out;
}
