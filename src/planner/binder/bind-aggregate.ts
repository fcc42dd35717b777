/**
 * Binds an aggregating SELECT (GROUP BY, aggregate calls, HAVING), windowed or not.
 *
 * - Detects the window: GROUP BY window_start, window_end over a window TVF, or a legacy group window
 *   (`GROUP BY TUMBLE(ts, ...)`); the window replaces the TVF (a windowed aggregate reads the TVF's input).
 * - Builds a pre-projection [group keys..., aggregate arguments..., FILTER conditions..., rowtime] so the
 *   aggregate itself only reads columns.
 * - Binds the select list and HAVING over the aggregate's output: group-key expressions, aggregate calls
 *   and window properties map to output columns; any other column reference is an error.
 */
import type * as ast from '../../parser/ast.js';
import { typeToString, withoutTimeAttribute, type DataType, type Field } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { isResolutionError } from '../../functions/function-types.js';
import type { AggregateWindow, LogicalAggCall, LogicalPlan } from '../logical-plan.js';
import { exprKey, inputRefs } from '../expr-utils.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder, OVER_HINT, OVER_UNSUPPORTED, functionName } from './bind-expr.js';
import { Scope, type ScopeColumn } from './scope.js';
import { ksqlAggregation, ksqlOutputColumns, ksqlWindowAggregate, ksqlWindowColumn, ROWTIME } from './bind-ksql-window.js';
import { bindLegacyGroupWindow, legacyWindowProperty, windowFields, type LegacyGroupWindow } from './bind-window.js';

/** The result of binding an aggregating SELECT: the plan of its output (before DISTINCT/ORDER BY/LIMIT). */
export interface BoundSelect {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

/** Aggregate calls in an expression (not descending into them: nested aggregates are rejected later). */
function collectAggregates(ctx: BinderContext, e: ast.Expr | undefined, out: ast.FunctionCall[]): void {
  if (!e) return;
  if (e.kind === 'FunctionCall' && ctx.functions.isAggregate(functionName(e))) {
    out.push(e);
    return;
  }
  forEachChild(e, (c) => collectAggregates(ctx, c, out));
}

/** Calls `fn` for the direct sub-expressions of an AST expression. */
export function forEachChild(e: ast.Expr, fn: (c: ast.Expr) => void): void {
  switch (e.kind) {
    case 'BinaryExpr':
      fn(e.left);
      fn(e.right);
      break;
    case 'UnaryExpr':
    case 'IsExpr':
    case 'ExtractExpr':
    case 'TimeFloorExpr':
      fn(e.operand);
      break;
    case 'BetweenExpr':
      fn(e.operand);
      fn(e.low);
      fn(e.high);
      break;
    case 'InListExpr':
      fn(e.operand);
      e.list.forEach(fn);
      break;
    case 'LikeExpr':
      fn(e.operand);
      fn(e.pattern);
      if (e.escape) fn(e.escape);
      break;
    case 'CaseExpr':
      if (e.operand) fn(e.operand);
      e.whens.forEach((w) => {
        fn(w.when);
        fn(w.then);
      });
      if (e.else) fn(e.else);
      break;
    case 'CastExpr':
      fn(e.operand);
      break;
    case 'FunctionCall':
      e.args.forEach(fn);
      if (e.filter) fn(e.filter);
      break;
    case 'TrimExpr':
      if (e.chars) fn(e.chars);
      fn(e.operand);
      break;
    default:
      break;
  }
}

/** A structural key of an AST expression (spans ignored, names case-insensitive). */
function astKey(e: ast.Expr): string {
  return JSON.stringify(e, (k, v) => (k === 'span' || k === 'typeSpan' ? undefined : k === 'name' && typeof v === 'string' ? v.toLowerCase() : v));
}

/** Whether a window property call (`TUMBLE_START(ts, i)`) names the same window as the GROUP BY call. */
function sameLegacyWindow(ctx: BinderContext, property: ast.FunctionCall, legacy: LegacyGroupWindow, scope: Scope): boolean {
  const asWindow: ast.FunctionCall = { ...property, name: legacy.call.name };
  let w: LegacyGroupWindow | undefined;
  try {
    w = bindLegacyGroupWindow(ctx, asWindow, scope);
  } catch {
    return false;
  }
  return w !== undefined && w.timeIndex === legacy.timeIndex && JSON.stringify(w.spec) === JSON.stringify(legacy.spec);
}

/** True when the select (or HAVING) needs aggregation. */
export function needsAggregation(ctx: BinderContext, select: ast.Select): boolean {
  if (select.groupBy.length > 0 || select.having) return true;
  const found: ast.FunctionCall[] = [];
  for (const item of select.items) if (item.kind === 'SelectExpr') collectAggregates(ctx, item.expr, found);
  return found.length > 0;
}

/** Binds an aggregating SELECT whose FROM (and WHERE) are already bound. */
export function bindAggregateSelect(
  ctx: BinderContext,
  select: ast.Select,
  from: { plan: LogicalPlan; scope: Scope },
  where: BoundExpr | undefined,
  outputName: (item: ast.SelectExpr, i: number) => string,
  emit?: 'CHANGES' | 'FINAL',
): BoundSelect {
  const scope = from.scope;
  const inputBinder = new ExprBinder(ctx, scope, { clause: 'GROUP BY' });

  // 1. The window, and the remaining group keys.
  let window: AggregateWindow | undefined;
  let legacy: LegacyGroupWindow | undefined;
  let base: LogicalPlan = from.plan;
  const keyExprs: { expr: BoundExpr; name: string }[] = [];
  const tvf = scope.windowTvf;
  let tvfWindowed = false;
  for (const g of select.groupBy) {
    const lw = bindLegacyGroupWindow(ctx, g, scope, from.plan);
    if (lw) {
      if (legacy) throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message: 'Only one group window is allowed in GROUP BY', span: g.span });
      legacy = lw;
      continue;
    }
    const bound = inputBinder.bind(g);
    if (tvf && bound.kind === 'InputRef' && (bound.index === tvf.startIndex || bound.index === tvf.endIndex || bound.index === tvf.timeColumnIndex)) {
      tvfWindowed = true;
      continue;
    }
    keyExprs.push({ expr: bound, name: bound.kind === 'InputRef' ? bound.name : `$k${keyExprs.length}` });
  }
  if (tvf && tvfWindowed) {
    const keys = select.groupBy.map((g) => inputBinder.bind(g)).filter((b) => b.kind === 'InputRef').map((b) => (b as { index: number }).index);
    if (!keys.includes(tvf.startIndex) || !keys.includes(tvf.endIndex)) {
      throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message: 'A window aggregation must GROUP BY both window_start and window_end', span: select.groupBy[0]!.span });
    }
    if (tvf.spec.kind === 'session') {
      const keyIdx = keyExprs.map((k) => (k.expr.kind === 'InputRef' ? k.expr.index : -1)).sort();
      const part = [...tvf.partitionKeys].sort();
      if (keyIdx.length !== part.length || keyIdx.some((k, i) => k !== part[i])) {
        throw new EddyError({
          code: ErrorCode.INVALID_WINDOW,
          message: 'The GROUP BY keys of a SESSION window aggregation must be exactly its PARTITION BY columns',
          span: select.groupBy[0]!.span,
          hint: 'SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), gap) ... GROUP BY window_start, window_end, k',
        });
      }
    }
    window = { spec: tvf.spec, timeIndex: tvf.timeIndex };
    base = tvf.input;
    if (where) {
      const width = tvf.input.schema.length;
      if ([...inputRefs(where)].some((i) => i >= width)) {
        throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: 'WHERE conditions on window columns before a window aggregation are not supported', span: select.where!.span, hint: 'filter the aggregated rows with HAVING instead' });
      }
      base = { kind: 'LogicalFilter', input: base, condition: where, schema: base.schema };
    }
  } else {
    if (legacy) window = { spec: legacy.spec, timeIndex: legacy.timeIndex };
    if (where) base = { kind: 'LogicalFilter', input: base, condition: where, schema: base.schema };
  }

  // ksqlDB's aggregation (bind-ksql-window.ts): its WINDOW clause, or per-record emission.
  const ksql = ksqlAggregation(select, base, emit, window !== undefined);

  // 2. Aggregate calls of the select list and HAVING, deduplicated.
  const found: ast.FunctionCall[] = [];
  for (const item of select.items) if (item.kind === 'SelectExpr') collectAggregates(ctx, item.expr, found);
  collectAggregates(ctx, select.having, found);
  const aggKeys: string[] = [];
  const aggCalls: ast.FunctionCall[] = [];
  for (const f of found) {
    const k = astKey(f);
    if (!aggKeys.includes(k)) {
      aggKeys.push(k);
      aggCalls.push(f);
    }
  }

  // 3. The pre-projection.
  const pre: BoundExpr[] = keyExprs.map((k) => k.expr);
  const aggs: LogicalAggCall[] = [];
  const aggFields: Field[] = [];
  for (const call of aggCalls) {
    if (call.over) throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: OVER_UNSUPPORTED, span: call.over.span, hint: OVER_HINT });
    const { agg, type } = bindAggCall(ctx, call, scope, pre);
    aggs.push(agg);
    aggFields.push({ name: `$a${aggFields.length}`, type });
  }
  let timeIndex = -1;
  if (window) {
    const t = base.schema[window.timeIndex]!;
    timeIndex = pre.push({ kind: 'InputRef', index: window.timeIndex, type: t.type, name: t.name }) - 1;
  }
  let ksqlTime = -1;
  if (ksql && ksql.timeIndex >= 0) {
    const t = base.schema[ksql.timeIndex]!;
    ksqlTime = pre.push({ kind: 'InputRef', index: ksql.timeIndex, type: t.type, name: t.name }) - 1;
    // A non-windowed ksqlDB aggregate's row is as recent as its latest record: a hidden MAX(ROWTIME).
    if (!ksql.window) {
      const max = ctx.functions.aggregate('MAX')!.resolve([t.type], false);
      if (isResolutionError(max)) throw new EddyError({ code: ErrorCode.WRONG_ARGUMENTS, message: max.error, span: select.span });
      aggs.push({ display: `MAX($${ksqlTime})`, impl: max.impl, argIndex: ksqlTime, filterIndex: -1 });
      aggFields.push({ name: ROWTIME, type: max.type, hidden: true });
    }
  }
  const preSchema: Field[] = pre.map((e, i) => ({ name: e.kind === 'InputRef' ? e.name : `$f${i}`, type: e.type }));
  const preProject: LogicalPlan = { kind: 'LogicalProject', input: base, exprs: pre, schema: preSchema };

  const k = keyExprs.length;
  const keyFields: Field[] = keyExprs.map((key) => ({ name: key.name, type: window ? key.expr.type : withoutTimeAttribute(key.expr.type) }));
  const winFields = window ? windowFields(base.schema[window.timeIndex]!.type.name === 'TIMESTAMP_LTZ') : [];
  const aggregate: LogicalPlan = ksql?.window
    ? ksqlWindowAggregate({ ...ksql, window: ksql.window }, preProject, keyExprs.map((_, i) => i), aggs, [...keyFields, ...aggFields], ksqlTime)
    : {
        kind: 'LogicalAggregate',
        input: preProject,
        groupKeys: keyExprs.map((_, i) => i),
        aggs,
        window: window ? { spec: window.spec, timeIndex } : undefined,
        schema: [...keyFields, ...aggFields, ...winFields],
        span: select.groupBy[0]?.span,
        ...(ksql ? { perRecord: true } : {}),
      };

  // 4. The select list and HAVING over the aggregate's output.
  const keyKeys = keyExprs.map((key) => exprKey(key.expr));
  const windowCol = (prop: 'start' | 'end' | 'time'): BoundExpr => {
    const i = k + aggs.length + (prop === 'start' ? 0 : prop === 'end' ? 1 : 2);
    const f = aggregate.schema[i]!;
    return { kind: 'InputRef', index: i, type: f.type, name: f.name };
  };
  const outRef = (i: number): BoundExpr => ({ kind: 'InputRef', index: i, type: aggregate.schema[i]!.type, name: aggregate.schema[i]!.name });
  const intercept = (e: ast.Expr): BoundExpr | undefined => {
    if (e.kind === 'FunctionCall' && ctx.functions.isAggregate(functionName(e))) {
      const idx = aggKeys.indexOf(astKey(e));
      const inner: ast.FunctionCall[] = [];
      e.args.forEach((a) => collectAggregates(ctx, a, inner));
      if (inner.length > 0) throw new EddyError({ code: ErrorCode.INVALID_AGGREGATE, message: 'Aggregate functions cannot be nested', span: inner[0]!.span });
      return outRef(k + idx);
    }
    const ksqlColumn = ksql?.window ? ksqlWindowColumn(e) : undefined;
    if (ksqlColumn) return outRef(k + aggs.length + (ksqlColumn === 'start' ? 0 : 1));
    const prop = legacyWindowProperty(e);
    if (prop) {
      const call = e as ast.FunctionCall;
      const same = legacy && legacy.family === prop.family && sameLegacyWindow(ctx, call, legacy, scope);
      if (!same) {
        throw new EddyError({
          code: ErrorCode.INVALID_WINDOW,
          message: `${functionName(call)}(...) must repeat the arguments of the GROUP BY ${prop.family}(...) window`,
          span: e.span,
          hint: legacy ? `GROUP BY has ${legacy.family}(${call.args.length ? '...' : ''}); use ${legacy.family}_${prop.property === 'time' ? 'ROWTIME' : prop.property.toUpperCase()} with the same arguments` : `add GROUP BY ${prop.family}(...) with the same arguments`,
        });
      }
      return windowCol(prop.property);
    }
    const aggsInside: ast.FunctionCall[] = [];
    collectAggregates(ctx, e, aggsInside);
    if (aggsInside.length > 0) return undefined; // bind the node normally; its children come back here
    if (e.kind === 'Literal' || e.kind === 'IntervalLiteral' || e.kind === 'TypedLiteral') return undefined;
    let bound: BoundExpr;
    try {
      bound = inputBinder.bind(e);
    } catch (err) {
      if (e.kind === 'ColumnRef') throw err;
      return undefined;
    }
    if (tvf && window && bound.kind === 'InputRef') {
      if (bound.index === tvf.startIndex) return windowCol('start');
      if (bound.index === tvf.endIndex) return windowCol('end');
      if (bound.index === tvf.timeColumnIndex) return windowCol('time');
    }
    const idx = keyKeys.indexOf(exprKey(bound));
    if (idx >= 0) return outRef(idx);
    if (e.kind === 'ColumnRef') {
      throw new EddyError({
        code: ErrorCode.NOT_GROUPED,
        message: `Column '${e.name.parts.map((p) => p.name).join('.')}' must appear in GROUP BY or be used in an aggregate function`,
        span: e.span,
        hint: `add it to GROUP BY, or aggregate it, e.g. LAST_VALUE(${e.name.parts.map((p) => p.name).join('.')})`,
      });
    }
    return bound.kind === 'LiteralValue' ? bound : undefined;
  };
  const outBinder = new ExprBinder(ctx, new Scope([]), { clause: 'the select list', intercept });
  let plan: LogicalPlan = aggregate;
  if (select.having) {
    const cond = outBinder.expectBoolean(outBinder.bind(select.having), select.having.span, 'HAVING');
    plan = { kind: 'LogicalFilter', input: plan, condition: cond, schema: plan.schema };
  }
  const exprs: BoundExpr[] = [];
  const columns: ScopeColumn[] = [];
  select.items.forEach((item, i) => {
    if (item.kind === 'SelectStar') {
      throw new EddyError({ code: ErrorCode.NOT_GROUPED, message: "'*' cannot be used in an aggregating query", span: item.span, hint: 'list the grouped columns and aggregates explicitly' });
    }
    const bound = outBinder.bind(item.expr);
    exprs.push(bound);
    columns.push({ name: outputName(item, i), type: bound.type, index: i });
  });
  const fields: Field[] = columns.map((c) => ({ name: c.name, type: c.type }));
  if (ksql) ksqlOutputColumns(aggregate.schema, ksql.window !== undefined, ksqlTime >= 0, exprs, fields);
  plan = { kind: 'LogicalProject', input: plan, exprs, schema: fields };
  return { plan, scope: new Scope(fields.map((f, index) => ({ name: f.name, type: f.type, index, ...(f.hidden ? { hidden: true } : {}) }))) };
}

/**
 * Binds one aggregate call over `scope`: its argument and FILTER condition become columns of the
 * pre-projection `pre` (added unless an equal expression is there); returns the call and its result type.
 */
export function bindAggCall(ctx: BinderContext, call: ast.FunctionCall, scope: Scope, pre: BoundExpr[]): { agg: LogicalAggCall; type: DataType } {
  const name = functionName(call);
  const def = ctx.functions.aggregate(name)!;
  const argBinder = new ExprBinder(ctx, scope, { clause: 'the argument of an aggregate function' });
  const args = call.star ? [] : call.args.map((a) => argBinder.bind(a));
  const literalParams = def.literalParams ?? 0;
  if (args.length > 1 + literalParams) {
    throw new EddyError({ code: ErrorCode.WRONG_ARGUMENTS, message: literalParams === 0 ? `${name} takes one argument` : `${name} takes at most ${1 + literalParams} arguments`, span: call.span });
  }
  // The parameters after the aggregated value are settings (TOPK's k): literals, read once when planning.
  args.forEach((a, i) => {
    if (i > 0 && a.kind !== 'LiteralValue') {
      throw new EddyError({ code: ErrorCode.WRONG_ARGUMENTS, message: `argument ${i + 1} of ${name} must be a literal`, span: call.args[i]!.span });
    }
  });
  const literalArgs = args.map((a) => (a.kind === 'LiteralValue' ? a.value : undefined));
  const r = def.resolve(args.map((a) => withoutTimeAttribute(a.type)), call.distinct, { literalArgs });
  if (isResolutionError(r)) {
    throw new EddyError({ code: ErrorCode.WRONG_ARGUMENTS, message: r.error.includes(name) ? r.error : `${name}: ${r.error}`, span: call.span, hint: args.length ? `${name}(${args.map((a) => typeToString(a.type)).join(', ')})` : undefined });
  }
  let argIndex = -1;
  if (args.length >= 1) {
    const arg = r.argType ? argBinder.coerce(args[0]!, r.argType, call.args[0]!.span) : args[0]!;
    argIndex = pre.findIndex((p) => exprKey(p) === exprKey(arg));
    if (argIndex < 0) argIndex = pre.push(arg) - 1;
  }
  let filterIndex = -1;
  if (call.filter) {
    const cond = argBinder.expectBoolean(new ExprBinder(ctx, scope, { clause: 'FILTER (WHERE ...)' }).bind(call.filter), call.filter.span, 'FILTER (WHERE ...)');
    filterIndex = pre.push(cond) - 1;
  }
  const settings = literalArgs.slice(1).map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).map((v) => `, ${v}`).join('');
  const display = `${name}(${call.distinct ? 'DISTINCT ' : ''}${argIndex < 0 ? '*' : `$${argIndex}`}${settings})${filterIndex >= 0 ? ` FILTER $${filterIndex}` : ''}`;
  return { agg: { display, impl: r.impl, argIndex, filterIndex }, type: r.type };
}

/** `SELECT DISTINCT` over a plan: a group-by on every column with no aggregates. */
export function distinctPlan(plan: LogicalPlan): LogicalPlan {
  return {
    kind: 'LogicalAggregate',
    input: plan,
    groupKeys: plan.schema.map((_, i) => i),
    aggs: [],
    schema: plan.schema.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })),
  };
}
