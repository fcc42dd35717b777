/**
 * The rows the join operators (Join, IntervalJoin, WindowJoin) build from their inputs' rows: a pair of a
 * row of each side that the residual condition accepts, and a row of one side null-padded for the other's
 * columns. One place for the side order (`[...left, ...right]`) and for a residual that fails.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import type { Row } from '../changelog.js';
import type { OperatorContext } from '../operator.js';
import { reportExpressionError } from './expression-error.js';

/** 0 for the left input, 1 for the right. */
export type JoinSide = 0 | 1;

/** Builds joined rows for a join whose sides have `widths` columns and whose pairs must satisfy `residual`. */
export class JoinRows {
  /** A row of NULLs as wide as each side. */
  private readonly nulls: readonly [Row, Row];

  constructor(
    widths: readonly [number, number],
    private readonly residual: CompiledExpr | undefined,
  ) {
    this.nulls = [new Array<unknown>(widths[0]).fill(null), new Array<unknown>(widths[1]).fill(null)];
  }

  /**
   * The joined row of a row of `side` and a row of the other side, or undefined when the residual condition
   * is not TRUE for it (a residual that fails goes to the job's error policy through `ctx`: the pair does not match).
   */
  pair(ctx: OperatorContext, side: JoinSide, row: Row, other: Row): Row | undefined {
    const joined = side === 0 ? row.concat(other) : other.concat(row);
    if (this.residual === undefined) return joined;
    try {
      return this.residual(joined) === true ? joined : undefined;
    } catch (err) {
      reportExpressionError(ctx, err, joined);
      return undefined;
    }
  }

  /** A row of `side` with NULLs for the other side's columns. */
  nullPadded(side: JoinSide, row: Row): Row {
    return side === 0 ? row.concat(this.nulls[1]) : this.nulls[0].concat(row);
  }
}
