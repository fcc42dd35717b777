/**
 * Session time zones: converting between UTC epoch milliseconds and a zone's wall-clock time, as
 * TIMESTAMP_LTZ needs. Offsets come from Intl.DateTimeFormat, cached per zone and per 15-minute slot.
 */

const SLOT_MS = 15 * 60_000;
const MAX_CACHED_SLOTS = 20_000;

interface ZoneInfo {
  /** Fixed offset in ms when the zone is UTC or a fixed `+hh:mm`; undefined for IANA zones. */
  readonly fixed: number | undefined;
  readonly format: Intl.DateTimeFormat | undefined;
  readonly slots: Map<number, number>;
}

const zones = new Map<string, ZoneInfo>();

const FIXED_OFFSET_RE = /^(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

function zoneInfo(zone: string): ZoneInfo {
  let info = zones.get(zone);
  if (info !== undefined) return info;
  if (zone === 'UTC' || zone === 'Z' || zone === 'GMT' || zone === 'Etc/UTC') {
    info = { fixed: 0, format: undefined, slots: new Map() };
  } else {
    const m = FIXED_OFFSET_RE.exec(zone);
    if (m) {
      const sign = m[1] === '-' ? -1 : 1;
      info = { fixed: sign * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000, format: undefined, slots: new Map() };
    } else {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
      info = { fixed: undefined, format, slots: new Map() };
    }
  }
  zones.set(zone, info);
  return info;
}

/** True when `zone` is a time zone Eddy can use (an IANA name, `UTC`, or a fixed offset like `+08:00`). */
export function isValidTimeZone(zone: string): boolean {
  try {
    zoneInfo(zone);
    return true;
  } catch {
    return false;
  }
}

function computeOffset(format: Intl.DateTimeFormat, utcMs: number): number {
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of format.formatToParts(new Date(utcMs))) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        bc = part.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) year = 1 - year;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const wallWithoutMillis = d.getTime();
  const utcWithoutMillis = utcMs - (((utcMs % 1000) + 1000) % 1000);
  return wallWithoutMillis - utcWithoutMillis;
}

/** The zone's offset from UTC (ms to add to UTC to get wall-clock time) at the instant `utcMs`. */
export function zoneOffset(zone: string, utcMs: number): number {
  const info = zoneInfo(zone);
  if (info.fixed !== undefined) return info.fixed;
  const slot = Math.floor(utcMs / SLOT_MS);
  let offset = info.slots.get(slot);
  if (offset === undefined) {
    offset = computeOffset(info.format!, utcMs);
    if (info.slots.size >= MAX_CACHED_SLOTS) info.slots.clear();
    info.slots.set(slot, offset);
  }
  return offset;
}

/** Wall-clock time in `zone` (as epoch ms of the same wall clock in UTC) for the instant `utcMs`. */
export function utcToLocal(utcMs: number, zone: string): number {
  return utcMs + zoneOffset(zone, utcMs);
}

/**
 * The instant at which `zone`'s wall clock shows `localMs` (wall-clock time expressed as UTC epoch ms),
 * as Java's `LocalDateTime.atZone`: in an overlap (fall back) the earlier instant; in a gap (spring
 * forward) the time is moved later by the length of the gap. Assumes at most one transition a day.
 */
export function localToUtc(localMs: number, zone: string): number {
  const info = zoneInfo(zone);
  if (info.fixed !== undefined) return localMs - info.fixed;
  const before = zoneOffset(zone, localMs - 86_400_000);
  const after = zoneOffset(zone, localMs + 86_400_000);
  const a = localMs - before;
  if (before === after) return a;
  const b = localMs - after;
  const aValid = zoneOffset(zone, a) === before;
  const bValid = zoneOffset(zone, b) === after;
  if (aValid && bValid) return Math.min(a, b);
  if (bValid) return b;
  return a;
}
