/**
 * Conversions between the values a format reads (JSON values, CSV text) and Eddy's in-memory values
 * (see src/common/types.ts), compiled once per column type into closures.
 */
import { randomBytes } from 'node:crypto';
import { typeToString, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from '../../common/time.js';
import { decimalValue, exactNumberText, fitsPrecision, parseDecimal, rescale, toScaled, type Scaled } from '../../common/decimal.js';
import { canonicalInt, fitsInt64 } from '../../common/int64.js';
import { stringifyJson } from '../../common/values.js';

/**
 * Thrown (as a plain object, without a stack) by a compiled reader when a value does not fit the type;
 * decoders catch it and turn it into a RecordError.
 */
export class ConversionFailure {
  constructor(
    readonly kind: 'wrong-type' | 'missing-not-null' | 'numeric-overflow' | 'invalid-utf8' | 'too-deep' | 'out-of-range',
    readonly message: string,
  ) {}
}

/**
 * The deepest nesting of JSON arrays and objects a record may have: deeper JSON is a bad record (`too-deep`),
 * never a stack overflow further on. 1000 is the limit of Jackson, which Flink's JSON format uses.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * True when JSON text nests arrays and objects more than `limit` deep. One pass over the text (strings and
 * their escapes skipped), and none for texts too short to nest that deep: the cost falls on long records only.
 */
export function jsonTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  if (text.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: the next character is escaped
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** The failure for JSON text nested deeper than {@link MAX_JSON_DEPTH}. */
export function tooDeep(): ConversionFailure {
  return new ConversionFailure('too-deep', `JSON nested more than ${MAX_JSON_DEPTH} levels deep`);
}

/**
 * The range of TIMESTAMP, TIMESTAMP_LTZ and DATE values, as Flink's: 0000-01-01 00:00:00.000 to
 * 9999-12-31 23:59:59.999, in epoch milliseconds.
 */
export const MIN_TIMESTAMP_MS = -62_167_219_200_000;
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;
const MS_PER_DAY = 86_400_000;

/**
 * The failure for an epoch number `value` (read as milliseconds) outside the range of TIMESTAMP; says which
 * unit it looks like when it fits as epoch seconds' bigger siblings (microseconds, nanoseconds).
 */
function timestampOutOfRange(value: unknown, type: DataType): never {
  const n = typeof value === 'number' ? value : Number(value);
  const unit = [
    { name: 'microseconds', per: 1e3 },
    { name: 'nanoseconds', per: 1e6 },
  ].find((u) => Number.isFinite(n) && n / u.per >= MIN_TIMESTAMP_MS && n / u.per <= MAX_TIMESTAMP_MS);
  const epoch = typeof value === 'number' ? ' as epoch milliseconds' : '';
  throw new ConversionFailure(
    'out-of-range',
    `${showValue(value)} is out of range for ${typeToString(withoutTimeAttribute(type))}${epoch} (years 0000 to 9999)` +
      (unit && epoch ? `; it looks like epoch ${unit.name}, but a number is read as epoch milliseconds` : ''),
  );
}

/** Converts one value read by a format into Eddy's representation, or throws a {@link ConversionFailure}. */
export type ValueReader = (value: unknown) => unknown;

const INTEGER_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const SPECIAL_FLOATS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** Shows an offending value in a message: JSON text, cut to 40 characters. */
export function showValue(value: unknown): string {
  let text: string;
  if (value instanceof JsonNumberText) text = value.decimal;
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else if (value instanceof Map) text = 'a map';
  else text = JSON.stringify(value);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}

function wrong(expected: string, value: unknown): never {
  throw new ConversionFailure('wrong-type', `expected ${expected}, got ${showValue(value)}`);
}

function overflow(message: string): never {
  throw new ConversionFailure('numeric-overflow', message);
}

/**
 * A JSON number token that a double would not hold exactly (16 or more digits, or an exponent of two
 * digits), as its text: what {@link parseJson} gives instead of a number, so BIGINT and DECIMAL columns read
 * it exactly. Other columns read it as `Number(text)`, as JSON.parse would have. (`decimal` is the field name
 * of a big DECIMAL value, so JSON output writes the digits as they are.)
 */
export class JsonNumberText {
  constructor(readonly decimal: string) {}
}

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Number tokens a double may round: 16 digits (and points, when DECIMAL digits matter), or an exponent ≥ 10. */
const LONG_TOKEN = /[\d.]{16}|[eE]\+?\d{2}/;
const LONG_INTEGER_TOKEN = /\d{16}|[eE]\+?\d{2}/;
/**
 * Marks a long number token turned into a JSON string before JSON.parse: random per process, so no text
 * in the data can pose as one.
 */
const NUMBER_MARK = `\u2063eddy-number-${randomBytes(8).toString('hex')}:`;

/**
 * Whether the text may hold a number token a double would round: a run of 16 digits (digits and points
 * when `points`), or a digit followed by an exponent of two digits. A loop, not a regular expression: it
 * runs on every line of a file, and an alternation costs as much as JSON.parse itself.
 */
function mayHoldLongNumber(text: string, points: boolean): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (points && c === 46)) {
      if (++run >= 16) return true;
      continue;
    }
    if ((c === 101 || c === 69) && run > 0) {
      const j = text.charCodeAt(i + 1) === 43 ? i + 2 : i + 1;
      const d1 = text.charCodeAt(j);
      const d2 = text.charCodeAt(j + 1);
      if (d1 >= 48 && d1 <= 57 && d2 >= 48 && d2 <= 57) return true;
    }
    run = 0;
  }
  return false;
}

/**
 * A JSON.parse for records of these column types: JSON.parse itself when no column is (or holds) a BIGINT
 * or DECIMAL; else {@link parseJson}, which keeps long numbers' text — integer digits only, unless a
 * DECIMAL makes fraction digits matter too.
 */
export function jsonParserFor(types: readonly DataType[]): (text: string) => unknown {
  const names = new Set<string>();
  const visit = (t: DataType): void => {
    names.add(t.name);
    if (t.element) visit(t.element);
    if (t.key) visit(t.key);
    if (t.value) visit(t.value);
    for (const f of t.fields ?? []) visit(f.type);
  };
  types.forEach(visit);
  // BIGINT alone: JSON.parse, and the BIGINT reader asks for an exact reading (ROUNDED_NUMBER) when a
  // number came out beyond 2^53, which only a long number does. DECIMAL digits cannot be checked afterwards.
  return names.has('DECIMAL') ? (text) => parseJson(text, true) : JSON.parse;
}

/**
 * The value {@link parseJson} (`exact`) or JSON.parse (not `exact`) gives for the number token `text`: a
 * {@link JsonNumberText} for a long number when exact, else the double.
 */
export function jsonNumberValue(text: string, exact: boolean): number | JsonNumberText {
  return exact && LONG_TOKEN.test(text) ? new JsonNumberText(text) : Number(text);
}

/**
 * Thrown by a BIGINT reader given a JSON number beyond ±(2^53 - 1), which JSON.parse may have rounded: the
 * JSON decoder reads the record again with {@link parseJson}, which gives such numbers as text.
 */
export const ROUNDED_NUMBER: unique symbol = Symbol('a number JSON.parse may have rounded');

/**
 * JSON.parse, except that numbers a double would round (see {@link JsonNumberText}) keep their text:
 * integers of 16 digits or more, numbers with an exponent of 10 or more, and with `points`, any number of
 * 16 digits. A line without such a number costs one scan more than JSON.parse.
 */
export function parseJson(text: string, points = true): unknown {
  if (!mayHoldLongNumber(text, points)) return JSON.parse(text);
  const long = points ? LONG_TOKEN : LONG_INTEGER_TOKEN;
  let out = '';
  let from = 0;
  let marked = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip a string: up to the next quote that is not escaped.
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      NUMBER_TOKEN.lastIndex = i;
      const m = NUMBER_TOKEN.exec(text);
      if (!m) continue;
      const token = m[0];
      if (long.test(token)) {
        out += text.slice(from, i) + `"${NUMBER_MARK}${token}"`;
        from = i + token.length;
        marked = true;
      }
      i += token.length - 1;
    }
  }
  if (!marked) return JSON.parse(text);
  return reviveNumbers(JSON.parse(out + text.slice(from)));
}

/** Replaces the marked strings {@link parseJson} made by {@link JsonNumberText}s. */
function reviveNumbers(v: unknown): unknown {
  if (typeof v === 'string') return v.startsWith(NUMBER_MARK) ? new JsonNumberText(v.slice(NUMBER_MARK.length)) : v;
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = reviveNumbers(v[i]);
    return v;
  }
  const obj = v as Record<string, unknown>;
  for (const k of Object.keys(obj)) obj[k] = reviveNumbers(obj[k]);
  return obj;
}

/** Rounds to `scale` decimal places, half away from zero, without binary artefacts (1.005 → 1.01). */
export function roundToScale(value: number, scale: number): number {
  const f = 10 ** scale;
  const scaled = Number((Math.abs(value) * f).toPrecision(15));
  return (Math.sign(value) * Math.round(scaled)) / f;
}

function toNumber(value: unknown, integral: boolean): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (integral ? INTEGER_TEXT.test(value) : NUMBER_TEXT.test(value)) return Number(value);
    if (!integral && value in SPECIAL_FLOATS) return SPECIAL_FLOATS[value];
  }
  if (value instanceof JsonNumberText) return Number(value.decimal);
  return undefined;
}

/**
 * The exact value of a number read for a BIGINT or DECIMAL column: a JSON number (exact when it has at most
 * 15 digits; longer ones come as {@link JsonNumberText}), numeric text, a bigint (SQLite), or undefined.
 */
function toScaledNumber(value: unknown): Scaled | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? toScaled(value) : undefined;
  if (typeof value === 'string') return NUMBER_TEXT.test(value) ? parseDecimal(value) : undefined;
  if (typeof value === 'bigint') return { unscaled: value, scale: 0 };
  if (value instanceof JsonNumberText) return parseDecimal(value.decimal);
  return undefined;
}

function withNullCheck(type: DataType, reader: ValueReader): ValueReader {
  if (type.nullable) return (v) => (v === null || v === undefined ? null : reader(v));
  return (v) => {
    if (v === null || v === undefined) throw new ConversionFailure('missing-not-null', 'got null, but the type is NOT NULL');
    return reader(v);
  };
}

/**
 * Compiles a reader of JSON values (as `JSON.parse` returns them) for `type`. Numbers are accepted from JSON
 * numbers or numeric strings; timestamps from `yyyy-MM-dd HH:mm:ss[.SSS]` or ISO-8601 text or epoch-ms
 * numbers; dates from `yyyy-MM-dd` or epoch days; BYTES from base64; ARRAY from arrays, ROW and MAP from
 * objects (ROW fields found by {@link lookupField}).
 */
export function compileJsonReader(type: DataType): ValueReader {
  return withNullCheck(type, scalarOrNested(type));
}

function scalarOrNested(type: DataType): ValueReader {
  switch (type.name) {
    case 'ARRAY': {
      const element = compileJsonReader(type.element!);
      return (v) => (Array.isArray(v) ? v.map(element) : wrong('an array', v));
    }
    case 'ROW': {
      const fields = (type.fields ?? []).map((f) => ({ name: f.name, read: compileJsonReader(f.type) }));
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrong('an object', v);
        const obj = v as Record<string, unknown>;
        return fields.map((f) => f.read(lookupField(obj, f.name)));
      };
    }
    case 'MAP': {
      const key = compileTextReader(type.key!);
      const value = compileJsonReader(type.value!);
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrong('an object', v);
        const map = new Map<unknown, unknown>();
        for (const [k, x] of Object.entries(v)) map.set(key(k), value(x));
        return map;
      };
    }
    case 'STRING':
      return (v) => (typeof v === 'string' ? v : v instanceof JsonNumberText ? v.decimal : typeof v === 'object' ? stringifyJson(v) : String(v));
    default:
      return scalarReader(type);
  }
}

/** A field of a JSON object by exact name, else by case-insensitive name; undefined when absent. */
export function lookupField(obj: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/**
 * Compiles a reader of text values (a CSV field, a MAP key) for `type`; nested types (ARRAY, ROW, MAP) are
 * read from JSON text.
 */
export function compileTextReader(type: DataType): ValueReader {
  if (type.name === 'ARRAY' || type.name === 'ROW' || type.name === 'MAP') {
    const nested = compileJsonReader(type);
    return withNullCheck(type, (v) => {
      let parsed: unknown;
      if (jsonTooDeep(v as string)) throw tooDeep();
      try {
        parsed = parseJson(v as string);
      } catch {
        return wrong(`JSON text of ${typeToString(type)}`, v);
      }
      return nested(parsed);
    });
  }
  if (type.name === 'STRING') return withNullCheck(type, (v) => v);
  return withNullCheck(type, scalarReader(type));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The fast path for the text files usually hold, `yyyy-MM-dd HH:mm:ss[.SSS]` (or with `T`), read without a
 * regular expression or Date (a third of the decoding time otherwise). Undefined for any other shape,
 * which {@link parseTimestamp} then reads.
 */
export function parseCanonicalTimestamp(s: string): number | undefined {
  const n = s.length;
  if ((n !== 19 && n !== 23) || s[4] !== '-' || s[7] !== '-' || (s[10] !== ' ' && s[10] !== 'T') || s[13] !== ':' || s[16] !== ':') {
    return undefined;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const millis = n === 23 ? (s[19] === '.' ? digits(s, 20, 3) : -1) : 0;
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  if (second < 0 || second > 59 || millis < 0) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0)) return undefined;
  // Days from civil (H. Hinnant): days since 1970-01-01 of a proleptic Gregorian date.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
}

function scalarReader(type: DataType): ValueReader {
  switch (type.name) {
    case 'BOOLEAN':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'string') {
          const s = v.trim().toLowerCase();
          if (s === 'true') return true;
          if (s === 'false') return false;
        }
        return wrong('a boolean', v);
      };
    case 'BIGINT':
      return (v) => {
        if (typeof v === 'number') {
          if (Number.isSafeInteger(v)) return v + 0;
          // Beyond 2^64 even a rounded number was out of range; below, its digits decide.
          if (Number.isInteger(v) && Math.abs(v) <= 2 ** 64) throw ROUNDED_NUMBER;
        }
        if (typeof v === 'string' && !INTEGER_TEXT.test(v)) return wrong('an integer', v);
        const s = toScaledNumber(v);
        // A JSON number too large for a double (1e400) reads as Infinity: an overflow, not a wrong type.
        if (v === Infinity || v === -Infinity) return overflow(`${showValue(v)} is out of range for BIGINT`);
        if (s === undefined) return wrong('an integer', v);
        const n = rescale(s, 0);
        if (rescale({ unscaled: n, scale: 0 }, s.scale) !== s.unscaled) return wrong('an integer', v);
        return fitsInt64(n) ? canonicalInt(n) : overflow(`${showValue(v)} is out of range for BIGINT`);
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [lo, hi] = INTEGER_RANGE[type.name]!;
      return (v) => {
        const n = toNumber(typeof v === 'bigint' ? Number(v) : v, true);
        // A JSON number too large for a double (1e400) reads as Infinity: an overflow, not a wrong type.
        if (n === Infinity || n === -Infinity) return overflow(`${showValue(v)} is out of range for ${type.name}`);
        if (n === undefined || !Number.isInteger(n)) return wrong('an integer', v);
        if (n < lo || n > hi) return overflow(`${showValue(v)} is out of range for ${type.name}`);
        return n;
      };
    }
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => toNumber(v, false) ?? wrong('a number', v);
    case 'DECIMAL': {
      const scale = type.scale ?? 0;
      const precision = type.precision ?? 10;
      return (v) => {
        if (v === Infinity || v === -Infinity || v === 'Infinity' || v === '-Infinity') return overflow(`${showValue(v)} does not fit ${typeToString(type)}`);
        const s = toScaledNumber(v);
        if (s === undefined) return wrong('a number', v);
        // Rounded half up to the column's scale, exactly (text `1.005` in DECIMAL(3, 2) is 1.01).
        const u = rescale(s, scale);
        if (!fitsPrecision(u, precision)) return overflow(`${showValue(v)} does not fit ${typeToString(type)}`);
        return decimalValue(u, scale);
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const unit = 10 ** Math.max(0, 3 - (type.precision ?? 3));
      const truncate = unit === 1 ? (ms: number) => ms : (ms: number) => Math.floor(ms / unit) * unit;
      // Whatever the text or number, the value must lie in years 0000-9999 (never NaN): an epoch number in
      // another unit (micro- or nanoseconds) is out of range, not a date 50,000 years from now.
      return (v) => {
        if (v instanceof JsonNumberText) v = Number(v.decimal);
        let ms: number | null;
        if (typeof v === 'number' && Number.isFinite(v)) ms = Math.floor(v);
        else {
          ms = typeof v === 'string' ? (parseCanonicalTimestamp(v) ?? parseTimestamp(v)) : null;
          if (ms === null) return wrong("a timestamp ('yyyy-MM-dd HH:mm:ss.SSS', ISO-8601 or epoch milliseconds)", v);
        }
        if (!(ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS)) return timestampOutOfRange(v, type);
        return truncate(ms);
      };
    }
    case 'DATE':
      return (v) => {
        let days: number | null;
        if (typeof v === 'number' && Number.isInteger(v)) days = v;
        else {
          days = typeof v === 'string' ? parseDate(v) : null;
          if (days === null) return wrong("a date ('yyyy-MM-dd')", v);
        }
        if (!(days * MS_PER_DAY >= MIN_TIMESTAMP_MS && days * MS_PER_DAY <= MAX_TIMESTAMP_MS)) {
          throw new ConversionFailure('out-of-range', `${showValue(v)} is out of range for DATE (years 0000 to 9999)`);
        }
        return days;
      };
    case 'TIME':
      return (v) => {
        if (typeof v === 'number' && Number.isInteger(v)) {
          if (v < 0 || v >= MS_PER_DAY) throw new ConversionFailure('out-of-range', `${showValue(v)} is out of range for TIME (milliseconds of a day: 0 to 86399999)`);
          return v;
        }
        const ms = typeof v === 'string' ? parseTime(v) : null;
        return ms === null ? wrong("a time ('HH:mm:ss')", v) : ms;
      };
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return (v) => {
        const n = toNumber(v, true);
        return n === undefined ? wrong('an integer', v) : n;
      };
    case 'BYTES':
      return (v) => (typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : wrong('base64 text', v));
    case 'NULL':
      return () => null;
    default:
      return (v) => wrong(typeToString(type), v);
  }
}

/** How TIMESTAMP values are written: Flink's `SQL` (`2024-01-02 03:04:05.678`) or `ISO-8601` (`2024-01-02T03:04:05.678`). */
export type TimestampStandard = 'SQL' | 'ISO-8601';

/** Converts one Eddy value to what {@link stringifyJson} should write (JSON.stringify for types without BIGINT/DECIMAL). */
export type ValueWriter = (value: unknown) => unknown;

/**
 * Compiles a writer of JSON values for `type`: timestamps and dates as text, BYTES as base64, MAP as an
 * object, ROW as an object by field name, non-finite doubles as the strings `NaN` / `Infinity`.
 * TIMESTAMP_LTZ text ends in `Z` (UTC), as Flink writes it.
 */
export function compileJsonWriter(type: DataType, standard: TimestampStandard = 'SQL'): ValueWriter {
  const inner = jsonWriter(type, standard);
  return (v) => (v === null || v === undefined ? null : inner(v));
}

function jsonWriter(type: DataType, standard: TimestampStandard): ValueWriter {
  const iso = standard === 'ISO-8601';
  switch (type.name) {
    case 'TIMESTAMP':
      return iso ? (v) => formatTimestamp(v as number).replace(' ', 'T') : (v) => formatTimestamp(v as number);
    case 'TIMESTAMP_LTZ':
      return iso ? (v) => formatTimestamp(v as number).replace(' ', 'T') + 'Z' : (v) => formatTimestamp(v as number) + 'Z';
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTime(v as number);
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => (Number.isFinite(v as number) ? v : String(v));
    case 'BYTES':
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    case 'ARRAY': {
      const element = compileJsonWriter(type.element!, standard);
      return (v) => (v as unknown[]).map(element);
    }
    case 'MAP': {
      const value = compileJsonWriter(type.value!, standard);
      const key = type.key ? compileTextWriter(type.key) : String;
      return (v) => {
        const out: Record<string, unknown> = {};
        for (const [k, x] of v as Map<unknown, unknown>) out[key(k)] = value(x);
        return out;
      };
    }
    case 'ROW': {
      const fields = (type.fields ?? []).map((f) => ({ name: f.name, write: compileJsonWriter(f.type, standard) }));
      return (v) => {
        const out: Record<string, unknown> = {};
        const row = v as unknown[];
        fields.forEach((f, i) => (out[f.name] = f.write(row[i])));
        return out;
      };
    }
    default:
      return (v) => v;
  }
}

/** Compiles a writer of text (a CSV field, a MAP key) for a non-null value of `type`; nested types as JSON. */
export function compileTextWriter(type: DataType): (value: unknown) => string {
  switch (type.name) {
    case 'STRING':
      return (v) => v as string;
    case 'ARRAY':
    case 'MAP':
    case 'ROW': {
      const json = compileJsonWriter(type);
      return (v) => stringifyJson(json(v));
    }
    case 'TIMESTAMP_LTZ':
      return (v) => formatTimestamp(v as number) + 'Z';
    case 'DECIMAL':
      return (v) => (typeof v === 'number' ? String(v) : exactNumberText(v));
    default: {
      const json = jsonWriter(type, 'SQL');
      return (v) => String(json(v));
    }
  }
}
