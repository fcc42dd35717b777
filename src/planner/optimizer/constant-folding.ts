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

/** `xs` with `f` applied to each: `xs` itself when `f` changed none (so unchanged plans stay the same objects). */
function mapSame<T>(xs: readonly T[], f: (x: T) => T): readonly T[] {
  let out: T[] | undefined;
  xs.forEach((x, i) => {
    const y = f(x);
    if (y !== x) (out ??= xs.slice(0, i)).push(y);
    else out?.push(x);
  });
  return out ?? xs;
}

/**
 * Folds an expression bottom-up; returns `e` itself when nothing folds (the optimizer sees that a round
 * changed nothing by identity). An expression that fails to evaluate (e.g. 1/0) is left for run time.
 */
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
      const folded = mapSame(e.args, foldExpr);
      const args = folded.filter((a) => !isLiteral(a, !absorbing));
      if (args.some((a) => isLiteral(a, absorbing))) return { kind: 'LiteralValue', value: absorbing, type: withNullable(e.type, false) };
      if (args.length === 0) return { kind: 'LiteralValue', value: !absorbing, type: withNullable(e.type, false) };
      if (args.length === 1) return args[0]!;
      return folded === e.args && args.length === folded.length ? e : { ...e, args };
    }
    case 'Call': {
      const args = mapSame(e.args, foldExpr);
      return args === e.args ? e : { ...e, args };
    }
    case 'NotExpr':
    case 'IsNullExpr': {
      const operand = foldExpr(e.operand);
      return operand === e.operand ? e : { ...e, operand };
    }
    case 'CaseWhen': {
      const whens = mapSame(e.whens, (w) => {
        const when = foldExpr(w.when);
        const then = foldExpr(w.then);
        return when === w.when && then === w.then ? w : { when, then };
      });
      const otherwise = e.otherwise ? foldExpr(e.otherwise) : undefined;
      return whens === e.whens && otherwise === e.otherwise ? e : { ...e, whens, otherwise };
    }
    case 'InValues': {
      const operand = foldExpr(e.operand);
      const list = mapSame(e.list, foldExpr);
      return operand === e.operand && list === e.list ? e : { ...e, operand, list };
    }
  }
  return e;
}

export const constantFolding: OptimizerRule = {
  name: 'constant-folding',
  rewrite: (plan) =>
    transformUp(plan, (p): LogicalPlan => {
      switch (p.kind) {
        case 'LogicalProject': {
          const exprs = mapSame(p.exprs, foldExpr);
          return exprs === p.exprs ? p : { ...p, exprs };
        }
        case 'LogicalFilter': {
          const condition = foldExpr(p.condition);
          if (isLiteral(condition, true)) return p.input;
          return condition === p.condition ? p : { ...p, condition };
        }
        case 'LogicalJoin': {
          const condition = foldExpr(p.condition);
          return condition === p.condition ? p : { ...p, condition };
        }
        case 'LogicalScan':
        case 'LogicalValues':
        case 'LogicalWindowTableFunction':
        case 'LogicalAggregate':
        case 'LogicalUnion':
        case 'LogicalLimit':
        case 'LogicalSort':
        case 'LogicalRank':
        case 'LogicalOverAggregate':
        case 'LogicalKsqlWindowAggregate':
          return p;
        default:
          return assertNever(p);
      }
    }),
};
