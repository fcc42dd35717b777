/**
 * Binds SQL expressions (AST) to typed, resolved expressions: resolves columns in a scope, functions in the
 * registry, inserts implicit casts, and reports type errors with both types and the span.
 */
import { assertNever } from '../../common/assert-never.js';
import type * as ast from '../../parser/ast.js';
import { T, commonType, isNumeric, isTimestamp, sameType, typeToString, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { EddyError, ErrorCode, didYouMean, type Span } from '../../common/errors.js';
import type { BoundExpr, Call, LiteralValue } from '../../expr/bound-expr.js';
import { isResolutionError } from '../../functions/function-types.js';
import { resolveCast } from '../../functions/cast.js';
import { boundStringResult, maxStringLength } from '../../functions/string-limit.js';
import type { BinderContext } from './binder-context.js';
import type { Scope } from './scope.js';
import { bindParameter } from './bind-parameter.js';
import { MAX_TREE_DEPTH, TOO_MANY_TREE_LEVELS, nestedTooDeeply } from '../../common/nesting-limits.js';
import { intervalLiteral, literal, negatedLiteral, numberLiteral, typedLiteral } from './literals.js';

/** Options of one binding. */
export interface ExprBindOptions {
  /**
   * Called for every node before it is bound normally; a result replaces the node. The aggregate binder
   * uses it to map group keys and aggregate calls to the aggregation's output columns.
   */
  readonly intercept?: (e: ast.Expr) => BoundExpr | undefined;
  /** Where the expression is, for "aggregate not allowed in <clause>" messages. */
  readonly clause: string;
}

const LEGACY_WINDOW_FUNCTIONS = new Set(['TUMBLE', 'HOP', 'SESSION', 'CUMULATE']);
const LEGACY_WINDOW_PROPERTIES = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME|PROCTIME)$/;

/**
 * A parameter the client declared no type for (or its negation, `-$1`): it takes its type from where it is
 * (see bind-parameter.ts).
 */
function untypedParameter(e: ast.Expr): boolean {
  if (e.kind === 'UnaryExpr' && e.op !== 'NOT') return untypedParameter(e.operand);
  return e.kind === 'ParameterExpr' && e.value?.type === undefined;
}

/** The type an untyped parameter takes as an operand of `op` whose other operand has type `other`. */
function operandTypeFor(op: ast.BinaryOperator, other: DataType): DataType | undefined {
  switch (op) {
    case 'AND':
    case 'OR':
      throw new Error('unreachable: bindBinary binds the operands of AND / OR as BOOLEAN itself');
    case '||':
      return T.string();
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      // `ts - $1` would need an interval, which text does not give: only numbers take the other's type.
      return isNumeric(other) ? other : undefined;
    case '=':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'IS DISTINCT FROM':
    case 'IS NOT DISTINCT FROM':
      // The type of what the parameter is compared with.
      return other;
    default:
      return assertNever(op);
  }
}

/** The name of a function call as upper-case text (`a.b` joined). */
export function functionName(call: ast.FunctionCall): string {
  return call.name.parts.map((p) => (p.quoted ? p.name : p.name.toUpperCase())).join('.');
}

/** OVER windows: what Eddy says about them, and what to use instead. */
export const OVER_UNSUPPORTED = 'OVER is supported only as a whole select-list item of a query without GROUP BY: an OVER aggregation, or a rank bounded outside it (Top-N)';
export const OVER_HINT = 'compute it as a select-list item of a subquery and use its column in the outer query';

/** Binds expressions against one scope. */
export class ExprBinder {
  /** How many calls of `bind` are under way (the depth of the node being bound). */
  private depth = 0;

  constructor(
    private readonly ctx: BinderContext,
    private readonly scope: Scope,
    private readonly options: ExprBindOptions,
  ) {}

  /**
   * Binds `e`. `expected` is the type its place calls for (an INSERT's target column, say): only a parameter
   * with no declared type uses it, as its type.
   */
  bind(e: ast.Expr, expected?: DataType): BoundExpr {
    // The parser limits a statement's depth; this guards trees built some other way (the library's callers).
    if (this.depth >= MAX_TREE_DEPTH) throw new EddyError(nestedTooDeeply(TOO_MANY_TREE_LEVELS, e.span));
    this.depth++;
    try {
      return this.bindNode(e, expected);
    } finally {
      this.depth--;
    }
  }

  private bindNode(e: ast.Expr, expected?: DataType): BoundExpr {
    // A parameter is a literal, nothing an intercept maps; and it must see `expected`.
    const replaced = e.kind === 'ParameterExpr' ? undefined : this.options.intercept?.(e);
    if (replaced) return replaced;
    switch (e.kind) {
      case 'ColumnRef': {
        const { column: col, fields } = this.scope.resolvePath(e.name.parts, e.span);
        let bound: BoundExpr = { kind: 'InputRef', index: col.index, type: col.type, name: col.name };
        let path = col.name;
        for (const f of fields) {
          bound = fieldAccess(bound, f.name, f.span, path);
          path += `.${f.name}`;
        }
        return bound;
      }
      case 'Literal':
        switch (e.type) {
          case 'number':
            return numberLiteral(e);
          case 'string':
            return literal(e.value, T.string());
          case 'boolean':
            return literal(e.value, T.boolean());
          case 'null':
            return literal(null, T.null());
        }
        break;
      case 'IntervalLiteral':
        return intervalLiteral(e);
      case 'TypedLiteral':
        return typedLiteral(e);
      case 'BinaryExpr':
        return this.bindBinary(e);
      case 'UnaryExpr': {
        // NOT $1: a BOOLEAN; -$1: the type its context expects of the whole.
        const operand = this.bind(e.operand, e.op === 'NOT' ? T.boolean() : expected);
        if (e.op === 'NOT') return { kind: 'NotExpr', operand: this.expectBoolean(operand, e.operand.span, 'NOT'), type: withNullable(T.boolean(), operand.type.nullable) };
        if (e.op === '+') return operand;
        if (operand.kind === 'LiteralValue' && typeof operand.value === 'number') return literal(-operand.value, operand.type);
        // A BIGINT beyond 2^53 (bigint) or a big DECIMAL literal.
        const v = operand.kind === 'LiteralValue' ? operand.value : null;
        if (isNumeric(operand.type) && (typeof v === 'bigint' || (typeof v === 'object' && v !== null))) return negatedLiteral(operand as LiteralValue);
        return this.call('NEGATE', [operand], e.span);
      }
      case 'IsExpr': {
        const operand = this.bind(e.operand);
        if (e.test === 'NULL') return { kind: 'IsNullExpr', operand, negated: e.negated, type: T.boolean() };
        const b = this.expectBoolean(operand, e.operand.span, `IS ${e.test}`);
        // x IS TRUE  ==  x IS NOT DISTINCT FROM TRUE; UNKNOWN == NULL.
        if (e.test === 'UNKNOWN') return { kind: 'IsNullExpr', operand: b, negated: e.negated, type: withNullable(T.boolean(), false) };
        const test = this.call('IS NOT DISTINCT FROM', [b, literal(e.test === 'TRUE', T.boolean())], e.span);
        return e.negated ? { kind: 'NotExpr', operand: test, type: test.type } : test;
      }
      case 'BetweenExpr': {
        // A parameter takes the tested value's type, or (as the tested value) the first bound's.
        const [x, low] = this.bindOperands(e.operand, e.low, (other) => other);
        const high = this.bind(e.high, x.type);
        let cond: BoundExpr = this.and([this.call('>=', [x, low], e.span), this.call('<=', [x, high], e.span)]);
        if (e.symmetric) cond = this.or([cond, this.and([this.call('>=', [x, high], e.span), this.call('<=', [x, low], e.span)])]);
        return e.negated ? { kind: 'NotExpr', operand: cond, type: cond.type } : cond;
      }
      case 'InListExpr': {
        const firstKnown = untypedParameter(e.operand) ? e.list.find((v) => !untypedParameter(v)) : undefined;
        const operand = this.bind(e.operand, firstKnown === undefined ? undefined : this.bind(firstKnown).type);
        const list = e.list.map((v) => this.bind(v, operand.type));
        let type: DataType | undefined = operand.type;
        for (const v of list) type = type && commonType(type, v.type);
        if (!type) {
          const bad = list.find((v) => !commonType(operand.type, v.type));
          throw this.typeError(`IN list values must have the type of the tested value (${typeToString(operand.type)})${bad ? `, got ${typeToString(bad.type)}` : ''}`, e.span);
        }
        const t = type;
        return {
          kind: 'InValues',
          operand: this.coerce(operand, t, e.operand.span),
          list: list.map((v, i) => this.coerce(v, t, e.list[i]!.span)),
          negated: e.negated,
          type: withNullable(T.boolean(), operand.type.nullable || list.some((v) => v.type.nullable)),
        };
      }
      case 'LikeExpr': {
        const args = [this.bind(e.operand), this.bind(e.pattern)];
        if (e.escape) args.push(this.bind(e.escape));
        const call = this.call(e.op, args, e.span);
        return e.negated ? { kind: 'NotExpr', operand: call, type: call.type } : call;
      }
      case 'CaseExpr':
        return this.bindCase(e);
      case 'CastExpr':
        // CAST($1 AS INT): the parameter is an INT (its value checked now). Not for TRY_CAST, whose point is
        // to turn a value that does not convert into NULL.
        return this.cast(this.bind(e.operand, e.safe ? undefined : e.type), e.type, e.span, e.safe);
      case 'FunctionCall':
        return this.bindFunction(e);
      case 'ExtractExpr':
        return this.call('EXTRACT', [literal(e.unit, T.string()), this.bind(e.operand)], e.span);
      case 'TrimExpr':
        return this.call('TRIM', [literal(e.mode, T.string()), e.chars ? this.bind(e.chars) : literal(' ', T.string()), this.bind(e.operand)], e.span);
      case 'TimeFloorExpr':
        return this.call(e.fn === 'FLOOR' ? 'TIME_FLOOR' : 'TIME_CEIL', [literal(e.unit, T.string()), this.bind(e.operand)], e.span);
      case 'TimeUnitArg':
        return literal(e.unit, T.string());
      // Planned as joins by bind-subquery.ts where they can be (an intercept then maps them); refused elsewhere.
      case 'InSubqueryExpr':
      case 'ExistsExpr':
        return this.unsupported(
          `${e.kind === 'ExistsExpr' ? 'EXISTS' : 'IN (SELECT ...)'} is supported only as a condition of WHERE, alone or ANDed with the others (not in ${this.options.clause === 'WHERE' ? 'an OR, a CASE or under another operator' : this.options.clause})`,
          e.span,
          'Eddy plans it as a semi join (NOT IN / NOT EXISTS: an anti join) of the rows the WHERE filters; elsewhere, join the subquery in FROM instead',
        );
      case 'ScalarSubquery':
        return this.unsupported(
          `A scalar subquery is supported only in WHERE and in the select list of a query that does not aggregate (not in ${this.options.clause})`,
          e.span,
          'join the subquery in FROM instead: a scalar subquery is a join with its one-row result',
        );
      case 'ParameterExpr':
        return bindParameter(e, expected, this.ctx.env.timeZone);
      case 'StarExpr':
        return this.unsupported("'*' is only allowed in the select list and in COUNT(*)", e.span);
    }
    return this.unsupported(`Unsupported expression`, (e as ast.Expr).span);
  }

  private bindBinary(e: ast.BinaryExpr): BoundExpr {
    const logical = e.op === 'AND' || e.op === 'OR';
    const [left, right] = logical ? [this.bind(e.left, T.boolean()), this.bind(e.right, T.boolean())] : this.bindOperands(e.left, e.right, (other) => operandTypeFor(e.op, other));
    switch (e.op) {
      case 'AND':
        return this.and([this.expectBoolean(left, e.left.span, 'AND'), this.expectBoolean(right, e.right.span, 'AND')]);
      case 'OR':
        return this.or([this.expectBoolean(left, e.left.span, 'OR'), this.expectBoolean(right, e.right.span, 'OR')]);
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
      case 'IS DISTINCT FROM':
      case 'IS NOT DISTINCT FROM': {
        // Flink compares a temporal value with a string literal by casting the literal.
        const [l, r] = this.alignTemporalWithString(left, right, e);
        return this.call(e.op, [l, r], e.span);
      }
      default:
        return this.call(e.op, [left, right], e.span);
    }
  }

  /**
   * Binds two operands, left first; a parameter with no declared type takes the type `infer` gives for the
   * other operand's (when both are such parameters, they are STRING).
   */
  private bindOperands(a: ast.Expr, b: ast.Expr, infer: (other: DataType) => DataType | undefined): [BoundExpr, BoundExpr] {
    if (untypedParameter(a) && !untypedParameter(b)) {
      const right = this.bind(b);
      return [this.bind(a, infer(right.type)), right];
    }
    const left = this.bind(a);
    return [left, this.bind(b, untypedParameter(b) ? infer(left.type) : undefined)];
  }

  private alignTemporalWithString(left: BoundExpr, right: BoundExpr, e: ast.BinaryExpr): [BoundExpr, BoundExpr] {
    const temporal = (t: DataType) => isTimestamp(t) || t.name === 'DATE' || t.name === 'TIME';
    if (temporal(left.type) && right.type.name === 'STRING') return [left, this.cast(right, withoutTimeAttribute(left.type), e.right.span, false)];
    if (temporal(right.type) && left.type.name === 'STRING') return [this.cast(left, withoutTimeAttribute(right.type), e.left.span, false), right];
    return [left, right];
  }

  private bindCase(e: ast.CaseExpr): BoundExpr {
    const operand = e.operand ? this.bind(e.operand) : undefined;
    const whens = e.whens.map((w) => {
      // CASE x WHEN $1: the parameter takes x's type; CASE WHEN $1: it is the condition.
      const when = this.bind(w.when, operand ? operand.type : T.boolean());
      const cond = operand ? this.call('=', [operand, when], w.when.span) : this.expectBoolean(when, w.when.span, 'CASE WHEN');
      return { when: cond, then: this.bind(w.then), span: w.then.span };
    });
    const otherwise = e.else ? this.bind(e.else) : undefined;
    let type: DataType | undefined = otherwise?.type ?? T.null();
    for (const w of whens) type = type && commonType(type, w.then.type);
    if (!type) {
      throw this.typeError(`CASE branches have incompatible types: ${[...whens.map((w) => w.then.type), ...(otherwise ? [otherwise.type] : [])].map(typeToString).join(', ')}`, e.span);
    }
    const t = withNullable(type, type.nullable || otherwise === undefined);
    return {
      kind: 'CaseWhen',
      whens: whens.map((w) => ({ when: w.when, then: this.coerce(w.then, t, w.span) })),
      otherwise: otherwise ? this.coerce(otherwise, t, e.else!.span) : undefined,
      type: t,
    };
  }

  private bindFunction(e: ast.FunctionCall): BoundExpr {
    const name = functionName(e);
    if (this.ctx.functions.isAggregate(name)) {
      throw new EddyError({
        code: ErrorCode.INVALID_AGGREGATE,
        message: `Aggregate function ${name} is not allowed in ${this.options.clause}`,
        span: e.span,
        hint: this.options.clause === 'WHERE' ? 'filter aggregated values with HAVING' : undefined,
      });
    }
    if (LEGACY_WINDOW_FUNCTIONS.has(name) || LEGACY_WINDOW_PROPERTIES.test(name)) {
      throw new EddyError({
        code: ErrorCode.INVALID_WINDOW,
        message: `${name}(...) is only allowed ${LEGACY_WINDOW_FUNCTIONS.has(name) ? 'in GROUP BY' : 'in the select list of a query that groups by the matching window'}`,
        span: e.span,
        hint: "or use the window TVF: FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' MINUTES))",
      });
    }
    if (e.over) return this.unsupported(OVER_UNSUPPORTED, e.over.span, OVER_HINT);
    if (e.filter) return this.unsupported('FILTER (WHERE ...) is only allowed on aggregate functions', e.filter.span);
    if (e.distinct || e.star) return this.unsupported(`${e.star ? '*' : 'DISTINCT'} is only allowed in aggregate functions`, e.span);
    return this.call(name, e.args.map((a) => this.bind(a)), e.span);
  }

  /** Calls scalar function `name` (an operator symbol or a function name), coercing arguments as it asks. */
  call(name: string, args: BoundExpr[], span: Span): Call {
    const def = this.ctx.functions.scalar(name);
    if (!def) {
      throw new EddyError({
        code: ErrorCode.UNKNOWN_FUNCTION,
        message: `Function '${name}' does not exist`,
        span,
        hint: didYouMean(name, this.ctx.functions.names()),
      });
    }
    const argTypes = args.map((a) => withoutTimeAttribute(a.type));
    const literalArgs = args.map((a) => (a.kind === 'LiteralValue' ? a.value : undefined));
    const r = def.resolve(argTypes, this.ctx.env, { literalArgs });
    if (isResolutionError(r)) {
      throw new EddyError({
        code: ErrorCode.WRONG_ARGUMENTS,
        message: r.error.includes(name) ? r.error : `${name}: ${r.error}`,
        span,
        hint: r.hint ?? `${name}(${argTypes.map(typeToString).join(', ')}) — see SHOW FUNCTIONS for signatures`,
      });
    }
    const coerced = r.argTypes ? args.map((a, i) => this.coerce(a, r.argTypes![i] ?? a.type, span)) : args;
    // Every function that returns a string is bounded by table.exec.max-string-length.
    const impl = r.type.name === 'STRING' ? boundStringResult(name, r.impl, maxStringLength(this.ctx.env)) : r.impl;
    return { kind: 'Call', fn: name, args: coerced, impl, strict: r.strict, deterministic: r.deterministic, type: r.type, span };
  }

  /** Converts an expression to `type` (an implicit cast the binder adds; no-op when already that type). */
  coerce(expr: BoundExpr, type: DataType, span: Span): BoundExpr {
    if (sameType(expr.type, type)) return expr;
    if (expr.type.name === 'NULL') return literal(null, type);
    return this.cast(expr, withNullable(type, expr.type.nullable), span, false);
  }

  /** An explicit or implicit CAST. */
  cast(expr: BoundExpr, type: DataType, span: Span, safe: boolean): BoundExpr {
    const target = withNullable(type, expr.type.nullable || safe || type.nullable);
    if (sameType(expr.type, target) && !safe) return expr.type.nullable === target.nullable ? expr : { ...expr, type: target } as BoundExpr;
    const r = resolveCast(withoutTimeAttribute(expr.type), target, safe, this.ctx.env.timeZone);
    if (isResolutionError(r)) {
      throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `Cannot cast ${typeToString(expr.type)} to ${typeToString(type)}`, span });
    }
    return { kind: 'Call', fn: safe ? 'TRY_CAST' : 'CAST', args: [expr], impl: r, strict: true, deterministic: true, type: target, castTo: target, span };
  }

  private and(args: BoundExpr[]): BoundExpr {
    return { kind: 'AndExpr', args, type: withNullable(T.boolean(), args.some((a) => a.type.nullable)) };
  }

  private or(args: BoundExpr[]): BoundExpr {
    return { kind: 'OrExpr', args, type: withNullable(T.boolean(), args.some((a) => a.type.nullable)) };
  }

  /** Checks that an expression is BOOLEAN (or NULL), with a message naming the context. */
  expectBoolean(expr: BoundExpr, span: Span, context: string): BoundExpr {
    if (expr.type.name === 'BOOLEAN') return expr;
    if (expr.type.name === 'NULL') return literal(null, T.boolean());
    throw this.typeError(`${context} expects a BOOLEAN, got ${typeToString(expr.type)}`, span);
  }

  private typeError(message: string, span: Span): EddyError {
    return new EddyError({ code: ErrorCode.TYPE_MISMATCH, message, span });
  }

  private unsupported(message: string, span: Span, hint?: string): never {
    throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
  }
}

/**
 * Field `name` of the ROW value `row` (`person.id`): exact name first, then ignoring case when that is unique.
 * A ROW is a positional array (src/common/types.ts), so the access is an index; NULL when the ROW is NULL.
 * `path` names what `row` is, for messages.
 */
export function fieldAccess(row: BoundExpr, name: string, span: Span, path: string): BoundExpr {
  const t = row.type;
  if (t.name !== 'ROW' || !t.fields) {
    throw new EddyError({
      code: ErrorCode.TYPE_MISMATCH,
      message: `'${path}' is of type ${typeToString(t)}, not a ROW: it has no field '${name}'`,
      span,
    });
  }
  const fields = t.fields;
  let index = fields.findIndex((f) => f.name === name);
  if (index < 0) {
    const lower = name.toLowerCase();
    const matches = fields.flatMap((f, i) => (f.name.toLowerCase() === lower ? [i] : []));
    if (matches.length === 1) index = matches[0]!;
    else if (matches.length > 1) {
      throw new EddyError({ code: ErrorCode.AMBIGUOUS_COLUMN, message: `Field '${name}' of '${path}' is ambiguous`, span, hint: `write it with its exact case: ${matches.map((i) => fields[i]!.name).join(' or ')}` });
    }
  }
  if (index < 0) {
    const names = fields.map((f) => f.name);
    throw new EddyError({
      code: ErrorCode.UNKNOWN_COLUMN,
      message: `'${path}' (${typeToString(t)}) has no field '${name}'`,
      span,
      hint: didYouMean(name, names) ?? `its fields: ${names.join(', ')}`,
    });
  }
  const field = fields[index]!;
  const i = index;
  return {
    kind: 'Call',
    fn: `.${field.name}`,
    args: [row],
    impl: (r: readonly unknown[]) => r[i],
    field: i,
    strict: true,
    deterministic: true,
    type: withNullable(withoutTimeAttribute(field.type), field.type.nullable || t.nullable),
  };
}
