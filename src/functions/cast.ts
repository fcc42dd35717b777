/** CAST and TRY_CAST between SQL types, and which conversions the binder may insert without a CAST. */
import { MILLIS_PER, parseDate, parseTime, parseTimestamp, formatDate, formatIntervalDayTime, formatIntervalYearMonth, formatTime } from '../common/time.js';
import { localToUtc, utcToLocal } from '../common/time-zone.js';
import { decimalShape, isIntegral, isNumeric, sameType, typeToString, withNullable, withoutTimeAttribute, type DataType } from '../common/types.js';
import { formatDecimal, formatDouble, formatTimestampPrecision, formatValue } from '../common/values.js';
import { describeValue, ExpressionError } from './eval-error.js';
import type { Resolution } from './function-types.js';
import { INTEGRAL_RANGE, toDecimal } from './numeric.js';
import { decimalToNumber, decimalValue, parseDecimal, rescaleDown, scaledValue, toScaled, type DecimalValue } from '../common/decimal.js';
import { canonicalInt, type Int64 } from '../common/int64.js';

/** A conversion of one value; NULL converts to NULL. */
export type CastFn = (v: unknown) => unknown;

const DAY = MILLIS_PER.DAY;
const INTEGER_TEXT = /^[+-]?\d+(?:\.\d*)?$/;
/** A decimal number's text: digits with an optional point and exponent. */
export const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_DOUBLES: Record<string, number> = { NaN: NaN, Infinity: Infinity, '+Infinity': Infinity, '-Infinity': -Infinity };
const TRUE_TEXT = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_TEXT = new Set(['false', 'f', 'no', 'n', '0']);
const ZONE_SUFFIX = /(?:\d[zZ]|[+-]\d{2}:?\d{2})\s*$/;
const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** The type as shown in cast messages: without NOT NULL and time-attribute markers. */
function plainName(t: DataType): string {
  return typeToString(withNullable(withoutTimeAttribute(t), true));
}

function castFailed(v: unknown, to: DataType): never {
  throw new ExpressionError(`Cannot cast ${describeValue(v)} to ${plainName(to)}`);
}

/**
 * Resolves `CAST(x AS to)` for a value of type `from`. With `safe` (TRY_CAST) a value that cannot be
 * converted gives NULL instead of an {@link ExpressionError}. `timeZone` is the session time zone, used
 * between TIMESTAMP and TIMESTAMP_LTZ and when an LTZ is shown as text. Numbers never convert to
 * TIMESTAMP (use TO_TIMESTAMP_LTZ), as in Flink.
 */
export function resolveCast(from: DataType, to: DataType, safe: boolean, timeZone = 'UTC'): Resolution<CastFn> {
  const fn = castFunction(from, to, timeZone);
  if (fn === undefined) {
    const hint = isNumeric(from) && (to.name === 'TIMESTAMP' || to.name === 'TIMESTAMP_LTZ') ? ' (use TO_TIMESTAMP_LTZ(n, 3) for epoch milliseconds)' : '';
    return { error: `Cannot cast ${plainName(from)} to ${plainName(to)}${hint}` };
  }
  if (!safe) return (v) => (v === null || v === undefined ? null : fn(v));
  return (v) => {
    if (v === null || v === undefined) return null;
    try {
      return fn(v);
    } catch (e) {
      if (e instanceof ExpressionError) return null;
      throw e;
    }
  };
}

function identity(v: unknown): unknown {
  return v;
}

function castFunction(from: DataType, to: DataType, tz: string): CastFn | undefined {
  if (from.name === 'NULL') return () => null;
  switch (to.name) {
    case 'STRING': {
      const f = toStringFn(from, tz);
      if (f === undefined || to.precision === undefined) return f;
      const n = to.precision;
      return (v) => {
        const s = f(v) as string;
        return s.length > n ? s.slice(0, n) : s;
      };
    }
    case 'BOOLEAN':
      if (from.name === 'BOOLEAN') return identity;
      if (isNumeric(from)) return (v) => v !== 0;
      if (from.name === 'STRING') return (v) => parseBoolean(v as string, to);
      return undefined;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      const [lo, hi] = INTEGRAL_RANGE[to.name]!;
      const loN = Number(lo);
      const hiN = Number(hi);
      // An integer already truncated: in range as is (numbers within ±2^53 need no bigint), else an error.
      const check = (v: unknown, x: number | bigint): Int64 => {
        if (typeof x === 'number') {
          if (x >= loN && x <= hiN && Number.isSafeInteger(x)) return x + 0;
          if (!Number.isInteger(x)) return castFailed(v, to);
          x = BigInt(x);
        }
        return x >= lo && x <= hi ? canonicalInt(x) : castFailed(v, to);
      };
      if (isIntegral(from)) return INTEGRAL_RANGE[from.name]![1] <= hi ? identity : (v) => check(v, v as Int64);
      if (from.name === 'DECIMAL') {
        return (v) => (typeof v === 'number' && Math.abs(v) < 2 ** 53 ? check(v, Math.trunc(v)) : check(v, rescaleDown(toScaled(v), 0)));
      }
      if (isNumeric(from)) return (v) => (Number.isFinite(v) ? check(v, Math.trunc(v as number)) : castFailed(v, to));
      if (from.name === 'BOOLEAN') return (v) => (v ? 1 : 0);
      if (from.name === 'STRING') {
        return (v) => {
          const s = (v as string).trim();
          return INTEGER_TEXT.test(s) ? check(v, BigInt(s.replace(/\..*$/, ''))) : castFailed(v, to);
        };
      }
      return undefined;
    }
    case 'FLOAT':
    case 'DOUBLE':
      if (from.name === 'BIGINT' || from.name === 'DECIMAL') return decimalToNumber;
      if (isNumeric(from)) return identity;
      if (from.name === 'BOOLEAN') return (v) => (v ? 1 : 0);
      if (from.name === 'STRING') return (v) => parseDouble(v as string, to);
      return undefined;
    case 'DECIMAL': {
      const { precision, scale } = decimalShape(to);
      const convert = (v: unknown, x: unknown): DecimalValue => toDecimal(x, precision, scale) ?? castFailed(v, to);
      if (isNumeric(from)) {
        const f = decimalShape(from);
        const widening = from.name !== 'FLOAT' && from.name !== 'DOUBLE' && f.scale <= scale && f.precision - f.scale <= precision - scale;
        // A BIGINT beyond 2^53 is a bigint; as a DECIMAL it takes the DECIMAL form of that value.
        if (widening) return from.name === 'BIGINT' ? (v) => (typeof v === 'bigint' ? decimalValue(v, 0) : v) : identity;
        if (from.name === 'FLOAT' || from.name === 'DOUBLE') return (v) => (Number.isFinite(v) ? convert(v, v) : castFailed(v, to));
        return (v) => convert(v, v);
      }
      if (from.name === 'BOOLEAN') return (v) => (v ? 1 : 0);
      if (from.name === 'STRING') {
        return (v) => {
          const parsed = parseDecimal(v as string);
          return parsed === undefined ? castFailed(v, to) : convert(v, scaledValue(parsed));
        };
      }
      return undefined;
    }
    case 'DATE':
      switch (from.name) {
        case 'DATE':
          return identity;
        case 'TIMESTAMP':
          return (v) => Math.floor((v as number) / DAY);
        case 'TIMESTAMP_LTZ':
          return (v) => Math.floor(utcToLocal(v as number, tz) / DAY);
        case 'STRING':
          return (v) => parseDate(v as string) ?? castFailed(v, to);
        default:
          return undefined;
      }
    case 'TIME': {
      const p = to.precision ?? 0;
      const trunc = (ms: number): number => truncateMillis(ms, p);
      switch (from.name) {
        case 'TIME':
          return (from.precision ?? 0) <= p ? identity : (v) => trunc(v as number);
        case 'TIMESTAMP':
          return (v) => trunc(floorMod(v as number, DAY));
        case 'TIMESTAMP_LTZ':
          return (v) => trunc(floorMod(utcToLocal(v as number, tz), DAY));
        case 'STRING':
          return (v) => {
            const t = parseTime(v as string);
            return t === null ? castFailed(v, to) : trunc(t);
          };
        default:
          return undefined;
      }
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const p = to.precision ?? 3;
      const ltz = to.name === 'TIMESTAMP_LTZ';
      const trunc = p >= 3 ? (ms: number) => ms : (ms: number) => truncateMillis(ms, p);
      switch (from.name) {
        case 'TIMESTAMP':
          if (ltz) return (v) => trunc(localToUtc(v as number, tz));
          return (from.precision ?? 3) <= p ? identity : (v) => trunc(v as number);
        case 'TIMESTAMP_LTZ':
          if (!ltz) return (v) => trunc(utcToLocal(v as number, tz));
          return (from.precision ?? 3) <= p ? identity : (v) => trunc(v as number);
        case 'DATE':
          return ltz ? (v) => localToUtc((v as number) * DAY, tz) : (v) => (v as number) * DAY;
        case 'STRING':
          return (v) => {
            const s = v as string;
            const ms = parseTimestamp(s);
            if (ms === null) return castFailed(v, to);
            return trunc(ltz && !ZONE_SUFFIX.test(s) ? localToUtc(ms, tz) : ms);
          };
        default:
          return undefined;
      }
    }
    case 'BYTES':
      if (from.name === 'BYTES') return identity;
      if (from.name === 'STRING') return (v) => utf8Encoder.encode(v as string);
      return undefined;
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return from.name === to.name ? identity : undefined;
    case 'ARRAY': {
      if (from.name !== 'ARRAY' || !from.element || !to.element) return undefined;
      const inner = castFunction(from.element, to.element, tz);
      if (inner === undefined) return undefined;
      if (inner === identity) return identity;
      return (v) => (v as readonly unknown[]).map((x) => (x === null ? null : inner(x)));
    }
    case 'MAP': {
      if (from.name !== 'MAP' || !from.key || !from.value || !to.key || !to.value) return undefined;
      const k = castFunction(from.key, to.key, tz);
      const val = castFunction(from.value, to.value, tz);
      if (k === undefined || val === undefined) return undefined;
      if (k === identity && val === identity) return identity;
      return (v) => {
        const out = new Map<unknown, unknown>();
        for (const [mk, mv] of v as Map<unknown, unknown>) out.set(mk === null ? null : k(mk), mv === null ? null : val(mv));
        return out;
      };
    }
    case 'ROW': {
      const ff = from.fields;
      const tf = to.fields;
      if (from.name !== 'ROW' || !ff || !tf || ff.length !== tf.length) return undefined;
      const casts: CastFn[] = [];
      for (let i = 0; i < ff.length; i++) {
        const c = castFunction(ff[i]!.type, tf[i]!.type, tz);
        if (c === undefined) return undefined;
        casts.push(c);
      }
      if (casts.every((c) => c === identity)) return identity;
      return (v) => (v as readonly unknown[]).map((x, i) => (x === null ? null : casts[i]!(x)));
    }
    case 'NULL':
      return undefined;
  }
}

/** How a value of type `from` reads as text (CAST(x AS STRING)). */
function toStringFn(from: DataType, tz: string): CastFn | undefined {
  switch (from.name) {
    case 'STRING':
      return identity;
    case 'BOOLEAN':
      return (v) => (v ? 'TRUE' : 'FALSE');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v) => String(v);
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => formatDouble(v as number);
    case 'DECIMAL': {
      const scale = from.scale ?? 0;
      return (v) => formatDecimal(v, scale);
    }
    case 'TIMESTAMP': {
      const p = from.precision ?? 3;
      return (v) => formatTimestampPrecision(v as number, p);
    }
    case 'TIMESTAMP_LTZ': {
      const p = from.precision ?? 3;
      return (v) => formatTimestampPrecision(utcToLocal(v as number, tz), p);
    }
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTime(v as number);
    case 'INTERVAL_DAY_TIME':
      return (v) => formatIntervalDayTime(v as number);
    case 'INTERVAL_YEAR_MONTH':
      return (v) => formatIntervalYearMonth(v as number);
    case 'BYTES':
      return (v) => utf8Decoder.decode(v as Uint8Array);
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
      return (v) => formatValue(v, from, tz);
    case 'NULL':
      return () => null;
  }
}

function parseBoolean(s: string, to: DataType): boolean {
  const t = s.trim().toLowerCase();
  if (TRUE_TEXT.has(t)) return true;
  if (FALSE_TEXT.has(t)) return false;
  return castFailed(s, to);
}

function parseDouble(s: string, to: DataType): number {
  const t = s.trim();
  if (DECIMAL_TEXT.test(t)) return Number(t);
  const special = SPECIAL_DOUBLES[t];
  return special !== undefined ? special : castFailed(s, to);
}

function floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Drops the digits of a millisecond value beyond `precision` fraction digits (toward the past). */
function truncateMillis(ms: number, precision: number): number {
  if (precision >= 3) return ms;
  const unit = 10 ** (3 - precision);
  return ms - floorMod(ms, unit);
}

const NUMERIC_ORDER: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4, DECIMAL: 5, FLOAT: 6, DOUBLE: 7 };

/**
 * True when the binder may convert `from` to `to` without a CAST in the SQL: the same type (time attributes
 * and nullability aside), anything from the NULL type, numeric widening, STRING to STRING of any length,
 * TIMESTAMP / TIMESTAMP_LTZ / TIME precision changes, DATE to TIMESTAMP, and arrays of such elements.
 */
export function implicitCastAllowed(from: DataType, to: DataType): boolean {
  if (from.name === 'NULL') return true;
  if (sameType(from, to)) return true;
  if (isNumeric(from) && isNumeric(to)) {
    const a = NUMERIC_ORDER[from.name]!;
    const b = NUMERIC_ORDER[to.name]!;
    if (to.name === 'DECIMAL') {
      if (from.name === 'FLOAT' || from.name === 'DOUBLE') return false;
      const f = decimalShape(from);
      const t = decimalShape(to);
      return f.scale <= t.scale && f.precision - f.scale <= t.precision - t.scale;
    }
    return a <= b;
  }
  if (from.name === to.name) {
    switch (from.name) {
      case 'STRING':
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ':
      case 'TIME':
        return true;
      case 'ARRAY':
        return from.element !== undefined && to.element !== undefined && implicitCastAllowed(from.element, to.element);
      default:
        return false;
    }
  }
  return from.name === 'DATE' && to.name === 'TIMESTAMP';
}
