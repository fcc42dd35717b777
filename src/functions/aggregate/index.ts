/** Every built-in aggregate function. */
import type { AggregateFunctionDef } from '../function-types.js';
import { countFunction } from './count.js';
import { firstValueFunction, lastValueFunction } from './first-last-value.js';
import { listaggFunction } from './listagg.js';
import { maxFunction, minFunction } from './min-max.js';
import { avgFunction, sum0Function, sumFunction } from './sum.js';
import { varianceFunctions } from './variance.js';

export { distinctAggregate } from './distinct.js';

/** The built-in aggregates, in no particular order. */
export const builtinAggregates: readonly AggregateFunctionDef[] = [
  countFunction,
  sumFunction,
  sum0Function,
  avgFunction,
  minFunction,
  maxFunction,
  firstValueFunction,
  lastValueFunction,
  listaggFunction,
  ...varianceFunctions,
];
