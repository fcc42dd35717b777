/**
 * prune-join-inputs: a join's inputs carry only the columns the projection above the join (and a filter
 * between them) and the join condition read. Each input that has more gets a projection of those columns,
 * so the join keeps narrower rows in its state, and prune-scan-columns then narrows the scans below.
 */
import type { BoundExpr } from '../../expr/bound-expr.js';
import { inputRefs } from '../expr-utils.js';
import { transformUp, withInputs, type LogicalJoin, type LogicalPlan } from '../logical-plan.js';
import { keepColumns, pruneUnderProjection, type Pruned } from './column-pruning.js';
import type { OptimizerRule } from './optimizer-rule.js';

/** `input` narrowed to the columns `keep` (ascending), or itself when it keeps them all. */
function narrow(input: LogicalPlan, keep: readonly number[]): LogicalPlan {
  if (keep.length === input.schema.length) return input;
  const exprs: BoundExpr[] = keep.map((i) => ({ kind: 'InputRef', index: i, type: input.schema[i]!.type, name: input.schema[i]!.name }));
  return { kind: 'LogicalProject', input, exprs, schema: keep.map((i) => input.schema[i]!) };
}

/** The join with its inputs narrowed to the columns in `used` (positions of its row) and those its condition reads. */
function prune(join: LogicalPlan, used: Set<number>): Pruned | undefined {
  // A temporal join's time columns are positions in its inputs: its inputs stay as they are.
  if (join.kind !== 'LogicalJoin' || join.temporal) return undefined;
  inputRefs(join.condition, used);
  if (used.size >= join.schema.length) return undefined;
  const width = join.left.schema.length;
  const keep = [...used].sort((a, b) => a - b);
  const remap = keepColumns(keep);
  const narrowed = withInputs(join, [narrow(join.left, keep.filter((i) => i < width)), narrow(join.right, keep.filter((i) => i >= width).map((i) => i - width))]) as LogicalJoin;
  return { node: { ...narrowed, condition: remap(join.condition) }, remap };
}

export const pruneJoinInputs: OptimizerRule = {
  name: 'prune-join-inputs',
  rewrite: (plan) => transformUp(plan, (p) => pruneUnderProjection(p, prune)),
};
