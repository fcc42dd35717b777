/**
 * Eddy types as Postgres sees them: the type OID, size and modifier a RowDescription announces, and the
 * text each value is sent as — the exact text a Postgres 14 server prints for that type, so `psql` shows
 * and drivers parse (`pg` turns int8 into a string, timestamptz into a Date, json into objects) what they
 * would from Postgres itself.
 */
import { formatDecimal, stringifyJson, T, toJsonValue, zoneOffset, type DataType } from '../index.js';

/** Postgres type OIDs used by the server (from pg_type.dat). */
export const PgOid = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  bpchar: 1042,
  jsonb: 3802,
} as const;

/**
 * The Eddy type of a parameter the client declared as `oid` (Parse's parameter types): undefined for
 * unspecified (0) and `unknown` (705), which take their type from where they are used, and `'unsupported'`
 * for bytea (whose text is hex, not the bytes). A `numeric` is a DECIMAL of no stated precision, which the
 * binder gives the precision and scale of the value. Types Eddy has no equivalent of (uuid, intervals,
 * arrays, ...) are STRING: the text as it came.
 */
export function parameterType(oid: number): DataType | undefined | 'unsupported' {
  switch (oid) {
    case 0:
    case PgOid.unknown:
      return undefined;
    case PgOid.bool:
      return T.boolean();
    case PgOid.int2:
      return T.smallint();
    case PgOid.int4:
      return T.int();
    case PgOid.int8:
      return T.bigint();
    case PgOid.float4:
      return T.float();
    case PgOid.float8:
      return T.double();
    case PgOid.numeric:
      return { name: 'DECIMAL', nullable: true };
    case PgOid.text:
    case PgOid.varchar:
    case PgOid.bpchar:
    case PgOid.json:
    case PgOid.jsonb:
      return T.string();
    case PgOid.date:
      return T.date();
    case PgOid.time:
      return T.time(3);
    case PgOid.timestamp:
      return T.timestamp(3);
    case PgOid.timestamptz:
      return T.timestampLtz(3);
    case PgOid.bytea:
      return 'unsupported';
    default:
      return T.string();
  }
}

/** How a column is announced in a RowDescription. */
export interface PgColumnType {
  readonly oid: number;
  /** pg_type.typlen: the fixed size in bytes, -1 for variable-length types. */
  readonly size: number;
  /** pg_attribute.atttypmod: numeric (precision << 16 | scale) + 4, timestamp precision, else -1. */
  readonly modifier: number;
}

/** The Postgres type a column of this Eddy type is sent as. */
export function pgColumnType(type: DataType): PgColumnType {
  switch (type.name) {
    case 'BOOLEAN':
      return { oid: PgOid.bool, size: 1, modifier: -1 };
    case 'TINYINT':
    case 'SMALLINT':
      return { oid: PgOid.int2, size: 2, modifier: -1 };
    case 'INT':
      return { oid: PgOid.int4, size: 4, modifier: -1 };
    case 'BIGINT':
      return { oid: PgOid.int8, size: 8, modifier: -1 };
    case 'FLOAT':
      return { oid: PgOid.float4, size: 4, modifier: -1 };
    case 'DOUBLE':
      return { oid: PgOid.float8, size: 8, modifier: -1 };
    case 'DECIMAL':
      return { oid: PgOid.numeric, size: -1, modifier: type.precision === undefined ? -1 : ((type.precision << 16) | (type.scale ?? 0)) + 4 };
    case 'STRING':
    case 'NULL':
      return { oid: PgOid.text, size: -1, modifier: -1 };
    case 'BYTES':
      return { oid: PgOid.bytea, size: -1, modifier: -1 };
    case 'DATE':
      return { oid: PgOid.date, size: 4, modifier: -1 };
    case 'TIME':
      return { oid: PgOid.time, size: 8, modifier: type.precision ?? -1 };
    case 'TIMESTAMP':
      return { oid: PgOid.timestamp, size: 8, modifier: type.precision ?? -1 };
    case 'TIMESTAMP_LTZ':
      return { oid: PgOid.timestamptz, size: 8, modifier: type.precision ?? -1 };
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return { oid: PgOid.interval, size: 16, modifier: -1 };
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
      return { oid: PgOid.json, size: -1, modifier: -1 };
  }
}

const MS_PER_DAY = 86_400_000;

/**
 * A non-null value in Postgres text format, for a column of type `type`. `timeZone` is the connection's
 * TimeZone, which TIMESTAMP_LTZ (timestamptz) values are shown in, with their offset.
 */
export function pgText(value: unknown, type: DataType, timeZone = 'UTC'): string {
  switch (type.name) {
    case 'BOOLEAN':
      return value ? 't' : 'f';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return String(value);
    case 'FLOAT':
      return pgFloat(value as number, 6);
    case 'DOUBLE':
      return pgFloat(value as number, 15);
    case 'DECIMAL':
      return formatDecimal(value, type.scale ?? 0);
    case 'STRING':
    case 'NULL':
      return String(value);
    case 'BYTES':
      return `\\x${Buffer.from(value as Uint8Array).toString('hex')}`;
    case 'DATE':
      return pgDate(value as number);
    case 'TIME':
      return pgTime(value as number);
    case 'TIMESTAMP':
      return pgTimestamp(value as number);
    case 'TIMESTAMP_LTZ': {
      const offsetMinutes = Math.round(zoneOffset(timeZone, value as number) / 60_000);
      return pgTimestamp((value as number) + offsetMinutes * 60_000) + pgOffset(offsetMinutes);
    }
    case 'INTERVAL_DAY_TIME':
      return pgIntervalDayTime(value as number);
    case 'INTERVAL_YEAR_MONTH':
      return pgIntervalYearMonth(value as number);
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
      return stringifyJson(toJsonValue(value, type));
  }
}

/**
 * A float as Postgres 12+ prints it (shortest text that reads back the same): fixed notation when the
 * decimal exponent is in [-4, digits), else `1.5e+20` / `1e-05` with at least two exponent digits.
 * `digits` is FLT_DIG (6) for float4 and DBL_DIG (15) for float8.
 */
export function pgFloat(n: number, digits: 6 | 15): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const shortest = digits === 6 ? shortestFloat32(n) : n.toExponential();
  const [mantissa, exp] = shortest.split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent >= -4 && exponent < digits) return digits === 6 ? String(Number(shortest)) : String(n);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** The fewest significant digits (in `toExponential` form) that read back as the same float32. */
function shortestFloat32(n: number): string {
  const f = Math.fround(n);
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) return s;
  }
  return f.toExponential(8);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `yyyy-MM-dd`, with ` BC` for years before 1 (there is no year 0: 0 is 1 BC). */
function pgDateOf(d: Date): string {
  const year = d.getUTCFullYear();
  const body = `${pad(year > 0 ? year : 1 - year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  return year > 0 ? body : `${body} BC`;
}

/** DATE (days since 1970-01-01) as `yyyy-MM-dd`. */
export function pgDate(days: number): string {
  return pgDateOf(new Date(days * MS_PER_DAY));
}

/** `HH:mm:ss` plus the milliseconds without trailing zeros (`.5`, `.123`), as Postgres prints seconds. */
function clock(hours: number, minutes: number, seconds: number, millis: number): string {
  const frac = millis ? `.${pad(millis, 3).replace(/0+$/, '')}` : '';
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${frac}`;
}

/** TIME (ms of the day). */
export function pgTime(ms: number): string {
  return clock(Math.floor(ms / 3_600_000), Math.floor((ms % 3_600_000) / 60_000), Math.floor((ms % 60_000) / 1000), ms % 1000);
}

/** TIMESTAMP (epoch ms of a wall clock) as `yyyy-MM-dd HH:mm:ss[.fff]` (` BC` after, as Postgres). */
export function pgTimestamp(ms: number): string {
  const d = new Date(ms);
  const date = pgDateOf(d);
  const time = clock(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return date.endsWith(' BC') ? `${date.slice(0, -3)} ${time} BC` : `${date} ${time}`;
}

/** A UTC offset as Postgres appends it to a timestamptz: `+00`, `-05`, `+05:30`. */
function pgOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const m = abs % 60;
  return `${sign}${pad(Math.floor(abs / 60), 2)}${m ? `:${pad(m, 2)}` : ''}`;
}

/** `1 day`, `2 days`, `-1 days`: Postgres adds the plural `s` to every count but exactly 1. */
function unit(n: number, name: string): string {
  return `${n} ${name}${n === 1 ? '' : 's'}`;
}

/** A day-time interval (ms) in Postgres's default `postgres` IntervalStyle: `1 day 02:03:04.5`, `-00:00:01`. */
export function pgIntervalDayTime(ms: number): string {
  const negative = ms < 0;
  let rest = Math.abs(ms);
  const days = Math.floor(rest / MS_PER_DAY);
  rest -= days * MS_PER_DAY;
  const parts: string[] = [];
  if (days) parts.push(unit(negative ? -days : days, 'day'));
  if (rest || !days) {
    const time = clock(Math.floor(rest / 3_600_000), Math.floor((rest % 3_600_000) / 60_000), Math.floor((rest % 60_000) / 1000), rest % 1000);
    parts.push(negative && rest ? `-${time}` : time);
  }
  return parts.join(' ');
}

/** A year-month interval (months) as Postgres prints it: `1 year 2 mons`, `-3 mons`, `00:00:00` for zero. */
export function pgIntervalYearMonth(months: number): string {
  if (months === 0) return '00:00:00';
  const sign = months < 0 ? -1 : 1;
  const abs = Math.abs(months);
  const years = Math.floor(abs / 12);
  const mons = abs % 12;
  const parts: string[] = [];
  if (years) parts.push(unit(sign * years, 'year'));
  if (mons) parts.push(unit(sign * mons, 'mon'));
  return parts.join(' ');
}
