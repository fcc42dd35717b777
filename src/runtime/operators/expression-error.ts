/** What an operator does with a row whose SQL expression failed: the job's error policy decides. */
import { EddyError } from '../../common/errors.js';
import type { Row } from '../changelog.js';
import type { OperatorContext } from '../operator.js';

/**
 * A row whose expression failed (a failed CAST, an integer division by zero): the error propagates (the
 * `fail` policy, or an error that is not a SQL one), or the row is counted (and dead-lettered) and the
 * operator drops it.
 */
export function reportExpressionError(ctx: OperatorContext, err: unknown, row: Row): void {
  if (!(err instanceof EddyError) || !ctx.badRecord) throw err;
  const span = err.diagnostics[0]?.span;
  ctx.badRecord({
    kind: 'expression-error',
    message: err.message,
    position: span ? `SQL line ${span.line}, column ${span.column}` : 'a SQL expression',
    raw: JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  });
}
