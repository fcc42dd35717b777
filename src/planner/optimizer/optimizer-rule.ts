/**
 * The optimizer rule contract. Rules rewrite logical plans and must preserve results exactly (rules that may
 * change meaning belong in the binder). A rule's `name` equals its file name.
 */
import type { LogicalPlan } from '../logical-plan.js';

export interface OptimizerRule {
  readonly name: string;
  /** Returns the rewritten plan, or the same object when nothing applies. */
  rewrite(plan: LogicalPlan): LogicalPlan;
}
