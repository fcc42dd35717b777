/**
 * merge-projections: collapses a projection over a projection into one (when that computes no expression
 * twice) and removes projections that only pass their input through unchanged.
 */
import type { BoundExpr } from '../../expr/bound-expr.js';
import { replaceInputRefs } from '../expr-utils.js';
import { transformUp, type LogicalPlan, type LogicalProject } from '../logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

function isIdentity(p: LogicalProject): boolean {
  return p.exprs.length === p.input.schema.length && p.exprs.every((e, i) => e.kind === 'InputRef' && e.index === i);
}

function isTrivial(e: BoundExpr): boolean {
  return e.kind === 'InputRef' || e.kind === 'LiteralValue';
}

export const mergeProjections: OptimizerRule = {
  name: 'merge-projections',
  rewrite: (plan) =>
    transformUp(plan, (p): LogicalPlan => {
      if (p.kind !== 'LogicalProject') return p;
      const inner = p.input;
      if (inner.kind === 'LogicalProject') {
        const uses = new Map<number, number>();
        for (const e of p.exprs) countRefs(e, uses);
        const duplicates = [...uses.entries()].some(([i, n]) => n > 1 && !isTrivial(inner.exprs[i]!));
        if (!duplicates) {
          const exprs = p.exprs.map((e) => replaceInputRefs(e, (ref) => inner.exprs[ref.index]!));
          const merged: LogicalProject = { kind: 'LogicalProject', input: inner.input, exprs, schema: p.schema };
          return isIdentity(merged) && sameTypes(merged) ? merged.input : merged;
        }
      }
      return isIdentity(p) && sameTypes(p) ? p.input : p;
    }),
};

/** Counts how often each input column is read, over all occurrences. */
function countRefs(e: BoundExpr, uses: Map<number, number>): void {
  replaceInputRefs(e, (ref) => {
    uses.set(ref.index, (uses.get(ref.index) ?? 0) + 1);
    return ref;
  });
}

/** Removing a projection must not change column types (time attributes included). */
function sameTypes(p: LogicalProject): boolean {
  return p.schema.every((f, i) => JSON.stringify(f.type) === JSON.stringify(p.input.schema[i]!.type));
}
