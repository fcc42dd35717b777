/**
 * Binds a parameter (`$n`, with the value the client bound to it) to a typed literal. Its type is the one
 * the client declared; else the one its context gives it (the expression binder passes the other operand's
 * type of a comparison, the target of a CAST, ...); else STRING. The value's text is converted as
 * `CAST(text AS type)` would, but strictly (`1.5` is no INT) and with a positioned error when it does not
 * convert, so a bad value is reported before anything runs.
 */
import type * as ast from '../../parser/ast.js';
import { parameterName } from '../../parser/parameter-values.js';
import { T, typeToString, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { LiteralValue } from '../../expr/bound-expr.js';
import { ExpressionError } from '../../functions/eval-error.js';
import { DECIMAL_TEXT, resolveCast } from '../../functions/cast.js';
import { decimalValue, parseDecimal } from '../../common/decimal.js';
import { isResolutionError } from '../../functions/function-types.js';
import { literal } from './literals.js';

const INTEGER_TEXT = /^[+-]?\d+$/;
/** DECIMAL's largest precision. */
const MAX_DECIMAL_DIGITS = 38;

/** Types a value's text converts to (CAST from STRING exists); a context type outside these is not taken. */
function fromText(type: DataType): boolean {
  switch (type.name) {
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
    case 'NULL':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return false;
    default:
      return true;
  }
}

/**
 * The literal for parameter `p`. `contextType` is the type its place in the expression suggests (ignored
 * when the client declared one, or when text does not convert to it). Throws a positioned
 * INVALID_PARAMETER error when the parameter has no value or its value is not valid for its type.
 */
export function bindParameter(p: ast.ParameterExpr, contextType: DataType | undefined, timeZone: string): LiteralValue {
  const name = parameterName(p);
  const value = p.value;
  if (value === undefined) {
    throw new EddyError({
      code: ErrorCode.INVALID_PARAMETER,
      message: `Parameter ${name} has no value`,
      span: p.span,
      hint: 'parameters take their values from a prepared statement (the Postgres extended protocol, e.g. a driver\'s query(sql, values)); elsewhere write the value into the statement',
    });
  }
  const declared = value.type;
  const context = contextType && fromText(contextType) ? withoutTimeAttribute(contextType) : undefined;
  const type = withNullable(declared ?? context ?? T.string(), true);
  if (value.text === null) return literal(null, type);
  const text = value.text;
  const invalid = (why: string): never => {
    const origin = declared ? `the client declared ${name} as ${typeToString(type)}` : context ? `${name} takes the type of its context (${typeToString(type)}); declare another type, or write CAST(${name} AS STRING)` : undefined;
    throw new EddyError({ code: ErrorCode.INVALID_PARAMETER, message: `Invalid value for parameter ${name} (${typeToString(type)}): ${quote(text)} ${why}`, span: p.span, hint: origin });
  };
  switch (type.name) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      const t = text.trim();
      if (!INTEGER_TEXT.test(t)) invalid('is not an integer');
      // The cast below reads the digits exactly and refuses a value outside the type's range.
      break;
    }
    case 'DECIMAL':
      // A DECIMAL of no stated precision (Postgres's `numeric`, or a context's DECIMAL) is as exact as the text.
      if (declared === undefined || declared.precision === undefined) return decimalOf(text, invalid);
      break;
    default:
      break;
  }
  const cast = resolveCast(T.string(), withNullable(type, false), false, timeZone);
  if (isResolutionError(cast)) return invalid(`cannot be given as ${typeToString(type)}`);
  try {
    return literal(cast(text), type);
  } catch (err) {
    if (err instanceof ExpressionError) return invalid(`is not a valid ${typeToString(withNullable(type, true))}`);
    throw err;
  }
}

/** A DECIMAL literal with the precision and scale of the number's text (as for a number literal). */
function decimalOf(text: string, invalid: (why: string) => never): LiteralValue {
  let t = text.trim();
  if (!DECIMAL_TEXT.test(t)) return invalid('is not a number');
  const exact = parseDecimal(t)!;
  // An exponent (1.5e3, 1e-7): the digits of the number it stands for.
  if (/e/i.test(t)) {
    const plain = withoutExponent(t);
    if (plain === undefined) return invalid('is out of the range of DECIMAL');
    t = plain;
  }
  const digits = t.replace(/^[-+]/, '');
  const [whole = '', frac = ''] = digits.split('.');
  const scale = frac.length;
  const precision = Math.max(1, whole.replace(/^0+/, '').length + scale, scale);
  if (precision > MAX_DECIMAL_DIGITS) return invalid(`has more than ${MAX_DECIMAL_DIGITS} digits`);
  return literal(decimalValue(exact.unscaled, exact.scale), T.decimal(precision, scale));
}

/** `1.5e3` as `1500`, `1e-7` as `0.0000001`; undefined when it would need more digits than a DECIMAL has. */
function withoutExponent(text: string): string | undefined {
  const m = /^([+-]?)(\d*)\.?(\d*)[eE]([+-]?\d+)$/.exec(text)!;
  const [, sign, whole, frac, exp] = m as unknown as [string, string, string, string, string];
  const digits = whole + frac;
  const point = whole.length + Number(exp);
  if (Math.abs(point) > 2 * MAX_DECIMAL_DIGITS) return undefined;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A value as messages show it: quoted, shortened when long. */
function quote(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `'${short.replace(/'/g, "''")}'`;
}
