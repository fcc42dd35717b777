/** What an operator does with a row whose SQL expression failed: the job's error policy decides. */
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import type { Row } from '../changelog.js';
import type { BadRecord } from '../connector.js';
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
    ...(span === undefined ? {} : { span }),
  });
}

/**
 * The error for a failed expression in a job that reads no source table (`SELECT 1/0`, `INSERT ... VALUES`):
 * there is no table whose `errors.policy` could apply, so it fails, naming the expression (`sqlOf` gives
 * its text from the statement, when known) and its position.
 */
export function expressionFailure(record: BadRecord, sqlOf: (span: Span) => string | undefined): EddyError {
  const span = record.span;
  if (span === undefined) return new EddyError({ code: ErrorCode.EXPRESSION_FAILED, message: `${record.message} in a SQL expression` });
  const text = sqlOf(span)?.replace(/\s+/g, ' ');
  const shown = text === undefined ? '' : ` in \`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\``;
  return new EddyError({ code: ErrorCode.EXPRESSION_FAILED, message: `${record.message}${shown} at line ${span.line}, column ${span.column}`, span });
}
