/**
 * push-down-filter: moves filters towards the sources so fewer rows flow through the plan: merges adjacent
 * filters, and pushes a filter below projections (substituting the projected expressions), sorts, unions, window
 * TVFs (when it reads no window column) and aggregations (when it reads only group keys).
 */
import { T } from '../../common/types.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { inputRefs, replaceInputRefs } from '../expr-utils.js';
import { transformDown, type LogicalPlan } from '../logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

function filter(input: LogicalPlan, condition: BoundExpr): LogicalPlan {
  return { kind: 'LogicalFilter', input, condition, schema: input.schema };
}

function isDeterministic(e: BoundExpr): boolean {
  if (e.kind === 'Call' && !e.deterministic) return false;
  if (e.kind === 'Call' || e.kind === 'AndExpr' || e.kind === 'OrExpr') return e.args.every(isDeterministic);
  if (e.kind === 'NotExpr' || e.kind === 'IsNullExpr') return isDeterministic(e.operand);
  if (e.kind === 'CaseWhen') return e.whens.every((w) => isDeterministic(w.when) && isDeterministic(w.then)) && (!e.otherwise || isDeterministic(e.otherwise));
  if (e.kind === 'InValues') return isDeterministic(e.operand) && e.list.every(isDeterministic);
  return true;
}

function pushOnce(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'LogicalFilter') return p;
  const input = p.input;
  const refs = [...inputRefs(p.condition)];
  switch (input.kind) {
    case 'LogicalFilter':
      return pushOnce(filter(input.input, { kind: 'AndExpr', args: [input.condition, p.condition], type: T.boolean() }));
    case 'LogicalProject': {
      if (!refs.every((r) => isDeterministic(input.exprs[r]!))) return p;
      const condition = replaceInputRefs(p.condition, (ref) => input.exprs[ref.index]!);
      return { ...input, input: pushOnce(filter(input.input, condition)) };
    }
    case 'LogicalUnion':
      return { ...input, inputs: input.inputs.map((i) => pushOnce(filter(i, p.condition))) };
    case 'LogicalSort':
      return { ...input, input: pushOnce(filter(input.input, p.condition)) };
    case 'LogicalWindowTableFunction':
      if (refs.some((r) => r >= input.input.schema.length)) return p;
      return { ...input, input: pushOnce(filter(input.input, p.condition)) };
    case 'LogicalAggregate': {
      if (refs.some((r) => r >= input.groupKeys.length)) return p;
      const condition = replaceInputRefs(p.condition, (ref) => {
        const k = input.groupKeys[ref.index]!;
        return { kind: 'InputRef', index: k, type: input.input.schema[k]!.type, name: input.input.schema[k]!.name };
      });
      return { ...input, input: pushOnce(filter(input.input, condition)) };
    }
    default:
      return p;
  }
}

export const pushDownFilter: OptimizerRule = {
  name: 'push-down-filter',
  rewrite: (plan) => transformDown(plan, pushOnce),
};
