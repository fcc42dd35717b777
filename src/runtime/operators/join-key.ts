/** The join key of a row, for every join operator: by a side's key expressions. */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import type { Row } from '../changelog.js';
import { keySelector, type GroupKey, type KeySelector } from '../keys.js';
import type { OperatorContext } from '../operator.js';
import { reportExpressionError } from './expression-error.js';

/** A row's join key, and whether it can match at all (no key value is NULL). */
export interface RowKey {
  readonly key: GroupKey;
  readonly matchable: boolean;
}

/**
 * The join key of a row, by a side's key expressions; undefined when one failed (it is reported to the
 * error policy, and the row dropped).
 */
export function joinKeyOf(ctx: OperatorContext, exprs: readonly CompiledExpr[], selector: KeySelector, row: Row): RowKey | undefined {
  const values = new Array<unknown>(exprs.length);
  let matchable = true;
  try {
    for (let i = 0; i < exprs.length; i++) {
      const v = exprs[i]!(row);
      if (v === null || v === undefined) matchable = false;
      values[i] = v;
    }
  } catch (err) {
    reportExpressionError(ctx, err, row);
    return undefined;
  }
  return { key: selector.key(values), matchable };
}

/** Computes rows' join keys from key expressions (see {@link JoinKeyOf.of}). */
export class JoinKeyOf {
  private readonly selector;

  constructor(width: number) {
    this.selector = keySelector(Array.from({ length: width }, (_, i) => i));
  }

  /**
   * The join key of `row` by `exprs`: null when a key value is NULL (the row matches nothing), undefined
   * when a key expression failed (reported to the job's error policy; the row is dropped).
   */
  of(ctx: OperatorContext, exprs: readonly CompiledExpr[], row: Row): GroupKey | null | undefined {
    const k = joinKeyOf(ctx, exprs, this.selector, row);
    return k === undefined ? undefined : k.matchable ? k.key : null;
  }
}
