/**
 * Binds `ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..)` in a select list: a {@link LogicalRank} below the
 * projection appends the rank column to the row. Only a rank that an outer filter bounds (`rn <= N`) can
 * run on a stream (the optimizer's bound-rank rule finds the bound; to-physical refuses a rank without
 * one). Other OVER calls stay refused where they are bound (bind-expr.ts).
 */
import type * as ast from '../../parser/ast.js';
import { T, withNullable, withoutTimeAttribute } from '../../common/types.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import type { LogicalPlan, LogicalRank, RankType, SortKey } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder, functionName } from './bind-expr.js';
import { Scope } from './scope.js';

/** The rank functions. */
const RANK_FUNCTIONS = new Set<string>(['ROW_NUMBER', 'RANK', 'DENSE_RANK'] satisfies RankType[]);

/** A select item that is a rank call (`ROW_NUMBER() OVER (...) [AS rn]`). */
export function isRankItem(item: ast.SelectItem): item is ast.SelectExpr & { expr: ast.FunctionCall } {
  return item.kind !== 'SelectStar' && item.expr.kind === 'FunctionCall' && item.expr.over !== undefined && RANK_FUNCTIONS.has(functionName(item.expr));
}

function unsupported(message: string, span: Span, hint?: string): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
}

/**
 * The rank of `call` over `input` (whose columns `scope` describes): the input's columns, without time
 * attributes (the result is updating), and the rank as a BIGINT NOT NULL last.
 */
export function bindRank(ctx: BinderContext, call: ast.FunctionCall, input: LogicalPlan, scope: Scope): LogicalRank {
  const over = call.over!;
  const name = functionName(call);
  if (call.args.length > 0 || call.distinct || call.star) unsupported(`${name}() takes no arguments`, call.span);
  if (call.filter) unsupported(`FILTER (WHERE ...) is not allowed on ${name}()`, call.filter.span);
  // The select binder resolves `OVER w` to the WINDOW clause's window (bind-over.ts) before it gets here.
  if (over.windowName) throw new Error(`window '${over.windowName.name}' reached bindRank unresolved`);
  if (over.frame) unsupported(`${name}() takes no window frame (ROWS/RANGE)`, over.frame.span);
  if (over.orderBy.length === 0) unsupported(`${name}() needs an ORDER BY in its OVER clause`, over.span, 'Top-N ranks rows by an order: OVER (PARTITION BY k ORDER BY v DESC)');
  const binder = new ExprBinder(ctx, scope, { clause: 'OVER' });
  const column = (e: ast.Expr, what: string): number => {
    const bound = binder.bind(e);
    if (bound.kind !== 'InputRef') unsupported(`${what} in OVER takes columns`, e.span, 'compute the expression in a subquery below and name its column here');
    return bound.index;
  };
  const partitionKeys = over.partitionBy.map((e) => column(e, 'PARTITION BY'));
  const orderKeys: SortKey[] = over.orderBy.map((item) => ({ index: column(item.expr, 'ORDER BY'), descending: item.descending, nullsFirst: item.nullsFirst ?? !item.descending }));
  // A window Top-N (partitioned by a window's start and end) is final: its output keeps the time attributes.
  const windowed = windowColumns(input).some((w) => partitionKeys.includes(w.start) && partitionKeys.includes(w.end));
  const schema = [...input.schema.map((f) => ({ name: f.name, type: windowed ? f.type : withoutTimeAttribute(f.type) })), { name: '$rank', type: withNullable(T.bigint(), false) }];
  return { kind: 'LogicalRank', rankType: name as RankType, input, partitionKeys, orderKeys, schema, span: over.span };
}

/** The scope of a rank's output: `scope`'s columns with the types the rank gives them (no time attributes, unless a window Top-N). */
export function withoutTimeAttributes(scope: Scope, rank: LogicalRank): Scope {
  return new Scope(scope.columns.map((c) => ({ ...c, type: rank.schema[c.index]!.type })));
}

/** A window's start and end columns. */
interface WindowColumns {
  readonly start: number;
  readonly end: number;
}

/**
 * The window columns of `plan`'s output: the window_start and window_end of a TUMBLE / HOP / CUMULATE
 * window TVF or of a window aggregation, passed on unchanged by projections and filters. (The planner
 * checks the same on the physical plan, which also sees windows through views; this is only what the
 * binder needs to keep the time attributes of a window Top-N's output.)
 */
function windowColumns(plan: LogicalPlan): WindowColumns[] {
  switch (plan.kind) {
    case 'LogicalWindowTableFunction': {
      const width = plan.input.schema.length;
      const below = windowColumns(plan.input);
      return plan.window.kind === 'session' ? below : [...below, { start: width, end: width + 1 }];
    }
    case 'LogicalAggregate': {
      if (!plan.window) return [];
      const start = plan.groupKeys.length + plan.aggs.length;
      return [{ start, end: start + 1 }];
    }
    case 'LogicalFilter':
      return windowColumns(plan.input);
    case 'LogicalProject': {
      const at = (c: number) => plan.exprs.findIndex((e) => e.kind === 'InputRef' && e.index === c);
      return windowColumns(plan.input)
        .map((w) => ({ start: at(w.start), end: at(w.end) }))
        .filter((w) => w.start >= 0 && w.end >= 0);
    }
    default:
      return [];
  }
}
