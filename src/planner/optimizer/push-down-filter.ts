/**
 * push-down-filter: moves filters towards the sources so fewer rows flow through the plan: merges adjacent
 * filters, and pushes a filter below projections (substituting the projected expressions), sorts, unions, window
 * TVFs (when it reads no window column) and aggregations (when it reads only group keys). Conditions are
 * split at AND, so the parts that can move do; non-deterministic parts never move.
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

/** The conjuncts of a condition: `a AND (b AND c)` gives [a, b, c]. */
function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'AndExpr' ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: readonly BoundExpr[]): BoundExpr {
  return parts.length === 1 ? parts[0]! : { kind: 'AndExpr', args: parts, type: T.boolean() };
}

/**
 * Whether a (deterministic) conjunct may move below `input`. A non-deterministic condition never moves: it
 * would be evaluated a different number of times (once per input row instead of once per group, or once
 * per window copy of a row).
 */
function canPush(input: LogicalPlan, part: BoundExpr): boolean {
  if (!isDeterministic(part)) return false;
  const refs = [...inputRefs(part)];
  switch (input.kind) {
    case 'LogicalProject':
      return refs.every((r) => isDeterministic(input.exprs[r]!));
    case 'LogicalUnion':
    case 'LogicalSort':
      return true;
    case 'LogicalWindowTableFunction':
      return refs.every((r) => r < input.input.schema.length);
    case 'LogicalAggregate':
      return refs.every((r) => r < input.groupKeys.length);
    default:
      return false;
  }
}

/** `input` with `condition` applied below it (`canPush` holds for every conjunct). */
function pushBelow(input: LogicalPlan, condition: BoundExpr): LogicalPlan {
  switch (input.kind) {
    case 'LogicalProject':
      return { ...input, input: pushOnce(filter(input.input, replaceInputRefs(condition, (ref) => input.exprs[ref.index]!))) };
    case 'LogicalUnion':
      return { ...input, inputs: input.inputs.map((i) => pushOnce(filter(i, condition))) };
    case 'LogicalSort':
    case 'LogicalWindowTableFunction':
      return { ...input, input: pushOnce(filter(input.input, condition)) };
    case 'LogicalAggregate': {
      const mapped = replaceInputRefs(condition, (ref) => {
        const k = input.groupKeys[ref.index]!;
        return { kind: 'InputRef', index: k, type: input.input.schema[k]!.type, name: input.input.schema[k]!.name };
      });
      return { ...input, input: pushOnce(filter(input.input, mapped)) };
    }
    default:
      return filter(input, condition);
  }
}

function pushOnce(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'LogicalFilter') return p;
  const input = p.input;
  if (input.kind === 'LogicalFilter') return pushOnce(filter(input.input, and([...conjuncts(input.condition), ...conjuncts(p.condition)])));
  const parts = conjuncts(p.condition);
  const pushable = parts.filter((c) => canPush(input, c));
  if (pushable.length === 0) return p;
  const kept = parts.filter((c) => !pushable.includes(c));
  const pushed = pushBelow(input, and(pushable));
  return kept.length > 0 ? filter(pushed, and(kept)) : pushed;
}

export const pushDownFilter: OptimizerRule = {
  name: 'push-down-filter',
  rewrite: (plan) => transformDown(plan, pushOnce),
};
