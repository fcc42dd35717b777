/**
 * Date and time functions: DATE_FORMAT, EXTRACT and the field shortcuts (YEAR, HOUR, ...), TIMESTAMPDIFF,
 * TIMESTAMPADD, TIME_FLOOR / TIME_CEIL, conversions (TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP, ...) and the
 * clock (CURRENT_TIMESTAMP, PROCTIME). TIMESTAMP_LTZ values are read in the session time zone.
 */
import { INT64_MIN } from '../../common/int64.js';
import { MILLIS_PER, parseDate, parseTimestamp } from '../../common/time.js';
import { decimalToNumber } from '../../common/decimal.js';
import { localToUtc, utcToLocal } from '../../common/time-zone.js';
import { asTimeAttribute, isTimestamp, T, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import {
  addMonthsToDays,
  addMonthsToMillis,
  ceilDays,
  ceilMillis,
  civil,
  civilFromDays,
  daysFromCivil,
  floorDays,
  floorMillis,
  floorMod,
  monthsBetween,
  parseTimeUnit,
  type TimeUnit,
} from '../calendar.js';
import { dateTimeParserFor, formatterFor, parserFor, type ParsedDateTime } from '../datetime-format.js';
import type { FunctionEnv, Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { anyNullable, checkArity, checkKinds, fixed, shown } from './define.js';

const DAY = MILLIS_PER.DAY;
const BIGINT = T.bigint();
const STRING = T.string();
const DEFAULT_FORMAT = 'yyyy-MM-dd HH:mm:ss';

/**
 * What UNIX_TIMESTAMP returns for text it cannot read: Long.MIN_VALUE (-9223372036854775808), as Flink
 * documents: a bigint, as every BIGINT beyond ±2^53 is (src/common/int64.ts).
 */
const UNREADABLE_SECONDS = INT64_MIN;

/** An offset written at the end of a timestamp text: `Z`, `+08:00`, `-0500`. */
const TRAILING_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})\s*$/i;

/**
 * Reads timestamp text the way Flink's string-taking time functions do (UNIX_TIMESTAMP, DATE_FORMAT,
 * CONVERT_TZ: `SimpleDateFormat('yyyy-MM-dd HH:mm:ss')`, which reads the start of the text and ignores the
 * rest, an offset after it included), keeping milliseconds when written; else Eddy's lenient reading (a
 * date alone, ISO-8601 with `T`), where an offset written in the text makes it an instant.
 */
function readTimestampText(text: string): ParsedDateTime | null {
  return dateTimeParserFor(`${DEFAULT_FORMAT}.SSS`, true)(text) ?? dateTimeParserFor(DEFAULT_FORMAT, true)(text) ?? readLenient(text);
}

/**
 * The instant a parsed time names: with an offset of its own, that offset decides and `zone` is not
 * applied on top of it (the mistake Flink's docs warn about); without one, it is read in `zone`.
 */
function instantOf(t: ParsedDateTime, zone: string): number {
  return t.offsetMs === undefined ? localToUtc(t.wallMs, zone) : t.wallMs - t.offsetMs;
}

/** Reads a temporal value of type `t` as a wall-clock time in epoch ms (LTZ in the session zone). */
function wallClock(t: DataType, env: FunctionEnv): ((v: number) => number) | undefined {
  switch (t.name) {
    case 'TIMESTAMP':
    case 'TIME':
      return (v) => v;
    case 'TIMESTAMP_LTZ': {
      const zone = env.timeZone;
      return (v) => utcToLocal(v, zone);
    }
    case 'DATE':
      return (v) => v * DAY;
    default:
      return undefined;
  }
}

/** ISO-8601 week number of a date (weeks start on Monday; week 1 holds the first Thursday). */
function isoWeek(days: number): number {
  const dow = floorMod(days + 3, 7); // 0 = Monday
  const thursday = days - dow + 3;
  civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(civil[0], 1, 1)) / 7) + 1;
}

const EXTRACT_UNITS = new Set([
  'MILLENNIUM', 'CENTURY', 'DECADE', 'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'DOY', 'DOW', 'ISODOW', 'ISOYEAR',
  'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND', 'EPOCH',
]);

/** One field of a wall-clock time. SECOND is whole seconds; MILLISECOND is seconds * 1000 + millis (Calcite). */
function field(unit: string, wall: number): number {
  const tod = floorMod(wall, DAY);
  const days = (wall - tod) / DAY;
  switch (unit) {
    case 'HOUR':
      return Math.floor(tod / 3_600_000);
    case 'MINUTE':
      return Math.floor(tod / 60_000) % 60;
    case 'SECOND':
      return Math.floor(tod / 1000) % 60;
    case 'MILLISECOND':
      return tod % 60_000;
    case 'MICROSECOND':
      return (tod % 60_000) * 1000;
    case 'NANOSECOND':
      return (tod % 60_000) * 1_000_000;
    case 'EPOCH':
      return Math.floor(wall / 1000);
    case 'DOW':
      return floorMod(days + 4, 7) + 1;
    case 'ISODOW':
      return floorMod(days + 3, 7) + 1;
    case 'WEEK':
      return isoWeek(days);
    case 'ISOYEAR': {
      civilFromDays(days - floorMod(days + 3, 7) + 3);
      return civil[0];
    }
    default:
      break;
  }
  civilFromDays(days);
  const [y, m] = civil;
  switch (unit) {
    case 'YEAR':
      return y;
    case 'QUARTER':
      return Math.floor((m - 1) / 3) + 1;
    case 'MONTH':
      return m;
    case 'DAY':
      return civil[2];
    case 'DOY':
      return days - daysFromCivil(y, 1, 1) + 1;
    case 'DECADE':
      return Math.floor(y / 10);
    case 'CENTURY':
      return y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - y) / 100);
    case 'MILLENNIUM':
      return y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((999 - y) / 1000);
    default:
      return NaN;
  }
}

/** EXTRACT from an interval: the unit's component (e.g. HOUR of `1 02:03` is 2). */
function intervalField(unit: string, t: DataType): ((v: number) => number) | undefined {
  if (t.name === 'INTERVAL_YEAR_MONTH') {
    if (unit === 'YEAR') return (v) => Math.trunc(v / 12);
    if (unit === 'MONTH') return (v) => (v % 12) + 0;
    if (unit === 'QUARTER') return (v) => Math.trunc((v % 12) / 3) + 1;
    return undefined;
  }
  switch (unit) {
    case 'DAY':
      return (v) => Math.trunc(v / DAY);
    case 'HOUR':
      return (v) => Math.trunc((v % DAY) / 3_600_000);
    case 'MINUTE':
      return (v) => Math.trunc((v % 3_600_000) / 60_000);
    case 'SECOND':
      return (v) => Math.trunc((v % 60_000) / 1000);
    case 'MILLISECOND':
      return (v) => (v % 60_000) + 0;
    case 'EPOCH':
      return (v) => Math.trunc(v / 1000);
    default:
      return undefined;
  }
}

function resolveExtract(unitText: unknown, t: DataType, env: FunctionEnv): ((v: number) => number) | { error: string } {
  const unit = typeof unitText === 'string' ? unitText.toUpperCase() : '';
  if (!EXTRACT_UNITS.has(unit)) return { error: `EXTRACT does not know the unit '${String(unitText)}'` };
  if (t.name === 'INTERVAL_DAY_TIME' || t.name === 'INTERVAL_YEAR_MONTH') {
    return intervalField(unit, t) ?? { error: `Cannot EXTRACT ${unit} from ${shown(t)}` };
  }
  const wall = wallClock(t, env);
  const timeUnits = ['HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND'];
  if (wall === undefined || (t.name === 'TIME' && !timeUnits.includes(unit)) || (t.name === 'DATE' && timeUnits.includes(unit))) {
    return { error: `Cannot EXTRACT ${unit} from ${shown(t)}` };
  }
  return (v) => field(unit, wall(v));
}

const extract: ScalarFunctionDef = {
  name: 'EXTRACT',
  description: 'EXTRACT(unit FROM t) – a field (YEAR, MONTH, DAY, HOUR, DOW, WEEK, ...) of a date, time, timestamp or interval',
  resolve(argTypes, env, site): Resolution<ResolvedScalar> {
    const error = checkArity('EXTRACT', argTypes, 2, 2);
    if (error) return { error };
    const t = withoutTimeAttribute(argTypes[1]!);
    if (t.name === 'NULL') return { type: withNullable(BIGINT, true), impl: () => null, strict: true, deterministic: true };
    const f = resolveExtract(site.literalArgs[0], t, env);
    if ('error' in f) return f;
    return { type: withNullable(BIGINT, anyNullable(argTypes)), impl: (_u: string, v: number) => f(v), strict: true, deterministic: true };
  },
};

/** YEAR(t), MONTH(t), HOUR(t), ...: EXTRACT with a fixed unit. */
function fieldFunction(name: string, unit: string, description: string, acceptsTime: boolean): ScalarFunctionDef {
  return {
    name,
    description,
    resolve(argTypes, env): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, 1, 1) ?? (acceptsTime && argTypes[0]!.name === 'TIME' ? undefined : checkKinds(name, argTypes, ['TEMPORAL']));
      if (error) return { error };
      const t = withoutTimeAttribute(argTypes[0]!);
      if (t.name === 'NULL') return { type: withNullable(BIGINT, true), impl: () => null, strict: true, deterministic: true };
      const f = resolveExtract(unit, t, env);
      if ('error' in f) return { error: `${name} expects a ${acceptsTime ? 'TIME or ' : ''}DATE or TIMESTAMP argument, got ${shown(t)}` };
      return { type: withNullable(BIGINT, anyNullable(argTypes)), impl: f, strict: true, deterministic: true };
    },
  };
}

function unitOf(name: string, literal: unknown): TimeUnit | { error: string } {
  const unit = typeof literal === 'string' ? parseTimeUnit(literal) : undefined;
  return unit ?? { error: `${name} expects a time unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR), got ${String(literal)}` };
}

const FIXED_MS: Partial<Record<TimeUnit, number>> = { MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: DAY, WEEK: 7 * DAY };
const MONTHS_PER: Partial<Record<TimeUnit, number>> = { MONTH: 1, QUARTER: 3, YEAR: 12, DECADE: 120, CENTURY: 1200, MILLENNIUM: 12000 };

const timestampDiff: ScalarFunctionDef = {
  name: 'TIMESTAMPDIFF',
  description: 'TIMESTAMPDIFF(unit, t1, t2) – whole units from t1 to t2 (MONTH, QUARTER, YEAR by the calendar)',
  resolve(argTypes, env, site): Resolution<ResolvedScalar> {
    const error = checkArity('TIMESTAMPDIFF', argTypes, 3, 3) ?? checkKinds('TIMESTAMPDIFF', argTypes.slice(1), ['TEMPORAL']);
    if (error) return { error };
    const unit = unitOf('TIMESTAMPDIFF', site.literalArgs[0]);
    if (typeof unit !== 'string') return unit;
    const a = withoutTimeAttribute(argTypes[1]!);
    const b = withoutTimeAttribute(argTypes[2]!);
    // Instants compare directly when both are LTZ; otherwise compare wall clocks.
    const bothLtz = a.name === 'TIMESTAMP_LTZ' && b.name === 'TIMESTAMP_LTZ';
    const wa = bothLtz ? (v: number) => v : (wallClock(a, env) ?? ((v: number) => v));
    const wb = bothLtz ? (v: number) => v : (wallClock(b, env) ?? ((v: number) => v));
    const fixedMs = FIXED_MS[unit];
    let impl: (u: string, x: number, y: number) => number;
    if (fixedMs !== undefined) {
      impl = (_u, x, y) => Math.trunc((wb(y) - wa(x)) / fixedMs) + 0;
    } else {
      const per = MONTHS_PER[unit]!;
      const zone = env.timeZone;
      const wall = bothLtz ? (v: number) => utcToLocal(v, zone) : (v: number) => v;
      impl = (_u, x, y) => Math.trunc(monthsBetween(wall(wa(x)), wall(wb(y))) / per) + 0;
    }
    return { type: withNullable(T.int(), anyNullable(argTypes)), impl, strict: true, deterministic: true };
  },
};

const timestampAdd: ScalarFunctionDef = {
  name: 'TIMESTAMPADD',
  description: 'TIMESTAMPADD(unit, n, t) – t plus n units',
  resolve(argTypes, env, site): Resolution<ResolvedScalar> {
    const error = checkArity('TIMESTAMPADD', argTypes, 3, 3) ?? checkKinds('TIMESTAMPADD', argTypes, ['STRING', 'INTEGER', 'TEMPORAL']);
    if (error) return { error };
    const unit = unitOf('TIMESTAMPADD', site.literalArgs[0]);
    if (typeof unit !== 'string') return unit;
    const t = withoutTimeAttribute(argTypes[2]!);
    const fixedMs = FIXED_MS[unit];
    const months = MONTHS_PER[unit];
    const nullable = anyNullable(argTypes);
    const done = (type: DataType, impl: (u: string, n: number, v: number) => number): ResolvedScalar => ({
      type: withNullable(type, nullable),
      impl: (u: string, n: unknown, v: number) => impl(u, decimalToNumber(n), v),
      strict: true,
      deterministic: true,
    });
    if (t.name === 'DATE') {
      if (months !== undefined) return done(t, (_u, n, d) => addMonthsToDays(d, n * months));
      if (unit === 'DAY' || unit === 'WEEK') return done(t, (_u, n, d) => d + (n * fixedMs!) / DAY);
      return done(T.timestamp(3), (_u, n, d) => d * DAY + n * fixedMs!);
    }
    if (t.name === 'TIMESTAMP_LTZ' && months !== undefined) {
      const zone = env.timeZone;
      return done(t, (_u, n, v) => localToUtc(addMonthsToMillis(utcToLocal(v, zone), n * months), zone));
    }
    if (months !== undefined) return done(t.name === 'NULL' ? T.timestamp(3) : t, (_u, n, v) => addMonthsToMillis(v, n * months));
    return done(t.name === 'NULL' ? T.timestamp(3) : t, (_u, n, v) => v + n * fixedMs!);
  },
};

function timeRound(name: 'TIME_FLOOR' | 'TIME_CEIL'): ScalarFunctionDef {
  const ceil = name === 'TIME_CEIL';
  return {
    name,
    description: `${name}(unit, t) – t rounded ${ceil ? 'up' : 'down'} to a unit boundary (${ceil ? 'CEIL' : 'FLOOR'}(t TO unit))`,
    resolve(argTypes, env, site): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, 2, 2) ?? checkKinds(name, argTypes.slice(1), ['TEMPORAL']);
      if (error) return { error };
      const unit = unitOf(name, site.literalArgs[0]);
      if (typeof unit !== 'string') return unit;
      const t = withoutTimeAttribute(argTypes[1]!);
      const nullable = anyNullable(argTypes);
      const done = (impl: (u: string, v: number) => number): ResolvedScalar => ({ type: withNullable(t, nullable), impl, strict: true, deterministic: true });
      if (t.name === 'DATE') return done(ceil ? (_u, d) => ceilDays(d, unit) : (_u, d) => floorDays(d, unit));
      if (t.name === 'TIMESTAMP_LTZ') {
        const zone = env.timeZone;
        const round = ceil ? ceilMillis : floorMillis;
        return done((_u, v) => localToUtc(round(utcToLocal(v, zone), unit), zone));
      }
      return done(ceil ? (_u, v) => ceilMillis(v, unit) : (_u, v) => floorMillis(v, unit));
    },
  };
}

/** Parses with an optional pattern: the default reads `yyyy-MM-dd[ HH:mm:ss[.SSS]]` and ISO-8601. */
function parseWall(text: string, pattern?: string): number | null {
  return pattern === undefined ? parseTimestamp(text) : parserFor(pattern)(text);
}

/** `yyyy-MM-dd[ HH:mm:ss[.SSS]]` or ISO-8601, all of the text; an offset written in it is kept apart. */
function readLenient(text: string): ParsedDateTime | null {
  const utc = parseTimestamp(text);
  if (utc === null) return null;
  return TRAILING_OFFSET.test(text) ? { wallMs: utc, offsetMs: 0 } : { wallMs: utc };
}

function formatWall(wall: number, pattern: string, offset = 0): string {
  return formatterFor(pattern)(wall, offset);
}

const dateFormat: ScalarFunctionDef = {
  name: 'DATE_FORMAT',
  description: "DATE_FORMAT(t, 'yyyy-MM-dd HH:mm:ss') – a timestamp (or timestamp string) formatted with a Java pattern",
  resolve(argTypes, env): Resolution<ResolvedScalar> {
    const error = checkArity('DATE_FORMAT', argTypes, 2, 2) ?? checkKinds('DATE_FORMAT', argTypes.slice(1), ['STRING']);
    if (error) return { error };
    const t = withoutTimeAttribute(argTypes[0]!);
    const type = withNullable(STRING, anyNullable(argTypes) || t.name === 'STRING');
    if (t.name === 'STRING') {
      // As Flink: the text is read in the session time zone and written in it (an offset written in it
      // names an instant, shown in the session zone), so `X` prints the session zone's offset.
      const zone = env.timeZone;
      return { type, impl: (s: string, p: string) => {
        const r = readTimestampText(s);
        if (r === null) return null;
        const utc = instantOf(r, zone);
        const wall = utcToLocal(utc, zone);
        return formatWall(wall, p, wall - utc);
      }, strict: true, deterministic: true };
    }
    if (t.name === 'TIMESTAMP_LTZ') {
      const zone = env.timeZone;
      return { type, impl: (v: number, p: string) => formatWall(utcToLocal(v, zone), p, utcToLocal(v, zone) - v), strict: true, deterministic: true };
    }
    const wall = wallClock(t, env);
    if (wall === undefined && t.name !== 'NULL') return { error: `DATE_FORMAT expects a TIMESTAMP, DATE or STRING argument, got ${shown(t)}` };
    return { type, impl: (v: number, p: string) => formatWall(wall ? wall(v) : v, p), strict: true, deterministic: true };
  },
};

function clock(name: string, description: string, type: DataType, value: (now: number, zone: string) => number): ScalarFunctionDef {
  return {
    name,
    description,
    resolve(argTypes, env): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, 0, 0);
      if (error) return { error };
      const zone = env.timeZone;
      const now = env.now;
      return { type: withNullable(type, false), impl: () => value(now(), zone), strict: true, deterministic: false };
    },
  };
}

function toTimestampLtz(argTypes: readonly DataType[]): Resolution<ResolvedScalar> {
  const type = withNullable(T.timestampLtz(3), true);
  if (argTypes[0]!.name === 'STRING') {
    const error = checkArity('TO_TIMESTAMP_LTZ', argTypes, 1, 3) ?? checkKinds('TO_TIMESTAMP_LTZ', argTypes, ['STRING']);
    if (error) return { error };
    // Flink: the text is read in `zone`, by default UTC (not the session zone); an offset written in the
    // text (an X field, or ISO-8601's +08:00) decides instead, and is not shifted again by the zone.
    const impl = (s: string, p?: string, zone = 'UTC') => {
      const r = p === undefined ? readLenient(s) : dateTimeParserFor(p)(s);
      return r === null ? null : instantOf(r, zone);
    };
    return { type, impl, strict: true, deterministic: true };
  }
  const error = checkArity('TO_TIMESTAMP_LTZ', argTypes, 1, 2) ?? checkKinds('TO_TIMESTAMP_LTZ', argTypes, ['NUMERIC', 'INTEGER']);
  if (error) return { error };
  const impl = (value: unknown, precision?: number) => {
    // A BIGINT beyond 2^53 or a big DECIMAL: as the nearest double (such epochs are far out of range anyway).
    const n = decimalToNumber(value);
    if (precision === 0) return Math.round(n * 1000);
    if (precision === undefined || precision === 3) return Math.round(n);
    return null;
  };
  return { type, impl, strict: true, deterministic: true };
}

/** Date and time functions. */
export const temporalFunctions: readonly ScalarFunctionDef[] = [
  dateFormat,
  extract,
  fieldFunction('YEAR', 'YEAR', 'YEAR(t) – the year of a date or timestamp', false),
  fieldFunction('QUARTER', 'QUARTER', 'QUARTER(t) – the quarter (1-4)', false),
  fieldFunction('MONTH', 'MONTH', 'MONTH(t) – the month (1-12)', false),
  fieldFunction('WEEK', 'WEEK', 'WEEK(t) – the ISO-8601 week of the year (1-53)', false),
  fieldFunction('DAYOFYEAR', 'DOY', 'DAYOFYEAR(t) – the day of the year (1-366)', false),
  fieldFunction('DAYOFMONTH', 'DAY', 'DAYOFMONTH(t) – the day of the month (1-31)', false),
  fieldFunction('DAYOFWEEK', 'DOW', 'DAYOFWEEK(t) – the day of the week (Sunday = 1 ... Saturday = 7)', false),
  fieldFunction('HOUR', 'HOUR', 'HOUR(t) – the hour of the day (0-23)', true),
  fieldFunction('MINUTE', 'MINUTE', 'MINUTE(t) – the minute of the hour (0-59)', true),
  fieldFunction('SECOND', 'SECOND', 'SECOND(t) – the second of the minute (0-59)', true),
  timestampDiff,
  timestampAdd,
  timeRound('TIME_FLOOR'),
  timeRound('TIME_CEIL'),
  fixed('TO_TIMESTAMP', "TO_TIMESTAMP(s[, pattern]) – s parsed as TIMESTAMP(3) (default 'yyyy-MM-dd HH:mm:ss'); NULL if unparseable", ['STRING', 'STRING'], T.timestamp(3), parseWall, { optional: 1, mayReturnNull: true }),
  { name: 'TO_TIMESTAMP_LTZ', description: "TO_TIMESTAMP_LTZ(n, precision) – epoch seconds (0) or milliseconds (3) as TIMESTAMP_LTZ(3); TO_TIMESTAMP_LTZ(s[, pattern[, zone]]) – s read in zone (default 'UTC') unless it has an offset", resolve: (argTypes) => (argTypes.length === 0 ? { error: 'TO_TIMESTAMP_LTZ expects 1 to 3 arguments, got 0' } : toTimestampLtz(argTypes)) },
  fixed('TO_DATE', "TO_DATE(s[, pattern]) – s parsed as a DATE (default 'yyyy-MM-dd'); NULL if unparseable", ['STRING', 'STRING'], T.date(), (s: string, p?: string) => {
    if (p === undefined) return parseDate(s);
    // Flink reads it with SimpleDateFormat in UTC: text after the pattern is ignored, an offset applies.
    const r = dateTimeParserFor(p, true)(s);
    return r === null ? null : Math.floor(instantOf(r, 'UTC') / DAY);
  }, { optional: 1, mayReturnNull: true }),
  {
    name: 'UNIX_TIMESTAMP',
    description: "UNIX_TIMESTAMP([s[, pattern]]) – now, or s (default 'yyyy-MM-dd HH:mm:ss', session time zone unless s has an offset) in epoch seconds; -9223372036854775808 if unreadable; UNIX_TIMESTAMP(ts) – a TIMESTAMP in epoch milliseconds (ksqlDB)",
    resolve(argTypes, env): Resolution<ResolvedScalar> {
      // ksqlDB's UNIX_TIMESTAMP(timestamp): Flink has no such signature, so it keeps ksqlDB's meaning
      // (milliseconds). A TIMESTAMP is read as UTC, as ksqlDB's TIMESTAMP is; a TIMESTAMP_LTZ is an instant.
      if (argTypes.length === 1 && isTimestamp(argTypes[0]!)) {
        return { type: withNullable(BIGINT, argTypes[0]!.nullable), impl: (v: number) => v, strict: true, deterministic: true };
      }
      const error = checkArity('UNIX_TIMESTAMP', argTypes, 0, 2) ?? checkKinds('UNIX_TIMESTAMP', argTypes, ['STRING']);
      if (error) return { error };
      if (argTypes.length === 0) {
        const now = env.now;
        return { type: withNullable(BIGINT, false), impl: () => Math.floor(now() / 1000), strict: true, deterministic: false };
      }
      // Flink's rules: the session zone reads a time without an offset; an offset parsed by the pattern
      // (X, Z, x) decides instead; text after what the pattern reads is ignored (SimpleDateFormat); text
      // that cannot be read gives Long.MIN_VALUE; seconds are milliseconds / 1000 rounded toward zero.
      const zone = env.timeZone;
      const impl = (s: string, p?: string) => {
        const r = p === undefined ? readTimestampText(s) : dateTimeParserFor(p, true)(s);
        return r === null ? UNREADABLE_SECONDS : Math.trunc(instantOf(r, zone) / 1000);
      };
      return { type: withNullable(BIGINT, anyNullable(argTypes)), impl, strict: true, deterministic: true };
    },
  },
  {
    name: 'FROM_UNIXTIME',
    description: "FROM_UNIXTIME(seconds[, pattern]) – epoch seconds as text in the session time zone (default 'yyyy-MM-dd HH:mm:ss')",
    resolve(argTypes, env): Resolution<ResolvedScalar> {
      const error = checkArity('FROM_UNIXTIME', argTypes, 1, 2) ?? checkKinds('FROM_UNIXTIME', argTypes, ['NUMERIC', 'STRING']);
      if (error) return { error };
      const zone = env.timeZone;
      const impl = (secs: unknown, p?: string) => {
        const utc = Math.trunc(decimalToNumber(secs)) * 1000; // Flink: (long) seconds, toward zero
        const wall = utcToLocal(utc, zone);
        return formatWall(wall, p ?? DEFAULT_FORMAT, wall - utc);
      };
      return { type: withNullable(STRING, anyNullable(argTypes)), impl, strict: true, deterministic: true };
    },
  },
  {
    name: 'CONVERT_TZ',
    description: "CONVERT_TZ(s, fromZone, toZone) – a 'yyyy-MM-dd HH:mm:ss' time read in fromZone, written in toZone",
    resolve(argTypes): Resolution<ResolvedScalar> {
      const error = checkArity('CONVERT_TZ', argTypes, 3, 3) ?? checkKinds('CONVERT_TZ', argTypes, ['STRING']);
      if (error) return { error };
      // The text is read in `from`, unless it carries its own offset, which then decides alone.
      const impl = (s: string, from: string, to: string) => {
        const r = readTimestampText(s);
        return r === null ? null : formatWall(utcToLocal(instantOf(r, from), to), DEFAULT_FORMAT);
      };
      return { type: withNullable(STRING, true), impl, strict: true, deterministic: true };
    },
  },
  clock('CURRENT_TIMESTAMP', 'CURRENT_TIMESTAMP – the current time as TIMESTAMP_LTZ(3)', T.timestampLtz(3), (now) => now),
  clock('NOW', 'NOW() – same as CURRENT_TIMESTAMP', T.timestampLtz(3), (now) => now),
  clock('CURRENT_ROW_TIMESTAMP', 'CURRENT_ROW_TIMESTAMP() – the current time as TIMESTAMP_LTZ(3), per row', T.timestampLtz(3), (now) => now),
  clock('LOCALTIMESTAMP', 'LOCALTIMESTAMP – the current wall-clock time in the session time zone as TIMESTAMP(3)', T.timestamp(3), (now, zone) => utcToLocal(now, zone)),
  clock('CURRENT_DATE', 'CURRENT_DATE – the current date in the session time zone', T.date(), (now, zone) => Math.floor(utcToLocal(now, zone) / DAY)),
  clock('CURRENT_TIME', 'CURRENT_TIME – the current time of day in the session time zone as TIME(0)', T.time(0), (now, zone) => Math.floor(floorMod(utcToLocal(now, zone), DAY) / 1000) * 1000),
  clock('LOCALTIME', 'LOCALTIME – same as CURRENT_TIME', T.time(0), (now, zone) => Math.floor(floorMod(utcToLocal(now, zone), DAY) / 1000) * 1000),
  clock('PROCTIME', 'PROCTIME() – processing time: a TIMESTAMP_LTZ(3) *PROCTIME* attribute', asTimeAttribute(withNullable(T.timestampLtz(3), false), 'proctime'), (now) => now),
];
