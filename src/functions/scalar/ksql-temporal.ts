/**
 * ksqlDB's date and time functions that Flink does not have: TIMESTAMPTOSTRING, STRINGTOTIMESTAMP,
 * FORMAT_TIMESTAMP, PARSE_TIMESTAMP, FORMAT_DATE, PARSE_DATE, DATETOSTRING, STRINGTODATE and UNIX_DATE.
 * Patterns are Java DateTimeFormatter patterns (datetime-format.ts); time zones are IANA names, `UTC` or
 * fixed offsets. (UNIX_TIMESTAMP(ts) is in temporal.ts beside Flink's UNIX_TIMESTAMP.)
 *
 * - A BIGINT timestamp (ksqlDB's ROWTIME) is epoch milliseconds; ksqlDB's TIMESTAMP is a UTC time, which is
 *   Eddy's TIMESTAMP read as UTC. Without a time zone argument a BIGINT is shown in the session time zone
 *   (ksqlDB: the server's), a TIMESTAMP in UTC (ksqlDB's too), a TIMESTAMP_LTZ in the session time zone.
 * - Text that does not match the pattern, or an unknown time zone, gives NULL: ksqlDB fails the
 *   expression, logs the error and uses NULL.
 */
import { MILLIS_PER } from '../../common/time.js';
import { isValidTimeZone, localToUtc, utcToLocal } from '../../common/time-zone.js';
import { T, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { dateTimeParserFor, formatterFor } from '../datetime-format.js';
import type { FunctionEnv, Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { checkArity, checkKinds, fixed, shown } from './define.js';

const DAY = MILLIS_PER.DAY;
const STRING = T.string();

/** Formats the instant `utc` as seen in `zone` with `pattern`; NULL for an unknown zone. */
export function formatInstant(utc: number, pattern: string, zone: string): string | null {
  if (!isValidTimeZone(zone)) return null;
  const wall = utcToLocal(utc, zone);
  return formatterFor(pattern)(wall, wall - utc);
}

/**
 * Parses `text` with `pattern` into an instant: read in `zone` unless the text carries an offset (which
 * then decides); NULL when it does not match or the zone is unknown.
 */
export function parseInstant(text: string, pattern: string, zone: string): number | null {
  const r = dateTimeParserFor(pattern)(text);
  if (r === null) return null;
  if (r.offsetMs !== undefined) return r.wallMs - r.offsetMs;
  return isValidTimeZone(zone) ? localToUtc(r.wallMs, zone) : null;
}

/** `name(value, pattern [, zone])` formatting an epoch-ms value of one of `accepts` types. */
function formatter(name: string, description: string, accepts: (t: DataType) => boolean, what: string): ScalarFunctionDef {
  return {
    name,
    description,
    resolve(argTypes, env: FunctionEnv): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, 2, 3) ?? checkKinds(name, argTypes.slice(1), ['STRING']);
      if (error) return { error };
      const t = withoutTimeAttribute(argTypes[0]!);
      if (!accepts(t) && t.name !== 'NULL') return { error: `${name} expects ${what} as argument 1, got ${shown(t)}` };
      const defaultZone = t.name === 'TIMESTAMP' ? 'UTC' : env.timeZone;
      const impl = (v: unknown, p: string, zone?: string) => formatInstant(Number(v), p, zone ?? defaultZone);
      return { type: withNullable(STRING, true), impl, strict: true, deterministic: true };
    },
  };
}

const isBigint = (t: DataType) => t.name === 'BIGINT' || t.name === 'INT';
const isTimestampType = (t: DataType) => t.name === 'TIMESTAMP' || t.name === 'TIMESTAMP_LTZ';

/** The current date in the session time zone, in days since 1970-01-01. */
function today(env: FunctionEnv): number {
  return Math.floor(utcToLocal(env.now(), env.timeZone) / DAY);
}

/** UNIX_DATE([date]): days since 1970-01-01 (today in the session time zone without an argument). */
const unixDate: ScalarFunctionDef = {
  name: 'UNIX_DATE',
  description: 'UNIX_DATE([date]) – a DATE (or today, in the session time zone) as days since 1970-01-01',
  resolve(argTypes, env): Resolution<ResolvedScalar> {
    const error = checkArity('UNIX_DATE', argTypes, 0, 1);
    if (error) return { error };
    if (argTypes.length === 0) return { type: withNullable(T.int(), false), impl: () => today(env), strict: true, deterministic: false };
    const t = argTypes[0]!;
    if (t.name !== 'DATE' && t.name !== 'NULL') return { error: `UNIX_DATE expects a DATE argument, got ${shown(t)}` };
    return { type: withNullable(T.int(), t.nullable), impl: (d: number) => d, strict: true, deterministic: true };
  },
};

/** FORMAT_DATE(date, pattern). */
const formatDate: ScalarFunctionDef = {
  name: 'FORMAT_DATE',
  description: "FORMAT_DATE(date, 'yyyy-MM-dd') – a DATE as text",
  resolve(argTypes): Resolution<ResolvedScalar> {
    const error = checkArity('FORMAT_DATE', argTypes, 2, 2) ?? checkKinds('FORMAT_DATE', argTypes.slice(1), ['STRING']);
    if (error) return { error };
    const t = argTypes[0]!;
    if (t.name !== 'DATE' && t.name !== 'NULL') return { error: `FORMAT_DATE expects a DATE as argument 1, got ${shown(t)}` };
    return { type: withNullable(STRING, argTypes[0]!.nullable || argTypes[1]!.nullable), impl: (d: number, p: string) => formatterFor(p)(d * DAY), strict: true, deterministic: true };
  },
};

/** Days since 1970-01-01 of a date text read with `pattern` (time fields, if any, are dropped). */
function parseDays(text: string, pattern: string): number | null {
  const r = dateTimeParserFor(pattern)(text);
  return r === null ? null : Math.floor(r.wallMs / DAY);
}

/** ksqlDB's date and time functions. */
export const ksqlTemporalFunctions: readonly ScalarFunctionDef[] = [
  formatter('TIMESTAMPTOSTRING', "TIMESTAMPTOSTRING(ms, 'yyyy-MM-dd HH:mm:ss.SSS'[, zone]) – epoch milliseconds as text (default zone: the session's)", isBigint, 'a BIGINT (epoch milliseconds)'),
  formatter('FORMAT_TIMESTAMP', "FORMAT_TIMESTAMP(ts, 'yyyy-MM-dd HH:mm:ss.SSS'[, zone]) – a TIMESTAMP as text (default zone: UTC; TIMESTAMP_LTZ: the session's)", isTimestampType, 'a TIMESTAMP'),
  fixed('STRINGTOTIMESTAMP', "STRINGTOTIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss.SSS'[, zone]) – text read in zone (default: the session's) as epoch milliseconds; NULL if it does not match", ['STRING', 'STRING', 'STRING'], T.bigint(), (s: string, p: string, zone?: string) => parseInstant(s, p, zone ?? 'UTC'), {
    optional: 1,
    mayReturnNull: true,
    specialize: (_site, _types, env) => (s: string, p: string, zone?: string) => parseInstant(s, p, zone ?? env.timeZone),
  }),
  fixed('PARSE_TIMESTAMP', "PARSE_TIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss.SSS'[, zone]) – text read in zone (default UTC) as a TIMESTAMP; NULL if it does not match", ['STRING', 'STRING', 'STRING'], T.timestamp(3), (s: string, p: string, zone?: string) => parseInstant(s, p, zone ?? 'UTC'), { optional: 1, mayReturnNull: true }),
  formatDate,
  fixed('PARSE_DATE', "PARSE_DATE(s, 'yyyy-MM-dd') – text as a DATE; NULL if it does not match", ['STRING', 'STRING'], T.date(), parseDays, { mayReturnNull: true }),
  fixed('DATETOSTRING', "DATETOSTRING(days, 'yyyy-MM-dd') – days since 1970-01-01 as date text", ['INTEGER', 'STRING'], STRING, (d: number, p: string) => formatterFor(p)(d * DAY)),
  fixed('STRINGTODATE', "STRINGTODATE(s, 'yyyy-MM-dd') – date text as days since 1970-01-01; NULL if it does not match", ['STRING', 'STRING'], T.int(), parseDays, { mayReturnNull: true }),
  unixDate,
];
