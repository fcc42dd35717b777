/** Binds `CREATE VIEW` (DuckDB's bind_create): its query must bind, and its column names must fit the query's columns. */
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { ViewDef } from '../catalog.js';
import type { BinderContext } from './binder-context.js';
import { QueryBinder } from './bind-query.js';
import { qualified } from './bind-table.js';

/** Validates a CREATE VIEW (its query must bind) and returns the view's catalog entry. */
export function bindCreateView(stmt: ast.CreateView, ctx: BinderContext): ViewDef {
  const bound = new QueryBinder(ctx).bindQuery(stmt.query);
  const names = stmt.columnNames?.map((c) => c.name);
  if (names && names.length !== bound.plan.schema.length) {
    throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `View '${qualified(stmt.name)}' names ${names.length} columns, but its query has ${bound.plan.schema.length}`, span: stmt.name.span });
  }
  const schema = bound.plan.schema.map((f, i) => ({ name: names?.[i] ?? f.name, type: f.type }));
  return { kind: 'view', name: qualified(stmt.name), query: stmt.query, columnNames: names, schema, temporary: stmt.temporary, statement: stmt };
}
