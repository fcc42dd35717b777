/**
 * Binds `FROM a [INNER|LEFT|RIGHT|FULL|CROSS] JOIN b [ON cond | USING (cols)]` and comma joins into a
 * {@link LogicalJoin}:
 *
 * - The joined scope holds both sides' columns, each with its table alias; a name found on both sides is
 *   ambiguous unless qualified (the scope reports that). A table name or alias used on both sides is an
 *   error: its columns could never be told apart.
 * - The columns of a side that may be null-padded become nullable; no column stays a time attribute (see
 *   LogicalJoin), except in an interval join (all do) and a window join (its windows' window_time do).
 * - `USING (k)` means `a.k = b.k` for each column, and the result shows `k` once, first (standard SQL):
 *   the left value for INNER and LEFT joins, the right one for RIGHT joins, `COALESCE(a.k, b.k)` for FULL
 *   joins. `a.k` and `b.k` still name the sides' own columns, and `a.*` still includes `a.k`.
 */
import type * as ast from '../../parser/ast.js';
import { commonType, typeToString, withNullable } from '../../common/types.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { conjunction } from '../expr-utils.js';
import { intervalBounds } from '../interval-bounds.js';
import { logicalWindows, matchWindowJoin, windowJoinTimeColumns } from '../logical-windows.js';
import { joinFields, uniqueNames, type JoinType, type LogicalJoin, type LogicalPlan } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { Scope, sameName, type ScopeColumn } from './scope.js';
import { temporalJoinSpec, withoutAsOf } from './bind-temporal-join.js';
import { bindKsqlJoin, isKsqlJoin } from './bind-ksql-join.js';

/** A bound FROM item: its plan and scope. */
interface Bound {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

const JOIN_TYPES: Record<ast.JoinRef['joinType'], JoinType> = { INNER: 'inner', CROSS: 'inner', LEFT: 'left', RIGHT: 'right', FULL: 'full' };

/** Fails when a table name or alias qualifies columns on both sides of a join. */
function checkDistinctQualifiers(left: Scope, right: Scope, span: Span): void {
  const names = new Set(left.columns.flatMap((c) => (c.qualifier === undefined ? [] : [c.qualifier.toLowerCase()])));
  const twice = right.columns.find((c) => c.qualifier !== undefined && names.has(c.qualifier.toLowerCase()))?.qualifier;
  if (twice === undefined) return;
  throw new EddyError({
    code: ErrorCode.DUPLICATE_NAME,
    message: `Table name or alias '${twice}' is used on both sides of the join`,
    span,
    hint: `give one side another alias, e.g. ${twice} AS ${twice}2`,
  });
}

/** Binds a join whose sides are bound by `bindSide`. */
export function bindJoin(ctx: BinderContext, join: ast.JoinRef, bindSide: (r: ast.TableRef) => Bound): Bound {
  // `JOIN t FOR SYSTEM_TIME AS OF l.time`: a temporal or lookup join (bind-temporal-join.ts).
  const asOf = join.right.kind === 'TableName' ? join.right.forSystemTimeAsOf : undefined;
  const left = bindSide(join.left);
  const right = bindSide(asOf ? withoutAsOf(join.right as ast.TableName) : join.right);
  checkDistinctQualifiers(left.scope, right.scope, join.right.span);
  // ksqlDB's joins (streams and tables, WITHIN): bind-ksql-join.ts.
  if (!asOf && isKsqlJoin(join, left.plan, right.plan)) return bindKsqlJoin(ctx, join, left, right, (schema) => new Scope(sideColumns(left, right, schema).flat()));
  const joinType = JOIN_TYPES[join.joinType];
  const temporal = asOf ? temporalJoinSpec(ctx, join, asOf, left, right) : undefined;
  const plainSchema = joinFields(joinType, left.plan.schema, right.plan.schema, temporal ? 'left' : false);
  const width = left.plan.schema.length;
  const [leftColumns, rightColumns] = sideColumns(left, right, plainSchema);
  const pairScope = new Scope([...leftColumns, ...rightColumns]);
  const binder = new ExprBinder(ctx, pairScope, { clause: 'ON' });
  const plan = (condition: BoundExpr): LogicalJoin => {
    // An interval join keeps its inputs' time attributes (its output is ordered by the watermark).
    if (temporal) return { kind: 'LogicalJoin', joinType, left: left.plan, right: right.plan, condition, schema: plainSchema, temporal, span: join.span };
    const interval = intervalBounds(condition, [...left.plan.schema, ...right.plan.schema], width) !== undefined;
    // A window join keeps its windows' window_time (its rows come out when their window closes).
    const window = !interval && matchWindowJoin(condition, logicalWindows(left.plan), logicalWindows(right.plan), width) !== undefined;
    const times = interval || (window && windowJoinTimeColumns(left.plan, right.plan));
    const schema = times ? joinFields(joinType, left.plan.schema, right.plan.schema, times) : plainSchema;
    return { kind: 'LogicalJoin', joinType, left: left.plan, right: right.plan, condition, schema, ...(interval ? { interval } : {}), ...(window ? { window } : {}), span: join.span };
  };

  if (join.using) return bindUsing(join.using, joinType, new Scope(leftColumns), new Scope(rightColumns), binder, plan);
  // A cross join's condition is TRUE (the conjunction of nothing).
  const condition = join.on ? binder.expectBoolean(binder.bind(join.on), join.on.span, 'ON') : conjunction([]);
  const bound = plan(condition);
  if (!bound.interval && !bound.window) return { plan: bound, scope: pairScope };
  // The columns of an interval join's output keep their time attributes; a window join's, its window_time
  // (a temporal join's pairScope has the left's already).
  return { plan: bound, scope: new Scope(pairScope.columns.map((c) => ({ ...c, type: bound.schema[c.index]!.type }))) };
}

/** Each side's columns as positions and types of the joined row whose fields are `schema`. */
function sideColumns(left: Bound, right: Bound, schema: readonly { readonly type: ScopeColumn['type'] }[]): [ScopeColumn[], ScopeColumn[]] {
  const width = left.plan.schema.length;
  return [
    left.scope.columns.map((c) => ({ ...c, type: schema[c.index]!.type })),
    right.scope.columns.map((c) => ({ ...c, index: width + c.index, type: schema[width + c.index]!.type })),
  ];
}

/** The column `id` of one side of a USING join (unqualified, as USING names it). */
function usingColumn(scope: Scope, id: ast.Identifier, side: string): ScopeColumn {
  if (!scope.unqualified.some((c) => sameName(c.name, id.name))) {
    throw new EddyError({
      code: ErrorCode.UNKNOWN_COLUMN,
      message: `USING column '${id.name}' is not a column of the ${side} side of the join`,
      span: id.span,
      hint: `columns of the ${side} side: ${scope.unqualified.map((c) => c.name).join(', ')}`,
    });
  }
  return scope.resolve([id.name], id.span);
}

/**
 * `USING (k, ...)`: the join on `a.k = b.k AND ...`, under a projection of the merged columns followed by
 * every column of the join. `left` and `right` hold each side's columns as positions of the joined row.
 */
function bindUsing(using: readonly ast.Identifier[], joinType: JoinType, left: Scope, right: Scope, binder: ExprBinder, plan: (condition: BoundExpr) => LogicalJoin): Bound {
  const equalities: BoundExpr[] = [];
  const merged: { name: string; expr: BoundExpr }[] = [];
  const sideColumns = new Set<ScopeColumn>();
  using.forEach((id, i) => {
    if (using.findIndex((u) => sameName(u.name, id.name)) !== i) {
      throw new EddyError({ code: ErrorCode.DUPLICATE_NAME, message: `Column '${id.name}' appears twice in USING`, span: id.span });
    }
    const l = usingColumn(left, id, 'left');
    const r = usingColumn(right, id, 'right');
    sideColumns.add(l).add(r);
    const lRef: BoundExpr = { kind: 'InputRef', index: l.index, type: l.type, name: l.name };
    const rRef: BoundExpr = { kind: 'InputRef', index: r.index, type: r.type, name: r.name };
    const common = commonType(l.type, r.type);
    if (!common) {
      throw new EddyError({
        code: ErrorCode.TYPE_MISMATCH,
        message: `USING column '${id.name}' has incompatible types on the two sides: ${typeToString(l.type)} and ${typeToString(r.type)}`,
        span: id.span,
      });
    }
    equalities.push(binder.call('=', [lRef, rRef], id.span));
    const kept = joinType === 'right' ? rRef : lRef;
    const value = joinType === 'full' ? binder.call('COALESCE', [lRef, rRef], id.span) : binder.coerce(kept, withNullable(common, kept.type.nullable), id.span);
    merged.push({ name: l.name, expr: value });
  });
  const join = plan(conjunction(equalities));
  const m = merged.length;
  const columns: ScopeColumn[] = [
    ...merged.map((u, i) => ({ name: u.name, type: u.expr.type, index: i })),
    ...[...left.columns, ...right.columns].map((c) => ({ ...c, index: m + c.index, qualifiedOnly: c.qualifiedOnly || sideColumns.has(c) })),
  ];
  const exprs: BoundExpr[] = [...merged.map((u) => u.expr), ...join.schema.map((f, i): BoundExpr => ({ kind: 'InputRef', index: i, type: f.type, name: f.name }))];
  const names = uniqueNames([...merged.map((u) => u.name), ...join.schema.map((f) => f.name)]);
  return {
    plan: { kind: 'LogicalProject', input: join, exprs, schema: exprs.map((e, i) => ({ name: names[i]!, type: e.type })) },
    scope: new Scope(columns),
  };
}
