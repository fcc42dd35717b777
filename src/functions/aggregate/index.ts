/** Every built-in aggregate function. */
import type { AggregateFunctionDef } from '../function-types.js';
import { byOffsetFunctions } from './by-offset.js';
import { collectListFunction, collectSetFunction } from './collect.js';
import { countDistinctFunction, countFunction } from './count.js';
import { firstValueFunction, lastValueFunction } from './first-last-value.js';
import { listaggFunction } from './listagg.js';
import { maxFunction, minFunction } from './min-max.js';
import { avgFunction, sum0Function, sumFunction } from './sum.js';
import { topkDistinctFunction, topkFunction } from './topk.js';
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
  // ksqlDB's aggregates.
  ...byOffsetFunctions,
  collectListFunction,
  collectSetFunction,
  topkFunction,
  topkDistinctFunction,
  countDistinctFunction,
];
