/**
 * Value utilities shared by every layer: printing a value as Eddy shows it, a total order for sorting,
 * SQL equality, and conversion to JSON-ready data.
 */
import type { DataType } from './types.js';
import { formatDate, formatIntervalDayTime, formatIntervalYearMonth, formatTime, formatTimestamp } from './time.js';
import { utcToLocal } from './time-zone.js';
import { compareExact, formatDecimalValue, isBigDecimal } from './decimal.js';

/**
 * Formats a DOUBLE or FLOAT as Java's `Double.toString` would, for the common cases: integral values end in
 * `.0`, exponents are written `1.0E21` / `1.0E-7`. Digits are JavaScript's shortest round-trip digits.
 */
export function formatDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(n, -0)) return '-0.0';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
    const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    return `${m}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
  }
  const s = String(n);
  return Number.isInteger(n) ? `${s}.0` : s;
}

/** Formats a DECIMAL value (number or BigDecimal, see decimal.ts) with exactly `scale` fraction digits. */
export function formatDecimal(n: unknown, scale: number): string {
  // toFixed is exact while the double's error stays far below the last digit shown.
  if (typeof n === 'number' && scale >= 0 && scale <= 20 && Math.abs(n) * 10 ** scale < 2 ** 50) {
    const s = n.toFixed(scale);
    return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
  }
  return formatDecimalValue(n, scale);
}

/**
 * Formats a TIMESTAMP value (epoch ms of a UTC wall clock) with `precision` fraction digits: 0 gives
 * `yyyy-MM-dd HH:mm:ss`, 3 gives `.SSS`, more pads with zeros (Eddy keeps milliseconds).
 */
export function formatTimestampPrecision(ms: number, precision = 3): string {
  const s = formatTimestamp(ms);
  if (precision === 3) return s;
  if (precision <= 0) return s.slice(0, s.length - 4);
  if (precision < 3) return s.slice(0, s.length - 3 + precision);
  return s + '0'.repeat(precision - 3);
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/**
 * How Eddy prints a value (print sink, shell result tables), following Flink's print/tableau output.
 * NULL prints as `NULL`; callers that want another marker test for null first. TIMESTAMP_LTZ values are
 * shown in `timeZone`.
 */
export function formatValue(value: unknown, type: DataType, timeZone = 'UTC'): string {
  if (value === null || value === undefined) return 'NULL';
  switch (type.name) {
    case 'BOOLEAN':
      return value ? 'true' : 'false';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return String(value);
    case 'FLOAT':
    case 'DOUBLE':
      return formatDouble(value as number);
    case 'DECIMAL':
      return formatDecimal(value, type.scale ?? 0);
    case 'STRING':
      return String(value);
    case 'BYTES':
      return value instanceof Uint8Array ? `x'${hex(value)}'` : String(value);
    case 'TIMESTAMP':
      return formatTimestampPrecision(value as number, type.precision ?? 3);
    case 'TIMESTAMP_LTZ':
      return formatTimestampPrecision(utcToLocal(value as number, timeZone), type.precision ?? 3);
    case 'DATE':
      return formatDate(value as number);
    case 'TIME':
      return formatTime(value as number);
    case 'INTERVAL_DAY_TIME':
      return formatIntervalDayTime(value as number);
    case 'INTERVAL_YEAR_MONTH':
      return formatIntervalYearMonth(value as number);
    case 'ARRAY': {
      const element = type.element;
      const items = value as readonly unknown[];
      return `[${items.map((v) => (element ? formatValue(v, element, timeZone) : formatUntyped(v))).join(', ')}]`;
    }
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, v] of entries(value)) {
        const ks = type.key ? formatValue(k, type.key, timeZone) : formatUntyped(k);
        const vs = type.value ? formatValue(v, type.value, timeZone) : formatUntyped(v);
        parts.push(`${ks}=${vs}`);
      }
      return `{${parts.join(', ')}}`;
    }
    case 'ROW': {
      const fields = type.fields ?? [];
      const items = value as readonly unknown[];
      return `(${items.map((v, i) => (fields[i] ? formatValue(v, fields[i]!.type, timeZone) : formatUntyped(v))).join(', ')})`;
    }
    case 'NULL':
      return 'NULL';
  }
}

function entries(value: unknown): Iterable<[unknown, unknown]> {
  if (value instanceof Map) return value.entries();
  return Object.entries(value as Record<string, unknown>);
}

function formatUntyped(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return `[${v.map(formatUntyped).join(', ')}]`;
  return String(v);
}

/** Rank of a value's kind, so that values of different kinds still have a total order. */
function kindRank(v: unknown): number {
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'bigint':
      return 2;
    case 'string':
      return 3;
    default:
      if (v instanceof Uint8Array) return 4;
      if (isBigDecimal(v)) return 2;
      if (Array.isArray(v)) return 5;
      if (v instanceof Map) return 6;
      return 7;
  }
}

/**
 * A total order over Eddy values, for sorting: NULL first, then by value. Numbers compare numerically
 * (NaN after every other number, as Java's `Double.compare`), strings by UTF-16 code units (as Java),
 * `false < true`, bytes unsigned-lexicographically, arrays lexicographically.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'number') {
      const x = a as number;
      const y = b as number;
      if (x < y) return -1;
      if (x > y) return 1;
      const nx = Number.isNaN(x);
      const ny = Number.isNaN(y);
      return nx === ny ? 0 : nx ? 1 : -1;
    }
    if (ta === 'string' || ta === 'boolean' || ta === 'bigint') return (a as string) < (b as string) ? -1 : 1;
  }
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra - rb;
  // Exact numbers of mixed forms: BIGINT beyond 2^53 (bigint), big DECIMALs.
  if (ra === 2) return compareExact(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (a instanceof Map && b instanceof Map) {
    const ea = [...a.entries()].sort((x, y) => compareValues(x[0], y[0]));
    const eb = [...b.entries()].sort((x, y) => compareValues(x[0], y[0]));
    return compareValues(ea, eb);
  }
  return 0;
}

/**
 * SQL equality of two non-null values of the same type: numbers by value (NaN unequal to itself, as
 * Java's `==`), strings and booleans exactly, bytes, arrays, maps and rows element by element.
 */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (isBigDecimal(a) && isBigDecimal(b)) return a.decimal === b.decimal;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === null || y === null) {
        if (x !== y) return false;
      } else if (!valuesEqual(x, y)) return false;
    }
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k)) return false;
      const w = b.get(k);
      if (v === null || w === null ? v !== w : !valuesEqual(v, w)) return false;
    }
    return true;
  }
  return false;
}

/**
 * JSON text of JSON-ready data (see {@link toJsonValue}) with exact numbers: a BIGINT beyond 2^53 (bigint)
 * and a big DECIMAL are written as their exact digits, never through a double. Non-finite numbers are null.
 */
export function stringifyJson(data: unknown): string {
  switch (typeof data) {
    case 'bigint':
      return data.toString();
    case 'number':
      return Number.isFinite(data) ? JSON.stringify(data) : 'null';
    case 'string':
      return JSON.stringify(data);
    case 'boolean':
      return data ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (data === null) return 'null';
  if (isBigDecimal(data)) return data.decimal;
  if (Array.isArray(data)) {
    let s = '[';
    for (let i = 0; i < data.length; i++) s += (i === 0 ? '' : ',') + stringifyJson(data[i]);
    return s + ']';
  }
  let s = '{';
  let first = true;
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined || typeof v === 'function') continue;
    s += (first ? '' : ',') + JSON.stringify(k) + ':' + stringifyJson(v);
    first = false;
  }
  return s + '}';
}

/**
 * Converts a value to JSON-ready data, as Eddy's JSON format writes it: numbers stay numbers (a BIGINT
 * beyond 2^53 stays a bigint and a big DECIMAL a BigDecimal: write them with {@link stringifyJson}), TIMESTAMP as
 * `yyyy-MM-dd HH:mm:ss.SSS`, TIMESTAMP_LTZ the same in UTC with a `Z` suffix, DATE `yyyy-MM-dd`, TIME
 * `HH:mm:ss[.SSS]`, BYTES base64, MAP as an object, ROW as an object keyed by field name; intervals stay
 * numbers (ms or months).
 */
export function toJsonValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.name) {
    case 'TIMESTAMP':
      return formatTimestamp(value as number);
    case 'TIMESTAMP_LTZ':
      return `${formatTimestamp(value as number)}Z`;
    case 'DATE':
      return formatDate(value as number);
    case 'TIME':
      return formatTime(value as number);
    case 'BYTES':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(value) ? value : String(value);
    case 'ARRAY': {
      const element = type.element;
      return (value as readonly unknown[]).map((v) => (element ? toJsonValue(v, element) : v));
    }
    case 'MAP': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries(value)) out[String(k)] = type.value ? toJsonValue(v, type.value) : v;
      return out;
    }
    case 'ROW': {
      const out: Record<string, unknown> = {};
      const items = value as readonly unknown[];
      (type.fields ?? []).forEach((f, i) => {
        out[f.name] = toJsonValue(items[i], f.type);
      });
      return out;
    }
    default:
      return value;
  }
}
