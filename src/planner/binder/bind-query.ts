/**
 * Binds queries: WITH, SELECT (projection, WHERE, aggregation, DISTINCT), FROM items (tables, views, CTEs,
 * subqueries, window TVFs, joins), UNION [ALL], VALUES, LIMIT. Produces a logical plan and the scope of its output.
 */
import type * as ast from '../../parser/ast.js';
import { T, commonType, typeToString, type DataType, type Field } from '../../common/types.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { compileExpr } from '../../expr/compile.js';
import { withSpan, type LogicalPlan } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { bindAggregateSelect, distinctPlan, needsAggregation } from './bind-aggregate.js';
import { bindJoin } from './bind-join.js';
import { bindRank, isRankItem, withoutTimeAttributes } from './bind-rank.js';
import { bindOverAggregates, overAggregateCalls, withNamedWindow } from './bind-over.js';
import { applyOptionsHint } from './bind-options-hint.js';
import { qualified, scanTable } from './bind-table.js';
import { bindWindowTvfArgs, isWindowTvf, windowTvfPlan } from './bind-window.js';
import { Scope, type ScopeColumn } from './scope.js';
import { moveIntervalBoundsIntoJoins } from './bind-where-interval.js';
import { SubqueryBinder } from './bind-subquery.js';
import { emitFinalUnsupported, ksqlWindowWithoutGroupBy } from './bind-ksql-window.js';

/** A bound query: its plan and the scope describing its output columns. */
export interface BoundQuery {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

function unsupported(message: string, span: Span, hint?: string): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
}

/** The scope of a plan's output, every column qualified by `qualifier`. */
function scopeOf(plan: LogicalPlan, qualifier?: string): Scope {
  return new Scope(plan.schema.map((f, index) => ({ name: f.name, type: f.type, index, qualifier, ...(f.hidden ? { hidden: true } : {}) })));
}

/** Renames the output columns of a bound query (`AS t(a, b)`, CTE and view column lists). */
function renameColumns(q: BoundQuery, names: readonly ast.Identifier[] | readonly string[] | undefined, span: Span): BoundQuery {
  if (!names || names.length === 0) return q;
  if (names.length !== q.plan.schema.length) {
    throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `${names.length} column names given for ${q.plan.schema.length} columns`, span });
  }
  const text = names.map((n) => (typeof n === 'string' ? n : n.name));
  const exprs: BoundExpr[] = q.plan.schema.map((f, i) => ({ kind: 'InputRef', index: i, type: f.type, name: f.name }));
  const schema: Field[] = q.plan.schema.map((f, i) => ({ name: text[i]!, type: f.type }));
  const plan: LogicalPlan = { kind: 'LogicalProject', input: q.plan, exprs, schema };
  return { plan, scope: new Scope(q.scope.columns.map((c, i) => ({ ...c, name: text[i]! }))) };
}

/** An OPTIONS hint on a view or a WITH query: refused (as in Flink, dynamic options are for tables). */
function hintOnQuery(name: string, what: string, hint: ast.OptionsHint): never {
  throw new EddyError({
    code: ErrorCode.INVALID_STATEMENT,
    message: `OPTIONS hints apply to tables, and '${name}' is ${what}`,
    span: hint.span,
    hint: 'put the hint on the table inside its query',
  });
}

/** Binds queries with a given set of visible CTEs. */
export class QueryBinder {
  constructor(
    private readonly ctx: BinderContext,
    private readonly ctes: ReadonlyMap<string, BoundQuery> = new Map(),
  ) {}

  /**
   * Binds a query. `columnTypes` are the types its output columns are expected to have (an INSERT's target
   * columns): a parameter with no declared type that is a whole column takes that column's type.
   */
  bindQuery(q: ast.Query, columnTypes?: readonly DataType[]): BoundQuery {
    let binder: QueryBinder = this;
    if (q.with.length > 0) {
      const ctes = new Map(this.ctes);
      for (const cte of q.with) {
        const bound = new QueryBinder(this.ctx, ctes).bindQuery(cte.query);
        ctes.set(cte.name.name, renameColumns(bound, cte.columnNames, cte.span));
      }
      binder = new QueryBinder(this.ctx, ctes);
    }
    if (q.emit === 'FINAL' && !(q.body.kind === 'Select' && q.body.ksqlWindow)) emitFinalUnsupported(q.span);
    let result = binder.bindBody(q.body, columnTypes, q.emit);
    if (q.orderBy.length > 0) {
      const keys = q.orderBy.map((item) => ({ index: binder.orderKey(item, result), descending: item.descending, nullsFirst: item.nullsFirst ?? !item.descending }));
      const span = q.orderBy[0]!.span;
      result = { plan: { kind: 'LogicalSort', input: result.plan, keys, schema: result.plan.schema, span }, scope: result.scope };
    }
    if (q.secondLimit) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: 'A query has one LIMIT: this one follows another', span: q.secondLimit.span, hint: 'keep either the LIMIT before EMIT CHANGES or the one after it' });
    }
    if (q.limit || q.offset) {
      const limit = q.limit ? binder.constantInt(q.limit, 'LIMIT') : Number.MAX_SAFE_INTEGER;
      const offset = q.offset ? binder.constantInt(q.offset, 'OFFSET') : 0;
      result = { plan: { kind: 'LogicalLimit', input: result.plan, limit, offset, schema: result.plan.schema, span: (q.limit ?? q.offset)!.span }, scope: result.scope };
    }
    return result;
  }

  /** The output column an ORDER BY item names: a column, an alias, or a 1-based position. */
  private orderKey(item: ast.OrderItem, q: BoundQuery): number {
    const e = item.expr;
    if (e.kind === 'Literal' && e.type === 'number' && e.isInteger) {
      const pos = Number(e.text);
      if (pos < 1 || pos > q.plan.schema.length) {
        throw new EddyError({ code: ErrorCode.UNKNOWN_COLUMN, message: `ORDER BY position ${pos} is out of range (1..${q.plan.schema.length})`, span: e.span });
      }
      return pos - 1;
    }
    const bound = new ExprBinder(this.ctx, q.scope, { clause: 'ORDER BY' }).bind(e);
    if (bound.kind !== 'InputRef') {
      unsupported('ORDER BY takes output columns (names, aliases or positions)', e.span, 'select the expression with an alias and order by the alias');
    }
    return bound.index;
  }

  private constantInt(e: ast.Expr, what: string): number {
    // A parameter here (`LIMIT $1`) is a number.
    const bound = new ExprBinder(this.ctx, new Scope([]), { clause: what }).bind(e, T.int());
    const v = bound.kind === 'LiteralValue' || bound.kind === 'Call' ? compileExpr(bound)([]) : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `${what} takes a non-negative integer constant`, span: e.span });
    }
    return v;
  }

  bindBody(body: ast.QueryBody, columnTypes?: readonly DataType[], emit?: ast.Query['emit']): BoundQuery {
    switch (body.kind) {
      case 'Query':
        return this.bindQuery(body, columnTypes);
      case 'Select':
        return this.bindSelect(body, columnTypes, emit);
      case 'Values':
        return this.bindValues(body, columnTypes);
      case 'SetOperation':
        return this.bindSetOperation(body, columnTypes);
    }
  }

  private bindSetOperation(op: ast.SetOperation, columnTypes?: readonly DataType[]): BoundQuery {
    if (op.op !== 'UNION') unsupported(`${op.op} is not supported yet`, op.span, 'UNION ALL and UNION are');
    const left = this.bindBody(op.left, columnTypes);
    const right = this.bindBody(op.right, columnTypes);
    const ls = left.plan.schema;
    const rs = right.plan.schema;
    if (ls.length !== rs.length) {
      throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `UNION inputs have different column counts: ${ls.length} and ${rs.length}`, span: op.span });
    }
    const types = ls.map((f, i) => {
      const t = commonType(f.type, rs[i]!.type);
      if (!t) {
        throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `UNION column ${i + 1} ('${f.name}') has incompatible types ${typeToString(f.type)} and ${typeToString(rs[i]!.type)}`, span: op.span });
      }
      // Both sides keep a time attribute only when both have it (the union is then still ordered by it).
      return f.type.timeAttribute && f.type.timeAttribute === rs[i]!.type.timeAttribute ? { ...t, timeAttribute: f.type.timeAttribute } : t;
    });
    const align = (q: BoundQuery): LogicalPlan => {
      const binder = new ExprBinder(this.ctx, q.scope, { clause: 'UNION' });
      const needs = q.plan.schema.some((f, i) => typeToString(f.type) !== typeToString(types[i]!));
      if (!needs) return q.plan;
      const exprs = q.plan.schema.map((f, i): BoundExpr => binder.coerce({ kind: 'InputRef', index: i, type: f.type, name: f.name }, types[i]!, op.span));
      return { kind: 'LogicalProject', input: q.plan, exprs, schema: q.plan.schema.map((f, i) => ({ name: ls[i]!.name, type: exprs[i]!.type })) };
    };
    const schema: Field[] = ls.map((f, i) => ({ name: f.name, type: types[i]! }));
    let plan: LogicalPlan = { kind: 'LogicalUnion', inputs: [align(left), align(right)], schema };
    if (!op.all) plan = distinctPlan(plan);
    return { plan, scope: scopeOf(plan) };
  }

  private bindValues(values: ast.Values, columnTypes?: readonly DataType[]): BoundQuery {
    const binder = new ExprBinder(this.ctx, new Scope([]), { clause: 'VALUES' });
    const rows = values.rows.map((r) => r.map((e, c) => binder.bind(e, columnTypes?.[c])));
    const width = rows[0]?.length ?? 0;
    if (rows.some((r) => r.length !== width)) {
      throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: 'All VALUES rows must have the same number of columns', span: values.span });
    }
    const types: DataType[] = [];
    for (let c = 0; c < width; c++) {
      let t: DataType | undefined = rows[0]![c]!.type;
      for (const r of rows) t = t && commonType(t, r[c]!.type);
      if (!t) throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `VALUES column ${c + 1} mixes incompatible types`, span: values.span });
      types.push(t);
    }
    const coerced = rows.map((r, ri) => r.map((e, c) => binder.coerce(e, types[c]!, values.rows[ri]![c]!.span)));
    const schema: Field[] = types.map((type, i) => ({ name: `EXPR$${i}`, type }));
    const plan: LogicalPlan = { kind: 'LogicalValues', rows: coerced, schema };
    return { plan, scope: scopeOf(plan) };
  }

  /**
   * A select's FROM and its WHERE condition. Subqueries in the WHERE are planned as joins of the FROM
   * (bind-subquery.ts): the FROM returned includes them, and the condition is what remains.
   */
  private bindFromWhere(select: ast.Select): { from: BoundQuery; where?: BoundExpr } {
    const from: BoundQuery = select.from
      ? this.bindFrom(select.from)
      : { plan: { kind: 'LogicalValues', rows: [[]], schema: [] }, scope: new Scope([]) };
    if (!select.where) return { from };
    const planned = this.subqueries().planWhere(select.where, from);
    if (!planned.condition) return { from: planned.from };
    // Interval bounds in WHERE make an inner join an interval join, as in ON (not under a subquery's semi join).
    return moveIntervalBoundsIntoJoins(planned.from, planned.condition);
  }

  /** A select's FROM with its WHERE applied (see {@link bindFromWhere}): the rows a subquery's select list reads. */
  bindFiltered(select: ast.Select): BoundQuery {
    const { from, where } = this.bindFromWhere(select);
    return where ? { plan: { kind: 'LogicalFilter', input: from.plan, condition: where, schema: from.plan.schema }, scope: from.scope } : from;
  }

  /** The binder of this query level's subqueries in expressions. */
  private subqueries(): SubqueryBinder {
    return new SubqueryBinder(this.ctx, this);
  }

  /** Binds a SELECT; `emit` is its query's ksqlDB EMIT CHANGES / EMIT FINAL, if any. */
  bindSelect(select: ast.Select, columnTypes?: readonly DataType[], emit?: ast.Query['emit']): BoundQuery {
    if (select.ksqlWindow && select.groupBy.length === 0) ksqlWindowWithoutGroupBy(select.ksqlWindow);
    const fromWhere = this.bindFromWhere(select);
    let from = fromWhere.from;
    const where = fromWhere.where;
    const outputName = (item: ast.SelectExpr, i: number): string =>
      item.alias?.name ?? (item.expr.kind === 'ColumnRef' ? item.expr.name.parts[item.expr.name.parts.length - 1]!.name : `EXPR$${i}`);

    let result: BoundQuery;
    const overs = overAggregateCalls(this.ctx, select);
    if (overs.length === 0 && needsAggregation(this.ctx, select)) {
      result = bindAggregateSelect(this.ctx, select, from, where, outputName, emit);
    } else {
      let input = from.plan;
      if (where) input = { kind: 'LogicalFilter', input, condition: where, schema: input.schema };
      // Scalar subqueries of the select list: joined to the filtered rows (their values are hidden columns after them).
      const scalars = this.subqueries().attachScalars(select.items.flatMap((item) => (item.kind === 'SelectExpr' ? [item.expr] : [])), { plan: input, scope: from.scope });
      input = scalars.from.plan;
      from = { plan: from.plan, scope: scalars.from.scope };
      // A rank (ROW_NUMBER() OVER ..) appends its column to the row the select list reads.
      const ranks = select.items.filter(isRankItem);
      if (ranks.length > 1) unsupported('Only one rank function (ROW_NUMBER, RANK, DENSE_RANK) OVER per select list is supported', ranks[1]!.expr.span);
      const rank = ranks[0] ? bindRank(this.ctx, withNamedWindow(ranks[0].expr, select), input, from.scope) : undefined;
      if (rank) {
        if (overs.length > 0) unsupported('A rank function and OVER aggregates cannot be combined in one select list', overs[0]!.over!.span, 'compute the rank in a subquery, or the OVER aggregates in another query');
        input = rank;
        from = { plan: from.plan, scope: withoutTimeAttributes(from.scope, rank) };
      }
      // OVER aggregates append their results to the row the select list reads.
      const over = overs.length > 0 ? bindOverAggregates(this.ctx, select, overs, input, from.scope) : undefined;
      if (over) input = over.plan;
      const intercept = (e: ast.Expr): BoundExpr | undefined => over?.intercept(e) ?? scalars.intercept?.(e);
      const binder = new ExprBinder(this.ctx, from.scope, { clause: 'the select list', intercept });
      const exprs: BoundExpr[] = [];
      const columns: ScopeColumn[] = [];
      select.items.forEach((item, i) => {
        if (item.kind === 'SelectStar') {
          const q = item.qualifier ? item.qualifier.parts.map((p) => p.name).join('.') : undefined;
          const cols = from.scope.starColumns(q);
          if (q !== undefined && from.scope.columns.every((c) => c.qualifier === undefined || c.qualifier.toLowerCase() !== q.toLowerCase())) throw new EddyError({ code: ErrorCode.UNKNOWN_TABLE, message: `Table or alias '${q}' is not in scope here`, span: item.span });
          for (const c of cols) {
            exprs.push({ kind: 'InputRef', index: c.index, type: c.type, name: c.name });
            columns.push({ name: c.name, type: c.type, index: columns.length, qualifier: c.qualifier });
          }
          return;
        }
        const bound: BoundExpr = rank && isRankItem(item) ? { kind: 'InputRef', index: rank.input.schema.length, type: rank.schema[rank.input.schema.length]!.type, name: outputName(item, i) } : binder.bind(item.expr, columnTypes?.[columns.length]);
        exprs.push(bound);
        // A column selected as it is keeps its qualifier, so ORDER BY may name it as the select list does (`ORDER BY c.user`).
        const qualifier = !item.alias && item.expr.kind === 'ColumnRef' && bound.kind === 'InputRef' ? from.scope.columns.find((c) => c.index === bound.index)?.qualifier : undefined;
        columns.push({ name: outputName(item, i), type: bound.type, index: columns.length, qualifier });
      });
      const plan: LogicalPlan = { kind: 'LogicalProject', input, exprs, schema: columns.map((c) => ({ name: c.name, type: c.type })) };
      result = { plan, scope: new Scope(columns) };
    }
    if (select.distinct) {
      const plan = distinctPlan(result.plan);
      result = { plan, scope: scopeOf(plan) };
    }
    return result;
  }

  bindFrom(ref: ast.TableRef): BoundQuery {
    switch (ref.kind) {
      case 'TableName':
        return this.bindTableName(ref);
      case 'SubqueryRef': {
        if (ref.lateral) unsupported('LATERAL subqueries are not supported yet', ref.span, 'join the subquery with ON instead (a regular join)');
        const q = renameColumns(this.bindQuery(ref.query), ref.columnAliases, ref.span);
        return { plan: q.plan, scope: q.scope.requalify(ref.alias?.name) };
      }
      case 'TableFunctionRef': {
        const name = ref.name.parts.map((p) => p.name).join('.');
        if (!isWindowTvf(name)) unsupported(`Table function '${name}' is not supported`, ref.name.span, 'the window TVFs TUMBLE, HOP, CUMULATE and SESSION are');
        const dataArg = ref.args.find((a, i) => (a.name ? a.name.name.toUpperCase() === 'DATA' : i === 0));
        if (!dataArg || dataArg.value.kind !== 'TableArg') {
          throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message: `${name.toUpperCase()}'s first argument must be TABLE <name>`, span: dataArg?.span ?? ref.span });
        }
        const tableArg = dataArg.value;
        const data = this.bindTableName({ kind: 'TableName', name: tableArg.table, span: tableArg.table.span });
        const bound = bindWindowTvfArgs(this.ctx, ref, data);
        const result = windowTvfPlan(data.plan, data.scope, bound, ref.alias?.name, ref.span);
        if (ref.columnAliases?.length) unsupported('Column aliases on a window TVF are not supported', ref.span);
        return result;
      }
      case 'JoinRef':
        return bindJoin(this.ctx, ref, (side) => this.bindFrom(side));
    }
  }

  private bindTableName(ref: ast.TableName): BoundQuery {
    if (ref.forSystemTimeAsOf) {
      unsupported(
        'FOR SYSTEM_TIME AS OF is allowed only on the table on the right side of a JOIN (a temporal or lookup join)',
        ref.forSystemTimeAsOf.span,
        'e.g. FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency',
      );
    }
    const name = qualified(ref.name);
    const alias = ref.alias?.name ?? ref.name.parts[ref.name.parts.length - 1]!.name;
    const cte = ref.name.parts.length === 1 ? this.ctes.get(name) : undefined;
    let q: BoundQuery;
    if (cte) {
      if (ref.hint) hintOnQuery(name, 'a WITH query', ref.hint);
      q = cte;
    } else {
      const entry = this.ctx.catalog.get(name, ref.name.span);
      if (entry.kind === 'table') {
        const scan = scanTable(applyOptionsHint(entry, ref.hint, this.ctx), this.ctx);
        q = { plan: scan, scope: scopeOf(scan) };
      } else {
        if (ref.hint) hintOnQuery(name, 'a view', ref.hint);
        const view = new QueryBinder(this.ctx).bindQuery(entry.query);
        q = renameColumns({ plan: withSpan(view.plan, ref.span), scope: view.scope }, entry.columnNames, ref.span);
      }
    }
    q = renameColumns(q, ref.columnAliases, ref.span);
    return { plan: q.plan, scope: q.scope.requalify(alias) };
  }
}

