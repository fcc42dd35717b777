/**
 * The registry of error codes. Every diagnostic Eddy prints carries one of these; docs/errors.md explains
 * each. Codes are stable: never renumber, only add.
 *
 * - `EDDY-Pxxx` parse errors (lexing and syntax)
 * - `EDDY-Bxxx` binding and validation (names, types, windows)
 * - `EDDY-Cxxx` connectors and their options
 * - `EDDY-Lxxx` planning (changelog modes, unsupported plans)
 * - `EDDY-Rxxx` run time (records, files, expressions)
 * - `EDDY-Sxxx` the server (`eddy serve`: HTTP and the Postgres protocol)
 */
export const ErrorCodes = {
  /** The parser met a token it did not expect. */
  UNEXPECTED_TOKEN: 'EDDY-P001',
  /** A character that starts no token. */
  UNRECOGNIZED_CHARACTER: 'EDDY-P002',
  /** A string, quoted identifier or comment that is never closed. */
  UNTERMINATED: 'EDDY-P003',
  /** A literal with a malformed value (interval, timestamp, number). */
  INVALID_LITERAL: 'EDDY-P004',
  /** The script ended where more was expected. */
  UNEXPECTED_END: 'EDDY-P005',
  /** A type name Eddy does not know. */
  UNKNOWN_TYPE: 'EDDY-P006',

  UNKNOWN_TABLE: 'EDDY-B001',
  UNKNOWN_COLUMN: 'EDDY-B002',
  UNKNOWN_FUNCTION: 'EDDY-B003',
  AMBIGUOUS_COLUMN: 'EDDY-B004',
  TYPE_MISMATCH: 'EDDY-B005',
  WRONG_ARGUMENTS: 'EDDY-B006',
  NOT_A_TIME_ATTRIBUTE: 'EDDY-B007',
  NOT_GROUPED: 'EDDY-B008',
  INVALID_WINDOW: 'EDDY-B009',
  DUPLICATE_NAME: 'EDDY-B010',
  ALREADY_EXISTS: 'EDDY-B011',
  INVALID_AGGREGATE: 'EDDY-B012',
  INVALID_STATEMENT: 'EDDY-B013',
  UNKNOWN_VARIABLE: 'EDDY-B014',

  UNKNOWN_CONNECTOR: 'EDDY-C001',
  UNKNOWN_OPTION: 'EDDY-C002',
  MISSING_OPTION: 'EDDY-C003',
  INVALID_OPTION: 'EDDY-C004',
  UNKNOWN_FORMAT: 'EDDY-C005',

  UPDATING_INTO_APPEND_ONLY: 'EDDY-L001',
  UNSUPPORTED: 'EDDY-L002',

  BAD_RECORD: 'EDDY-R001',
  FILE_NOT_FOUND: 'EDDY-R002',
  EXPRESSION_FAILED: 'EDDY-R003',
  IO_FAILED: 'EDDY-R004',
  JOB_FAILED: 'EDDY-R005',
  /** A state directory already used by another process (its pid named). */
  STATE_DIR_LOCKED: 'EDDY-R006',
  /** A state file (or savepoint) that is damaged: garbage, truncated, or an entry that cannot be decoded. */
  STATE_DAMAGED: 'EDDY-R007',

  // --- Server: `eddy serve`, its HTTP API and the Postgres wire protocol (src/server) ---
  /** A request without the right HTTP token or Postgres password. */
  AUTH_FAILED: 'EDDY-S001',
  /** A malformed request: an HTTP body without `sql`, a Postgres message out of place. */
  BAD_REQUEST: 'EDDY-S002',
  /** A Postgres client feature Eddy does not have: system catalogs, binary results, COPY, prepared-statement metadata. */
  PG_UNSUPPORTED: 'EDDY-S003',
  /** A query cancelled by its client (a Postgres CancelRequest). */
  QUERY_CANCELLED: 'EDDY-S004',
  /** A `$n` parameter with no value, or with a value that is not valid for its declared type. */
  INVALID_PARAMETER: 'EDDY-S005',
  /** A statement a served client may not run: a read-only client's DDL or INSERT, a file path outside the allowed directories. */
  ACCESS_DENIED: 'EDDY-S006',
  /** A client that stopped reading a push query's results past the server's bound, or sent nothing in time. */
  CLIENT_TOO_SLOW: 'EDDY-S007',

  // --- Limits (issue 15): nesting depth, unsafe regular expressions, ad-hoc query bounds ---
  /** SQL nested deeper than the parser, binder or expression compiler allow (docs/sql.md, Limits). */
  NESTED_TOO_DEEPLY: 'EDDY-P007',
  /** An ad-hoc query that produced more rows than `table.exec.query.max-rows`. */
  QUERY_TOO_MANY_ROWS: 'EDDY-R008',
  /** An ad-hoc query that ran longer than `table.exec.query.timeout`. */
  QUERY_TIMEOUT: 'EDDY-R009',

  // --- METADATA columns (issue 17) ---
  /** A METADATA column whose key its connector does not offer (lists the keys it does, with did-you-mean). */
  UNKNOWN_METADATA_KEY: 'EDDY-C006',

  // --- ksqlDB tests (issue 18) ---
  /** Eddy.settle: the persistent queries did not catch up with their input within the time allowed. */
  SETTLE_TIMEOUT: 'EDDY-R020',
} as const;

/** One of the registered codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

// `ErrorCode` is also usable as a value namespace: ErrorCode.UNKNOWN_TABLE.
export const ErrorCode = ErrorCodes;
