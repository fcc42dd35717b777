/**
 * Compiles bound expressions into closures, once per query: no per-record lookups, no generated source.
 * Calls are specialized by arity; AND/OR/NOT/IN/CASE follow SQL's three-valued logic.
 */
import { assertNever } from '../common/assert-never.js';
import { EddyError, type Span } from '../common/errors.js';
import { MAX_TREE_DEPTH, TOO_MANY_TREE_LEVELS, nestedTooDeeply } from '../common/nesting-limits.js';
import { valuesEqual } from '../common/values.js';
import { ExpressionError } from '../functions/eval-error.js';
import type { AndExpr, BoundExpr, Call, CaseWhen, CompiledExpr, InValues, OrExpr } from './bound-expr.js';

type Impl = (...args: any[]) => unknown;

/**
 * Turns a typed expression tree into a function of a row. NULL is `null`; a value read as `undefined`
 * (a missing field) counts as NULL for strict calls. Run-time failures of a call surface as an
 * {@link ExpressionError} carrying the call's SQL span.
 */
export function compileExpr(expr: BoundExpr): CompiledExpr {
  // The parser and the binder limit depth; optimizer rules that substitute one projection into another can
  // still deepen a tree, and the closures below recurse once per level when they run.
  if (compileDepth >= MAX_TREE_DEPTH) throw new EddyError(nestedTooDeeply(TOO_MANY_TREE_LEVELS, spanWithin(expr)));
  compileDepth++;
  try {
    return compileNode(expr);
  } finally {
    compileDepth--;
  }
}

/** How many calls of compileExpr are under way. */
let compileDepth = 0;

/** The span of the first call found going down the first arguments of `expr`, for positioning an error. */
function spanWithin(expr: BoundExpr): Span | undefined {
  for (let e: BoundExpr | undefined = expr; e !== undefined; e = firstChild(e)) if (e.kind === 'Call' && e.span) return e.span;
  return undefined;
}

function firstChild(e: BoundExpr): BoundExpr | undefined {
  switch (e.kind) {
    case 'InputRef':
    case 'LiteralValue':
      return undefined;
    case 'Call':
    case 'AndExpr':
    case 'OrExpr':
      return e.args[0];
    case 'NotExpr':
    case 'IsNullExpr':
    case 'InValues':
      return e.operand;
    case 'CaseWhen':
      return e.whens[0]?.when;
    default:
      return assertNever(e);
  }
}

function compileNode(expr: BoundExpr): CompiledExpr {
  switch (expr.kind) {
    case 'InputRef': {
      const i = expr.index;
      return (row) => row[i];
    }
    case 'LiteralValue': {
      const v = expr.value;
      return () => v;
    }
    case 'Call':
      return compileCall(expr);
    case 'AndExpr':
      return compileAnd(expr);
    case 'OrExpr':
      return compileOr(expr);
    case 'NotExpr': {
      const f = compileExpr(expr.operand);
      return (row) => {
        const v = f(row);
        return v === null || v === undefined ? null : !v;
      };
    }
    case 'IsNullExpr': {
      const f = compileExpr(expr.operand);
      return expr.negated ? (row) => f(row) != null : (row) => f(row) == null;
    }
    case 'CaseWhen':
      return compileCase(expr);
    case 'InValues':
      return compileIn(expr);
    default:
      return assertNever(expr);
  }
}

/** Re-throws an ExpressionError pointed at the call's span (once: the innermost failing call wins). */
function rethrow(e: unknown, span: Span): never {
  if (e instanceof ExpressionError && e.span === undefined) throw e.withSpan(span);
  throw e;
}

function compileCall(call: Call): CompiledExpr {
  if (call.field !== undefined) return compileField(call.args[0]!, call.field);
  const impl = call.impl as Impl;
  const args = call.args.map(compileExpr);
  const plain = call.strict ? strictCall(impl, args) : lenientCall(impl, args);
  const span = call.span;
  if (span === undefined) return plain;
  return (row) => {
    try {
      return plain(row);
    } catch (e) {
      return rethrow(e, span);
    }
  };
}

/** Field `f` of a ROW value (a positional array; NULL for a NULL ROW): an index, with no call of `impl`. */
function compileField(operand: BoundExpr, f: number): CompiledExpr {
  if (operand.kind === 'InputRef') {
    const i = operand.index;
    return (row) => {
      const r = row[i] as readonly unknown[] | null | undefined;
      return r == null ? null : r[f];
    };
  }
  const a = compileExpr(operand);
  return (row) => {
    const r = a(row) as readonly unknown[] | null | undefined;
    return r == null ? null : r[f];
  };
}

/** A strict call: NULL (or undefined) in any argument gives NULL without calling `impl`. */
function strictCall(impl: Impl, args: readonly CompiledExpr[]): CompiledExpr {
  switch (args.length) {
    case 0:
      return () => impl();
    case 1: {
      const a0 = args[0]!;
      return (row) => {
        const a = a0(row);
        return a == null ? null : impl(a);
      };
    }
    case 2: {
      const a0 = args[0]!;
      const a1 = args[1]!;
      return (row) => {
        const a = a0(row);
        if (a == null) return null;
        const b = a1(row);
        return b == null ? null : impl(a, b);
      };
    }
    case 3: {
      const a0 = args[0]!;
      const a1 = args[1]!;
      const a2 = args[2]!;
      return (row) => {
        const a = a0(row);
        if (a == null) return null;
        const b = a1(row);
        if (b == null) return null;
        const c = a2(row);
        return c == null ? null : impl(a, b, c);
      };
    }
    default: {
      const n = args.length;
      return (row) => {
        const values = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const v = args[i]!(row);
          if (v == null) return null;
          values[i] = v;
        }
        return impl(...values);
      };
    }
  }
}

/** A non-strict call: `impl` sees NULLs (undefined is passed as null). */
function lenientCall(impl: Impl, args: readonly CompiledExpr[]): CompiledExpr {
  switch (args.length) {
    case 0:
      return () => impl();
    case 1: {
      const a0 = args[0]!;
      return (row) => impl(a0(row) ?? null);
    }
    case 2: {
      const a0 = args[0]!;
      const a1 = args[1]!;
      return (row) => impl(a0(row) ?? null, a1(row) ?? null);
    }
    case 3: {
      const a0 = args[0]!;
      const a1 = args[1]!;
      const a2 = args[2]!;
      return (row) => impl(a0(row) ?? null, a1(row) ?? null, a2(row) ?? null);
    }
    default: {
      const n = args.length;
      return (row) => {
        const values = new Array<unknown>(n);
        for (let i = 0; i < n; i++) values[i] = args[i]!(row) ?? null;
        return impl(...values);
      };
    }
  }
}

/** AND: FALSE if any argument is FALSE (stops there), else NULL if any is NULL, else TRUE. */
function compileAnd(expr: AndExpr): CompiledExpr {
  const args = expr.args.map(compileExpr);
  if (args.length === 2) {
    const [l, r] = args as [CompiledExpr, CompiledExpr];
    return (row) => {
      const a = l(row);
      if (a === false) return false;
      const b = r(row);
      if (b === false) return false;
      return a == null || b == null ? null : true;
    };
  }
  return (row) => {
    let sawNull = false;
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!(row);
      if (v === false) return false;
      if (v == null) sawNull = true;
    }
    return sawNull ? null : true;
  };
}

/** OR: TRUE if any argument is TRUE (stops there), else NULL if any is NULL, else FALSE. */
function compileOr(expr: OrExpr): CompiledExpr {
  const args = expr.args.map(compileExpr);
  if (args.length === 2) {
    const [l, r] = args as [CompiledExpr, CompiledExpr];
    return (row) => {
      const a = l(row);
      if (a === true) return true;
      const b = r(row);
      if (b === true) return true;
      return a == null || b == null ? null : false;
    };
  }
  return (row) => {
    let sawNull = false;
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!(row);
      if (v === true) return true;
      if (v == null) sawNull = true;
    }
    return sawNull ? null : false;
  };
}

/** CASE: the first WHEN that is exactly TRUE (not NULL) picks its THEN. */
function compileCase(expr: CaseWhen): CompiledExpr {
  const whens = expr.whens.map((w) => compileExpr(w.when));
  const thens = expr.whens.map((w) => compileExpr(w.then));
  const otherwise = expr.otherwise ? compileExpr(expr.otherwise) : undefined;
  const n = whens.length;
  if (n === 1) {
    const w = whens[0]!;
    const t = thens[0]!;
    return otherwise ? (row) => (w(row) === true ? t(row) : otherwise(row)) : (row) => (w(row) === true ? t(row) : null);
  }
  return (row) => {
    for (let i = 0; i < n; i++) if (whens[i]!(row) === true) return thens[i]!(row);
    return otherwise ? otherwise(row) : null;
  };
}

const PRIMITIVE_KINDS = new Set(['number', 'string', 'boolean', 'bigint']);

/**
 * IN: TRUE when the operand equals a list value; else NULL when the operand or a list value is NULL; else
 * FALSE (NOT IN negates TRUE/FALSE, NULL stays NULL). Lists of non-null primitive literals use a Set.
 */
function compileIn(expr: InValues): CompiledExpr {
  const operand = compileExpr(expr.operand);
  const negated = expr.negated;
  const allLiterals = expr.list.every((e) => e.kind === 'LiteralValue' && e.value !== null && PRIMITIVE_KINDS.has(typeof e.value));
  if (allLiterals) {
    const set = new Set(expr.list.map((e) => (e as { value: unknown }).value));
    return (row) => {
      const v = operand(row);
      if (v == null) return null;
      return set.has(v) !== negated;
    };
  }
  const list = expr.list.map(compileExpr);
  return (row) => {
    const v = operand(row);
    if (v == null) return null;
    let sawNull = false;
    for (let i = 0; i < list.length; i++) {
      const x = list[i]!(row);
      if (x == null) sawNull = true;
      else if (x === v || (typeof x === 'object' && valuesEqual(x, v))) return !negated;
    }
    return sawNull ? null : negated;
  };
}

/**
 * Compiles a list of expressions into one function returning a new array per row. When every
 * expression is a plain column reference, it is a straight copy by index.
 */
export function compileProjection(exprs: readonly BoundExpr[]): (row: readonly unknown[]) => unknown[] {
  const n = exprs.length;
  if (exprs.every((e) => e.kind === 'InputRef')) {
    const indices = exprs.map((e) => (e as { index: number }).index);
    return (row) => {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = row[indices[i]!];
      return out;
    };
  }
  const fns = exprs.map(compileExpr);
  return (row) => {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = fns[i]!(row);
    return out;
  };
}

/** Compiles a condition (WHERE, HAVING, join ON): true only when the value is exactly TRUE. */
export function compilePredicate(expr: BoundExpr): (row: readonly unknown[]) => boolean {
  if (expr.kind === 'LiteralValue') {
    const result = expr.value === true;
    return () => result;
  }
  const f = compileExpr(expr);
  return (row) => f(row) === true;
}
