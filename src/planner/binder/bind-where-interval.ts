/**
 * Interval bounds written in WHERE (Flink pushes a WHERE predicate of an inner or comma join into the join
 * condition, so `FROM starts s, ends e WHERE s.id = e.id AND e.ts BETWEEN s.ts AND s.ts + INTERVAL '1' HOUR`
 * is an interval join there, as with the same condition in ON).
 *
 * Before the select list is bound, the conjuncts of WHERE that read both sides of an INNER join of the FROM
 * clause move into that join's condition when, together with it, they bound one input's rowtime by the
 * other's (interval-bounds.ts). The join then becomes an interval join: its output keeps the time attributes,
 * so the select list sees them (a window can follow). Inner joins nested in the FROM clause (`FROM a, b, c`)
 * are looked at from the inside out, so the bounds of `a` and `b` make their join an interval join.
 *
 * Outer joins are left as they are: a WHERE condition on an outer join filters its output (null-padded rows
 * included), so it is not a join condition and stays a filter. Non-deterministic conjuncts never move.
 */
import type { BoundExpr } from '../../expr/bound-expr.js';
import { conjunction, conjuncts, inputRefs, isDeterministic, isTrue, shiftInputRefs } from '../expr-utils.js';
import { intervalBounds } from '../interval-bounds.js';
import { joinFields, type LogicalJoin, type LogicalPlan } from '../logical-plan.js';
import { Scope } from './scope.js';

interface Absorbed {
  readonly plan: LogicalPlan;
  /** The conjuncts that moved into a join condition. */
  readonly moved: ReadonlySet<BoundExpr>;
}

/** Which side of `join`'s row a conjunct reads: 0 (left only), 1 (right only), 'both', or 'none'. */
function sideOf(join: LogicalJoin, part: BoundExpr): 0 | 1 | 'both' | 'none' {
  const width = join.left.schema.length;
  const refs = [...inputRefs(part)];
  if (refs.length === 0) return 'none';
  if (refs.every((r) => r < width)) return 0;
  if (refs.every((r) => r >= width)) return 1;
  return 'both';
}

/** `plan` with the conjuncts of `parts` (over its row) that make an inner join an interval join moved into it. */
function absorb(plan: LogicalPlan, parts: readonly BoundExpr[]): Absorbed {
  if (plan.kind !== 'LogicalJoin' || plan.joinType !== 'inner' || parts.length === 0) return { plan, moved: new Set() };
  const width = plan.left.schema.length;
  const leftParts = parts.filter((p) => sideOf(plan, p) === 0);
  const rightParts = parts.filter((p) => sideOf(plan, p) === 1);
  const left = absorb(plan.left, leftParts);
  const shifted = new Map(rightParts.map((p) => [shiftInputRefs(p, -width), p]));
  const right = absorb(plan.right, [...shifted.keys()]);
  const moved = new Set([...left.moved, ...[...right.moved].map((p) => shifted.get(p)!)]);
  let join: LogicalJoin = plan;
  if (left.plan !== plan.left || right.plan !== plan.right) {
    join = { ...plan, left: left.plan, right: right.plan, schema: joinFields(plan.joinType, left.plan.schema, right.plan.schema, plan.interval) };
  }
  if (!join.interval) {
    const both = parts.filter((p) => sideOf(join, p) === 'both');
    const condition = conjunction([...conjuncts(join.condition).filter((c) => !isTrue(c)), ...both]);
    if (both.length > 0 && intervalBounds(condition, [...join.left.schema, ...join.right.schema], width)) {
      join = { ...join, condition, interval: true, schema: joinFields(join.joinType, join.left.schema, join.right.schema, true) };
      for (const p of both) moved.add(p);
    }
  }
  return { plan: join, moved };
}

/**
 * The FROM clause `from` (a plan and the scope over its row) and its WHERE condition, with the interval
 * bounds of WHERE moved into the inner joins they bound (see the file comment); `where` is what remains of
 * the condition (undefined when all of it moved).
 */
export function moveIntervalBoundsIntoJoins(from: { plan: LogicalPlan; scope: Scope }, where: BoundExpr): { from: { plan: LogicalPlan; scope: Scope }; where: BoundExpr | undefined } {
  const parts = conjuncts(where).filter((p) => isDeterministic(p) && !isTrue(p));
  const { plan, moved } = absorb(from.plan, parts);
  if (moved.size === 0) return { from, where };
  const rest = conjuncts(where).filter((p) => !moved.has(p));
  // The scope's columns take the join's types: those of an interval join keep their time attributes.
  const scope = new Scope(from.scope.columns.map((c) => ({ ...c, type: plan.schema[c.index]!.type })), from.scope.windowTvf);
  return { from: { plan, scope }, where: rest.length > 0 ? conjunction(rest) : undefined };
}
