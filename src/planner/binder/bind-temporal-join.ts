/**
 * Binds the `FOR SYSTEM_TIME AS OF l.time` of a join's right table (Flink's temporal joins) into a
 * {@link TemporalJoinSpec}:
 *
 * - `AS OF` a left event-time (rowtime) attribute: an event-time temporal join. The right side is a
 *   versioned table: it has an event-time attribute (its own rowtime column, or the rowtime a versioned
 *   view deduplicates on: `ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1`) and a primary key,
 *   which the planner checks the equi-join keys cover (to-physical: the key is a property of the plan).
 * - `AS OF` a left processing-time attribute (`PROCTIME()`): a lookup join, against a table whose
 *   connector can look rows up by key (`sqlite`). Any other right side is refused as Flink refuses it
 *   ("Processing-time temporal join is not supported yet").
 * - INNER and LEFT joins only (Flink's rule); the `AS OF` expression must be a time attribute of the left
 *   side. Every refusal points at the text it is about.
 */
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import type { LogicalPlan, TemporalJoinSpec } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import type { Scope } from './scope.js';

/** A bound side of the join: its plan and scope. */
interface BoundSide {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

function unsupported(message: string, span: Span, hint?: string): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
}

/** The table reference without its `FOR SYSTEM_TIME AS OF` (what the right side reads). */
export function withoutAsOf(ref: ast.TableName): ast.TableName {
  const { forSystemTimeAsOf: _asOf, ...plain } = ref;
  return plain;
}

/**
 * The output column of `plan` that holds the event time a versioned view made by deduplication is ordered
 * on: the ORDER BY column of a `ROW_NUMBER() OVER (PARTITION BY .. ORDER BY rowtime DESC)` below filters
 * and projections that pass it on (the rank drops time attributes from its output, as its result is
 * updating; the versions are still ordered by it). Undefined when the plan is no such view.
 */
function deduplicatedTime(plan: LogicalPlan): number | undefined {
  switch (plan.kind) {
    case 'LogicalProject': {
      const t = deduplicatedTime(plan.input);
      if (t === undefined) return undefined;
      const at = plan.exprs.findIndex((e) => e.kind === 'InputRef' && e.index === t);
      return at >= 0 ? at : undefined;
    }
    case 'LogicalFilter':
      return deduplicatedTime(plan.input);
    case 'LogicalRank': {
      const [first, ...rest] = plan.orderKeys;
      const ok = plan.rankType === 'ROW_NUMBER' && first !== undefined && rest.length === 0 && first.descending && plan.input.schema[first.index]!.type.timeAttribute === 'rowtime';
      return ok ? first.index : undefined;
    }
    default:
      return undefined;
  }
}

/** The version time of a versioned table: its rowtime column, or the time its deduplication orders by. */
function versionTime(plan: LogicalPlan): number | undefined {
  const rowtime = plan.schema.findIndex((f) => f.type.timeAttribute === 'rowtime');
  return rowtime >= 0 ? rowtime : deduplicatedTime(plan);
}

/**
 * Checks a join with `FOR SYSTEM_TIME AS OF asOf` on its right table and says what kind of temporal join it
 * is (see the file comment). `left` and `right` are the bound sides (the right without its AS OF).
 */
export function temporalJoinSpec(ctx: BinderContext, join: ast.JoinRef, asOf: ast.Expr, left: BoundSide, right: BoundSide): TemporalJoinSpec {
  const rightRef = join.right as ast.TableName;
  if (join.joinType !== 'INNER' && join.joinType !== 'LEFT') {
    unsupported(
      `A temporal join (FOR SYSTEM_TIME AS OF) must be an INNER or LEFT join, not ${join.joinType === 'CROSS' ? 'a CROSS join' : `a ${join.joinType} join`}`,
      join.span,
      'as in Flink: each row of the left side is joined with the version of the right side valid at its time; write JOIN or LEFT JOIN with an ON condition',
    );
  }
  if (join.joinType === 'INNER' && !join.on && !join.using) {
    unsupported('A temporal join needs an ON condition with an equality on the right table\'s key', join.span);
  }
  const time = new ExprBinder(ctx, left.scope, { clause: 'FOR SYSTEM_TIME AS OF' }).bind(asOf);
  const attribute = time.type.timeAttribute;
  if (time.kind !== 'InputRef' || attribute === undefined) {
    throw new EddyError({
      code: ErrorCode.NOT_A_TIME_ATTRIBUTE,
      message: 'FOR SYSTEM_TIME AS OF takes a time attribute of the left side of the join: an event-time (rowtime) column, or a PROCTIME() column',
      span: asOf.span,
      hint: 'as in Flink, e.g. FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency',
    });
  }
  if (attribute === 'proctime') {
    const scan = right.plan.kind === 'LogicalScan' ? right.plan : undefined;
    const connector = scan?.table.options['connector'];
    if (!scan || !connector || !ctx.connectors.capabilities(connector)?.lookup) {
      unsupported(
        `Processing-time temporal join is not supported yet: ${scan ? `table '${scan.table.name}' (connector '${connector}') cannot be looked up by key` : `'${rightRef.name.parts.map((p) => p.name).join('.')}' is not a table that can be looked up by key`}`,
        rightRef.span,
        "a lookup join (FOR SYSTEM_TIME AS OF a PROCTIME() column) reads a 'sqlite' table by key; to join the versions of a table, use FOR SYSTEM_TIME AS OF the left side's event-time attribute",
      );
    }
    return { kind: 'lookup', leftTime: time.index };
  }
  const rightTime = versionTime(right.plan);
  if (rightTime === undefined) {
    unsupported(
      `The versioned table of an event-time temporal join needs an event-time attribute, and '${rightRef.name.parts.map((p) => p.name).join('.')}' has none`,
      rightRef.span,
      "declare a WATERMARK on the table (and a PRIMARY KEY ... NOT ENFORCED), or make a versioned view: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1",
    );
  }
  return { kind: 'event-time', leftTime: time.index, rightTime };
}
