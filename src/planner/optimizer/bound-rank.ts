/**
 * bound-rank: gives a rank (`ROW_NUMBER() OVER ..`) the bound that a filter directly above it puts on its
 * rank column — `rn <= N`, `rn < N`, `rn = N` (or the same with the constant first) — which makes it a
 * Top-N that can run on a stream (Flink's FlinkLogicalRankRule). The smallest bound wins when there are
 * several. The conjuncts `rn <= N`, `rn < N` and `rn = 1` then go (the rank emits no higher rank, and none
 * below 1); the rest of the filter stays (`rn = N` still selects one rank).
 *
 * It also gives a bounded rank whose rank column nothing above reads (the projection above it, and a filter
 * between them) `outputRank: false` and drops the column (Flink's `outputRankNumber=false`): its rows then
 * do not change when they move between ranks, so its changelog is much shorter.
 */
import type { BoundExpr } from '../../expr/bound-expr.js';
import { compileExpr } from '../../expr/compile.js';
import { conjunction, conjuncts, inputRefs, isDeterministic } from '../expr-utils.js';
import { transformUp, type LogicalPlan } from '../logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';
import { pruneUnderProjection, type Pruned } from './column-pruning.js';

const FLIPPED: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * The largest rank `part` lets through when it bounds column `rank` from above, and whether the rank
 * implies `part` once bounded by it (`rn <= N`, `rn < N`, and `rn = 1`; not `rn = N` for N > 1, which also
 * bounds from below); undefined otherwise.
 */
function upperBound(part: BoundExpr, rank: number): { readonly bound: number; readonly implied: boolean } | undefined {
  if (part.kind !== 'Call' || part.args.length !== 2 || !(part.fn in FLIPPED)) return undefined;
  const [a, b] = part.args as [BoundExpr, BoundExpr];
  const isRank = (e: BoundExpr) => e.kind === 'InputRef' && e.index === rank;
  const isConstant = (e: BoundExpr) => inputRefs(e).size === 0 && isDeterministic(e);
  const [constant, op] = isRank(a) && isConstant(b) ? [b, part.fn] : isRank(b) && isConstant(a) ? [a, FLIPPED[part.fn]!] : [];
  if (!constant || !op) return undefined;
  const raw = compileExpr(constant)([]);
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (op === '<=') return { bound: Math.max(0, Math.floor(value)), implied: true };
  if (op === '=') return { bound: Math.max(0, Math.floor(value)), implied: value === 1 };
  if (op === '<') return { bound: Math.max(0, Math.ceil(value) - 1), implied: true };
  return undefined;
}

/** A bounded rank without its rank column, when `used` (the columns read above it) does not hold it. */
function withoutRankColumn(node: LogicalPlan, used: Set<number>): Pruned | undefined {
  if (node.kind !== 'LogicalRank' || node.rankEnd === undefined || node.outputRank === false) return undefined;
  if (used.has(node.input.schema.length)) return undefined;
  return { node: { ...node, outputRank: false, schema: node.schema.slice(0, -1) }, remap: (e) => e };
}

export const boundRank: OptimizerRule = {
  name: 'bound-rank',
  rewrite: (plan: LogicalPlan) =>
    transformUp(plan, (p) => {
      if (p.kind === 'LogicalProject') return pruneUnderProjection(p, withoutRankColumn);
      if (p.kind !== 'LogicalFilter' || p.input.kind !== 'LogicalRank' || p.input.rankEnd !== undefined) return p;
      const unbounded = p.input;
      const parts = conjuncts(p.condition).map((c) => ({ c, b: upperBound(c, unbounded.input.schema.length) }));
      const bounds = parts.filter((x) => x.b !== undefined).map((x) => x.b!.bound);
      if (bounds.length === 0) return p;
      const rank = { ...unbounded, rankEnd: Math.min(...bounds) };
      // The rank emits no rank above rankEnd and none below 1: `rn <= N`, `rn < N`, `rn = 1` hold for every row it emits.
      const rest = parts.filter((x) => !x.b?.implied).map((x) => x.c);
      return rest.length === 0 ? rank : { ...p, input: rank, condition: conjunction(rest) };
    }),
};
