/**
 * Converts literal syntax to values: numbers (INT/BIGINT/DECIMAL/DOUBLE by their text), intervals
 * (milliseconds or months), and typed literals (TIMESTAMP '...', DATE '...').
 */
import type * as ast from '../../parser/ast.js';
import { T, withNullable, type DataType } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { MILLIS_PER, parseDate, parseTime, parseTimestamp } from '../../common/time.js';
import type { LiteralValue } from '../../expr/bound-expr.js';
import { decimalValue, parseDecimal, toScaled } from '../../common/decimal.js';
import { canonicalInt, fitsInt64 } from '../../common/int64.js';

/** A NOT NULL literal of the given type. */
export function literal(value: unknown, type: DataType): LiteralValue {
  return { kind: 'LiteralValue', value, type: value === null ? withNullable(type, true) : withNullable(type, false) };
}

const INT_MAX = 2_147_483_647;

/**
 * The value and type of a number literal, exactly: INT when it fits, else BIGINT, else DECIMAL(n, 0) (as
 * Flink); DECIMAL for `1.5`; DOUBLE for `1e3`.
 */
export function numberLiteral(lit: Extract<ast.Literal, { type: 'number' }>): LiteralValue {
  if (lit.isApprox) return literal(Number(lit.text), T.double());
  if (lit.isInteger) {
    const n = BigInt(lit.text);
    if (n <= BigInt(INT_MAX) && n >= -BigInt(INT_MAX) - 1n) return literal(Number(n), T.int());
    if (fitsInt64(n)) return literal(canonicalInt(n), T.bigint());
    const digits = lit.text.replace(/^[-+]/, '').replace(/^0+/, '').length;
    return literal(decimalValue(n, 0), T.decimal(Math.min(38, digits), 0));
  }
  const digits = lit.text.replace(/^[-+]/, '');
  const [intPart = '', frac = ''] = digits.split('.');
  const scale = frac.length;
  const precision = Math.max(1, intPart.replace(/^0+/, '').length + scale);
  const exact = parseDecimal(lit.text)!;
  return literal(decimalValue(exact.unscaled, exact.scale), T.decimal(Math.max(precision, scale), scale));
}

/**
 * `-literal` for a BIGINT beyond 2^53 or a big DECIMAL literal: `-9223372036854775808` is the smallest BIGINT
 * (its digits alone are a DECIMAL(19, 0)), as Flink reads a negative number literal.
 */
export function negatedLiteral(lit: LiteralValue): LiteralValue {
  const s = toScaled(lit.value);
  const n = -s.unscaled;
  if (s.scale === 0 && fitsInt64(n)) return literal(canonicalInt(n), T.bigint());
  return literal(decimalValue(n, s.scale), lit.type);
}

const YEAR_MONTH_UNITS = new Set<ast.TimeUnit>(['YEAR', 'MONTH', 'QUARTER']);

function intervalError(lit: ast.IntervalLiteral, expected: string): never {
  throw new EddyError({
    code: ErrorCode.INVALID_LITERAL,
    message: `Invalid interval literal '${lit.value}' for ${lit.from}${lit.to ? ` TO ${lit.to}` : ''}`,
    span: lit.span,
    hint: `expected ${expected}`,
  });
}

/**
 * Converts `INTERVAL '10' MINUTE`, `INTERVAL '1:30' HOUR TO MINUTE`, `INTERVAL '1 02:00:00' DAY TO SECOND`,
 * `INTERVAL '2-3' YEAR TO MONTH` into milliseconds (day-time) or months (year-month).
 */
export function intervalLiteral(lit: ast.IntervalLiteral): LiteralValue {
  let text = lit.value.trim();
  let sign = 1;
  if (text.startsWith('-')) {
    sign = -1;
    text = text.slice(1).trim();
  } else if (text.startsWith('+')) text = text.slice(1).trim();
  if (YEAR_MONTH_UNITS.has(lit.from)) {
    let months: number;
    if (lit.to === 'MONTH' && lit.from === 'YEAR') {
      const m = /^(\d+)-(\d+)$/.exec(text);
      if (!m) intervalError(lit, "'years-months', e.g. '2-3'");
      months = Number(m[1]) * 12 + Number(m[2]);
    } else {
      if (!/^\d+$/.test(text)) intervalError(lit, 'a whole number');
      const n = Number(text);
      months = lit.from === 'YEAR' ? n * 12 : lit.from === 'QUARTER' ? n * 3 : n;
    }
    return literal(sign * months, T.intervalYearMonth());
  }
  const unitMs = (u: ast.TimeUnit): number => {
    switch (u) {
      case 'WEEK':
        return 7 * MILLIS_PER.DAY;
      case 'DAY':
      case 'HOUR':
      case 'MINUTE':
      case 'SECOND':
      case 'MILLISECOND':
        return MILLIS_PER[u];
      default:
        return intervalError(lit, `a day-time unit (DAY, HOUR, MINUTE, SECOND), not ${u}`);
    }
  };
  if (!lit.to) {
    if (!/^\d+(\.\d+)?$/.test(text)) intervalError(lit, 'a number');
    return literal(sign * Math.round(Number(text) * unitMs(lit.from)), T.intervalDayTime());
  }
  // Multi-field: DAY TO HOUR 'd hh', DAY TO MINUTE 'd hh:mm', DAY TO SECOND 'd hh:mm:ss[.fff]',
  // HOUR TO MINUTE 'hh:mm', HOUR TO SECOND 'hh:mm:ss[.fff]', MINUTE TO SECOND 'mm:ss[.fff]'.
  const order: ast.TimeUnit[] = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const from = order.indexOf(lit.from);
  const to = order.indexOf(lit.to);
  if (from < 0 || to <= from) intervalError(lit, 'a range such as HOUR TO MINUTE');
  const fields = text.split(/[ :]/);
  if (fields.length !== to - from + 1 || fields.some((f) => !/^\d+(\.\d+)?$/.test(f))) {
    const shape = order.slice(from, to + 1).map((u) => u.toLowerCase()).join(from === 0 ? ' ' : ':');
    intervalError(lit, `'${shape}'`);
  }
  let ms = 0;
  fields.forEach((f, i) => {
    ms += Number(f) * MILLIS_PER[order[from + i] as 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND'];
  });
  return literal(sign * Math.round(ms), T.intervalDayTime());
}

/** `TIMESTAMP '2024-01-01 00:00:00'`, `DATE '...'`, `TIME '...'`, `TIMESTAMP_LTZ '...'` (read in UTC). */
export function typedLiteral(lit: ast.TypedLiteral): LiteralValue {
  let value: number | null;
  let type: DataType;
  switch (lit.type) {
    case 'TIMESTAMP':
      value = parseTimestamp(lit.value);
      type = T.timestamp(3);
      break;
    case 'TIMESTAMP_LTZ':
      value = parseTimestamp(lit.value);
      type = T.timestampLtz(3);
      break;
    case 'DATE':
      value = parseDate(lit.value);
      type = T.date();
      break;
    case 'TIME':
      value = parseTime(lit.value);
      type = T.time(0);
      break;
  }
  if (value === null) {
    throw new EddyError({
      code: ErrorCode.INVALID_LITERAL,
      message: `Invalid ${lit.type} literal '${lit.value}'`,
      span: lit.span,
      hint: lit.type === 'DATE' ? "expected 'yyyy-MM-dd'" : lit.type === 'TIME' ? "expected 'HH:mm:ss'" : "expected 'yyyy-MM-dd HH:mm:ss[.SSS]'",
    });
  }
  return literal(value, type);
}
