/** Argument checks shared by the numeric aggregates. */
import { isNumeric, typeToString, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';

/** The single numeric argument type, or an error message such as `SUM expects a numeric argument, got STRING`. */
export function numericArgument(name: string, argTypes: readonly DataType[]): DataType | { error: string } {
  if (argTypes.length !== 1) return { error: `${name} expects 1 argument, got ${argTypes.length}` };
  const t = withoutTimeAttribute(argTypes[0]!);
  if (t.name === 'NULL') return { error: `${name} cannot infer the type of a NULL argument; add a CAST` };
  if (!isNumeric(t)) return { error: `${name} expects a numeric argument, got ${typeToString(withNullable(t, true))}` };
  return t;
}
