/**
 * The `json` format's fast path: decodes one record straight from its bytes (a line of a file, a Kafka
 * value), without JSON.parse, without a string for the whole line, and building only the values the query
 * reads (see {@link JsonBytesDecoder}).
 *
 * It is an accelerator, never a second definition of the format: a record it is not sure about (not ASCII,
 * not valid JSON, a value that does not convert, a key with an escape, a field matched only
 * case-insensitively, a missing NOT NULL field, a number a double may round, ...) is left to the text path
 * (`decodeText`), which reads it as it always has and reports its errors with their kinds and messages. So
 * whatever the fast path returns is what the text path returns for the same record.
 */
import type { Row } from '../../runtime/changelog.js';
import type { DataType, Schema } from '../../common/types.js';
import { jsonNumberValue, MAX_JSON_DEPTH, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS, type ValueReader } from './convert-value.js';

/** A Buffer with Node's latin1Slice (not in its typings): bytes to text, one character per byte. */
type Latin1 = Buffer & { latin1Slice(start: number, end: number): string };

/** ASCII bytes to text. */
function latin1(b: Buffer, start: number, end: number): string {
  return (b as Latin1).latin1Slice(start, end);
}

// How a column's value is made from its token (plain constants: the build keeps enums as objects).
/** A STRING column the query does not read: its token is only checked to be JSON (and not null if NOT NULL). */
const K_SKIP = 0;
const K_STRING = 1;
/** BIGINT, INT, SMALLINT, TINYINT: a plain integer token of at most 15 digits within the type's range. */
const K_INTEGER = 2;
/** DOUBLE, FLOAT: a number token. */
const K_DOUBLE = 3;
const K_BOOLEAN = 4;
/** TIMESTAMP, TIMESTAMP_LTZ: `yyyy-MM-dd HH:mm:ss[.SSS]` text (or with `T`). */
const K_TIMESTAMP = 5;
/** Anything else: the token's JSON value through the column's reader. */
const K_GENERIC = 6;

// What the scanner found for a value: its token's kind.
/** A string without escapes: its characters are the bytes between the quotes. */
const T_CLEAN_STRING = 0;
/** A string with escapes (still all ASCII). */
const T_ESCAPED_STRING = 1;
const T_NUMBER = 2;
const T_TRUE = 3;
const T_FALSE = 4;
const T_NULL = 5;
/** An object or an array. */
const T_NESTED = 6;

/**
 * Bytes in a string: 0 an ordinary character, 1 the closing quote, 2 a backslash, 3 not allowed here (a
 * control character, which JSON forbids, or not ASCII, which the text path reads).
 */
const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) STRING_CLASS[c] = c < 32 || c >= 127 ? 3 : c === 34 ? 1 : c === 92 ? 2 : 0;

interface ColumnPlan {
  readonly kind: number;
  readonly nullable: boolean;
  readonly read: ValueReader;
  /** K_INTEGER: the type's range. */
  readonly lo: number;
  readonly hi: number;
  /** K_TIMESTAMP: milliseconds a value is truncated to (1 for TIMESTAMP(3)). */
  readonly unit: number;
}

const INTEGER_RANGES: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  BIGINT: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Powers of ten a double holds exactly (10^0 to 10^22). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Cumulative days before each month (non-leap year). */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function kindOf(type: DataType, read: boolean): number {
  switch (type.name) {
    case 'STRING':
      return read ? K_STRING : K_SKIP;
    case 'BIGINT':
    case 'INT':
    case 'SMALLINT':
    case 'TINYINT':
      return K_INTEGER;
    case 'DOUBLE':
    case 'FLOAT':
      return K_DOUBLE;
    case 'BOOLEAN':
      return K_BOOLEAN;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return K_TIMESTAMP;
    default:
      return K_GENERIC;
  }
}

/**
 * Decodes JSON objects from bytes for a schema; see the file's comment. `readers` are the text path's
 * column readers (the same conversions), `parse` its JSON.parse (for nested values), `exactNumbers` whether
 * it keeps long numbers' text (a DECIMAL column). STRING columns not in `columnsRead` (when given) are not
 * built (NULL): any JSON value but null converts to STRING, so skipping them changes no record's fate (a
 * null or missing value of a NOT NULL one is still found); other columns are converted whether read or not
 * (their conversion may reject a record).
 */
export class JsonBytesDecoder {
  private readonly columns: ColumnPlan[];
  /** A row of NULLs, copied for each record (a packed array, the values written over it). */
  private readonly template: Row;
  /** The columns whose field must be present (NOT NULL ones, or all with `json.fail-on-missing-field`). */
  private readonly required: readonly number[];
  private readonly checkMissing: boolean;
  private readonly seen: Int32Array;
  private stamp = 0;
  /** Lower-case column names, to tell a key matching a column only case-insensitively (left to the text path). */
  private readonly lowerNames: Set<string>;
  private readonly lowerLengths: Set<number>;
  /**
   * Each column's name as bytes, or undefined for a name no key without escapes can spell (not ASCII, or with
   * a quote, a backslash or a control character): its field is only found by the text path.
   */
  private readonly names: (Uint8Array | undefined)[];
  /** Column matched by the previous key: the next key is usually the next column. */
  private guess = 0;
  // The value token just scanned.
  private token = T_NULL;
  private tokenStart = 0;
  private tokenEnd = 0;
  /** For T_NUMBER: the value when the token is a plain integer of at most 15 digits (else NaN). */
  private integer = 0;
  /** For T_NUMBER: the value when the fast double path applies (else NaN). */
  private double = 0;

  /** Undefined when the schema has no fast path (column names equal case-insensitively). */
  static create(
    schema: Schema,
    readers: readonly ValueReader[],
    parse: (text: string) => unknown,
    exactNumbers: boolean,
    failOnMissing: boolean,
    columnsRead?: readonly number[],
  ): JsonBytesDecoder | undefined {
    const lower = new Set(schema.map((f) => f.name.toLowerCase()));
    if (lower.size !== schema.length) return undefined;
    return new JsonBytesDecoder(schema, readers, parse, exactNumbers, failOnMissing, lower, columnsRead);
  }

  private constructor(
    schema: Schema,
    readers: readonly ValueReader[],
    private readonly parse: (text: string) => unknown,
    private readonly exactNumbers: boolean,
    failOnMissing: boolean,
    lower: Set<string>,
    columnsRead: readonly number[] | undefined,
  ) {
    const read = columnsRead ? new Set(columnsRead) : undefined;
    this.columns = schema.map((f, i) => {
      const range = INTEGER_RANGES[f.type.name] ?? [0, 0];
      return {
        kind: kindOf(f.type, read === undefined || read.has(i)),
        nullable: f.type.nullable,
        read: readers[i]!,
        lo: range[0],
        hi: range[1],
        unit: 10 ** Math.max(0, 3 - (f.type.precision ?? 3)),
      };
    });
    this.names = schema.map((f) => (/^[\x20-\x7e]*$/.test(f.name) && !/["\\]/.test(f.name) ? Buffer.from(f.name, 'latin1') : undefined));
    this.template = schema.map(() => null);
    this.required = schema.flatMap((f, i) => (failOnMissing || !f.type.nullable ? [i] : []));
    this.checkMissing = this.required.length > 0;
    this.seen = new Int32Array(schema.length);
    this.lowerNames = lower;
    this.lowerLengths = new Set([...lower].map((n) => n.length));
  }

  /**
   * The row of the JSON object in `b[start, end)`, or undefined when the record is left to the text path
   * (see the file's comment).
   */
  decode(b: Buffer, start: number, end: number): Row | undefined {
    let i = skipSpace(b, start, end);
    if (i >= end || b[i] !== 123 /* { */) return undefined;
    i = skipSpace(b, i + 1, end);
    const row = this.template.slice();
    const stamp = this.checkMissing ? ++this.stamp : 0;
    if (i < end && b[i] === 125 /* } */) i++;
    else {
      for (;;) {
        // A key: ASCII without escapes. Usually the column after the one matched last: tried in place first.
        if (i >= end || b[i] !== 34) return undefined;
        const keyStart = i + 1;
        let j: number;
        let col: number;
        const guess = this.guess;
        const expected = this.names[guess];
        if (expected !== undefined && keyStart + expected.length < end && b[keyStart + expected.length] === 34 && startsWith(b, keyStart, expected)) {
          col = guess;
          j = keyStart + expected.length;
          this.guess = guess + 1 === this.names.length ? 0 : guess + 1;
        } else {
          j = keyStart;
          let c = 0;
          while (j < end && (c = b[j]!) !== 34) {
            if (c < 32 || c >= 127 || c === 92) return undefined;
            j++;
          }
          if (j >= end) return undefined;
          col = this.column(b, keyStart, j);
          if (col === -2) return undefined;
        }
        i = skipSpace(b, j + 1, end);
        if (i >= end || b[i] !== 58 /* : */) return undefined;
        i = skipSpace(b, i + 1, end);
        i = this.scanValue(b, i, end);
        if (i < 0) return undefined;
        if (col >= 0) {
          const plan = this.columns[col]!;
          if (plan.kind !== K_SKIP) {
            const v = this.convert(b, plan);
            if (v === undefined) return undefined;
            row[col] = v;
          } else if (this.token === T_NULL && !plan.nullable) return undefined;
          if (stamp !== 0) this.seen[col] = stamp;
        }
        i = skipSpace(b, i, end);
        if (i >= end) return undefined;
        const d = b[i]!;
        if (d === 44 /* , */) {
          i = skipSpace(b, i + 1, end);
          continue;
        }
        if (d === 125 /* } */) {
          i++;
          break;
        }
        return undefined;
      }
    }
    if (skipSpace(b, i, end) !== end) return undefined;
    // A missing field is NULL, unless it must not be (the text path then says so).
    if (stamp !== 0) for (const k of this.required) if (this.seen[k] !== stamp) return undefined;
    return row;
  }

  /**
   * The column a key names exactly; -1 for a key naming no column; -2 for a key that names one only
   * case-insensitively (the text path's lookup decides then).
   */
  private column(b: Buffer, start: number, end: number): number {
    const length = end - start;
    const names = this.names;
    const n = names.length;
    for (let k = 0; k < n; k++) {
      const name = names[k];
      if (name !== undefined && name.length === length && startsWith(b, start, name)) {
        this.guess = k + 1 === n ? 0 : k + 1;
        return k;
      }
    }
    if (!this.lowerLengths.has(length)) return -1;
    return this.lowerNames.has(latin1(b, start, end).toLowerCase()) ? -2 : -1;
  }

  /**
   * Scans the JSON value at `i` (checking it is valid JSON), records its token, and returns the index just
   * after it; -1 when it is not valid JSON, not ASCII, or nested too deeply.
   */
  private scanValue(b: Buffer, i: number, end: number): number {
    if (i >= end) return -1;
    const c = b[i]!;
    this.tokenStart = i;
    if (c === 34) {
      const j = scanString(b, i + 1, end);
      if (j === 0) return -1;
      this.token = j > 0 ? T_CLEAN_STRING : T_ESCAPED_STRING;
      const after = j > 0 ? j : -j;
      this.tokenEnd = after;
      return after;
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.scanNumber(b, i, end);
    if (c === 123 || c === 91) {
      const j = skipNested(b, i, end);
      if (j < 0) return -1;
      this.token = T_NESTED;
      this.tokenEnd = j;
      return j;
    }
    if (c === 116 /* t */ && i + 4 <= end && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) {
      this.token = T_TRUE;
      return (this.tokenEnd = i + 4);
    }
    if (c === 102 /* f */ && i + 5 <= end && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) {
      this.token = T_FALSE;
      return (this.tokenEnd = i + 5);
    }
    if (c === 110 /* n */ && i + 4 <= end && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) {
      this.token = T_NULL;
      return (this.tokenEnd = i + 4);
    }
    return -1;
  }

  /** A number token (JSON's grammar); sets `integer` and `double` when they can be had exactly. */
  private scanNumber(b: Buffer, i: number, end: number): number {
    let j = i;
    const negative = b[j] === 45;
    if (negative) j++;
    if (j >= end) return -1;
    let c = b[j]!;
    let mantissa = 0;
    let digits = 0;
    if (c === 48) {
      j++;
      digits = 1;
      if (j < end && (c = b[j]!) >= 48 && c <= 57) return -1; // a leading zero
    } else if (c >= 49 && c <= 57) {
      while (j < end && (c = b[j]!) >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        j++;
      }
    } else return -1;
    let fraction = 0;
    let exponent = 0;
    let plain = true;
    if (j < end && b[j] === 46 /* . */) {
      plain = false;
      j++;
      const from = j;
      while (j < end && (c = b[j]!) >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        j++;
      }
      fraction = j - from;
      if (fraction === 0) return -1;
    }
    if (j < end && ((c = b[j]!) === 101 || c === 69) /* e E */) {
      plain = false;
      j++;
      let sign = 1;
      if (j < end && ((c = b[j]!) === 43 || c === 45)) {
        if (c === 45) sign = -1;
        j++;
      }
      const from = j;
      while (j < end && (c = b[j]!) >= 48 && c <= 57) {
        if (exponent < 10000) exponent = exponent * 10 + (c - 48);
        j++;
      }
      if (j === from) return -1;
      exponent *= sign;
    }
    this.token = T_NUMBER;
    this.tokenEnd = j;
    // -0 is left to the readers (JSON.parse gives -0, which some of them keep).
    const exact = digits <= 15 && !(negative && mantissa === 0);
    this.integer = exact && plain ? (negative ? -mantissa : mantissa) : NaN;
    // Both operands exact and one rounding: the correctly rounded double, as JSON.parse gives (Clinger's fast path).
    const scale = exponent - fraction;
    if (exact && scale >= -22 && scale <= 22) {
      const v = scale >= 0 ? mantissa * POW10[scale]! : mantissa / POW10[-scale]!;
      this.double = negative ? -v : v;
    } else this.double = NaN;
    return j;
  }

  /** The value of the token just scanned for a column, or undefined when the text path must decide. */
  private convert(b: Buffer, plan: ColumnPlan): unknown {
    const token = this.token;
    if (token === T_NULL) return plan.nullable ? null : undefined;
    switch (plan.kind) {
      case K_STRING:
        if (token === T_CLEAN_STRING) return latin1(b, this.tokenStart + 1, this.tokenEnd - 1);
        break;
      case K_INTEGER:
        if (token === T_NUMBER) {
          const v = this.integer;
          if (v >= plan.lo && v <= plan.hi) return v;
        }
        break;
      case K_DOUBLE:
        if (token === T_NUMBER) {
          const v = this.double;
          if (v === v) return v;
        }
        break;
      case K_BOOLEAN:
        if (token === T_TRUE) return true;
        if (token === T_FALSE) return false;
        break;
      case K_TIMESTAMP:
        if (token === T_CLEAN_STRING) {
          const ms = timestampAt(b, this.tokenStart + 1, this.tokenEnd - 1);
          if (ms === ms && ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS) return plan.unit === 1 ? ms : Math.floor(ms / plan.unit) * plan.unit;
        }
        break;
    }
    return this.generic(b, plan);
  }

  /** The token's JSON value (as the text path's parse gives it) through the column's reader; undefined if it fails. */
  private generic(b: Buffer, plan: ColumnPlan): unknown {
    const text = latin1(b, this.tokenStart, this.tokenEnd);
    let value: unknown;
    switch (this.token) {
      case T_CLEAN_STRING:
        value = text.slice(1, -1);
        break;
      case T_ESCAPED_STRING:
        value = JSON.parse(text);
        break;
      case T_NUMBER:
        value = jsonNumberValue(text, this.exactNumbers);
        break;
      case T_TRUE:
        value = true;
        break;
      case T_FALSE:
        value = false;
        break;
      case T_NULL:
        value = null;
        break;
      case T_NESTED:
        try {
          value = this.parse(text);
        } catch {
          return undefined;
        }
        break;
    }
    try {
      return plan.read(value);
    } catch {
      return undefined; // The text path reports it (or, for a number JSON.parse rounds, reads it exactly).
    }
  }
}

/** True when `b` holds `name`'s bytes at `i` (the caller checks there is room). */
function startsWith(b: Buffer, i: number, name: Uint8Array): boolean {
  for (let k = 0; k < name.length; k++) if (b[i + k] !== name[k]) return false;
  return true;
}

/** The index of the first byte at or after `i` that is not JSON whitespace (space, tab, CR, LF), or `end`. */
function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = b[i]!;
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return i;
    i++;
  }
  return end;
}

/**
 * Scans a string's characters from `i` (just after its opening quote): the index after its closing quote,
 * negated when it has escapes; 0 when it is not valid JSON or not ASCII (a string never ends at 0).
 */
function scanString(b: Buffer, i: number, end: number): number {
  let escaped = false;
  while (i < end) {
    const k = STRING_CLASS[b[i]!]!;
    if (k === 0) {
      i++;
      continue;
    }
    if (k === 1) return escaped ? -(i + 1) : i + 1;
    if (k === 3 || i + 1 >= end) return 0;
    escaped = true;
    const e = b[i + 1]!;
    if (e === 117 /* u */) {
      if (i + 5 >= end || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!) || !isHex(b[i + 5]!)) return 0;
      i += 6;
      continue;
    }
    // \" \\ \/ \b \f \n \r \t
    if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return 0;
    i += 2;
  }
  return 0;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Skips an object or array starting at `i` (checking it is valid JSON): the index after it, or -1 (invalid,
 * not ASCII, or nested deeper than {@link MAX_JSON_DEPTH}).
 */
function skipNested(b: Buffer, i: number, end: number): number {
  // Closers expected, innermost last: 125 (}) or 93 (]).
  const closers: number[] = [];
  // What comes next: 0 a value, 1 a key (or the end of an empty object), 2 a ',' or a closer, 3 a key after ','.
  let expect = 0;
  while (i < end) {
    i = skipSpace(b, i, end);
    if (i >= end) return -1;
    const c = b[i]!;
    if (expect === 2) {
      const closer = closers[closers.length - 1]!;
      if (c === 44) {
        i++;
        expect = closer === 125 ? 3 : 0;
        continue;
      }
      if (c !== closer) return -1;
      closers.pop();
      i++;
      if (closers.length === 0) return i;
      continue;
    }
    if (expect === 1 || expect === 3) {
      if (expect === 1 && c === 125) {
        closers.pop();
        i++;
        if (closers.length === 0) return i;
        expect = 2;
        continue;
      }
      if (c !== 34) return -1;
      const j = scanString(b, i + 1, end);
      if (j === 0) return -1;
      i = skipSpace(b, j > 0 ? j : -j, end);
      if (i >= end || b[i] !== 58) return -1;
      i++;
      expect = 0;
      continue;
    }
    // A value.
    if (c === 123 || c === 91) {
      // The record's object is one level: deeper than the limit is left to the text path (too-deep).
      if (closers.length >= MAX_JSON_DEPTH - 1) return -1;
      closers.push(c === 123 ? 125 : 93);
      i++;
      if (c === 123) expect = 1;
      else {
        i = skipSpace(b, i, end);
        if (i < end && b[i] === 93) {
          closers.pop();
          i++;
          if (closers.length === 0) return i;
          expect = 2;
        } else expect = 0;
      }
      continue;
    }
    if (c === 34) {
      const j = scanString(b, i + 1, end);
      if (j === 0) return -1;
      i = j > 0 ? j : -j;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      i = skipNumber(b, i, end);
      if (i < 0) return -1;
    } else if (c === 116 && i + 4 <= end && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) i += 4;
    else if (c === 102 && i + 5 <= end && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) i += 5;
    else if (c === 110 && i + 4 <= end && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) i += 4;
    else return -1;
    expect = 2;
  }
  return -1;
}

/** Skips a number token (JSON's grammar): the index after it, or -1. */
function skipNumber(b: Buffer, i: number, end: number): number {
  if (b[i] === 45) i++;
  if (i >= end) return -1;
  let c = b[i]!;
  if (c === 48) {
    i++;
    if (i < end && (c = b[i]!) >= 48 && c <= 57) return -1;
  } else if (c >= 49 && c <= 57) {
    while (i < end && (c = b[i]!) >= 48 && c <= 57) i++;
  } else return -1;
  if (i < end && b[i] === 46) {
    const from = ++i;
    while (i < end && (c = b[i]!) >= 48 && c <= 57) i++;
    if (i === from) return -1;
  }
  if (i < end && ((c = b[i]!) === 101 || c === 69)) {
    i++;
    if (i < end && ((c = b[i]!) === 43 || c === 45)) i++;
    const from = i;
    while (i < end && (c = b[i]!) >= 48 && c <= 57) i++;
    if (i === from) return -1;
  }
  return i;
}

/** Two digits at `i` as a number, or -1. */
function two(b: Buffer, i: number): number {
  const d1 = b[i]! - 48;
  const d2 = b[i + 1]! - 48;
  return d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9 ? d1 * 10 + d2 : -1;
}

/**
 * `yyyy-MM-dd HH:mm:ss[.SSS]` (or with `T`) in `b[i, end)` as epoch milliseconds; NaN for any other text
 * (which the column's reader then reads). The same rules as parseCanonicalTimestamp, on bytes.
 */
function timestampAt(b: Buffer, i: number, end: number): number {
  const n = end - i;
  if (n !== 19 && n !== 23) return NaN;
  const t = b[i + 10];
  if (b[i + 4] !== 45 || b[i + 7] !== 45 || (t !== 32 && t !== 84) || b[i + 13] !== 58 || b[i + 16] !== 58) return NaN;
  const y1 = two(b, i);
  const y2 = two(b, i + 2);
  const month = two(b, i + 5);
  const day = two(b, i + 8);
  const hour = two(b, i + 11);
  const minute = two(b, i + 14);
  const second = two(b, i + 17);
  let millis = 0;
  if (n === 23) {
    const m1 = b[i + 20]! - 48;
    if (b[i + 19] !== 46 || m1 < 0 || m1 > 9) return NaN;
    const m23 = two(b, i + 21);
    if (m23 < 0) return NaN;
    millis = m1 * 100 + m23;
  }
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  const year = y1 * 100 + y2;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0)) return NaN;
  // Days since 1970-01-01 of a proleptic Gregorian date.
  const y = year - 1;
  const days = year * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + DAYS_BEFORE_MONTH[month - 1]! + (month > 2 && leap ? 1 : 0) + day - 1 - 719162 - 365;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
}
