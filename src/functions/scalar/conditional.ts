/** Conditional functions: COALESCE, NULLIF, IF, IFNULL. All non-strict: they decide what NULL means. */
import { commonType, sameType, T, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { valuesEqual } from '../../common/values.js';
import type { Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { checkArity, checkKinds, shown } from './define.js';

/** The common type of all `types`, or an error message naming the function. */
function commonOf(name: string, types: readonly DataType[]): DataType | { error: string } {
  let t: DataType | undefined = T.null();
  for (const x of types) {
    t = commonType(t, withoutTimeAttribute(x));
    if (t === undefined) return { error: `${name} arguments have incompatible types: ${types.map(shown).join(', ')}` };
  }
  return t;
}

/** Argument types to coerce to `target` (keeping each one's nullability), when any differs. */
function coerceAll(types: readonly DataType[], target: DataType): readonly DataType[] | undefined {
  if (types.every((t) => t.name === 'NULL' || sameType(t, target))) return undefined;
  return types.map((t) => (t.name === 'NULL' ? t : withNullable(target, t.nullable)));
}

function resolved(type: DataType, impl: (...args: any[]) => unknown, argTypes?: readonly DataType[]): ResolvedScalar {
  return { type, impl, strict: false, deterministic: true, ...(argTypes ? { argTypes } : {}) };
}

function coalesce(...args: unknown[]): unknown {
  for (let i = 0; i < args.length; i++) if (args[i] !== null) return args[i];
  return null;
}

/** COALESCE, IF, NULLIF, IFNULL. */
export const conditionalFunctions: readonly ScalarFunctionDef[] = [
  {
    name: 'COALESCE',
    description: 'COALESCE(a, b, ...) – the first argument that is not NULL',
    resolve(argTypes): Resolution<ResolvedScalar> {
      const arity = checkArity('COALESCE', argTypes, 1, Infinity);
      if (arity) return { error: arity };
      const t = commonOf('COALESCE', argTypes);
      if ('error' in t) return t;
      const type = withNullable(t, argTypes.every((a) => a.nullable));
      const impl = argTypes.length === 2 ? (a: unknown, b: unknown) => (a !== null ? a : b) : coalesce;
      return resolved(type, impl, coerceAll(argTypes, t));
    },
  },
  {
    name: 'IFNULL',
    description: 'IFNULL(a, b) – a, or b when a is NULL',
    resolve(argTypes): Resolution<ResolvedScalar> {
      const arity = checkArity('IFNULL', argTypes, 2, 2);
      if (arity) return { error: arity };
      const t = commonOf('IFNULL', argTypes);
      if ('error' in t) return t;
      return resolved(withNullable(t, argTypes[0]!.nullable && argTypes[1]!.nullable), (a: unknown, b: unknown) => (a !== null ? a : b), coerceAll(argTypes, t));
    },
  },
  {
    name: 'NULLIF',
    description: 'NULLIF(a, b) – NULL when a equals b, else a',
    resolve(argTypes): Resolution<ResolvedScalar> {
      const arity = checkArity('NULLIF', argTypes, 2, 2);
      if (arity) return { error: arity };
      const t = commonOf('NULLIF', argTypes);
      if ('error' in t) return t;
      const impl = (a: unknown, b: unknown) => (a === null || b === null || (a !== b && !valuesEqual(a, b)) ? a : null);
      return resolved(withNullable(t, true), impl, coerceAll(argTypes, t));
    },
  },
  {
    name: 'IF',
    description: 'IF(cond, a, b) – a when cond is TRUE, else b',
    resolve(argTypes): Resolution<ResolvedScalar> {
      const arity = checkArity('IF', argTypes, 3, 3) ?? checkKinds('IF', argTypes.slice(0, 1), ['BOOLEAN']);
      if (arity) return { error: arity };
      const t = commonOf('IF', argTypes.slice(1));
      if ('error' in t) return t;
      const coerce = coerceAll(argTypes.slice(1), t);
      return resolved(
        withNullable(t, argTypes[1]!.nullable || argTypes[2]!.nullable),
        (c: unknown, a: unknown, b: unknown) => (c === true ? a : b),
        coerce ? [argTypes[0]!, ...coerce] : undefined,
      );
    },
  },
];
