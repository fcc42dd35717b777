/**
 * bound-rank: gives a rank (`ROW_NUMBER() OVER ..`) the bound that a filter directly above it puts on its
 * rank column — `rn <= N`, `rn < N`, `rn = N` (or the same with the constant first) — which makes it a
 * Top-N that can run on a stream (Flink's FlinkLogicalRankRule). The filter stays: it still selects `rn = N`
 * and any other conjuncts. The smallest bound wins when there are several.
 */
import type { BoundExpr } from '../../expr/bound-expr.js';
import { compileExpr } from '../../expr/compile.js';
import { conjuncts, inputRefs, isDeterministic } from '../expr-utils.js';
import { transformUp, type LogicalPlan } from '../logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

const FLIPPED: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** The largest rank `part` lets through when it bounds column `rank` from above; undefined otherwise. */
function upperBound(part: BoundExpr, rank: number): number | undefined {
  if (part.kind !== 'Call' || part.args.length !== 2 || !(part.fn in FLIPPED)) return undefined;
  const [a, b] = part.args as [BoundExpr, BoundExpr];
  const isRank = (e: BoundExpr) => e.kind === 'InputRef' && e.index === rank;
  const isConstant = (e: BoundExpr) => inputRefs(e).size === 0 && isDeterministic(e);
  const [constant, op] = isRank(a) && isConstant(b) ? [b, part.fn] : isRank(b) && isConstant(a) ? [a, FLIPPED[part.fn]!] : [];
  if (!constant || !op) return undefined;
  const raw = compileExpr(constant)([]);
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (op === '<=' || op === '=') return Math.max(0, Math.floor(value));
  if (op === '<') return Math.max(0, Math.ceil(value) - 1);
  return undefined;
}

export const boundRank: OptimizerRule = {
  name: 'bound-rank',
  rewrite: (plan: LogicalPlan) =>
    transformUp(plan, (p) => {
      if (p.kind !== 'LogicalFilter' || p.input.kind !== 'LogicalRank' || p.input.rankEnd !== undefined) return p;
      const rank = p.input;
      const bounds = conjuncts(p.condition)
        .map((c) => upperBound(c, rank.input.schema.length))
        .filter((b): b is number => b !== undefined);
      if (bounds.length === 0) return p;
      return { ...p, input: { ...rank, rankEnd: Math.min(...bounds) } };
    }),
};
