/**
 * window-join-rule: a join whose inputs are both windowed by the same window TVF (TUMBLE, HOP or CUMULATE
 * with the same size, slide or step and offset — a window TVF, or a window aggregate, as the inputs' window
 * properties say) and whose condition equates both their `window_start` and their `window_end` is a window
 * join, as in Flink: it emits each window's result once the watermark passes the window, and drops the
 * window's state with it.
 *
 * Any other join stays a regular join, as Flink plans it (not an error): inputs windowed differently, a
 * condition with only one of the two equalities, or an input that is not insert-only.
 */
import type { BoundExpr } from '../expr/bound-expr.js';
import { conjunction } from './expr-utils.js';
import { splitJoinCondition } from './join-keys.js';
import { matchWindowJoin, type WindowJoinType } from './logical-windows.js';
import { INSERT_ONLY, type PhysicalPlan, type WindowJoinNode } from './physical-plan.js';
import type { Field } from '../common/types.js';
import { exchangeBy, physicalNode } from './stream-properties.js';

/**
 * The WindowJoin of `left` and `right` on `condition` (over `[...left, ...right]`) with output `schema`, or
 * undefined when the join is not a window join (see the file comment).
 */
export function windowJoinRule(joinType: WindowJoinType, left: PhysicalPlan, right: PhysicalPlan, condition: BoundExpr, schema: readonly Field[], nullAware = false): WindowJoinNode | undefined {
  if (left.changelog.kind !== 'insert-only' || right.changelog.kind !== 'insert-only') return undefined;
  const width = left.schema.length;
  const match = matchWindowJoin(condition, left.props.windows, right.props.windows, width);
  if (!match) return undefined;
  const keys = splitJoinCondition(conjunction(match.rest), width);
  return physicalNode<WindowJoinNode>({
    kind: 'WindowJoin',
    joinType,
    left: exchangeBy(left, keys.leftKeys),
    right: exchangeBy(right, keys.rightKeys),
    ...keys,
    leftWindow: match.left,
    rightWindow: match.right,
    ...(nullAware ? { nullAware } : {}),
    schema,
    changelog: INSERT_ONLY,
  });
}
