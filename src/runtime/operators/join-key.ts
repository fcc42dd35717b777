/** The join key of a row for the time-driven joins (interval and temporal joins). */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import type { Row } from '../changelog.js';
import { keySelector, type GroupKey } from '../keys.js';
import type { OperatorContext } from '../operator.js';
import { reportExpressionError } from './expression-error.js';

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
    const values = new Array<unknown>(exprs.length);
    try {
      for (let i = 0; i < exprs.length; i++) {
        const v = exprs[i]!(row);
        if (v === null || v === undefined) return null;
        values[i] = v;
      }
    } catch (err) {
      reportExpressionError(ctx, err, row);
      return undefined;
    }
    return this.selector.key(values);
  }
}
