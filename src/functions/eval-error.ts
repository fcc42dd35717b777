/** The error built-in functions throw when they fail at run time (bad cast, division by zero, ...). */
import { EddyError, ErrorCode, type Span } from '../common/errors.js';
import { isBigDecimal } from '../common/decimal.js';

/**
 * A run-time failure inside an expression. The message names the function and the offending value
 * (`Cannot cast 'abc' to INT`); the compiled expression attaches the SQL span of the failing call.
 */
export class ExpressionError extends EddyError {
  constructor(message: string, span?: Span, hint?: string) {
    super({ code: ErrorCode.EXPRESSION_FAILED, message, span, hint });
    this.name = 'ExpressionError';
  }

  /** The span of the failing call, when known. */
  get span(): Span | undefined {
    return this.diagnostics[0]!.span;
  }

  /** The same error pointed at `span` (a new error; this one is left as it is). */
  withSpan(span: Span): ExpressionError {
    const d = this.diagnostics[0]!;
    const e = new ExpressionError(d.message, span, d.hint);
    e.stack = this.stack;
    return e;
  }
}

/** Renders a value for an error message: strings quoted, others as text. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${v.length > 60 ? v.slice(0, 57) + '...' : v}'`;
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (isBigDecimal(v)) return v.decimal;
  return String(v);
}
