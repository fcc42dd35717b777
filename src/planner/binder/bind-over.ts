/**
 * Binds OVER aggregations in a select list — `agg(x) OVER (PARTITION BY .. ORDER BY rowtime [frame])` and
 * `agg(x) OVER w` with `WINDOW w AS (...)` — into a {@link LogicalOverAggregate} below the projection, which
 * appends each call's result to the input row (Flink's OverAggregate).
 *
 * What Flink runs on a stream, and so what is accepted (anything else is refused where it is written):
 * - ORDER BY exactly one event-time attribute, ascending;
 * - a frame from `n PRECEDING` (ROWS: a row count; RANGE: a day-time INTERVAL), `UNBOUNDED PRECEDING` or
 *   `CURRENT ROW` to `CURRENT ROW`; without a frame, `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`;
 * - every OVER aggregate of the select list over the same window (Flink's streaming limitation);
 * - PARTITION BY columns; no GROUP BY or HAVING in the same SELECT (aggregate in a subquery first).
 */
import type * as ast from '../../parser/ast.js';
import { typeToString, type Field } from '../../common/types.js';
import { EddyError, ErrorCode, didYouMean, type Span } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { compileExpr } from '../../expr/compile.js';
import type { LogicalAggCall, LogicalOverAggregate, LogicalPlan, OverFrame } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { bindAggCall, forEachChild } from './bind-aggregate.js';
import { ExprBinder, functionName } from './bind-expr.js';
import { intervalArg } from './bind-window.js';
import { Scope } from './scope.js';

/** An OVER aggregation bound: the plan node, and how the select list reads each call's result from it. */
export interface BoundOver {
  readonly plan: LogicalOverAggregate;
  /** An ExprBinder intercept: the OVER calls of the select list as references to the plan's columns. */
  readonly intercept: (e: ast.Expr) => BoundExpr | undefined;
}

/** The window an OVER clause names, bound against the input. */
interface BoundWindow {
  readonly partitionKeys: readonly number[];
  readonly timeIndex: number;
  readonly proctime: boolean;
  readonly frame: OverFrame;
}

function unsupported(message: string, span: Span, hint?: string): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
}

function isOverAggregate(ctx: BinderContext, e: ast.Expr): e is ast.FunctionCall & { over: ast.OverClause } {
  return e.kind === 'FunctionCall' && e.over !== undefined && ctx.functions.isAggregate(functionName(e));
}

/** The aggregate calls with OVER in the select list (an OVER call inside another one's arguments is refused). */
export function overAggregateCalls(ctx: BinderContext, select: ast.Select): ast.FunctionCall[] {
  const found: ast.FunctionCall[] = [];
  const walk = (e: ast.Expr, inside?: ast.FunctionCall): void => {
    if (isOverAggregate(ctx, e)) {
      if (inside) unsupported('OVER aggregates cannot be nested', e.span);
      found.push(e);
      forEachChild(e, (c) => walk(c, e));
      return;
    }
    forEachChild(e, (c) => walk(c, inside));
  };
  for (const item of select.items) if (item.kind === 'SelectExpr') walk(item.expr);
  return found;
}

/**
 * The OVER aggregation of `calls` (from {@link overAggregateCalls}) over `input`, whose columns `scope`
 * describes. The plan's row is the input's columns, then the calls' arguments that are not input columns,
 * then the calls' results; the input's columns keep their positions, so `scope` still reads them.
 */
export function bindOverAggregates(ctx: BinderContext, select: ast.Select, calls: readonly ast.FunctionCall[], input: LogicalPlan, scope: Scope): BoundOver {
  const first = calls[0]!;
  if (select.groupBy.length > 0 || select.having) {
    unsupported('OVER aggregates cannot be combined with GROUP BY or HAVING in one SELECT', first.over!.span, 'aggregate in a subquery, then compute the OVER aggregates over its rows');
  }
  const named = namedWindows(select);
  let window: BoundWindow | undefined;
  const pre: BoundExpr[] = input.schema.map((f, i) => ({ kind: 'InputRef', index: i, type: f.type, name: f.name }));
  const aggs: { agg: LogicalAggCall; type: Field['type'] }[] = [];
  for (const call of calls) {
    const spec = resolveWindow(call.over!, named);
    const bound = bindWindow(ctx, spec, scope);
    if (!window) window = bound;
    else if (JSON.stringify(bound) !== JSON.stringify(window)) {
      unsupported(
        'All OVER aggregates of a select list must use the same window (partition, order and frame)',
        call.over!.span,
        'Flink runs one OVER window per SELECT on a stream: name it once with WINDOW w AS (...) and write OVER w, or compute the other window in another query',
      );
    }
    aggs.push(bindAggCall(ctx, call, scope, pre));
  }
  const width = input.schema.length;
  const preInput: LogicalPlan =
    pre.length === width ? input : { kind: 'LogicalProject', input, exprs: pre, schema: pre.map((e, i) => ({ name: i < width ? input.schema[i]!.name : `$f${i}`, type: e.type })) };
  const results: Field[] = aggs.map((a, i) => ({ name: `w0$o${i}`, type: a.type }));
  const plan: LogicalOverAggregate = {
    kind: 'LogicalOverAggregate',
    input: preInput,
    partitionKeys: window!.partitionKeys,
    timeIndex: window!.timeIndex,
    proctime: window!.proctime,
    frame: window!.frame,
    aggs: aggs.map((a) => a.agg),
    schema: [...preInput.schema, ...results],
    span: first.over!.span,
  };
  const column = new Map(calls.map((c, i) => [c as ast.Expr, pre.length + i]));
  const intercept = (e: ast.Expr): BoundExpr | undefined => {
    const i = column.get(e);
    return i === undefined ? undefined : { kind: 'InputRef', index: i, type: plan.schema[i]!.type, name: plan.schema[i]!.name };
  };
  return { plan, intercept };
}

/** The WINDOW clause's windows by lower-case name; a name given twice is refused. */
function namedWindows(select: ast.Select): Map<string, ast.NamedWindow> {
  const named = new Map<string, ast.NamedWindow>();
  for (const w of select.windows ?? []) {
    const key = w.name.name.toLowerCase();
    if (named.has(key)) throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message: `Window '${w.name.name}' is defined twice`, span: w.name.span });
    named.set(key, w);
  }
  return named;
}

/** `call` with `OVER w` replaced by the window `w` of the select's WINDOW clause (`call` itself otherwise). */
export function withNamedWindow(call: ast.FunctionCall, select: ast.Select): ast.FunctionCall {
  return call.over?.windowName ? { ...call, over: resolveWindow(call.over, namedWindows(select)) } : call;
}

/** The window spec of an OVER clause: its own, or the named window `OVER w` refers to. */
function resolveWindow(over: ast.OverClause, named: ReadonlyMap<string, ast.NamedWindow>): ast.OverClause {
  if (!over.windowName) return over;
  const w = named.get(over.windowName.name.toLowerCase());
  if (!w) {
    const names = [...named.values()].map((n) => n.name.name);
    throw new EddyError({
      code: ErrorCode.INVALID_WINDOW,
      message: `Window '${over.windowName.name}' is not defined`,
      span: over.windowName.span,
      hint: didYouMean(over.windowName.name, names) ?? (names.length ? `windows defined: ${names.join(', ')}` : 'define it after the FROM/WHERE clauses: WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)'),
    });
  }
  return w.spec;
}

/** Binds an OVER window's PARTITION BY, ORDER BY and frame (see the file comment for what is accepted). */
function bindWindow(ctx: BinderContext, spec: ast.OverClause, scope: Scope): BoundWindow {
  const binder = new ExprBinder(ctx, scope, { clause: 'OVER' });
  const partitionKeys = spec.partitionBy.map((e) => {
    const bound = binder.bind(e);
    if (bound.kind !== 'InputRef') unsupported('PARTITION BY in OVER takes columns', e.span, 'compute the expression in a subquery below and name its column here');
    return bound.index;
  });
  const order = spec.orderBy[0];
  if (!order) unsupported('An OVER aggregation needs ORDER BY an event-time attribute', spec.span, 'OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), where ts has a WATERMARK');
  if (spec.orderBy.length > 1) unsupported('An OVER window is ordered by one event-time attribute only', spec.orderBy[1]!.span);
  if (order.descending) unsupported('An OVER window must be ordered by its event-time attribute ascending', order.span, 'Flink supports only ascending time order in OVER windows on a stream');
  const time = binder.bind(order.expr);
  if (time.kind !== 'InputRef' || time.type.timeAttribute === undefined) {
    unsupported(
      `An OVER window must be ordered by a time attribute, but ${typeToString(time.type)} is not one`,
      order.expr.span,
      'order by a column that has a WATERMARK (event time: WATERMARK FOR ts AS ts - INTERVAL ..), or by a PROCTIME() column',
    );
  }
  return { partitionKeys, timeIndex: time.index, proctime: time.type.timeAttribute === 'proctime', frame: bindFrame(ctx, spec.frame) };
}

/** The frame: `start` PRECEDING (or UNBOUNDED, or CURRENT ROW) to CURRENT ROW; Flink's default without one. */
function bindFrame(ctx: BinderContext, frame: ast.WindowFrame | undefined): OverFrame {
  if (!frame) return { units: 'RANGE' };
  const { units, start, end } = frame;
  if (end.type !== 'CURRENT_ROW') {
    unsupported(`An OVER window must end at CURRENT ROW${end.type.endsWith('FOLLOWING') ? ' (FOLLOWING is not supported on a stream)' : ''}`, end.span, `${units} BETWEEN .. PRECEDING AND CURRENT ROW`);
  }
  switch (start.type) {
    case 'UNBOUNDED_PRECEDING':
      return { units };
    case 'CURRENT_ROW':
      return { units, preceding: 0 };
    case 'FOLLOWING':
    case 'UNBOUNDED_FOLLOWING':
      return unsupported('An OVER window must start at a PRECEDING bound (FOLLOWING is not supported on a stream)', start.span);
    case 'PRECEDING':
      return { units, preceding: units === 'ROWS' ? rowCount(ctx, start.offset!) : intervalArg(ctx, start.offset!, 'range', true) };
  }
}

/** `n` in `ROWS BETWEEN n PRECEDING`: a constant, non-negative integer. */
function rowCount(ctx: BinderContext, e: ast.Expr): number {
  const bound = new ExprBinder(ctx, new Scope([]), { clause: 'a ROWS frame' }).bind(e);
  const integer = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(bound.type.name);
  const value = integer && bound.kind === 'LiteralValue' ? Number(compileExpr(bound)([])) : NaN;
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    unsupported(`ROWS BETWEEN n PRECEDING takes a non-negative integer constant, got ${integer ? String(bound.kind === 'LiteralValue' ? bound.value : 'an expression') : typeToString(bound.type)}`, e.span, 'ROWS BETWEEN 10 PRECEDING AND CURRENT ROW; for a time range, RANGE BETWEEN INTERVAL .. PRECEDING');
  }
  return value;
}
