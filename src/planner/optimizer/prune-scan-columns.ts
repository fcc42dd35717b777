/**
 * prune-scan-columns: a scan outputs only the columns the projection above it (and a filter between them)
 * reads, so unused computed columns are not computed and rows stay narrow.
 */
import { transformUp, type LogicalPlan } from '../logical-plan.js';
import { keepColumns, pruneUnderProjection, type Pruned } from './column-pruning.js';
import type { OptimizerRule } from './optimizer-rule.js';

function prune(scan: LogicalPlan, used: Set<number>): Pruned | undefined {
  if (scan.kind !== 'LogicalScan' || used.size >= scan.projection.length) return undefined;
  // An upsert scan keeps its primary key: its rows are matched by key (ChangelogNormalize) before anything reads them.
  const needed = new Set(used);
  if (scan.changelog === 'upsert') {
    for (const name of scan.table.primaryKey ?? []) {
      const i = scan.projection.findIndex((c) => scan.table.columns[c]!.name === name);
      if (i >= 0) needed.add(i);
    }
    if (needed.size >= scan.projection.length) return undefined;
  }
  const keep = [...needed].sort((a, b) => a - b);
  const node: LogicalPlan = {
    ...scan,
    projection: keep.map((i) => scan.projection[i]!),
    schema: keep.map((i) => scan.schema[i]!),
  };
  return { node, remap: keepColumns(keep) };
}

export const pruneScanColumns: OptimizerRule = {
  name: 'prune-scan-columns',
  rewrite: (plan) => transformUp(plan, (p) => pruneUnderProjection(p, prune)),
};
