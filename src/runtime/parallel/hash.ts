/**
 * The hash that sends a row to the parallel instance owning its key (see exchange.ts). It must give the same
 * instance in every thread and process, and equal keys (SQL equality, as the keyed operators compare them: see
 * keys.ts) must go to the same instance; so it is computed from the values, never from object identity.
 */
import { encodeKey } from '../keys.js';

/** A 32-bit hash of a string (FNV-1a, then a final mix). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** Murmur3's finalizer: spreads consecutive integers (ids) over all bits. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of one key value: NULL, numbers (-0 as 0), strings, booleans, bigints, and anything else by its key encoding. */
export function hashValue(v: unknown): number {
  if (v === null || v === undefined) return 0x9e3779b9;
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) return mix(v);
      return hashString(`n${v === 0 ? 0 : v}`);
    case 'string':
      return hashString(v);
    case 'boolean':
      return v ? 1231 : 1237;
    case 'bigint':
      return hashString(`b${v}`);
    default:
      return hashString(encodeKey([v]));
  }
}

/** The hash of several key values, combined in order. */
export function hashValues(values: readonly unknown[]): number {
  let h = 17;
  for (const v of values) h = Math.imul(h, 31) + hashValue(v);
  return mix(h);
}
