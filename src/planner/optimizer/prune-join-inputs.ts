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

/**
 * The join with its inputs narrowed to the columns in `used` (positions of its row) and those its condition
 * reads. A temporal join keeps its time columns (renumbered), and a lookup join its whole right side (the
 * table it looks up, read by the connector).
 */
function prune(join: LogicalPlan, used: Set<number>): Pruned | undefined {
  if (join.kind !== 'LogicalJoin') return undefined;
  inputRefs(join.condition, used);
  const width = join.left.schema.length;
  const temporal = join.temporal;
  if (temporal) {
    used.add(temporal.leftTime);
    if (temporal.kind === 'event-time') used.add(width + temporal.rightTime);
    else for (let i = width; i < width + join.right.schema.length; i++) used.add(i);
  }
  // Both inputs' widths: a semi or anti join's output has the left columns only, but its condition reads both.
  if (used.size >= width + join.right.schema.length) return undefined;
  const keep = [...used].sort((a, b) => a - b);
  const remap = keepColumns(keep);
  const narrowed = withInputs(join, [narrow(join.left, keep.filter((i) => i < width)), narrow(join.right, keep.filter((i) => i >= width).map((i) => i - width))]) as LogicalJoin;
  const renumbered: Partial<LogicalJoin> = !temporal
    ? {}
    : {
        temporal:
          temporal.kind === 'lookup'
            ? { ...temporal, leftTime: keep.indexOf(temporal.leftTime) }
            : { ...temporal, leftTime: keep.indexOf(temporal.leftTime), rightTime: keep.indexOf(width + temporal.rightTime) - keep.filter((i) => i < width).length },
      };
  return { node: { ...narrowed, ...renumbered, condition: remap(join.condition) }, remap };
}

export const pruneJoinInputs: OptimizerRule = {
  name: 'prune-join-inputs',
  rewrite: (plan) => transformUp(plan, (p) => pruneUnderProjection(p, prune)),
};
