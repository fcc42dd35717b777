/**
 * Flink's dynamic table options: `FROM t /*+ OPTIONS('path' = 'other.csv') *\/` and
 * `INSERT INTO t /*+ OPTIONS(...) *\/ ...` override the table's WITH options for one statement. The merged
 * options are checked like a CREATE TABLE's (an unknown key or a bad value is an error at the hint).
 *
 * The hinted table is another source than the table without the hint (or with another hint): the hint's
 * options are part of its plan nodes' ids (node-id.ts) and of the restore fingerprint. So one job can read
 * a table twice with different hints, and a job whose hint changed between runs does not resume on the
 * state of the old one (it is refused, as for any changed SQL: restore the SQL or start with --fresh).
 * Editing the table's WITH options, by contrast, keeps the ids (a moved file is the same source).
 */
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { TableDef } from '../catalog.js';
import type { BinderContext } from './binder-context.js';
import { optionDiagnostics, tableShape } from './bind-table.js';

/** The Flink setting that enables OPTIONS hints (default true, as in Flink). */
export const DYNAMIC_TABLE_OPTIONS_SETTING = 'table.dynamic-table-options.enabled';

/** `table` with the hint's options over its WITH options; `table` itself when there is no hint. */
export function applyOptionsHint(table: TableDef, hint: ast.OptionsHint | undefined, ctx: BinderContext): TableDef {
  if (hint === undefined) return table;
  if (ctx.dynamicTableOptions === false) {
    throw new EddyError({
      code: ErrorCode.INVALID_STATEMENT,
      message: `OPTIONS hints are disabled ('${DYNAMIC_TABLE_OPTIONS_SETTING}' is false)`,
      span: hint.span,
      hint: `SET '${DYNAMIC_TABLE_OPTIONS_SETTING}' = 'true', or change the table's WITH options`,
    });
  }
  if (table.statement.kind === 'CreateView') {
    throw new EddyError({
      code: ErrorCode.INVALID_STATEMENT,
      message: `OPTIONS hints apply to tables, and '${table.name}' is a materialized view`,
      span: hint.span,
      hint: 'remove the hint: a materialized view is read as Eddy stores it',
    });
  }
  const connector = hint.options.find((o) => o.key === 'connector');
  if (connector !== undefined) {
    throw new EddyError({
      code: ErrorCode.INVALID_OPTION,
      message: `An OPTIONS hint cannot change the connector of '${table.name}'`,
      span: connector.keySpan,
      hint: 'create another table with the other connector',
    });
  }
  const dynamicOptions: Record<string, string> = {};
  for (const o of hint.options) dynamicOptions[o.key] = o.value;
  const options = { ...table.options, ...dynamicOptions };
  const problems = optionDiagnostics(ctx, options, hint.options, hint.span, tableShape(table.columns, table.primaryKey));
  if (problems.length > 0) throw new EddyError(problems);
  return { ...table, options, dynamicOptions };
}
