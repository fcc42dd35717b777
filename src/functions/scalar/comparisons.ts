/**
 * Comparison operators `= <> < <= > >=` and `IS [NOT] DISTINCT FROM`, on numbers, strings, booleans,
 * temporal values, intervals and (by value) bytes, arrays and rows. Mixed numeric types are coerced.
 */
import { commonType, sameType, T, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { compareValues, valuesEqual } from '../../common/values.js';
import { compareExact, decimalToNumber } from '../../common/decimal.js';
import type { Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { anyNullable, checkArity, shown } from './define.js';

type Cmp = '=' | '<>' | '<' | '<=' | '>' | '>=';
type Impl = (a: any, b: any) => boolean;

const PRIMITIVE = new Set([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  'DECIMAL',
  'STRING',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
  'DATE',
  'TIME',
  'INTERVAL_DAY_TIME',
  'INTERVAL_YEAR_MONTH',
  'NULL',
]);

const PRIMITIVE_IMPL: Record<Cmp, Impl> = {
  '=': (a, b) => a === b,
  '<>': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const STRUCTURED_IMPL: Record<Cmp, Impl> = {
  '=': (a, b) => valuesEqual(a, b),
  '<>': (a, b) => !valuesEqual(a, b),
  '<': (a, b) => compareValues(a, b) < 0,
  '<=': (a, b) => compareValues(a, b) <= 0,
  '>': (a, b) => compareValues(a, b) > 0,
  '>=': (a, b) => compareValues(a, b) >= 0,
};

/**
 * The type both sides of a comparison are converted to, or an error. MAP values only support `=`/`<>`.
 */
export function comparisonType(op: string, a: DataType, b: DataType): Resolution<{ common: DataType; argTypes?: readonly DataType[] }> {
  const common = commonType(withoutTimeAttribute(a), withoutTimeAttribute(b));
  if (common === undefined || (common.name === 'MAP' && op !== '=' && op !== '<>' && !op.includes('DISTINCT'))) {
    return { error: `Cannot apply '${op}' to arguments of type ${shown(a)} and ${shown(b)}` };
  }
  const same = (sameType(a, common) || a.name === 'NULL') && (sameType(b, common) || b.name === 'NULL');
  // Numbers of different numeric types, and strings or timestamps differing only in length or precision,
  // compare correctly as they are; other pairs (DATE with TIMESTAMP, arrays of mixed types) are converted.
  const asIs = same || (isPlainNumber(a) && isPlainNumber(b)) || (a.name === b.name && PRIMITIVE.has(a.name));
  return asIs ? { common } : { common, argTypes: [withNullable(common, a.nullable), withNullable(common, b.nullable)] };
}

/**
 * Comparison of exact numbers when a DECIMAL is involved: number-form values (the common case) with the
 * operators, anything else (a big DECIMAL, a bigint) exactly by {@link compareExact}.
 */
const DECIMAL_IMPL: Record<Cmp, Impl> = {
  '=': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a === b : compareExact(a, b) === 0),
  '<>': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a !== b : compareExact(a, b) !== 0),
  '<': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a < b : compareExact(a, b) < 0),
  '<=': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a <= b : compareExact(a, b) <= 0),
  '>': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a > b : compareExact(a, b) > 0),
  '>=': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a >= b : compareExact(a, b) >= 0),
};

/**
 * Comparison of a BIGINT or DECIMAL with a FLOAT/DOUBLE (compared as they are, see comparisonType): numbers
 * with the operators, a value beyond a double's range (bigint, big DECIMAL) as its nearest double, as Java
 * converts a long or BigDecimal to double.
 */
const FLOATING_IMPL: Record<Cmp, Impl> = {
  '=': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a === b : decimalToNumber(a) === decimalToNumber(b)),
  '<>': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a !== b : decimalToNumber(a) !== decimalToNumber(b)),
  '<': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a < b : decimalToNumber(a) < decimalToNumber(b)),
  '<=': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a <= b : decimalToNumber(a) <= decimalToNumber(b)),
  '>': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a > b : decimalToNumber(a) > decimalToNumber(b)),
  '>=': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a >= b : decimalToNumber(a) >= decimalToNumber(b)),
};

/** True for the types whose values may lie beyond a double (a bigint, a big DECIMAL). */
function exactType(t: DataType): boolean {
  return t.name === 'BIGINT' || t.name === 'DECIMAL';
}

/** The implementation of `op` for operands `a` and `b` of common type `common`. */
function comparisonImpl(op: Cmp, common: DataType, a: DataType, b: DataType): Impl {
  if (common.name === 'DECIMAL') return DECIMAL_IMPL[op];
  if ((common.name === 'DOUBLE' || common.name === 'FLOAT') && (exactType(a) || exactType(b))) return FLOATING_IMPL[op];
  return PRIMITIVE.has(common.name) ? PRIMITIVE_IMPL[op] : STRUCTURED_IMPL[op];
}

function isPlainNumber(t: DataType): boolean {
  switch (t.name) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      return true;
    default:
      return false;
  }
}

function comparison(op: Cmp, description: string): ScalarFunctionDef {
  return {
    name: op,
    description,
    resolve(argTypes): Resolution<ResolvedScalar> {
      const error = checkArity(op, argTypes, 2, 2);
      if (error) return { error };
      const r = comparisonType(op, argTypes[0]!, argTypes[1]!);
      if ('error' in r) return r;
      const impl = r.argTypes ? comparisonImpl(op, r.common, r.common, r.common) : comparisonImpl(op, r.common, argTypes[0]!, argTypes[1]!);
      return {
        type: withNullable(T.boolean(), anyNullable(argTypes)),
        impl,
        strict: true,
        deterministic: true,
        ...(r.argTypes ? { argTypes: r.argTypes } : {}),
      };
    },
  };
}

function distinct(negated: boolean): ScalarFunctionDef {
  const name = negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM';
  return {
    name,
    description: `a ${name} b – ${negated ? 'equality' : 'inequality'} where NULL equals NULL; never NULL`,
    resolve(argTypes): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, 2, 2);
      if (error) return { error };
      const r = comparisonType(name, argTypes[0]!, argTypes[1]!);
      if ('error' in r) return r;
      const eq = r.common.name === 'DECIMAL' || PRIMITIVE.has(r.common.name) ? comparisonImpl('=', r.common, argTypes[0]!, argTypes[1]!) : valuesEqual;
      const impl = negated
        ? (a: unknown, b: unknown) => (a === null || b === null ? a === b : eq(a, b))
        : (a: unknown, b: unknown) => (a === null || b === null ? a !== b : !eq(a, b));
      return { type: withNullable(T.boolean(), false), impl, strict: false, deterministic: true, ...(r.argTypes ? { argTypes: r.argTypes } : {}) };
    },
  };
}

/** Comparison operators. */
export const comparisonFunctions: readonly ScalarFunctionDef[] = [
  comparison('=', 'a = b – equality'),
  comparison('<>', 'a <> b – inequality'),
  comparison('<', 'a < b – less than'),
  comparison('<=', 'a <= b – less than or equal'),
  comparison('>', 'a > b – greater than'),
  comparison('>=', 'a >= b – greater than or equal'),
  distinct(false),
  distinct(true),
];
