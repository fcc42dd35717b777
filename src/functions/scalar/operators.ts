/**
 * Arithmetic operators: `+ - * / %` and unary NEGATE on numbers, temporal values and intervals, and `||`.
 * Integer arithmetic wraps like Java's; integer division truncates toward zero; DECIMAL results are
 * rounded to the result scale.
 */
import { MILLIS_PER } from '../../common/time.js';
import { localToUtc, utcToLocal } from '../../common/time-zone.js';
import {
  commonType,
  decimalShape,
  isIntegral,
  isInterval,
  isNumeric,
  isTimestamp,
  sameType,
  T,
  withNullable,
  withoutTimeAttribute,
  type DataType,
} from '../../common/types.js';
import { addMonthsToDays, addMonthsToMillis, floorMod } from '../calendar.js';
import { ExpressionError } from '../eval-error.js';
import type { FunctionEnv, Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { boundedDecimal, decimalArithmetic, wrapIntegral } from '../numeric.js';
import { decimalToNumber, negateDecimal, type DecimalValue } from '../../common/decimal.js';
import { addInt64, divideInt64, multiplyInt64, negateInt64, remainderInt64, subtractInt64, type Int64 } from '../../common/int64.js';
import { anyNullable, checkArity, checkKinds, fixed, shown } from './define.js';

const DAY = MILLIS_PER.DAY;
type Op = '+' | '-' | '*' | '/' | '%';
type Impl = (a: any, b: any) => unknown;

function divisionByZero(): never {
  throw new ExpressionError('Division by zero');
}

/** The result type of numeric `a op b`, following Flink's rules for DECIMAL precision and scale. */
function numericResultType(op: Op, a: DataType, b: DataType): DataType {
  const common = commonType(a, b)!;
  if (common.name !== 'DECIMAL') return withNullable(common, true);
  const x = decimalShape(a);
  const y = decimalShape(b);
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(x.scale, y.scale);
      return boundedDecimal(Math.max(x.precision - x.scale, y.precision - y.scale) + scale + 1, scale);
    }
    case '*':
      return boundedDecimal(x.precision + y.precision, x.scale + y.scale);
    case '/': {
      const scale = Math.max(6, x.scale + y.precision + 1);
      return boundedDecimal(x.precision - x.scale + y.scale + scale, scale);
    }
    case '%': {
      const scale = Math.max(x.scale, y.scale);
      return boundedDecimal(Math.min(x.precision - x.scale, y.precision - y.scale) + scale, scale);
    }
  }
}

/**
 * The implementation of numeric `a op b` with result type `type`; `a` and `b` are the operand types (the
 * binder converts operands to the common type first, except for DECIMAL results, whose operands keep their
 * own types and scales).
 */
function numericImpl(op: Op, type: DataType, a: DataType, b: DataType): Impl {
  const name = type.name;
  if (name === 'BIGINT') {
    switch (op) {
      case '+':
        return addInt64;
      case '-':
        return subtractInt64;
      case '*':
        return multiplyInt64;
      case '/':
        return (x: Int64, y: Int64) => (y === 0 ? divisionByZero() : divideInt64(x, y));
      case '%':
        return (x: Int64, y: Int64) => (y === 0 ? divisionByZero() : remainderInt64(x, y));
    }
  }
  if (isIntegral(type)) {
    switch (op) {
      case '+':
        return (a: number, b: number) => wrapIntegral(a + b, name);
      case '-':
        return (a: number, b: number) => wrapIntegral(a - b, name);
      case '*':
        if (name === 'INT') return (a: number, b: number) => Math.imul(a, b);
        return (a: number, b: number) => wrapIntegral(a * b, name);
      case '/':
        return (a: number, b: number) => (b === 0 ? divisionByZero() : wrapIntegral(Math.trunc(a / b), name) + 0);
      case '%':
        return (a: number, b: number) => (b === 0 ? divisionByZero() : (a % b) + 0);
    }
  }
  if (name === 'DECIMAL') return decimalArithmetic(op, decimalShape(a).scale, decimalShape(b).scale, type.precision ?? 38, type.scale ?? 0);
  switch (op) {
    case '+':
      return (a: number, b: number) => a + b;
    case '-':
      return (a: number, b: number) => a - b;
    case '*':
      return (a: number, b: number) => a * b;
    case '/':
      return (a: number, b: number) => a / b;
    case '%':
      return (a: number, b: number) => a % b;
  }
}

/** Adds a signed amount of an interval type to a temporal value of type `t`. */
function temporalPlus(t: DataType, interval: DataType, sign: 1 | -1, env: FunctionEnv): Impl | undefined {
  const yearMonth = interval.name === 'INTERVAL_YEAR_MONTH';
  switch (t.name) {
    case 'TIMESTAMP':
      return yearMonth ? (ts: number, n: number) => addMonthsToMillis(ts, sign * n) : (ts: number, n: number) => ts + sign * n;
    case 'TIMESTAMP_LTZ': {
      if (!yearMonth) return (ts: number, n: number) => ts + sign * n;
      const zone = env.timeZone;
      return (ts: number, n: number) => localToUtc(addMonthsToMillis(utcToLocal(ts, zone), sign * n), zone);
    }
    case 'DATE':
      return yearMonth
        ? (d: number, n: number) => addMonthsToDays(d, sign * n)
        : (d: number, n: number) => d + sign * Math.trunc(n / DAY);
    case 'TIME':
      return yearMonth ? undefined : (t0: number, n: number) => floorMod(t0 + sign * n, DAY);
    default:
      return undefined;
  }
}

function result(type: DataType, argTypes: readonly DataType[], impl: Impl, coerceTo?: readonly DataType[]): ResolvedScalar {
  return { type: withNullable(type, anyNullable(argTypes)), impl, strict: true, deterministic: true, ...(coerceTo ? { argTypes: coerceTo } : {}) };
}

/** The argument types to coerce to, when they differ from the given ones. */
function coerceBoth(a: DataType, b: DataType, to: DataType): readonly DataType[] | undefined {
  if (sameType(a, to) && sameType(b, to)) return undefined;
  return [withNullable(to, a.nullable), withNullable(to, b.nullable)];
}

function resolveArithmetic(op: Op, argTypes: readonly DataType[], env: FunctionEnv): Resolution<ResolvedScalar> {
  const arity = checkArity(op, argTypes, 2, 2);
  if (arity) return { error: arity };
  const a = withoutTimeAttribute(argTypes[0]!);
  const b = withoutTimeAttribute(argTypes[1]!);
  if (a.name === 'NULL' || b.name === 'NULL') {
    const other = a.name === 'NULL' ? b : a;
    const type = other.name === 'NULL' || isNumeric(other) ? (other.name === 'NULL' ? T.int() : other) : other;
    return result(withNullable(type, true), argTypes, () => null);
  }
  if (isNumeric(a) && isNumeric(b)) {
    const type = numericResultType(op, a, b);
    const common = commonType(a, b)!;
    const res = result(type, argTypes, numericImpl(op, type, a, b), common.name === 'DECIMAL' ? undefined : coerceBoth(a, b, common));
    // A DECIMAL(38, s) result may not fit its precision, which is NULL (Flink): the type says so.
    return type.name === 'DECIMAL' && type.precision === 38 ? { ...res, type: withNullable(type, true) } : res;
  }
  if (op === '+' || op === '-') {
    if ((isTimestamp(a) || a.name === 'DATE' || a.name === 'TIME') && isInterval(b)) {
      const impl = temporalPlus(a, b, op === '+' ? 1 : -1, env);
      if (impl) return result(a, argTypes, impl);
    }
    if (op === '+' && isInterval(a) && (isTimestamp(b) || b.name === 'DATE' || b.name === 'TIME')) {
      const impl = temporalPlus(b, a, 1, env);
      if (impl) return result(b, argTypes, (x: number, y: number) => impl(y, x));
    }
    if (isInterval(a) && a.name === b.name) {
      return result(a, argTypes, op === '+' ? (x: number, y: number) => x + y : (x: number, y: number) => x - y);
    }
  }
  if (op === '*') {
    if (isInterval(a) && isNumeric(b)) return result(a, argTypes, (x: number, y: unknown) => Math.trunc(x * decimalToNumber(y)) + 0);
    if (isNumeric(a) && isInterval(b)) return result(b, argTypes, (x: unknown, y: number) => Math.trunc(decimalToNumber(x) * y) + 0);
  }
  if (op === '/' && isInterval(a) && isNumeric(b)) {
    return result(a, argTypes, (x: number, y: unknown) => {
      const d = decimalToNumber(y);
      return d === 0 ? divisionByZero() : Math.trunc(x / d) + 0;
    });
  }
  return { error: `Cannot apply '${op}' to arguments of type ${shown(a)} and ${shown(b)}` };
}

function arithmetic(op: Op, description: string): ScalarFunctionDef {
  return { name: op, description, resolve: (argTypes, env) => resolveArithmetic(op, argTypes, env) };
}

function resolveNegate(argTypes: readonly DataType[]): Resolution<ResolvedScalar> {
  const error = checkArity('NEGATE', argTypes, 1, 1);
  if (error) return { error };
  const t = withoutTimeAttribute(argTypes[0]!);
  if (t.name === 'NULL') return result(T.int(), argTypes, () => null);
  if (isIntegral(t)) {
    const name = t.name;
    return result(t, argTypes, name === 'BIGINT' ? negateInt64 : (x: number) => wrapIntegral(-x, name) + 0);
  }
  if (t.name === 'DECIMAL') return result(t, argTypes, (x: DecimalValue) => (typeof x === 'number' ? -x + 0 : negateDecimal(x)));
  if (isNumeric(t) || isInterval(t)) return result(t, argTypes, (x: number) => -x + 0);
  return { error: `Cannot apply '-' to an argument of type ${shown(t)}` };
}

/** MOD(a, b) on the arguments as they come (no conversion to a common type first). */
function modImpl(a: DataType, b: DataType): Impl {
  const type = numericResultType('%', a, b);
  const impl = numericImpl('%', type, a, b);
  if (type.name !== 'FLOAT' && type.name !== 'DOUBLE') return impl;
  return (x: unknown, y: unknown) => impl(decimalToNumber(x), decimalToNumber(y));
}

/** Arithmetic operators and string concatenation. */
export const operatorFunctions: readonly ScalarFunctionDef[] = [
  arithmetic('+', 'a + b – sum of numbers or intervals; TIMESTAMP/DATE + INTERVAL'),
  arithmetic('-', 'a - b – difference of numbers or intervals; TIMESTAMP/DATE - INTERVAL'),
  arithmetic('*', 'a * b – product; INTERVAL * number'),
  arithmetic('/', 'a / b – quotient (integer division truncating toward zero for integers)'),
  arithmetic('%', 'a % b – remainder (sign of a)'),
  { name: 'NEGATE', description: '-a – negation', resolve: (argTypes) => resolveNegate(argTypes) },
  {
    name: '||',
    description: 'a || b – string concatenation',
    resolve(argTypes) {
      const error = checkArity('||', argTypes, 2, 2) ?? checkKinds('||', argTypes, ['STRING']);
      if (error) return { error };
      return result(T.string(), argTypes, (a: string, b: string) => a + b);
    },
  },
  fixed('MOD', 'MOD(a, b) – remainder of a divided by b (sign of a)', ['NUMERIC', 'NUMERIC'], (ts) => (ts[0]!.name === 'NULL' ? T.int() : withoutTimeAttribute(ts[1]!.name === 'NULL' ? ts[0]! : numericResultType('%', ts[0]!, ts[1]!))), (a: number, b: number) => a % b, {
    specialize: (_site, ts) => (ts[0]!.name !== 'NULL' && ts[1]!.name !== 'NULL' ? modImpl(ts[0]!, ts[1]!) : undefined),
    exact: true,
  }),
];
