/**
 * Eddy's public library API: what the CLI, the shell and the servers use, and what applications embed.
 */
export { Eddy, type CatalogRestore, type EddyOptions, type StatementAccess, type StatementResult, type TextTable } from './engine/eddy.js';
export { QueryHandle } from './engine/query-handle.js';
export { FinalRows, collectFinalRows } from './engine/final-rows.js';
export { JobHandle } from './engine/job-handle.js';
export type { CheckpointInfo, JobEvent, JobFailure, JobKind, JobMetrics } from './engine/job-registry.js';
export { describeSummary, type JobSummary, type Progress } from './engine/job-summary.js';
export { describeFreshness, type PullResult, type ViewFreshness } from './engine/pull-query.js';
export { printLine, PRINT_SCHEMA } from './engine/topic-print.js';
export { TopicAdmin, type TopicDescription, type TopicRecordIn, type TopicRecordOut } from './engine/topic-admin.js';
export { EddyError, ErrorCode, renderDiagnostic, type Diagnostic, type SourceText, type Span } from './common/errors.js';
export { T, typeToString, type DataType, type Field, type Schema, type TypeName } from './common/types.js';
export { formatDecimal, formatValue, toJsonValue, compareValues, stringifyJson } from './common/values.js';
export { isValidTimeZone, zoneOffset } from './common/time-zone.js';
export { INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE, ROW_KIND_NAMES, isAccumulate, type ChangeBatch, type Row, type RowKind } from './runtime/changelog.js';
export { parseScript, parseStatement } from './parser/parse.js';
export { scanCode, scanStateAt, statementEnds, stripComments, type ScanState } from './parser/sql-text.js';
export type * as ast from './parser/ast.js';
export { KEYWORDS } from './parser/lexer.js';
export { SOURCE_OPTIONS } from './connectors/validate-options.js';
