/**
 * Compiles bound expressions once per query: into one generated function per expression (see
 * {@link generate}), or into closures (trees too large or deep for that, or where code cannot be generated).
 * No per-record lookups. Calls are specialized by arity; AND/OR/NOT/IN/CASE follow SQL's three-valued logic.
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
  return generate(expr) ?? compileClosures(expr);
}

/** compileExpr with closures only (no generated code): the reference the generated code must agree with. */
export function compileClosures(expr: BoundExpr): CompiledExpr {
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
      const f = compileClosures(expr.operand);
      return (row) => {
        const v = f(row);
        return v === null || v === undefined ? null : !v;
      };
    }
    case 'IsNullExpr': {
      const f = compileClosures(expr.operand);
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
  const args = call.args.map(compileClosures);
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
  const args = expr.args.map(compileClosures);
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
  const args = expr.args.map(compileClosures);
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
  const whens = expr.whens.map((w) => compileClosures(w.when));
  const thens = expr.whens.map((w) => compileClosures(w.then));
  const otherwise = expr.otherwise ? compileClosures(expr.otherwise) : undefined;
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
  const operand = compileClosures(expr.operand);
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
  const list = expr.list.map(compileClosures);
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

/** Trees with more nodes, or more levels, than these are compiled into closures (generated functions stay small). */
const GENERATE_MAX_NODES = 300;
const GENERATE_MAX_DEPTH = 40;

/** True when `expr` has at most GENERATE_MAX_NODES nodes and GENERATE_MAX_DEPTH levels. */
function withinLimits(expr: BoundExpr): boolean {
  let nodes = 0;
  const visit = (e: BoundExpr, depth: number): boolean => {
    if (++nodes > GENERATE_MAX_NODES || depth > GENERATE_MAX_DEPTH) return false;
    switch (e.kind) {
      case 'InputRef':
      case 'LiteralValue':
        return true;
      case 'Call':
      case 'AndExpr':
      case 'OrExpr':
        return e.args.every((a) => visit(a, depth + 1));
      case 'NotExpr':
      case 'IsNullExpr':
        return visit(e.operand, depth + 1);
      case 'CaseWhen':
        return e.whens.every((w) => visit(w.when, depth + 1) && visit(w.then, depth + 1)) && (e.otherwise === undefined || visit(e.otherwise, depth + 1));
      case 'InValues':
        return visit(e.operand, depth + 1) && e.list.every((x) => visit(x, depth + 1));
      default:
        return assertNever(e);
    }
  };
  return visit(expr, 1);
}

/**
 * Generates one function for an expression tree, with the semantics of the closures (compileClosures): a
 * local per node, NULL checks, short-circuits and calls inlined as straight-line code, so the engine sees one
 * function whose call sites each have one target. Everything that comes from the query (literals, function
 * implementations, spans, IN sets) is passed in a constants array, never written into the code: the code is
 * fixed fragments, generated local names and integers only. Undefined when the tree is too large or deep for
 * it, or when code cannot be generated (`--disallow-code-generation-from-strings`).
 */
function generate(expr: BoundExpr): CompiledExpr | undefined {
  if (!withinLimits(expr)) return undefined;
  const g = new ExprGenerator();
  let source: string;
  try {
    source = g.function(expr);
  } catch {
    return undefined;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('k', 'rethrow', 'valuesEqual', source) as (k: readonly unknown[], r: typeof rethrow, eq: typeof valuesEqual) => CompiledExpr;
    return factory(g.constants, rethrow, valuesEqual);
  } catch {
    return undefined;
  }
}

/** Writes the code of one generated expression function (see {@link generate}). */
class ExprGenerator {
  readonly constants: unknown[] = [];
  private readonly code: string[] = [];
  private locals = 0;
  private labels = 0;

  /** The body of the factory: constants as locals, then the function of a row. */
  function(expr: BoundExpr): string {
    const result = this.node(expr);
    const consts = this.constants.map((_, i) => `const k${i} = k[${i}];`).join('\n');
    const locals = this.locals > 0 ? `let ${Array.from({ length: this.locals }, (_, i) => `v${i}`).join(', ')};\n` : '';
    return `'use strict';\n${consts}\nreturn function (row) {\n${locals}${this.code.join('\n')}\nreturn ${result};\n};`;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  private local(): string {
    return `v${this.locals++}`;
  }

  private label(): string {
    return `L${this.labels++}`;
  }

  private emit(line: string): void {
    this.code.push(line);
  }

  /** Emits the code computing `e`; returns the local (or constant) holding its value. */
  node(e: BoundExpr): string {
    switch (e.kind) {
      case 'InputRef': {
        if (!Number.isSafeInteger(e.index) || e.index < 0) throw new Error('column index');
        const v = this.local();
        this.emit(`${v} = row[${e.index}];`);
        return v;
      }
      case 'LiteralValue':
        return this.constant(e.value);
      case 'Call':
        return this.call(e);
      case 'AndExpr':
        return this.andOr(e.args, 'false', 'true');
      case 'OrExpr':
        return this.andOr(e.args, 'true', 'false');
      case 'NotExpr': {
        const x = this.node(e.operand);
        const v = this.local();
        this.emit(`${v} = ${x} === null || ${x} === undefined ? null : !${x};`);
        return v;
      }
      case 'IsNullExpr': {
        const x = this.node(e.operand);
        const v = this.local();
        this.emit(`${v} = ${x} ${e.negated ? '!=' : '=='} null;`);
        return v;
      }
      case 'CaseWhen':
        return this.caseWhen(e);
      case 'InValues':
        return this.inValues(e);
      default:
        return assertNever(e);
    }
  }

  /** A call: strict calls give NULL on a NULL argument (later arguments not evaluated); a span wraps the whole call. */
  private call(call: Call): string {
    const v = this.local();
    const impl = this.constant(call.impl);
    const span = call.span === undefined ? undefined : this.constant(call.span);
    const label = this.label();
    this.emit(`${v} = null;`);
    if (span !== undefined) this.emit('try {');
    this.emit(`${label}: {`);
    const args: string[] = [];
    for (const arg of call.args) {
      const a = this.node(arg);
      if (call.strict) this.emit(`if (${a} === null || ${a} === undefined) break ${label};`);
      args.push(call.strict ? a : `(${a} ?? null)`);
    }
    this.emit(`${v} = ${impl}(${args.join(', ')});`);
    this.emit('}');
    if (span !== undefined) this.emit(`} catch (e) { rethrow(e, ${span}); }`);
    return v;
  }

  /** AND (`stop` = false, `pass` = true) or OR (`stop` = true, `pass` = false): `stop` wins over NULL. */
  private andOr(args: readonly BoundExpr[], stop: 'true' | 'false', pass: 'true' | 'false'): string {
    const v = this.local();
    const sawNull = this.local();
    const label = this.label();
    this.emit(`${v} = ${stop}; ${sawNull} = false;`);
    this.emit(`${label}: {`);
    for (const arg of args) {
      const a = this.node(arg);
      this.emit(`if (${a} === ${stop}) break ${label};`);
      this.emit(`if (${a} === null || ${a} === undefined) ${sawNull} = true;`);
    }
    this.emit(`${v} = ${sawNull} ? null : ${pass};`);
    this.emit('}');
    return v;
  }

  /** CASE: the first WHEN that is exactly TRUE picks its THEN; else the ELSE (NULL without one). */
  private caseWhen(e: CaseWhen): string {
    const v = this.local();
    const label = this.label();
    this.emit(`${label}: {`);
    for (const w of e.whens) {
      const when = this.node(w.when);
      this.emit(`if (${when} === true) {`);
      const then = this.node(w.then);
      this.emit(`${v} = ${then}; break ${label};`);
      this.emit('}');
    }
    if (e.otherwise) {
      const otherwise = this.node(e.otherwise);
      this.emit(`${v} = ${otherwise};`);
    } else this.emit(`${v} = null;`);
    this.emit('}');
    return v;
  }

  /** IN: as compileIn (a Set for lists of non-null primitive literals). */
  private inValues(e: InValues): string {
    const x = this.node(e.operand);
    const v = this.local();
    const negated = e.negated ? 'true' : 'false';
    const allLiterals = e.list.every((item) => item.kind === 'LiteralValue' && item.value !== null && PRIMITIVE_KINDS.has(typeof item.value));
    if (allLiterals) {
      const set = this.constant(new Set(e.list.map((item) => (item as { value: unknown }).value)));
      this.emit(`${v} = ${x} === null || ${x} === undefined ? null : ${set}.has(${x}) !== ${negated};`);
      return v;
    }
    const sawNull = this.local();
    const label = this.label();
    this.emit(`${label}: {`);
    this.emit(`if (${x} === null || ${x} === undefined) { ${v} = null; break ${label}; }`);
    this.emit(`${sawNull} = false;`);
    for (const item of e.list) {
      const y = this.node(item);
      this.emit(`if (${y} === null || ${y} === undefined) ${sawNull} = true;`);
      this.emit(`else if (${y} === ${x} || (typeof ${y} === 'object' && valuesEqual(${y}, ${x}))) { ${v} = !${negated}; break ${label}; }`);
    }
    this.emit(`${v} = ${sawNull} ? null : ${negated};`);
    this.emit('}');
    return v;
  }
}

/**
 * One function making a row of `fns`' values (in order, left to right), e.g. a Calc's projection: generated
 * as `[f0(row), f1(row), ...]` (an array literal whose call sites each have one target), or a loop where code
 * cannot be generated. `fns` are passed as constants, never written into the code.
 */
export function compileRow(fns: readonly CompiledExpr[]): (row: readonly unknown[]) => unknown[] {
  if (fns.length > 0 && fns.length <= 1000) {
    try {
      const consts = fns.map((_, i) => `const f${i} = f[${i}];`).join('\n');
      const body = `'use strict';\n${consts}\nreturn function (row) { return [${fns.map((_, i) => `f${i}(row)`).join(', ')}]; };`;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return new Function('f', body)(fns) as (row: readonly unknown[]) => unknown[];
    } catch {
      // No code generation here: the loop below.
    }
  }
  const n = fns.length;
  return (row) => {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = fns[i]!(row);
    return out;
  };
}

/**
 * One function picking columns `indexes` of a row (a projection of column references): generated as
 * `[row[i0], row[i1], ...]`, or a loop where code cannot be generated.
 */
export function compileColumnPick(indexes: readonly number[]): (row: readonly unknown[]) => unknown[] {
  if (indexes.length > 0 && indexes.length <= 1000 && indexes.every((i) => Number.isSafeInteger(i) && i >= 0)) {
    try {
      const body = `'use strict';\nreturn function (row) { return [${indexes.map((i) => `row[${i}]`).join(', ')}]; };`;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return new Function(body)() as (row: readonly unknown[]) => unknown[];
    } catch {
      // No code generation here: the loop below.
    }
  }
  const n = indexes.length;
  return (row) => {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = row[indexes[i]!];
    return out;
  };
}
