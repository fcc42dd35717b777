/** Test helpers: resolve a built-in function the way the binder does and evaluate it on values. */
import { T, sameType, withNullable, type DataType } from '../../src/common/types.js';
import type { BoundExpr } from '../../src/expr/bound-expr.js';
import { compileExpr } from '../../src/expr/compile.js';
import { resolveCast } from '../../src/functions/cast.js';
import { isResolutionError, type FunctionEnv, type ResolvedScalar } from '../../src/functions/function-types.js';
import { builtinFunctions } from '../../src/functions/registry.js';

export const registry = builtinFunctions();

/** A value with an explicit SQL type. */
export interface Typed {
  readonly v: unknown;
  readonly t: DataType;
}

export const typed = (v: unknown, t: DataType): Typed => ({ v, t });

export function isTyped(x: unknown): x is Typed {
  return typeof x === 'object' && x !== null && 't' in x && 'v' in x;
}

/** The type a plain JS test value stands for. */
export function typeOfValue(x: unknown): DataType {
  if (isTyped(x)) return x.t;
  if (x === null) return T.null();
  if (typeof x === 'number') return Number.isInteger(x) ? T.int() : T.double();
  if (typeof x === 'string') return T.string();
  if (typeof x === 'boolean') return T.boolean();
  throw new Error(`no type for ${String(x)}`);
}

export const fixedEnv = (timeZone = 'UTC', now = Date.UTC(2024, 0, 15, 10, 30, 0)): FunctionEnv => ({ timeZone, now: () => now });

export interface EvalOptions {
  /** Pass arguments as literals (so definitions can specialize on them). Default: as columns. */
  readonly literal?: boolean;
  readonly env?: FunctionEnv;
}

/** Resolves `name` for the arguments' types; throws on a resolution error. */
export function resolveFn(name: string, args: readonly unknown[], options: EvalOptions = {}): ResolvedScalar {
  const def = registry.scalar(name);
  if (!def) throw new Error(`unknown function ${name}`);
  const types = args.map(typeOfValue);
  const values = args.map((a) => (isTyped(a) ? a.v : a));
  const r = def.resolve(types, options.env ?? fixedEnv(), { literalArgs: options.literal ? values : values.map(() => undefined) });
  if (isResolutionError(r)) throw new Error(r.error);
  return r;
}

/** The resolution error message for these argument types (undefined when they resolve). */
export function resolveError(name: string, types: readonly DataType[]): string | undefined {
  const r = registry.scalar(name)!.resolve(types, fixedEnv(), { literalArgs: types.map(() => undefined) });
  return isResolutionError(r) ? r.error : undefined;
}

/** Evaluates `name(args...)` through the expression compiler, coercing arguments as the binder would. */
export function evalFn(name: string, args: readonly unknown[], options: EvalOptions = {}): unknown {
  const r = resolveFn(name, args, options);
  const types = args.map(typeOfValue);
  const values = args.map((a) => (isTyped(a) ? a.v : a));
  const exprs: BoundExpr[] = args.map((_, i) => {
    const base: BoundExpr = options.literal
      ? { kind: 'LiteralValue', value: values[i], type: types[i]! }
      : { kind: 'InputRef', index: i, type: types[i]!, name: `$${i}` };
    const target = r.argTypes?.[i];
    if (!target || sameType(target, types[i]!) || types[i]!.name === 'NULL') return base;
    const cast = resolveCast(types[i]!, target, false);
    if (isResolutionError(cast)) throw new Error(cast.error);
    return { kind: 'Call', fn: 'CAST', args: [base], impl: cast, strict: true, deterministic: true, type: withNullable(target, true), castTo: target };
  });
  const call: BoundExpr = { kind: 'Call', fn: name, args: exprs, impl: r.impl, strict: r.strict, deterministic: r.deterministic, type: r.type };
  return compileExpr(call)(values);
}
