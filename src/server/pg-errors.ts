/**
 * Eddy errors as Postgres ErrorResponse fields: a SQLSTATE for each Eddy error code, the message, the hint,
 * and the position as Postgres counts it (1-based, in characters of the whole query string).
 */
import { EddyError } from '../index.js';
import type { ErrorFields } from './pg-messages.js';

/** SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) for Eddy's error codes. */
const SQLSTATE: Readonly<Record<string, string>> = {
  'EDDY-P001': '42601', // syntax_error
  'EDDY-P002': '42601',
  'EDDY-P003': '42601',
  'EDDY-P004': '22P02', // invalid_text_representation
  'EDDY-P005': '42601',
  'EDDY-P006': '42704', // undefined_object
  'EDDY-P007': '54001', // statement_too_complex
  'EDDY-B001': '42P01', // undefined_table
  'EDDY-B002': '42703', // undefined_column
  'EDDY-B003': '42883', // undefined_function
  'EDDY-B004': '42702', // ambiguous_column
  'EDDY-B005': '42804', // datatype_mismatch
  'EDDY-B006': '42883',
  'EDDY-B007': '42804',
  'EDDY-B008': '42803', // grouping_error
  'EDDY-B009': '42P20', // windowing_error
  'EDDY-B010': '42701', // duplicate_column
  'EDDY-B011': '42P07', // duplicate_table
  'EDDY-B012': '42803',
  'EDDY-B013': '42000', // syntax_error_or_access_rule_violation
  'EDDY-B014': '42704',
  'EDDY-C001': '42704',
  'EDDY-C002': '22023', // invalid_parameter_value
  'EDDY-C003': '22023',
  'EDDY-C004': '22023',
  'EDDY-C005': '42704',
  'EDDY-L001': '0A000', // feature_not_supported
  'EDDY-L002': '0A000',
  'EDDY-R001': '22000', // data_exception
  'EDDY-R002': '58P01', // undefined_file
  'EDDY-R003': '22000',
  'EDDY-R004': '58030', // io_error
  'EDDY-R005': 'XX000', // internal_error
  'EDDY-R006': '55006', // object_in_use (the state directory is locked by another process)
  'EDDY-R007': 'XX001', // data_corrupted (damaged state)
  'EDDY-R008': '54000', // program_limit_exceeded (table.exec.query.max-rows)
  'EDDY-R009': '57014', // query_canceled (table.exec.query.timeout, as statement_timeout)
  'EDDY-S001': '28P01', // invalid_password
  'EDDY-S002': '08P01', // protocol_violation
  'EDDY-S003': '0A000',
  'EDDY-S004': '57014', // query_canceled
  'EDDY-S005': '22P02',
  'EDDY-S006': '42501', // insufficient_privilege
  'EDDY-S007': '53400', // configuration_limit_exceeded
};

/** The SQLSTATE for an Eddy error code (XX000 for codes without a closer match). */
export function sqlState(code: string): string {
  return SQLSTATE[code] ?? (code.startsWith('EDDY-P') ? '42601' : code.startsWith('EDDY-B') ? '42000' : 'XX000');
}

/** The 1-based character (code point) position of a UTF-16 offset, as Postgres reports positions. */
export function characterPosition(text: string, offset: number): number {
  let chars = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) chars++;
  }
  return chars + 1;
}

/** An error that is already in Postgres's terms (a SQLSTATE of its own), e.g. from pg-compat.ts. */
export class PgError extends Error {
  constructor(readonly fields: ErrorFields) {
    super(fields.message);
  }
}

/**
 * ErrorResponse fields for an error met while running a statement of `query` (the whole text the client
 * sent); `toQueryOffset` maps an offset in the statement Eddy ran to one in `query`. The Eddy code goes in
 * the detail, with any further diagnostics.
 */
export function errorFields(err: unknown, query: string, toQueryOffset: (offset: number) => number): ErrorFields {
  if (err instanceof PgError) return err.fields;
  if (err instanceof EddyError) {
    const [first, ...rest] = err.diagnostics;
    const detail = [first!.code, ...rest.map((d) => `${d.code}: ${d.message}${d.span ? ` (line ${d.span.line}, column ${d.span.column})` : ''}`)].join('\n');
    // Spans index the text Eddy parsed: the statement, once ${variables} are substituted. Without
    // variables that is exactly the statement's text in `query`.
    const at = first!.span ? toQueryOffset(first!.span.start) : -1;
    const position = at >= 0 && at <= query.length ? characterPosition(query, at) : undefined;
    return { severity: 'ERROR', code: sqlState(first!.code), message: first!.message, detail, hint: first!.hint, position };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { severity: 'ERROR', code: 'XX000', message };
}
