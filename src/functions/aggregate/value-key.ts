/** Keys for using SQL values in a Map: primitives stand for themselves, structured values become text. */

/** A Map key equal for equal SQL values (numbers, strings, booleans as is; bytes and arrays as text). */
export function valueKey(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Uint8Array) return `\u0001b:${Buffer.from(v).toString('hex')}`;
  return `\u0001j:${JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x.entries()] : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : typeof x === 'bigint' ? `${x}n` : x))}`;
}
