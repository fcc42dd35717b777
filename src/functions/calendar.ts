/**
 * Proleptic Gregorian calendar arithmetic on epoch days and epoch milliseconds (UTC wall clock), without
 * allocating Date objects: civil date conversion, month arithmetic, and floor/ceil to calendar units.
 */
import { MILLIS_PER } from '../common/time.js';

const DAY = MILLIS_PER.DAY;

/** `a mod b` with the sign of b (Java's floorMod). */
export function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r + 0;
}

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Scratch output of {@link civilFromDays}: [year, month 1-12, day 1-31]. Read right after the call. */
export const civil: [number, number, number] = [1970, 1, 1];

/** Converts epoch days to a civil date, written into {@link civil} (no allocation). */
export function civilFromDays(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  civil[0] = m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400;
  civil[1] = m;
  civil[2] = d;
}

/** Number of days in a month (1-12) of a year. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Adds calendar months to epoch days, clamping the day to the target month's length (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsToDays(days: number, months: number): number {
  civilFromDays(days);
  const total = civil[0] * 12 + (civil[1] - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return daysFromCivil(y, m, Math.min(civil[2], daysInMonth(y, m)));
}

/** Adds calendar months to epoch milliseconds, keeping the time of day. */
export function addMonthsToMillis(ms: number, months: number): number {
  const timeOfDay = floorMod(ms, DAY);
  const days = (ms - timeOfDay) / DAY;
  return addMonthsToDays(days, months) * DAY + timeOfDay;
}

/**
 * Whole calendar months from `a` to `b` (epoch ms; negative when b < a): the largest n with
 * a + n months <= b, as Calcite's `subtractMonths`.
 */
export function monthsBetween(a: number, b: number): number {
  if (b < a) return -monthsBetween(b, a);
  const aTime = floorMod(a, DAY);
  const bTime = floorMod(b, DAY);
  const aDays = (a - aTime) / DAY;
  const bDays = (b - bTime) / DAY;
  let n = Math.floor((bDays - aDays) / 31);
  while (addMonthsToDays(aDays, n + 1) <= bDays) n++;
  if (addMonthsToDays(aDays, n) === bDays && bTime < aTime) n--;
  return n;
}

/** Calendar units for flooring and ceiling. */
export type TimeUnit =
  | 'MILLISECOND'
  | 'SECOND'
  | 'MINUTE'
  | 'HOUR'
  | 'DAY'
  | 'WEEK'
  | 'MONTH'
  | 'QUARTER'
  | 'YEAR'
  | 'DECADE'
  | 'CENTURY'
  | 'MILLENNIUM';

const FIXED_UNIT_MS: Partial<Record<TimeUnit, number>> = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: DAY,
};

/** Months in each calendar unit of a year or more. */
const MONTHS_IN: Partial<Record<TimeUnit, number>> = { MONTH: 1, QUARTER: 3, YEAR: 12, DECADE: 120, CENTURY: 1200, MILLENNIUM: 12000 };

/** Parses a unit name (case-insensitive, plural and SQL_TSI_ forms accepted) or returns undefined. */
export function parseTimeUnit(text: string): TimeUnit | undefined {
  let u = text.trim().toUpperCase();
  if (u.startsWith('SQL_TSI_')) u = u.slice(8);
  if (u === 'FRAC_SECOND') u = 'MILLISECOND';
  if (u.endsWith('S') && u !== 'MILLIS') u = u.slice(0, -1);
  if (u === 'MILLENNIA') u = 'MILLENNIUM';
  if (u === 'CENTURIE') u = 'CENTURY';
  return u in FIXED_UNIT_MS || u in MONTHS_IN || u === 'WEEK' ? (u as TimeUnit) : undefined;
}

/** Floors epoch ms (a UTC wall clock) to the start of its calendar unit. Weeks start on Sunday (Calcite). */
export function floorMillis(ms: number, unit: TimeUnit): number {
  const fixedMs = FIXED_UNIT_MS[unit];
  if (fixedMs !== undefined) return ms - floorMod(ms, fixedMs);
  const days = Math.floor(ms / DAY);
  return floorDays(days, unit) * DAY;
}

/** Floors epoch days to the start of a calendar unit of a day or more. */
export function floorDays(days: number, unit: TimeUnit): number {
  if (unit === 'WEEK') return days - floorMod(days + 4, 7);
  const months = MONTHS_IN[unit];
  if (months === undefined) return days;
  civilFromDays(days);
  const y = civil[0];
  const m = civil[1];
  if (months === 1) return daysFromCivil(y, m, 1);
  if (months === 3) return daysFromCivil(y, m - ((m - 1) % 3), 1);
  const years = months / 12;
  // Decades start at years divisible by 10; centuries and millennia at year ...01 (as Calcite).
  const base = unit === 'CENTURY' || unit === 'MILLENNIUM' ? Math.floor((y - 1) / years) * years + 1 : Math.floor(y / years) * years;
  return daysFromCivil(base, 1, 1);
}

/** Ceils epoch ms to the next unit boundary (unchanged when already on one). */
export function ceilMillis(ms: number, unit: TimeUnit): number {
  const f = floorMillis(ms, unit);
  if (f === ms) return ms;
  return nextBoundary(f, unit);
}

/** Ceils epoch days to the next unit boundary (unchanged when already on one). */
export function ceilDays(days: number, unit: TimeUnit): number {
  const f = floorDays(days, unit);
  if (f === days) return days;
  return nextBoundary(f * DAY, unit) / DAY;
}

function nextBoundary(floored: number, unit: TimeUnit): number {
  const fixedMs = FIXED_UNIT_MS[unit];
  if (fixedMs !== undefined) return floored + fixedMs;
  if (unit === 'WEEK') return floored + 7 * DAY;
  return addMonthsToMillis(floored, MONTHS_IN[unit]!);
}
