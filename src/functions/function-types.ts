/**
 * The contracts of scalar and aggregate functions. The binder asks a definition to `resolve` itself for the
 * argument types it has; the answer carries the result type and the implementation the runtime calls.
 * Planning and running thus share one definition per function, and nothing is looked up per record.
 */
import type { DataType } from '../common/types.js';

/** Settings a function may depend on, fixed when a query is planned. */
export interface FunctionEnv {
  /** The session time zone (`table.local-time-zone`), an IANA name such as `UTC` or `Europe/Berlin`. */
  readonly timeZone: string;
  /** Wall-clock now in epoch ms; a function, so tests can fix it. */
  readonly now: () => number;
  /** The longest string a function may produce (`table.exec.max-string-length`; default in string-limit.ts). */
  readonly maxStringLength?: number;
}

/** What a scalar function resolves to for given argument types. */
export interface ResolvedScalar {
  /** The result type (its nullability included). */
  readonly type: DataType;
  /**
   * The types the arguments must be converted to before the call, when they differ from the given ones
   * (the binder inserts implicit casts). Absent: use the arguments as they are.
   */
  readonly argTypes?: readonly DataType[];
  /** The implementation, called with argument values in order. */
  readonly impl: (...args: any[]) => unknown;
  /** True (the usual case) when any NULL argument makes the result NULL without calling `impl`. */
  readonly strict: boolean;
  /** False for functions such as RAND() or CURRENT_TIMESTAMP whose result may differ between calls. */
  readonly deterministic: boolean;
}

/** The outcome of resolving: a resolution, or a message saying why the argument types do not fit. */
export type Resolution<R> = R | { readonly error: string; readonly hint?: string };

export function isResolutionError<R extends object>(r: Resolution<R>): r is { readonly error: string } {
  return (r as { error?: string }).error !== undefined;
}

/** Extra facts about the call site a definition may use: which arguments are literals, and their values. */
export interface CallSite {
  /** For each argument: its value when it is a literal (after constant folding), else undefined. */
  readonly literalArgs: readonly unknown[];
}

/** A scalar function or operator (`+`, `=`, `||`, `LIKE` are functions too). */
export interface ScalarFunctionDef {
  /** Upper-case name as used in SQL; operators use their symbol (`+`, `<>`, `||`). */
  readonly name: string;
  /** One line for SHOW FUNCTIONS and the shell's help, e.g. `SPLIT_INDEX(str, sep, index) – ...`. */
  readonly description: string;
  /** Checks argument types and returns the result type and implementation. */
  resolve(argTypes: readonly DataType[], env: FunctionEnv, site: CallSite): Resolution<ResolvedScalar>;
}

/**
 * An aggregate's implementation for one argument type. Accumulators are mutable and must be plain data
 * (numbers, strings, arrays, plain objects) after `serialize`, so state backends can store them.
 */
export interface AggregateImpl<A = any> {
  /** A fresh accumulator for an empty group. */
  create(): A;
  /** Adds one input value (the argument; `undefined` for COUNT(*)). NULLs are passed in; most aggregates skip them. */
  add(acc: A, value: unknown): void;
  /** Removes one previously added value. Only called when `supportsRetract`. */
  retract(acc: A, value: unknown): void;
  /**
   * Folds `other` into `acc` (session windows merge; HOP and CUMULATE windows are assembled from slices).
   * `other` is left as it was, and `acc` shares no mutable part with it afterwards.
   */
  merge(acc: A, other: A): void;
  /**
   * True when the result depends only on which values were added, not on their order nor on how they were
   * split between accumulators that {@link merge} then combined (exactly, or up to floating-point rounding
   * of a sum): COUNT, SUM, AVG, MIN, MAX, the variances, and DISTINCT over them. Window aggregates then
   * accumulate HOP and CUMULATE windows by slices and merge the slices when a window fires. Absent where
   * arrival order shows in the result (FIRST_VALUE, LAST_VALUE, LISTAGG): those keep one accumulator per
   * window.
   */
  readonly orderInsensitive?: boolean;
  /** The aggregate's current value. */
  result(acc: A): unknown;
  /** True when `retract` is exact (MIN/MAX keep every value to support it). */
  readonly supportsRetract: boolean;
  /** Turns an accumulator into plain JSON-able data and back. */
  serialize(acc: A): unknown;
  deserialize(data: unknown): A;
  /**
   * A cheaper implementation with the same results for inputs that never retract (window aggregates, and
   * group aggregates over insert-only inputs): e.g. MIN/MAX keep only the current extreme instead of every
   * value. The planner picks it when the input's changelog allows; absent when there is nothing to gain.
   */
  readonly appendOnly?: AggregateImpl;
  /**
   * The same aggregate with its accumulator kept as a few numbers in a Float64Array, when it fits (COUNT,
   * SUM, AVG, MIN/MAX of numbers over append-only input). An operator whose calls all have it keeps each
   * group's accumulators in one array: one object per group instead of one or more per call.
   */
  readonly flat?: FlatAggregate;
}

/**
 * An accumulator kept as `width` numbers of a Float64Array from offset `at`; all zeros is the empty
 * accumulator. It behaves exactly as the object form (the {@link AggregateImpl} it belongs to), and
 * `serialized` says how the object form's `serialize` result maps onto those numbers, so that state stored
 * by one form is read by the other (and written without building the serialized data).
 */
export interface FlatAggregate {
  readonly width: number;
  add(a: Float64Array, at: number, value: unknown): void;
  retract(a: Float64Array, at: number, value: unknown): void;
  /** Folds the accumulator at `b[bt]` into the one at `a[at]`, as the object form's `merge` does. */
  merge(a: Float64Array, at: number, b: Float64Array, bt: number): void;
  result(a: Float64Array, at: number): unknown;
  readonly serialized: FlatShape;
}

/**
 * What the object form's `serialize` returns, in terms of the flat numbers: `number` — `a[at]`; `pair` —
 * `[a[at], a[at + 1]]`; `nullable` — null when `a[at]` is 0, else `a[at + 1]`.
 */
export type FlatShape = 'number' | 'pair' | 'nullable';

/** What an aggregate function resolves to. */
export interface ResolvedAggregate {
  readonly type: DataType;
  /** The type the single argument must be converted to, when it differs from the given one. */
  readonly argType?: DataType;
  readonly impl: AggregateImpl;
}

/** An aggregate function: COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, ... */
export interface AggregateFunctionDef {
  readonly name: string;
  readonly description: string;
  /**
   * How many parameters after the aggregated value the function takes (default 0): literal settings such as
   * TOPK's `k` or LATEST_BY_OFFSET's `n` and `ignoreNulls`. The binder requires them to be literals and
   * passes their values in `site.literalArgs`; only the first argument is aggregated.
   */
  readonly literalParams?: number;
  /**
   * Resolves for the argument types; `argTypes` is empty for COUNT(*). `distinct` asks for an
   * implementation with DISTINCT semantics (each distinct non-null value counted once, with retraction).
   * `site` gives the literal values of every argument (the first one's is undefined unless it is a literal).
   */
  resolve(argTypes: readonly DataType[], distinct: boolean, site?: CallSite): Resolution<ResolvedAggregate>;
}
