/**
 * push-down-filter: moves filters towards the sources so fewer rows flow through the plan: merges adjacent
 * filters, and pushes a filter below projections (substituting the projected expressions), sorts, unions, window
 * TVFs (when it reads no window column), aggregations (when it reads only group keys) and joins. Conditions
 * are split at AND, so the parts that can move do; non-deterministic parts never move.
 *
 * Joins follow the standard rules (a part that reads one side only moves into that side's input):
 * - A filter above a join: a part on one side moves below the join when that side is never null-padded
 *   (either side of an INNER join, the left side of a LEFT join, the right side of a RIGHT join; nothing
 *   of a FULL join). Below a LEFT join, a part on the right side would also see the null-padded rows and
 *   remove them, instead of keeping them as NULLs: it stays above. A part that reads both sides of an
 *   INNER join becomes part of the join condition (so `FROM a, b WHERE a.k = b.k` is an equi-join).
 * - The join's own condition: a part on one side moves into that side's input when that side's rows
 *   only matter through their matches (either side of an INNER join, the right side of a LEFT join, the
 *   left side of a RIGHT join). A part on the preserved side of an outer join stays: it decides whether a
 *   row matches, not whether it appears.
 */
import { assertNever } from '../../common/assert-never.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { conjunction, conjuncts, inputRefs, isDeterministic, isTrue, replaceInputRefs, shiftInputRefs } from '../expr-utils.js';
import { isPreserved, transformDown, type LogicalJoin, type LogicalPlan } from '../logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

function filter(input: LogicalPlan, condition: BoundExpr): LogicalPlan {
  return { kind: 'LogicalFilter', input, condition, schema: input.schema };
}

/** Which side of a join's row a conjunct reads: 0 (left only), 1 (right only), 'both', or 'none'. */
function sideOf(join: LogicalJoin, part: BoundExpr): 0 | 1 | 'both' | 'none' {
  const width = join.left.schema.length;
  const refs = [...inputRefs(part)];
  if (refs.length === 0) return 'none';
  if (refs.every((r) => r < width)) return 0;
  if (refs.every((r) => r >= width)) return 1;
  return 'both';
}

/** Whether a filter part above `join` may move below it (into an input, or into an INNER join's condition). */
function canPushIntoJoin(join: LogicalJoin, part: BoundExpr): boolean {
  const side = sideOf(join, part);
  if (side === 'none') return false;
  if (side === 'both') return join.joinType === 'inner' && !join.temporal;
  // A temporal join's right side is versions: filtering them would change which version is valid when.
  if (side === 1 && join.temporal) return false;
  // A side may be filtered when the other side is not preserved: then none of its rows is null-padded.
  return !isPreserved(join.joinType, side === 0 ? 1 : 0);
}

/**
 * Whether a (deterministic) conjunct may move below `input`. A non-deterministic condition never moves: it
 * would be evaluated a different number of times (once per input row instead of once per group, or once
 * per window copy of a row).
 */
function canPush(input: LogicalPlan, part: BoundExpr): boolean {
  if (!isDeterministic(part)) return false;
  const refs = [...inputRefs(part)];
  switch (input.kind) {
    case 'LogicalProject':
      return refs.every((r) => isDeterministic(input.exprs[r]!));
    case 'LogicalUnion':
    case 'LogicalSort':
      return true;
    case 'LogicalWindowTableFunction':
      return refs.every((r) => r < input.input.schema.length);
    case 'LogicalAggregate':
      return refs.every((r) => r < input.groupKeys.length);
    case 'LogicalJoin':
      return canPushIntoJoin(input, part);
    // A filter does not move below a scan, constant rows or another filter (it merges with them), nor
    // below a LIMIT (that would change which rows are the first).
    case 'LogicalScan':
    case 'LogicalValues':
    case 'LogicalFilter':
    case 'LogicalLimit':
    case 'LogicalRank':
    // Nor below an OVER aggregation: the rows it leaves out would still count in the frames.
    case 'LogicalOverAggregate':
    // Nor below a ksqlDB window aggregation: the rows it leaves out would still move its stream time.
    case 'LogicalKsqlWindowAggregate':
      return false;
    default:
      return assertNever(input);
  }
}

/**
 * `join` with `parts` (conjuncts over its row that may move) moved into its inputs, or into its condition
 * when they read both sides; `condition` lists the conjuncts of the condition that stay.
 */
function pushIntoJoin(join: LogicalJoin, parts: readonly BoundExpr[], condition: readonly BoundExpr[]): LogicalPlan {
  const width = join.left.schema.length;
  const left = parts.filter((c) => sideOf(join, c) === 0);
  const right = parts.filter((c) => sideOf(join, c) === 1).map((c) => shiftInputRefs(c, -width));
  const both = parts.filter((c) => sideOf(join, c) === 'both');
  return {
    ...join,
    left: left.length > 0 ? pushOnce(filter(join.left, conjunction(left))) : join.left,
    right: right.length > 0 ? pushOnce(filter(join.right, conjunction(right))) : join.right,
    condition: conjunction([...condition, ...both]),
  };
}

/** `input` with `condition` applied below it (`canPush` holds for every conjunct). */
function pushBelow(input: LogicalPlan, condition: BoundExpr): LogicalPlan {
  switch (input.kind) {
    case 'LogicalProject':
      return { ...input, input: pushOnce(filter(input.input, replaceInputRefs(condition, (ref) => input.exprs[ref.index]!))) };
    case 'LogicalUnion':
      return { ...input, inputs: input.inputs.map((i) => pushOnce(filter(i, condition))) };
    case 'LogicalSort':
    case 'LogicalWindowTableFunction':
      return { ...input, input: pushOnce(filter(input.input, condition)) };
    case 'LogicalAggregate': {
      const mapped = replaceInputRefs(condition, (ref) => {
        const k = input.groupKeys[ref.index]!;
        return { kind: 'InputRef', index: k, type: input.input.schema[k]!.type, name: input.input.schema[k]!.name };
      });
      return { ...input, input: pushOnce(filter(input.input, mapped)) };
    }
    case 'LogicalJoin':
      return pushJoinCondition(pushIntoJoin(input, conjuncts(condition), conjuncts(input.condition).filter((c) => !isTrue(c))));
    case 'LogicalScan':
    case 'LogicalValues':
    case 'LogicalFilter':
    case 'LogicalLimit':
    case 'LogicalRank':
    case 'LogicalOverAggregate':
    case 'LogicalKsqlWindowAggregate':
      return filter(input, condition);
    default:
      return assertNever(input);
  }
}

/** Whether a conjunct of a join's own condition may move into one of its inputs (see the file comment). */
function canPushFromCondition(join: LogicalJoin, part: BoundExpr): boolean {
  if (!isDeterministic(part)) return false;
  const side = sideOf(join, part);
  // A temporal join's right side is versions (see canPushIntoJoin).
  if (side === 1 && join.temporal) return false;
  return (side === 0 || side === 1) && !isPreserved(join.joinType, side);
}

/** A join whose condition has single-side parts that belong in its inputs, with them moved there. */
function pushJoinCondition(join: LogicalPlan): LogicalPlan {
  if (join.kind !== 'LogicalJoin') return join;
  const parts = conjuncts(join.condition).filter((c) => !isTrue(c));
  const movable = parts.filter((c) => canPushFromCondition(join, c));
  if (movable.length === 0) return join;
  return pushIntoJoin(join, movable, parts.filter((c) => !movable.includes(c)));
}

function pushOnce(p: LogicalPlan): LogicalPlan {
  if (p.kind === 'LogicalJoin') return pushJoinCondition(p);
  if (p.kind !== 'LogicalFilter') return p;
  const input = p.input;
  if (input.kind === 'LogicalFilter') return pushOnce(filter(input.input, conjunction([...conjuncts(input.condition), ...conjuncts(p.condition)])));
  const parts = conjuncts(p.condition);
  const pushable = parts.filter((c) => canPush(input, c));
  if (pushable.length === 0) return p;
  const kept = parts.filter((c) => !pushable.includes(c));
  const pushed = pushBelow(input, conjunction(pushable));
  return kept.length > 0 ? filter(pushed, conjunction(kept)) : pushed;
}

export const pushDownFilter: OptimizerRule = {
  name: 'push-down-filter',
  rewrite: (plan) => transformDown(plan, pushOnce),
};
