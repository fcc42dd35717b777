/**
 * constant-folding: evaluates deterministic sub-expressions that read no column once at plan time, simplifies
 * AND/OR with constant operands (in join conditions too), and removes filters that are always TRUE.
 */
import { assertNever } from '../../common/assert-never.js';
import { withNullable } from '../../common/types.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { compileExpr } from '../../expr/compile.js';
import { isConstant } from '../expr-utils.js';
import { transformUp, type LogicalPlan } from '../logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

function isLiteral(e: BoundExpr, value: unknown): boolean {
  return e.kind === 'LiteralValue' && e.value === value;
}

/** Folds an expression bottom-up. An expression that fails to evaluate (e.g. 1/0) is left for run time. */
export function foldExpr(e: BoundExpr): BoundExpr {
  if (e.kind === 'InputRef' || e.kind === 'LiteralValue') return e;
  if (isConstant(e)) {
    try {
      const value = compileExpr(e)([]);
      return { kind: 'LiteralValue', value, type: withNullable(e.type, value === null) };
    } catch {
      return e;
    }
  }
  switch (e.kind) {
    case 'AndExpr':
    case 'OrExpr': {
      const absorbing = e.kind === 'AndExpr' ? false : true;
      const args = e.args.map(foldExpr).filter((a) => !isLiteral(a, !absorbing));
      if (args.some((a) => isLiteral(a, absorbing))) return { kind: 'LiteralValue', value: absorbing, type: withNullable(e.type, false) };
      if (args.length === 0) return { kind: 'LiteralValue', value: !absorbing, type: withNullable(e.type, false) };
      if (args.length === 1) return args[0]!;
      return { ...e, args };
    }
    case 'Call':
      return { ...e, args: e.args.map(foldExpr) };
    case 'NotExpr':
    case 'IsNullExpr':
      return { ...e, operand: foldExpr(e.operand) };
    case 'CaseWhen':
      return { ...e, whens: e.whens.map((w) => ({ when: foldExpr(w.when), then: foldExpr(w.then) })), otherwise: e.otherwise ? foldExpr(e.otherwise) : undefined };
    case 'InValues':
      return { ...e, operand: foldExpr(e.operand), list: e.list.map(foldExpr) };
  }
  return e;
}

export const constantFolding: OptimizerRule = {
  name: 'constant-folding',
  rewrite: (plan) =>
    transformUp(plan, (p): LogicalPlan => {
      switch (p.kind) {
        case 'LogicalProject':
          return { ...p, exprs: p.exprs.map(foldExpr) };
        case 'LogicalFilter': {
          const condition = foldExpr(p.condition);
          return isLiteral(condition, true) ? p.input : { ...p, condition };
        }
        case 'LogicalJoin':
          return { ...p, condition: foldExpr(p.condition) };
        case 'LogicalScan':
        case 'LogicalValues':
        case 'LogicalWindowTableFunction':
        case 'LogicalAggregate':
        case 'LogicalUnion':
        case 'LogicalLimit':
        case 'LogicalSort':
          return p;
        default:
          return assertNever(p);
      }
    }),
};
