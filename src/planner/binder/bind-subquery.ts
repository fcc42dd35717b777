/**
 * Subqueries in expressions, planned as joins (as Flink does, after Calcite's SubQueryRemoveRule and
 * decorrelation):
 *
 * - A WHERE conjunct `x IN (SELECT y ...)` or `EXISTS (SELECT ...)` becomes a SEMI join of the rows so far
 *   with the subquery's rows; `x NOT IN (...)` and `NOT EXISTS (...)` become an ANTI join. The join's
 *   output is the left rows only, so the scope stays as it was.
 * - `NOT IN` keeps SQL's null-aware semantics: the anti join's condition is `x = y OR x IS NULL OR y IS NULL`
 *   (when either may be NULL), so a NULL among the subquery's values blocks every row, a NULL `x` is blocked
 *   by any value, and with no values at all every row passes.
 * - A correlated subquery (its WHERE reads columns of the outer query) is decorrelated: its WHERE's conjuncts
 *   that read outer columns move into the join condition (equalities become the join's keys); the others
 *   stay in the subquery.
 * - A scalar subquery `(SELECT agg(..) FROM .. [WHERE inner = outer ..])` becomes a LEFT join with the
 *   subquery aggregated per correlation key (one row per key, or one global row when uncorrelated); where
 *   the group is empty, the value is the aggregate's value over no rows (COUNT gives 0, MAX gives NULL).
 *   A scalar subquery that does not aggregate gets a SINGLE_VALUE aggregate, which fails the job when the
 *   subquery returns more than one row (Flink's behaviour).
 *
 * Subqueries elsewhere (under OR, in ON, in an aggregating select list, ...) are refused by bind-expr.ts.
 */
import type * as ast from '../../parser/ast.js';
import { T, commonType, typeToString, withNullable, withoutTimeAttribute, type DataType } from '../../common/types.js';
import { EddyError, ErrorCode, joinSpans, type Span } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { conjunction, inputRefs, replaceInputRefs, shiftInputRefs } from '../expr-utils.js';
import { joinFields, type JoinType, type LogicalPlan } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { forEachChild, needsAggregation } from './bind-aggregate.js';
import { literal } from './literals.js';
import { singleValue } from '../../functions/aggregate/single-value.js';
import { Scope, type ScopeColumn } from './scope.js';

/** A bound query or FROM item: its plan and the scope of its columns. */
export interface Bound {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

/** What the subquery binder needs from the query binder (bind-query.ts), which holds the visible CTEs. */
export interface QueryBinding {
  bindQuery(q: ast.Query): Bound;
  bindSelect(select: ast.Select): Bound;
  bindFrom(ref: ast.TableRef): Bound;
  /** A select's FROM with its WHERE applied (subqueries in the WHERE planned too). */
  bindFiltered(select: ast.Select): Bound;
}

function unsupported(message: string, span: Span, hint?: string): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
}

/** The AND-ed parts of an AST condition: `a AND (b AND c)` gives [a, b, c]. */
export function astConjuncts(e: ast.Expr): ast.Expr[] {
  return e.kind === 'BinaryExpr' && e.op === 'AND' ? [...astConjuncts(e.left), ...astConjuncts(e.right)] : [e];
}

/** The AND of AST conditions (undefined for none). */
function astAnd(parts: readonly ast.Expr[]): ast.Expr | undefined {
  if (parts.length === 0) return undefined;
  return parts.reduce((a, b) => ({ kind: 'BinaryExpr', op: 'AND', left: a, right: b, span: joinSpans(a.span, b.span) }));
}

/** True when an AST expression holds a subquery (not looking inside the subqueries themselves). */
function containsSubquery(e: ast.Expr): boolean {
  if (e.kind === 'InSubqueryExpr' || e.kind === 'ExistsExpr' || e.kind === 'ScalarSubquery') return true;
  let found = false;
  forEachChild(e, (c) => {
    found ||= containsSubquery(c);
  });
  return found;
}

/** The scalar subqueries of an expression, outermost first (not looking inside them). */
function scalarSubqueries(e: ast.Expr, out: ast.ScalarSubquery[] = []): ast.ScalarSubquery[] {
  if (e.kind === 'ScalarSubquery') out.push(e);
  else forEachChild(e, (c) => scalarSubqueries(c, out));
  return out;
}

/**
 * The scope inside a correlated subquery: its own columns, then (for names it does not have) the outer
 * query's, at positions after its own (`offset` on).
 */
class CorrelatedScope extends Scope {
  constructor(
    inner: Scope,
    private readonly outer: Scope,
    private readonly offset: number,
  ) {
    super(inner.columns, inner.windowTvf);
  }

  override resolve(parts: readonly string[], span: Span): ScopeColumn {
    try {
      return super.resolve(parts, span);
    } catch (err) {
      if (!(err instanceof EddyError) || (err.code !== ErrorCode.UNKNOWN_COLUMN && err.code !== ErrorCode.UNKNOWN_TABLE)) throw err;
      let col: ScopeColumn;
      try {
        col = this.outer.resolve(parts, span);
      } catch {
        throw err;
      }
      return { ...col, index: col.index + this.offset };
    }
  }
}

/** A conjunct of a subquery's WHERE that reads outer columns, bound over `[...subquery FROM, ...outer]`. */
interface Correlation {
  readonly expr: ast.Expr;
  readonly bound: BoundExpr;
}

/** A subquery `SELECT .. FROM .. WHERE ..` split into its FROM, its own conditions and its correlations. */
interface Decorrelated {
  readonly select: ast.Select;
  /** The subquery's FROM. */
  readonly from: Bound;
  /** The WHERE's conjuncts that read only the subquery's columns. */
  readonly local: readonly ast.Expr[];
  readonly correlations: readonly Correlation[];
}

/** Type-checks and plans the subqueries of one query level, whose rows so far are `outer`. */
export class SubqueryBinder {
  constructor(
    private readonly ctx: BinderContext,
    private readonly queries: QueryBinding,
  ) {}

  /**
   * Plans a WHERE clause over `from`: each conjunct that is an IN / EXISTS subquery (or its negation)
   * becomes a semi or anti join; the scalar subqueries of the other conjuncts become LEFT joins. Returns
   * the rows to filter and the (bound) filter of the other conjuncts, if any.
   */
  planWhere(where: ast.Expr, from: Bound): { from: Bound; condition?: BoundExpr } {
    const rest: ast.Expr[] = [];
    let current = from;
    for (const part of astConjuncts(where)) {
      const semi = this.semiOrAnti(part, current);
      if (semi) current = semi;
      else rest.push(part);
    }
    const restExpr = astAnd(rest);
    if (!restExpr) return { from: current };
    const scalars = this.attachScalars([restExpr], current);
    const binder = new ExprBinder(this.ctx, scalars.from.scope, { clause: 'WHERE', intercept: scalars.intercept });
    return { from: scalars.from, condition: binder.expectBoolean(binder.bind(restExpr), where.span, 'WHERE') };
  }

  /**
   * Joins `from` with the scalar subqueries of `exprs` (one LEFT join each). The result has `from`'s
   * columns (the subqueries' values are hidden columns after them); `intercept` maps each subquery node to
   * its value, for the binder of `exprs`.
   */
  attachScalars(exprs: readonly ast.Expr[], from: Bound): { from: Bound; intercept?: (e: ast.Expr) => BoundExpr | undefined } {
    const found = exprs.flatMap((e) => scalarSubqueries(e));
    if (found.length === 0) return { from };
    const values = new Map<ast.Expr, BoundExpr>();
    let current = from;
    for (const s of found) {
      const r = this.scalar(s, current);
      current = r.from;
      values.set(s, r.value);
    }
    return { from: current, intercept: (e) => values.get(e) };
  }

  /** A semi or anti join for an IN / EXISTS conjunct (undefined when `part` is not one). */
  private semiOrAnti(part: ast.Expr, outer: Bound): Bound | undefined {
    let e = part;
    let negated = false;
    while (e.kind === 'UnaryExpr' && e.op === 'NOT' && (e.operand.kind === 'ExistsExpr' || e.operand.kind === 'InSubqueryExpr' || e.operand.kind === 'UnaryExpr')) {
      negated = !negated;
      e = e.operand;
    }
    if (e.kind === 'ExistsExpr') return this.exists(e, negated, outer);
    if (e.kind === 'InSubqueryExpr') return this.in(e, e.negated !== negated, outer);
    return undefined;
  }

  /** `[NOT] EXISTS (query)`. */
  private exists(e: ast.ExistsExpr, negated: boolean, outer: Bound): Bound {
    const d = this.decorrelate(e.query, outer);
    if (!d) return this.semiJoin(negated ? 'anti' : 'semi', outer, this.queries.bindQuery(e.query).plan, [], false, e.span);
    this.refuseAggregation(d, 'EXISTS', e.query.span);
    const right = this.queries.bindFiltered({ ...d.select, where: astAnd(d.local) });
    return this.semiJoin(negated ? 'anti' : 'semi', outer, right.plan, this.correlationConditions(d, outer, right.plan), false, e.span);
  }

  /** `x [NOT] IN (query)`. */
  private in(e: ast.InSubqueryExpr, negated: boolean, outer: Bound): Bound {
    const binder = new ExprBinder(this.ctx, outer.scope, { clause: 'WHERE' });
    const x = binder.bind(e.operand);
    const d = this.decorrelate(e.query, outer);
    const width = outer.plan.schema.length;
    let right: LogicalPlan;
    let y: BoundExpr;
    let correlations: BoundExpr[] = [];
    if (!d) {
      const q = this.queries.bindQuery(e.query);
      if (q.plan.schema.length !== 1) this.oneColumn(q.plan.schema.length, e.query.span, 'IN');
      right = q.plan;
      y = { kind: 'InputRef', index: 0, type: q.plan.schema[0]!.type, name: q.plan.schema[0]!.name };
    } else {
      this.refuseAggregation(d, 'IN', e.query.span);
      const items = d.select.items;
      if (items.length !== 1 || items[0]!.kind !== 'SelectExpr') this.oneColumn(items[0]?.kind === 'SelectStar' ? 2 : items.length, e.query.span, 'IN');
      const filtered = this.queries.bindFiltered({ ...d.select, where: astAnd(d.local) });
      right = filtered.plan;
      y = new ExprBinder(this.ctx, filtered.scope, { clause: 'the select list of an IN subquery' }).bind((items[0] as ast.SelectExpr).expr);
      correlations = this.correlationConditions(d, outer, right);
    }
    const type = commonType(withoutTimeAttribute(x.type), withoutTimeAttribute(y.type));
    if (!type) {
      throw new EddyError({
        code: ErrorCode.TYPE_MISMATCH,
        message: `IN compares ${typeToString(x.type)} with a subquery of ${typeToString(y.type)} values`,
        span: e.span,
      });
    }
    const left = binder.coerce(x, withNullable(type, x.type.nullable), e.operand.span);
    const rightValue = binder.coerce(shiftInputRefs(y, width), withNullable(type, y.type.nullable), e.query.span);
    const equal = binder.call('=', [left, rightValue], e.span);
    // NOT IN: a NULL on either side makes `x <> y` unknown, which blocks the row (x NOT IN (..) is not TRUE).
    const nullAware = negated && (left.type.nullable || rightValue.type.nullable);
    const isNull = (v: BoundExpr): BoundExpr[] => (v.type.nullable ? [{ kind: 'IsNullExpr', operand: v, negated: false, type: withNullable(T.boolean(), false) }] : []);
    const match: BoundExpr = nullAware ? { kind: 'OrExpr', args: [equal, ...isNull(left), ...isNull(rightValue)], type: equal.type } : equal;
    return this.semiJoin(negated ? 'anti' : 'semi', outer, right, [match, ...correlations], nullAware, e.span);
  }

  /** A semi or anti join of `outer` with `right` on the AND of `conditions` (over `[...outer, ...right]`). */
  private semiJoin(joinType: 'semi' | 'anti', outer: Bound, right: LogicalPlan, conditions: readonly BoundExpr[], nullAware: boolean, span: Span): Bound {
    const schema = joinFields(joinType, outer.plan.schema, right.schema);
    const plan: LogicalPlan = { kind: 'LogicalJoin', joinType, left: outer.plan, right, condition: conjunction(conditions), schema, ...(nullAware ? { nullAware } : {}), span };
    return { plan, scope: retyped(outer.scope, schema) };
  }

  /**
   * Splits a subquery `SELECT .. FROM .. WHERE ..` into its FROM, its own conditions and those that read
   * the outer query's columns; undefined when it reads none (or is not a plain SELECT: then it is bound as
   * an uncorrelated query).
   */
  private decorrelate(q: ast.Query, outer: Bound): Decorrelated | undefined {
    if (q.with.length > 0 || q.orderBy.length > 0 || q.limit || q.offset || q.body.kind !== 'Select' || !q.body.where) return undefined;
    const select = q.body;
    const from = select.from ? this.queries.bindFrom(select.from) : undefined;
    if (!from) return undefined;
    const width = from.plan.schema.length;
    const scope = new CorrelatedScope(from.scope, outer.scope, width);
    const local: ast.Expr[] = [];
    const correlations: Correlation[] = [];
    for (const part of astConjuncts(select.where!)) {
      // A condition holding a subquery is the subquery's own (its binder plans it).
      if (containsSubquery(part)) {
        local.push(part);
        continue;
      }
      const bound = new ExprBinder(this.ctx, scope, { clause: 'WHERE' }).bind(part);
      if ([...inputRefs(bound)].some((i) => i >= width)) correlations.push({ expr: part, bound });
      else local.push(part);
    }
    return correlations.length > 0 ? { select, from, local, correlations } : undefined;
  }

  /** The correlations of `d` as conditions over `[...outer, ...right]` (`right` starts with the subquery's FROM columns). */
  private correlationConditions(d: Decorrelated, outer: Bound, right: LogicalPlan): BoundExpr[] {
    const inner = d.from.plan.schema.length;
    const width = outer.plan.schema.length;
    if (right.schema.length < inner) throw new Error('a subquery lost columns of its FROM');
    return d.correlations.map((c) => replaceInputRefs(c.bound, (ref) => ({ ...ref, index: ref.index < inner ? ref.index + width : ref.index - inner })));
  }

  /** A correlated IN / EXISTS subquery cannot aggregate (its groups would depend on the outer row). */
  private refuseAggregation(d: Decorrelated, what: string, span: Span): void {
    if (needsAggregation(this.ctx, d.select)) {
      unsupported(`A correlated ${what} subquery with GROUP BY, HAVING or aggregates is not supported`, span, 'aggregate in a subquery in FROM and join it, or make the subquery uncorrelated');
    }
  }

  private oneColumn(n: number, span: Span, what: string): never {
    throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `The subquery of ${what} must return one column, not ${n}`, span });
  }

  /**
   * A scalar subquery: `outer` LEFT JOIN the subquery grouped by its correlation keys (see the file
   * comment), and the expression of its value over the joined row.
   */
  private scalar(s: ast.ScalarSubquery, outer: Bound): { from: Bound; value: BoundExpr } {
    const width = outer.plan.schema.length;
    const binder = new ExprBinder(this.ctx, outer.scope, { clause: 'a scalar subquery' });
    const d = this.decorrelate(s.query, outer);
    let sub: Bound;
    const keys: BoundExpr[] = [];
    if (!d) {
      const q = this.queries.bindQuery(s.query);
      if (q.plan.schema.length !== 1) this.oneColumn(q.plan.schema.length, s.span, 'a scalar subquery');
      sub = withMarker(isGlobalAggregate(q.plan) ? q : singleValued(q, s.span));
    } else {
      const select = d.select;
      if (select.groupBy.length > 0 || select.having || select.distinct) {
        unsupported('A correlated scalar subquery with GROUP BY, HAVING or DISTINCT is not supported', s.query.span, 'select one aggregate, e.g. (SELECT MAX(x) FROM t WHERE t.k = o.k)');
      }
      if (select.items.length !== 1 || select.items[0]!.kind !== 'SelectExpr') this.oneColumn(select.items[0]?.kind === 'SelectStar' ? 2 : select.items.length, s.span, 'a scalar subquery');
      if (!needsAggregation(this.ctx, select)) {
        unsupported('A correlated scalar subquery must aggregate', s.query.span, 'select one aggregate, e.g. (SELECT MAX(x) FROM t WHERE t.k = o.k)');
      }
      // Each correlation `inner = outer` becomes a group key of the subquery and a key of the join.
      const innerSides: ast.Expr[] = [];
      for (const c of d.correlations) {
        const pair = this.equalitySides(c, d, outer);
        innerSides.push(pair.inner);
        keys.push(pair.outer);
      }
      const marker: ast.SelectExpr = { kind: 'SelectExpr', expr: { kind: 'Literal', type: 'boolean', value: true, span: s.span }, span: s.span };
      sub = this.queries.bindSelect({
        ...select,
        where: astAnd(d.local),
        groupBy: innerSides,
        items: [...innerSides.map((expr): ast.SelectExpr => ({ kind: 'SelectExpr', expr, span: expr.span })), select.items[0]!, marker],
      });
    }
    // The join: the keys pairwise equal (none: every row joins the one global row).
    const n = keys.length;
    const equalities = keys.map((k, i) => {
      const innerType = sub.plan.schema[i]!.type;
      const type = commonType(withoutTimeAttribute(k.type), withoutTimeAttribute(innerType));
      if (!type) throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `A correlation compares ${typeToString(k.type)} with ${typeToString(innerType)}`, span: d!.correlations[i]!.expr.span });
      const innerRef: BoundExpr = { kind: 'InputRef', index: width + i, type: innerType, name: sub.plan.schema[i]!.name };
      return binder.call('=', [binder.coerce(k, withNullable(type, k.type.nullable), s.span), binder.coerce(innerRef, withNullable(type, innerType.nullable), s.span)], s.span);
    });
    const joinType: JoinType = 'left';
    const schema = joinFields(joinType, outer.plan.schema, sub.plan.schema);
    const plan: LogicalPlan = { kind: 'LogicalJoin', joinType, left: outer.plan, right: sub.plan, condition: conjunction(equalities), schema, span: s.span };
    const valueField = schema[width + n]!;
    const value: BoundExpr = { kind: 'InputRef', index: width + n, type: valueField.type, name: valueField.name };
    const markerRef: BoundExpr = { kind: 'InputRef', index: width + n + 1, type: schema[width + n + 1]!.type, name: schema[width + n + 1]!.name };
    // Where the subquery has no row for the key, its value is the select item's over an empty group.
    const empty = emptyGroupValue(sub.plan, n);
    const result: BoundExpr =
      empty === undefined
        ? value
        : {
            kind: 'CaseWhen',
            whens: [{ when: { kind: 'IsNullExpr', operand: markerRef, negated: false, type: withNullable(T.boolean(), false) }, then: binder.coerce(empty, value.type, s.span) }],
            otherwise: value,
            type: withNullable(value.type, value.type.nullable && (empty.type.nullable || empty.type.name === 'NULL')),
          };
    return { from: { plan, scope: retyped(outer.scope, schema) }, value: result };
  }

  /** The sides of a correlation `inner = outer` (refused when it is another kind of condition). */
  private equalitySides(c: Correlation, d: Decorrelated, outer: Bound): { inner: ast.Expr; outer: BoundExpr } {
    const e = c.expr;
    const width = d.from.plan.schema.length;
    const refusal = () =>
      unsupported(
        'A correlated scalar subquery supports only equalities between its own columns and the outer query\'s in its WHERE',
        e.span,
        'write the correlation as inner_column = outer_column (ANDed with other conditions on the subquery\'s own columns)',
      );
    if (e.kind !== 'BinaryExpr' || e.op !== '=') return refusal();
    const scope = new CorrelatedScope(d.from.scope, outer.scope, width);
    const reads = (side: ast.Expr) => [...inputRefs(new ExprBinder(this.ctx, scope, { clause: 'WHERE' }).bind(side))];
    const l = reads(e.left);
    const r = reads(e.right);
    const innerOnly = (refs: number[]) => refs.length > 0 && refs.every((i) => i < width);
    const outerOnly = (refs: number[]) => refs.length > 0 && refs.every((i) => i >= width);
    const [innerSide, outerSide] = innerOnly(l) && outerOnly(r) ? [e.left, e.right] : innerOnly(r) && outerOnly(l) ? [e.right, e.left] : [undefined, undefined];
    if (!innerSide || !outerSide) return refusal();
    return { inner: innerSide, outer: new ExprBinder(this.ctx, outer.scope, { clause: 'WHERE' }).bind(outerSide) };
  }
}

/** True when a plan is a projection over an aggregation without group keys or window: it has exactly one row. */
function isGlobalAggregate(plan: LogicalPlan): boolean {
  return plan.kind === 'LogicalProject' && plan.input.kind === 'LogicalAggregate' && plan.input.groupKeys.length === 0 && !plan.input.window;
}

/** A one-column query under SINGLE_VALUE: its only row's value, NULL without rows, an error with more. */
function singleValued(q: Bound, span: Span): Bound {
  const field = q.plan.schema[0]!;
  const type = withNullable(withoutTimeAttribute(field.type), true);
  const plan: LogicalPlan = {
    kind: 'LogicalAggregate',
    input: q.plan,
    groupKeys: [],
    aggs: [{ display: `SINGLE_VALUE(${field.name})`, impl: singleValue(span), argIndex: 0, filterIndex: -1 }],
    schema: [{ name: field.name, type }],
    span,
  };
  return { plan, scope: new Scope([{ name: field.name, type, index: 0 }]) };
}

/** `q` with a TRUE column appended: after a LEFT join, NULL in it means "no row". */
function withMarker(q: Bound): Bound {
  const exprs: BoundExpr[] = [...q.plan.schema.map((f, i): BoundExpr => ({ kind: 'InputRef', index: i, type: f.type, name: f.name })), literal(true, withNullable(T.boolean(), false))];
  const plan: LogicalPlan = { kind: 'LogicalProject', input: q.plan, exprs, schema: [...q.plan.schema, { name: 'EXPR$marker', type: withNullable(T.boolean(), false) }] };
  return { plan, scope: q.scope };
}

/**
 * The value column `n` of a subquery plan would have for an empty group, as an expression: its projection
 * over an aggregation, with each aggregate replaced by its result over no rows (COUNT(*) gives 0);
 * undefined when that is NULL or the plan is not an aggregation.
 */
function emptyGroupValue(plan: LogicalPlan, n: number): BoundExpr | undefined {
  let p = plan;
  // The marker projection of an uncorrelated subquery.
  if (p.kind === 'LogicalProject' && p.input.kind === 'LogicalProject') {
    const top = p.exprs[n];
    if (top?.kind !== 'InputRef') return undefined;
    n = top.index;
    p = p.input;
  }
  if (p.kind !== 'LogicalProject' || p.input.kind !== 'LogicalAggregate' || p.input.window) return undefined;
  const agg = p.input;
  const k = agg.groupKeys.length;
  const expr = replaceInputRefs(p.exprs[n]!, (ref): BoundExpr => {
    if (ref.index < k) return literal(null, ref.type);
    const call = agg.aggs[ref.index - k];
    if (!call) return literal(null, ref.type);
    return literal(call.impl.result(call.impl.create()), ref.type);
  });
  if (expr.kind === 'LiteralValue' && (expr.value === null || expr.value === undefined)) return undefined;
  return expr;
}

/** A scope whose columns take their types from `schema` (a join's output: no time attributes, maybe nullable). */
function retyped(scope: Scope, schema: readonly { type: DataType }[]): Scope {
  return new Scope(scope.columns.map((c) => ({ ...c, type: schema[c.index]!.type })));
}
