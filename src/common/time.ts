/**
 * Conversions between text and the numeric time values Eddy uses inside (epoch milliseconds, epoch days).
 * All functions here work in UTC; session time zones are applied by the functions that need them.
 */

const MS_PER_DAY = 86_400_000;

// yyyy-MM-dd[ T]HH:mm[:ss[.fraction]][Z|±HH[:]mm]
const TIMESTAMP_RE = /^\s*(-?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i;

/**
 * Parses `yyyy-MM-dd HH:mm:ss[.SSS]`, `yyyy-MM-dd` and ISO-8601 (`2024-01-02T03:04:05.678Z`, with an optional
 * offset) into epoch milliseconds. Text without an offset is read as UTC. Returns null when it is not a
 * timestamp or a field is out of range. Fractions beyond milliseconds are truncated.
 */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number((m[7] + '00').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let ms = utc(year, month - 1, day, hour, minute, second, millis);
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return ms;
}

/** `Date.UTC`, but years 0–99 are those years (Date.UTC maps them to 1900–1999). */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  if (year < 0 || year >= 100) return Date.UTC(year, monthIndex, day, hour, minute, second, millis);
  // Set the year first, so that day overflow follows that year's calendar (year 0 is a leap year).
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(hour, minute, second, millis);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

/** Formats epoch milliseconds as `yyyy-MM-dd HH:mm:ss.SSS` (UTC), the way Eddy writes timestamps. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** Parses `yyyy-MM-dd` into days since the epoch, or null. */
export function parseDate(text: string): number | null {
  const m = /^\s*(-?\d{4,})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return Math.floor(utc(year, month - 1, day) / MS_PER_DAY);
}

/** Formats days since the epoch as `yyyy-MM-dd`. */
export function formatDate(days: number): string {
  const d = new Date(days * MS_PER_DAY);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Parses `HH:mm[:ss[.SSS]]` into milliseconds of the day, or null. */
export function parseTime(text: string): number | null {
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  const frac = m[4] === undefined ? 0 : Number((m[4] + '00').slice(0, 3));
  if (h > 23 || min > 59 || s > 59) return null;
  return ((h * 60 + min) * 60 + s) * 1000 + frac;
}

/** Formats milliseconds of the day as `HH:mm:ss` (with `.SSS` when there are milliseconds). */
export function formatTime(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const min = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const frac = ms % 1000;
  return `${pad(h, 2)}:${pad(min, 2)}:${pad(s, 2)}${frac ? '.' + pad(frac, 3) : ''}`;
}

/** Milliseconds in one unit of a day-time interval. */
export const MILLIS_PER: Readonly<Record<'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND', number>> = {
  DAY: MS_PER_DAY,
  HOUR: 3_600_000,
  MINUTE: 60_000,
  SECOND: 1000,
  MILLISECOND: 1,
};

/** Formats a day-time interval in milliseconds the way Flink prints it: `+0 00:10:00.000`. */
export function formatIntervalDayTime(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / MS_PER_DAY);
  rest -= days * MS_PER_DAY;
  return `${sign}${days} ${formatTime(rest).padEnd(12, '.000').slice(0, 8)}.${pad(rest % 1000, 3)}`;
}

/** Formats a year-month interval in months as Flink does: `+1-02`. */
export function formatIntervalYearMonth(months: number): string {
  const sign = months < 0 ? '-' : '+';
  const m = Math.abs(months);
  return `${sign}${Math.floor(m / 12)}-${pad(m % 12, 2)}`;
}
