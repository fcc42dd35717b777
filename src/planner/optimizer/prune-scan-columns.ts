/**
 * prune-scan-columns: a scan outputs only the columns the projection above it (and a filter between them)
 * reads, so unused computed columns are not computed and rows stay narrow.
 */
import type { BoundExpr } from '../../expr/bound-expr.js';
import { inputRefs, replaceInputRefs } from '../expr-utils.js';
import { transformUp, type LogicalPlan, type LogicalScan } from '../logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

function prune(scan: LogicalScan, used: Set<number>): { scan: LogicalScan; remap: (e: BoundExpr) => BoundExpr } | undefined {
  if (used.size >= scan.projection.length) return undefined;
  const keep = [...used].sort((a, b) => a - b);
  const position = new Map(keep.map((old, i) => [old, i]));
  const pruned: LogicalScan = {
    ...scan,
    projection: keep.map((i) => scan.projection[i]!),
    schema: keep.map((i) => scan.schema[i]!),
  };
  const remap = (e: BoundExpr) => replaceInputRefs(e, (ref) => ({ ...ref, index: position.get(ref.index)! }));
  return { scan: pruned, remap };
}

export const pruneScanColumns: OptimizerRule = {
  name: 'prune-scan-columns',
  rewrite: (plan) =>
    transformUp(plan, (p): LogicalPlan => {
      if (p.kind !== 'LogicalProject') return p;
      const used = new Set<number>();
      for (const e of p.exprs) inputRefs(e, used);
      if (p.input.kind === 'LogicalScan') {
        const r = prune(p.input, used);
        return r ? { ...p, input: r.scan, exprs: p.exprs.map(r.remap) } : p;
      }
      if (p.input.kind === 'LogicalFilter' && p.input.input.kind === 'LogicalScan') {
        inputRefs(p.input.condition, used);
        const r = prune(p.input.input, used);
        if (!r) return p;
        return { ...p, input: { ...p.input, input: r.scan, condition: r.remap(p.input.condition), schema: r.scan.schema }, exprs: p.exprs.map(r.remap) };
      }
      return p;
    }),
};
