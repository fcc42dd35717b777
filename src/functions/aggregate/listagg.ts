/** LISTAGG(x): the non-NULL values joined with ',' in arrival order, with exact retraction. */
import { T, typeToString, withoutTimeAttribute } from '../../common/types.js';
import type { AggregateFunctionDef, AggregateImpl } from '../function-types.js';
import { distinctAggregate } from './distinct.js';

/** Values in arrival order. */
type ListAcc = string[];

const listImpl: AggregateImpl<ListAcc> = {
  create: () => [],
  add(acc, v) {
    if (v !== null && v !== undefined) acc.push(v as string);
  },
  retract(acc, v) {
    if (v === null || v === undefined) return;
    const i = acc.indexOf(v as string);
    if (i >= 0) acc.splice(i, 1);
  },
  merge(acc, other) {
    for (const v of other) acc.push(v);
  },
  result: (acc) => (acc.length === 0 ? null : acc.join(',')),
  supportsRetract: true,
  serialize: (acc) => [...acc],
  deserialize: (data) => [...(data as string[])],
};

/**
 * LISTAGG(x). Only the default separator ',' is supported: an aggregate's definition sees argument types,
 * not the separator literal.
 */
export const listaggFunction: AggregateFunctionDef = {
  name: 'LISTAGG',
  description: "LISTAGG(x) – the non-NULL string values joined with ','",
  resolve(argTypes, distinct) {
    if (argTypes.length !== 1) return { error: `LISTAGG expects 1 argument, got ${argTypes.length} (a custom separator is not supported yet)` };
    const t = withoutTimeAttribute(argTypes[0]!);
    if (t.name !== 'STRING' && t.name !== 'NULL') return { error: `LISTAGG expects a STRING argument, got ${typeToString(t)}` };
    return { type: T.string(), impl: distinct ? distinctAggregate(listImpl) : listImpl };
  },
};
