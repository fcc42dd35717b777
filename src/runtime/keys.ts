/** Group keys: turning the key columns of a row into one value usable as a Map key (and a state-table key). */
import type { Row } from './changelog.js';
import { isBigDecimal } from '../common/decimal.js';

/**
 * A group key. A single key column is its own key (strings, numbers, booleans and NULL work as Map keys as
 * they are); several columns, and values that are objects (BYTES, ARRAY, MAP, ROW), are encoded as one
 * string by {@link encodeKey}. Keys are plain data, so state backends can store them.
 */
export type GroupKey = string | number | boolean | null;

/** Extracts the group key, and the key's column values, of rows for fixed key columns. */
export interface KeySelector {
  /** The key columns, by input position. */
  readonly indices: readonly number[];
  /** The row's group key. Equal keys ⇔ equal key column values (SQL equality, NULL equal to NULL). */
  key(row: Row): GroupKey;
  /** The row's key column values, in `indices` order (kept beside the key to build output rows). */
  values(row: Row): unknown[];
}

/**
 * Returns a {@link KeySelector} for the columns `indices`.
 *
 * - no columns: every row has the key `''` (a global aggregate's single group);
 * - one column: the value itself, except objects (encoded; a column holds values of one type, so an
 *   encoded BYTES value never meets a STRING value) and `undefined` (taken as NULL);
 * - several columns: the concatenated self-delimiting encodings of the values, which is injective.
 */
export function keySelector(indices: readonly number[]): KeySelector {
  const cols = indices.slice();
  const values = (row: Row): unknown[] => {
    const out = new Array<unknown>(cols.length);
    for (let i = 0; i < cols.length; i++) out[i] = row[cols[i]!] ?? null;
    return out;
  };
  if (cols.length === 0) return { indices: cols, key: () => '', values: () => [] };
  if (cols.length === 1) {
    const c = cols[0]!;
    return {
      indices: cols,
      key: (row) => {
        const v = row[c];
        if (v === undefined || v === null) return null;
        return typeof v === 'object' || typeof v === 'bigint' ? encodeValue(v) : (v as GroupKey);
      },
      values,
    };
  }
  return {
    indices: cols,
    key: (row) => {
      let s = '';
      for (let i = 0; i < cols.length; i++) s += encodeValue(row[cols[i]!]);
      return s;
    },
    values,
  };
}

/** Encodes several values as one string; distinct value lists give distinct strings. */
export function encodeKey(values: readonly unknown[]): string {
  let s = '';
  for (const v of values) s += encodeValue(v);
  return s;
}

/**
 * A self-delimiting encoding of one value (a prefix code: a tag, then content that ends unambiguously),
 * so concatenations are injective. `-0` encodes as `0` (SQL equality); MAP entries are taken in order.
 */
function encodeValue(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return `n${v};`;
    case 'string':
      return `s${v.length}:${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return `i${v};`;
    case 'undefined':
      return '~';
    default:
      break;
  }
  if (v === null) return '~';
  if (v instanceof Uint8Array) return `b${v.join(',')};`;
  if (Array.isArray(v)) {
    let s = `a${v.length}[`;
    for (const e of v) s += encodeValue(e);
    return s;
  }
  if (v instanceof Map) {
    let s = `m${v.size}{`;
    for (const [k, e] of v) s += encodeValue(k) + encodeValue(e);
    return s;
  }
  const json = JSON.stringify(v) ?? '';
  return `o${json.length}:${json}`;
}

/** SQL-style value equality for result rows: `===`, NaN equal to NaN, element-wise for arrays and bytes. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if ((Array.isArray(a) && Array.isArray(b)) || (a instanceof Uint8Array && b instanceof Uint8Array)) {
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false;
    return true;
  }
  // Big DECIMALs (canonical text).
  if (isBigDecimal(a) && isBigDecimal(b)) return a.decimal === b.decimal;
  return false;
}

/** True when two rows have the same length and pairwise {@link valuesEqual} values. */
export function rowsEqual(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
  return true;
}
