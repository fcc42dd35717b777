/** What executing one statement gives back: a message, a table of text, EXPLAIN text, a running query or job, or a pull query's rows. */
import type * as ast from '../parser/ast.js';
import type { QueryHandle } from './query-handle.js';
import type { JobHandle } from './job-handle.js';
import type { PullResult } from './pull-query.js';

/** A table of text, for SHOW, DESCRIBE and SET. */
export interface TextTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines to show after the table (e.g. a materialized view's freshness in DESCRIBE). */
  readonly footer?: readonly string[];
}

/** What executing one statement gives back. */
export type StatementResult =
  | { readonly kind: 'ok'; readonly message: string; readonly statement: ast.Statement }
  | { readonly kind: 'table'; readonly table: TextTable; readonly statement: ast.Statement }
  | { readonly kind: 'explain'; readonly text: string; readonly statement: ast.Statement }
  /** A running query; `notes` are lines to show before its rows (PRINT: the cluster, the key and value formats). */
  | { readonly kind: 'query'; readonly query: QueryHandle; readonly statement: ast.Statement; readonly notes?: readonly string[] }
  /** A pull query's answer (a SELECT over materialized views or sqlite tables only): final rows. */
  | { readonly kind: 'rows'; readonly result: PullResult; readonly statement: ast.Statement }
  | { readonly kind: 'job'; readonly job: JobHandle; readonly statement: ast.Statement };

/** Executes the statements of one family (DDL, INSERT jobs, queries, ...) against the session's state. */
export interface StatementExecutor<S extends ast.Statement> {
  execute(stmt: S): StatementResult | Promise<StatementResult>;
}
