/**
 * Bound (typed, resolved) expressions: what the binder turns SQL expressions into and what the runtime
 * compiles into closures. Function calls already hold their implementation; implicit conversions are
 * explicit `Call` nodes to a cast. Plain immutable data.
 */
import type { DataType } from '../common/types.js';
import type { Span } from '../common/errors.js';

export type BoundExpr =
  | InputRef
  | LiteralValue
  | Call
  | AndExpr
  | OrExpr
  | NotExpr
  | IsNullExpr
  | CaseWhen
  | InValues;

/** The value of input column `index`. */
export interface InputRef {
  readonly kind: 'InputRef';
  readonly index: number;
  readonly type: DataType;
  /** The column's name, for EXPLAIN (`ts`, `$3` when unnamed). */
  readonly name: string;
}

/** A constant (already in Eddy's value representation: see src/common/types.ts). */
export interface LiteralValue {
  readonly kind: 'LiteralValue';
  readonly value: unknown;
  readonly type: DataType;
}

/**
 * A call of a resolved scalar function or operator, or a cast. When `strict`, a NULL argument gives NULL
 * without calling `impl`. `span` points at the SQL text, for run-time error messages.
 */
export interface Call {
  readonly kind: 'Call';
  /** The name EXPLAIN prints: `+`, `UPPER`, `CAST(... AS BIGINT)` is printed from `castTo`. */
  readonly fn: string;
  readonly args: readonly BoundExpr[];
  readonly impl: (...args: any[]) => unknown;
  readonly strict: boolean;
  readonly deterministic: boolean;
  readonly type: DataType;
  /** Set for casts: the target type (EXPLAIN prints `CAST(x AS type)`). */
  readonly castTo?: DataType;
  /** Set for a ROW field access (`person.id`: fn `.id`, one argument): the field's index, `impl` being `r => r[field]`. */
  readonly field?: number;
  readonly span?: Span;
}

/** Three-valued AND over two or more arguments: FALSE wins over NULL. */
export interface AndExpr {
  readonly kind: 'AndExpr';
  readonly args: readonly BoundExpr[];
  readonly type: DataType;
}

/** Three-valued OR over two or more arguments: TRUE wins over NULL. */
export interface OrExpr {
  readonly kind: 'OrExpr';
  readonly args: readonly BoundExpr[];
  readonly type: DataType;
}

/** Three-valued NOT. */
export interface NotExpr {
  readonly kind: 'NotExpr';
  readonly operand: BoundExpr;
  readonly type: DataType;
}

/** `x IS NULL` (or IS NOT NULL when `negated`); never NULL itself. */
export interface IsNullExpr {
  readonly kind: 'IsNullExpr';
  readonly operand: BoundExpr;
  readonly negated: boolean;
  readonly type: DataType;
}

/** Searched CASE: the first `when` that is TRUE picks its `then`; else `otherwise` (NULL when absent). */
export interface CaseWhen {
  readonly kind: 'CaseWhen';
  readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
  readonly otherwise?: BoundExpr;
  readonly type: DataType;
}

/**
 * `x [NOT] IN (v1, v2, ...)` with SQL semantics: TRUE if x equals some value; else NULL if x or some value
 * is NULL; else FALSE. All values have the operand's type (the binder coerces).
 */
export interface InValues {
  readonly kind: 'InValues';
  readonly operand: BoundExpr;
  readonly list: readonly BoundExpr[];
  readonly negated: boolean;
  readonly type: DataType;
}

/** A compiled expression: evaluates against one row. */
export type CompiledExpr = (row: readonly unknown[]) => unknown;
