/**
 * Splits a join condition into equi-join keys and a residual condition. The keys decide how the join's
 * state is partitioned: rows are stored, and looked up, by their key values, so only rows with equal keys
 * are ever compared; the residual is then checked on each pair. A condition without keys (a cross join, or
 * only `<`, `OR`, ...) puts every row under one key.
 */
import { sameType } from '../common/types.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { conjunction, conjuncts, inputRefs, isDeterministic, isTrue, shiftInputRefs } from './expr-utils.js';

/** The equi-join keys of a join condition and what remains of it. */
export interface JoinKeys {
  /** Key expressions over the left row; pairwise equal to `rightKeys` in every matching pair. */
  readonly leftKeys: readonly BoundExpr[];
  /** Key expressions over the right row. */
  readonly rightKeys: readonly BoundExpr[];
  /** The other conjuncts, over the joined row `[...left, ...right]`; undefined when the keys are all of it. */
  readonly residual?: BoundExpr;
}

/** Which side an expression reads: 0 (left only), 1 (right only), or undefined (both, or no column). */
function side(e: BoundExpr, leftWidth: number): 0 | 1 | undefined {
  const refs = [...inputRefs(e)];
  if (refs.length === 0) return undefined;
  if (refs.every((r) => r < leftWidth)) return 0;
  if (refs.every((r) => r >= leftWidth)) return 1;
  return undefined;
}

/**
 * The keys of `condition` (over `[...left, ...right]`, the left row `leftWidth` wide): every conjunct
 * `x = y` where `x` reads only one side and `y` only the other, both deterministic and of the same type
 * (the binder has coerced them), so that equal key values mean the conjunct is TRUE. `=` is never TRUE for
 * NULL, so a row with a NULL key value matches nothing. Every other conjunct stays in the residual.
 */
export function splitJoinCondition(condition: BoundExpr, leftWidth: number): JoinKeys {
  const leftKeys: BoundExpr[] = [];
  const rightKeys: BoundExpr[] = [];
  const residual: BoundExpr[] = [];
  for (const c of conjuncts(condition)) {
    if (isTrue(c)) continue;
    if (c.kind === 'Call' && c.fn === '=' && c.args.length === 2 && isDeterministic(c) && sameType(c.args[0]!.type, c.args[1]!.type)) {
      const [a, b] = c.args as [BoundExpr, BoundExpr];
      const sa = side(a, leftWidth);
      const sb = side(b, leftWidth);
      if (sa !== undefined && sb !== undefined && sa !== sb) {
        const [l, r] = sa === 0 ? [a, b] : [b, a];
        leftKeys.push(l);
        rightKeys.push(shiftInputRefs(r, -leftWidth));
        continue;
      }
    }
    residual.push(c);
  }
  return { leftKeys, rightKeys, residual: residual.length > 0 ? conjunction(residual) : undefined };
}
