/**
 * Java-style date/time patterns (`yyyy-MM-dd HH:mm:ss.SSS`, `EEE, d MMM yyyy`, `hh:mm a`, `'T'` literals) for
 * DATE_FORMAT, TO_TIMESTAMP, FROM_UNIXTIME and friends. Patterns are compiled once and cached.
 */
import { MILLIS_PER } from '../common/time.js';
import { civil, civilFromDays, daysFromCivil, daysInMonth, floorMod } from './calendar.js';

const DAY = MILLIS_PER.DAY;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const PATTERN_LETTERS = /[A-Za-z]/;

/** One piece of a pattern: a run of one pattern letter, or literal text. */
type Token = { readonly letter: string; readonly count: number } | { readonly literal: string };

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ literal: "'" });
        i += 2;
        continue;
      }
      // Quoted text runs to the next lone quote; '' inside it is a quote character.
      let text = '';
      let j = i + 1;
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      tokens.push({ literal: text });
      i = j + 1;
    } else if (PATTERN_LETTERS.test(c)) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      tokens.push({ letter: c, count: j - i });
      i = j;
    } else {
      tokens.push({ literal: c });
      i++;
    }
  }
  return tokens;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

function formatOffset(offsetMs: number, letter: string, count: number): string {
  if (letter === 'X' && offsetMs === 0) return 'Z';
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(Math.round(offsetMs / 60_000));
  const hh = pad(Math.floor(minutes / 60), 2);
  const mm = pad(minutes % 60, 2);
  if (letter === 'X' && count === 1) return `${sign}${hh}${minutes % 60 ? mm : ''}`;
  if (letter === 'X' && count >= 3) return `${sign}${hh}:${mm}`;
  return `${sign}${hh}${mm}`;
}

/** Formats a wall-clock time (epoch ms read in UTC); `offsetMs` is what `Z`/`X` print. */
export type Formatter = (wallMs: number, offsetMs?: number) => string;

function compileFormatter(pattern: string): Formatter {
  const tokens = tokenize(pattern);
  return (wallMs, offsetMs = 0) => {
    const timeOfDay = floorMod(wallMs, DAY);
    const days = (wallMs - timeOfDay) / DAY;
    civilFromDays(days);
    const [year, month, day] = civil;
    const hour = Math.floor(timeOfDay / 3_600_000);
    const minute = Math.floor(timeOfDay / 60_000) % 60;
    const second = Math.floor(timeOfDay / 1000) % 60;
    const millis = timeOfDay % 1000;
    let out = '';
    for (const t of tokens) {
      if ('literal' in t) {
        out += t.literal;
        continue;
      }
      const n = t.count;
      switch (t.letter) {
        case 'y':
        case 'u':
          out += n === 2 ? pad(floorMod(year, 100), 2) : pad(year, n);
          break;
        case 'M':
        case 'L':
          out += n >= 4 ? MONTHS[month - 1] : n === 3 ? MONTHS[month - 1]!.slice(0, 3) : pad(month, n);
          break;
        case 'd':
          out += pad(day, n);
          break;
        case 'D':
          out += pad(days - daysFromCivil(year, 1, 1) + 1, n);
          break;
        case 'H':
          out += pad(hour, n);
          break;
        case 'k':
          out += pad(hour === 0 ? 24 : hour, n);
          break;
        case 'h':
          out += pad(hour % 12 === 0 ? 12 : hour % 12, n);
          break;
        case 'K':
          out += pad(hour % 12, n);
          break;
        case 'm':
          out += pad(minute, n);
          break;
        case 's':
          out += pad(second, n);
          break;
        case 'S':
          out += n <= 3 ? pad(millis, 3).slice(0, n) : pad(millis, 3) + '0'.repeat(n - 3);
          break;
        case 'a':
          out += hour < 12 ? 'AM' : 'PM';
          break;
        case 'E': {
          const name = WEEKDAYS[floorMod(days + 4, 7)]!;
          out += n >= 4 ? name : name.slice(0, 3);
          break;
        }
        case 'Z':
        case 'X':
        case 'x':
          out += formatOffset(offsetMs, t.letter, n);
          break;
        default:
          out += t.letter.repeat(n);
      }
    }
    return out;
  };
}

/** Parses text into wall-clock epoch ms (or UTC when the pattern has an offset field), or null. */
export type Parser = (text: string) => number | null;

/**
 * What a parse read: the wall-clock time as written (epoch ms read in UTC) and, when the text carried one
 * (a `Z`/`X`/`x` field), its UTC offset. A time with an offset is an instant (`wallMs - offsetMs`) that no
 * session time zone may shift again.
 */
export interface ParsedDateTime {
  readonly wallMs: number;
  readonly offsetMs?: number;
}

/** Parses text into a {@link ParsedDateTime}, or null. */
export type DateTimeParser = (text: string) => ParsedDateTime | null;

const NUMERIC_LETTERS = new Set(['y', 'u', 'M', 'L', 'd', 'D', 'H', 'k', 'h', 'K', 'm', 's', 'S']);

/**
 * `prefix`: as Java's `SimpleDateFormat.parse(String)` (which Flink's UNIX_TIMESTAMP and TO_DATE use), text
 * after what the pattern reads is ignored; otherwise all of the text must match.
 */
function compileParser(pattern: string, prefix: boolean): DateTimeParser {
  const tokens = tokenize(pattern);
  return (text) => {
    let pos = 0;
    let year = 1970;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let millis = 0;
    let pm: boolean | undefined;
    let hour12 = false;
    let offset: number | undefined;
    for (let ti = 0; ti < tokens.length; ti++) {
      const t = tokens[ti]!;
      if ('literal' in t) {
        if (!text.startsWith(t.literal, pos)) return null;
        pos += t.literal.length;
        continue;
      }
      const n = t.count;
      if (NUMERIC_LETTERS.has(t.letter) && !(t.letter === 'M' && n >= 3)) {
        const next = tokens[ti + 1];
        const adjacent = next !== undefined && 'letter' in next && NUMERIC_LETTERS.has(next.letter);
        let end = pos;
        const max = adjacent ? pos + n : text.length;
        while (end < max && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
        if (end === pos || (adjacent && end - pos !== n)) return null;
        const digits = text.slice(pos, end);
        const v = Number(digits);
        pos = end;
        switch (t.letter) {
          case 'y':
          case 'u':
            year = n === 2 && digits.length === 2 ? 2000 + v : v;
            break;
          case 'M':
          case 'L':
            month = v;
            break;
          case 'd':
            day = v;
            break;
          case 'D':
            month = 1;
            day = v;
            break;
          case 'H':
          case 'k':
            hour = v === 24 && t.letter === 'k' ? 0 : v;
            break;
          case 'h':
          case 'K':
            hour = v % 12;
            hour12 = true;
            break;
          case 'm':
            minute = v;
            break;
          case 's':
            second = v;
            break;
          case 'S':
            millis = Number((digits + '00').slice(0, 3));
            break;
        }
        continue;
      }
      const rest = text.slice(pos);
      switch (t.letter) {
        case 'M': {
          const i = MONTHS.findIndex((m) => rest.toLowerCase().startsWith((n >= 4 ? m : m.slice(0, 3)).toLowerCase()));
          if (i < 0) return null;
          month = i + 1;
          pos += n >= 4 ? MONTHS[i]!.length : 3;
          break;
        }
        case 'E': {
          const i = WEEKDAYS.findIndex((w) => rest.toLowerCase().startsWith((n >= 4 ? w : w.slice(0, 3)).toLowerCase()));
          if (i < 0) return null;
          pos += n >= 4 ? WEEKDAYS[i]!.length : 3;
          break;
        }
        case 'a': {
          const u = rest.slice(0, 2).toUpperCase();
          if (u !== 'AM' && u !== 'PM') return null;
          pm = u === 'PM';
          pos += 2;
          break;
        }
        case 'Z':
        case 'X':
        case 'x': {
          const m = /^(?:Z|([+-])(\d{2}):?(\d{2})?)/.exec(rest);
          if (!m) return null;
          offset = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000 : 0;
          pos += m[0].length;
          break;
        }
        default:
          return null;
      }
    }
    if (!prefix && pos !== text.length) return null;
    if (pm !== undefined && hour12) hour = (hour % 12) + (pm ? 12 : 0);
    else if (pm !== undefined && pm && hour < 12) hour += 12;
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
    const dayLimit = tokens.some((t) => 'letter' in t && t.letter === 'D') ? 366 : daysInMonth(year, month);
    if (day < 1 || day > dayLimit) return null;
    const wallMs = daysFromCivil(year, month, 1) * DAY + (day - 1) * DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    return offset === undefined ? { wallMs } : { wallMs, offsetMs: offset };
  };
}

const MAX_CACHED = 256;
const formatters = new Map<string, Formatter>();
const parsers = new Map<string, Parser>();
const fullParsers = new Map<string, DateTimeParser>();
const prefixParsers = new Map<string, DateTimeParser>();

/** `cache`'s entry for `pattern`, made by `make` on first use (the cache is cleared when full). */
function cached<F>(cache: Map<string, F>, pattern: string, make: () => F): F {
  let f = cache.get(pattern);
  if (f === undefined) {
    f = make();
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(pattern, f);
  }
  return f;
}

/** The formatter for a pattern (compiled on first use, then cached). */
export function formatterFor(pattern: string): Formatter {
  return cached(formatters, pattern, () => compileFormatter(pattern));
}

/**
 * The parser for a pattern (compiled on first use, then cached), which reports the offset the text gave.
 * `prefix`: it reads the start of a text and ignores what follows (Java's `SimpleDateFormat.parse`);
 * otherwise the whole text must match.
 */
export function dateTimeParserFor(pattern: string, prefix = false): DateTimeParser {
  return cached(prefix ? prefixParsers : fullParsers, pattern, () => compileParser(pattern, prefix));
}

/** The parser for a pattern: the whole text must match; a time with an offset comes back in UTC. */
export function parserFor(pattern: string): Parser {
  return cached(parsers, pattern, () => {
    const parse = dateTimeParserFor(pattern);
    return (text: string) => {
      const r = parse(text);
      return r === null ? null : r.wallMs - (r.offsetMs ?? 0);
    };
  });
}
