/**
 * What the column-pruning rules share (prune-scan-columns, prune-join-inputs): finding the columns a
 * projection, and a filter between it and the node below, read; narrowing that node to them; rewriting
 * the projection and the filter to read the narrower row.
 */
import type { BoundExpr } from '../../expr/bound-expr.js';
import { inputRefs, replaceInputRefs } from '../expr-utils.js';
import type { LogicalPlan } from '../logical-plan.js';

/** A node narrowed to fewer columns, and how an expression over its old row reads the new one. */
export interface Pruned {
  readonly node: LogicalPlan;
  readonly remap: (e: BoundExpr) => BoundExpr;
}

/** Rewrites expressions over a row to read a row of only the columns `keep` (ascending), in that order. */
export function keepColumns(keep: readonly number[]): (e: BoundExpr) => BoundExpr {
  const position = new Map(keep.map((old, i) => [old, i]));
  return (e) => replaceInputRefs(e, (ref) => ({ ...ref, index: position.get(ref.index)! }));
}

/**
 * `p` when it is a projection over a node (or over a filter over a node) that `prune` narrows to the
 * columns read above it, rewritten over the narrowed node; otherwise `p` itself.
 */
export function pruneUnderProjection(p: LogicalPlan, prune: (node: LogicalPlan, used: Set<number>) => Pruned | undefined): LogicalPlan {
  if (p.kind !== 'LogicalProject') return p;
  const used = new Set<number>();
  for (const e of p.exprs) inputRefs(e, used);
  const input = p.input;
  if (input.kind === 'LogicalFilter') {
    inputRefs(input.condition, used);
    const r = prune(input.input, used);
    if (!r) return p;
    return { ...p, input: { ...input, input: r.node, condition: r.remap(input.condition), schema: r.node.schema }, exprs: p.exprs.map(r.remap) };
  }
  const r = prune(input, used);
  return r ? { ...p, input: r.node, exprs: p.exprs.map(r.remap) } : p;
}
