/**
 * The ordered list of optimizer rules, applied until the plan stops changing (at most a few rounds).
 *
 * Order matters:
 * 1. constant-folding first, so that filters that are always TRUE disappear before anything moves them.
 * 2. push-down-filter before merge-projections: pushing a filter below a projection substitutes expressions,
 *    which is only possible while the projection still exists as its own node.
 * 3. prune-join-inputs after pushing (the filters a join absorbed read columns it then no longer passes
 *    up), and before merge-projections, which merges the projections it puts on the join's inputs with
 *    those below them.
 * 4. merge-projections after pushing, to collapse the projections pushing left adjacent.
 * 3b. bound-rank after pushing, which brings a filter on a rank column directly above the rank.
 * 5. prune-scan-columns last: it needs the final projection directly above each scan.
 */
import type { LogicalPlan } from '../logical-plan.js';
import { constantFolding } from './constant-folding.js';
import { mergeProjections } from './merge-projections.js';
import type { OptimizerRule } from './optimizer-rule.js';
import { pruneJoinInputs } from './prune-join-inputs.js';
import { pruneScanColumns } from './prune-scan-columns.js';
import { pushDownFilter } from './push-down-filter.js';
import { boundRank } from './bound-rank.js';

export const RULES: readonly OptimizerRule[] = [constantFolding, pushDownFilter, boundRank, pruneJoinInputs, mergeProjections, pruneScanColumns];

const MAX_ROUNDS = 5;

/**
 * Applies the rules in order, repeatedly, until a round changes nothing: a rule returns the same object
 * when nothing applies (OptimizerRule), so an unchanged plan is the same object, whatever EXPLAIN prints.
 */
export function optimize(plan: LogicalPlan, rules: readonly OptimizerRule[] = RULES): LogicalPlan {
  let current = plan;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = current;
    for (const rule of rules) current = rule.rewrite(current);
    if (current === before) break;
  }
  return current;
}
