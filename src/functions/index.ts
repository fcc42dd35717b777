/** The public surface of Eddy's built-in functions: registry, casts, run-time errors, aggregates. */
export { builtinFunctions, FunctionRegistry } from './registry.js';
export { implicitCastAllowed, resolveCast, type CastFn } from './cast.js';
export { describeValue, ExpressionError } from './eval-error.js';
export { distinctAggregate } from './aggregate/distinct.js';
export { builtinAggregates } from './aggregate/index.js';
export { formatterFor, parserFor } from './datetime-format.js';
export { compileLike, compileSimilar } from './scalar/like.js';
export type * from './function-types.js';
export { isResolutionError } from './function-types.js';
