/** Small helpers to declare scalar functions with fixed signatures and consistent error messages. */
import { isIntegral, isNumeric, isTimestamp, typeToString, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { decimalToNumber } from '../../common/decimal.js';
import type { CallSite, FunctionEnv, Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { ExpressionError } from '../eval-error.js';

/** What a parameter accepts. */
export type ParamKind = 'STRING' | 'INTEGER' | 'NUMERIC' | 'BOOLEAN' | 'TEMPORAL' | 'ANY';

const KIND_TEXT: Record<ParamKind, string> = {
  STRING: 'a STRING',
  INTEGER: 'an INTEGER',
  NUMERIC: 'a NUMERIC',
  BOOLEAN: 'a BOOLEAN',
  TEMPORAL: 'a DATE, TIMESTAMP or TIMESTAMP_LTZ',
  ANY: 'any',
};

/** True when a value of type `t` may be passed where `kind` is expected (the NULL type fits everywhere). */
export function fits(kind: ParamKind, t: DataType): boolean {
  if (t.name === 'NULL') return true;
  switch (kind) {
    case 'STRING':
      return t.name === 'STRING';
    case 'INTEGER':
      return isIntegral(t);
    case 'NUMERIC':
      return isNumeric(t);
    case 'BOOLEAN':
      return t.name === 'BOOLEAN';
    case 'TEMPORAL':
      return isTimestamp(t) || t.name === 'DATE';
    case 'ANY':
      return true;
  }
}

/** The type as shown in messages (no NOT NULL, no time attribute markers). */
export function shown(t: DataType): string {
  return typeToString(withNullable(withoutTimeAttribute(t), true));
}

/** True when any of the types is nullable. */
export function anyNullable(types: readonly DataType[]): boolean {
  for (const t of types) if (t.nullable) return true;
  return false;
}

/** `type` made nullable when any argument is (the result nullability of a strict function). */
export function strictType(type: DataType, argTypes: readonly DataType[]): DataType {
  return withNullable(type, anyNullable(argTypes));
}

/** Checks the argument count; returns an error message or undefined. */
export function checkArity(name: string, argTypes: readonly DataType[], min: number, max: number): string | undefined {
  const n = argTypes.length;
  if (n >= min && n <= max) return undefined;
  const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  return `${name} expects ${want} argument${min === 1 && max === 1 ? '' : 's'}, got ${n}`;
}

/** Checks argument kinds; returns an error message such as `UPPER expects a STRING argument, got INT`. */
export function checkKinds(name: string, argTypes: readonly DataType[], kinds: readonly ParamKind[]): string | undefined {
  for (let i = 0; i < argTypes.length; i++) {
    const kind = kinds[Math.min(i, kinds.length - 1)]!;
    if (!fits(kind, argTypes[i]!)) {
      const where = argTypes.length === 1 ? 'argument' : `argument ${i + 1}`;
      return `${name} expects ${KIND_TEXT[kind]} ${where === 'argument' ? 'argument' : `as ${where}`}, got ${shown(argTypes[i]!)}`;
    }
  }
  return undefined;
}

/** Options of {@link fixed}. */
export interface FixedOptions {
  /** Number of trailing parameters that may be left out. */
  readonly optional?: number;
  /** Call `impl` on NULL arguments too (default: strict). */
  readonly nonStrict?: boolean;
  readonly deterministic?: boolean;
  /** Result is NOT NULL whatever the arguments (e.g. PI()). */
  readonly notNull?: boolean;
  /** Result may be NULL even when no argument is (e.g. SPLIT_INDEX out of range). */
  readonly mayReturnNull?: boolean;
  /**
   * The implementation takes exact numbers as they are: a BIGINT beyond 2^53 (bigint) and a big DECIMAL.
   * Without it, such arguments are given to `impl` as the nearest double.
   */
  readonly exact?: boolean;
  /** Builds an implementation specialized for literal arguments (e.g. a pattern compiled once). */
  readonly specialize?: (site: CallSite, argTypes: readonly DataType[], env: FunctionEnv) => ((...args: any[]) => unknown) | undefined;
}

/**
 * `impl` with its BIGINT and DECIMAL arguments as numbers: values beyond a double's exact range (bigint, big
 * DECIMAL) become the nearest double, as Java's conversion to `double` does. `impl` itself when no argument
 * is of those types, so other functions pay nothing.
 */
function asDoubles(impl: (...args: any[]) => unknown, argTypes: readonly DataType[]): (...args: any[]) => unknown {
  const positions: number[] = [];
  argTypes.forEach((t, i) => {
    if (t.name === 'BIGINT' || t.name === 'DECIMAL') positions.push(i);
  });
  if (positions.length === 0) return impl;
  return (...args: unknown[]) => {
    for (const i of positions) {
      const v = args[i];
      if (typeof v === 'bigint' || (typeof v === 'object' && v !== null)) args[i] = decimalToNumber(v);
    }
    return impl(...args);
  };
}

/**
 * Declares a function with a fixed signature: parameter kinds, a result type (or a function of the
 * argument types), an implementation, and options. Strict by default: nullable result when an argument is.
 */
export function fixed(
  name: string,
  description: string,
  params: readonly ParamKind[],
  result: DataType | ((argTypes: readonly DataType[], site: CallSite) => DataType),
  impl: (...args: any[]) => unknown,
  options: FixedOptions = {},
): ScalarFunctionDef {
  const optional = options.optional ?? 0;
  return {
    name,
    description,
    resolve(argTypes, env, site): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, params.length - optional, params.length) ?? checkKinds(name, argTypes, params);
      if (error) return { error };
      const base = typeof result === 'function' ? result(argTypes, site) : result;
      const nullable = options.notNull ? false : options.mayReturnNull || options.nonStrict ? true : anyNullable(argTypes);
      let special: ((...args: any[]) => unknown) | undefined;
      try {
        special = options.specialize?.(site, argTypes, env);
      } catch (e) {
        // A literal argument the function refuses (a regular expression it cannot run): a binding error.
        if (e instanceof ExpressionError) return { error: e.message, hint: e.diagnostics[0]!.hint };
        throw e;
      }
      return {
        type: withNullable(base, nullable),
        impl: options.exact ? (special ?? impl) : asDoubles(special ?? impl, argTypes),
        strict: !options.nonStrict,
        deterministic: options.deterministic ?? true,
      };
    },
  };
}
