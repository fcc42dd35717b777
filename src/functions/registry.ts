/** The function registry: looks up scalar and aggregate functions by name, case-insensitively. */
import { builtinAggregates } from './aggregate/index.js';
import type { AggregateFunctionDef, ScalarFunctionDef } from './function-types.js';
import { comparisonFunctions } from './scalar/comparisons.js';
import { conditionalFunctions } from './scalar/conditional.js';
import { ksqlStringFunctions } from './scalar/ksql-strings.js';
import { ksqlTemporalFunctions } from './scalar/ksql-temporal.js';
import { likeFunctions } from './scalar/like.js';
import { mathFunctions } from './scalar/math.js';
import { operatorFunctions } from './scalar/operators.js';
import { stringFunctions } from './scalar/strings.js';
import { temporalFunctions } from './scalar/temporal.js';
import { rowtimeFunctions } from './scalar/rowtime.js';

/**
 * Scalar and aggregate functions by upper-case name. Planning asks it once per call site; nothing is
 * looked up per record. A name is either a scalar or an aggregate, not both.
 */
export class FunctionRegistry {
  private readonly scalars = new Map<string, ScalarFunctionDef>();
  private readonly aggregates = new Map<string, AggregateFunctionDef>();

  /** The scalar function or operator called `name`, if any. */
  scalar(name: string): ScalarFunctionDef | undefined {
    return this.scalars.get(name.toUpperCase());
  }

  /** The aggregate function called `name`, if any. */
  aggregate(name: string): AggregateFunctionDef | undefined {
    return this.aggregates.get(name.toUpperCase());
  }

  /** True when `name` is an aggregate function. */
  isAggregate(name: string): boolean {
    return this.aggregates.has(name.toUpperCase());
  }

  /** Every function name, sorted (SHOW FUNCTIONS, did-you-mean hints). */
  names(): string[] {
    return [...this.scalars.keys(), ...this.aggregates.keys()].sort();
  }

  /** The one-line description of `name`, if it exists. */
  describe(name: string): string | undefined {
    const key = name.toUpperCase();
    return (this.scalars.get(key) ?? this.aggregates.get(key))?.description;
  }

  /** Adds (or replaces) a scalar function, or an aggregate when `kind` is 'aggregate'. */
  register(def: ScalarFunctionDef, kind?: 'scalar'): void;
  register(def: AggregateFunctionDef, kind: 'aggregate'): void;
  register(def: ScalarFunctionDef | AggregateFunctionDef, kind: 'scalar' | 'aggregate' = 'scalar'): void {
    const key = def.name.toUpperCase();
    if (kind === 'aggregate') {
      this.scalars.delete(key);
      this.aggregates.set(key, def as AggregateFunctionDef);
    } else {
      this.aggregates.delete(key);
      this.scalars.set(key, def as ScalarFunctionDef);
    }
  }

  /** Adds (or replaces) an aggregate function. */
  registerAggregate(def: AggregateFunctionDef): void {
    this.register(def, 'aggregate');
  }
}

/** A registry holding every built-in function. */
export function builtinFunctions(): FunctionRegistry {
  const registry = new FunctionRegistry();
  for (const list of [operatorFunctions, comparisonFunctions, likeFunctions, mathFunctions, stringFunctions, conditionalFunctions, temporalFunctions, ksqlStringFunctions, ksqlTemporalFunctions, rowtimeFunctions]) {
    for (const def of list) registry.register(def);
  }
  for (const def of builtinAggregates) registry.registerAggregate(def);
  return registry;
}
