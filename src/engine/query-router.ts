/** Decides how a SELECT runs — pull, push or continuous — from facts of its bound plan. */
import type * as ast from '../parser/ast.js';
import type { ScannedTable } from '../planner/planner.js';

/**
 * How a SELECT runs:
 * - `pull`: every table it scans reads a snapshot of stored data (sqlite tables, materialized views), and it
 *   does not ask for changes: it runs at once over one snapshot and answers final rows.
 * - `push`: `EMIT CHANGES` over materialized views: the views' current rows, then their changes as their
 *   jobs apply them.
 * - `continuous`: anything else runs as a streaming job whose changes are the query's result.
 *
 * `views` are the materialized views the query scans (for pull: possibly none, when it reads sqlite
 * tables only).
 */
export type QueryRoute<View> =
  | { readonly kind: 'pull'; readonly views: readonly View[] }
  | { readonly kind: 'push'; readonly views: readonly View[] }
  | { readonly kind: 'continuous' };

/**
 * Routes a SELECT from what its plan scans: `scanned` (from Planner.scannedTables, with whether each
 * table's source reads a snapshot), and `viewOf`, the session's materialized view stored in a
 * scanned table, if any.
 *
 * Order matters: EMIT CHANGES over any materialized view is a push query (even if it also reads other
 * tables: the push executor then refuses it with a message that says what it supports); EMIT CHANGES over
 * plain tables is continuous, even when they are snapshots.
 */
export function routeQuery<View>(query: ast.Query, scanned: readonly ScannedTable[], viewOf: (table: string) => View | undefined): QueryRoute<View> {
  const views = scanned.map((s) => viewOf(s.table.name)).filter((v): v is View => v !== undefined);
  const changes = query.emit === 'CHANGES';
  if (changes && views.length > 0) return { kind: 'push', views };
  const snapshot = scanned.length > 0 && scanned.every((s) => s.readsSnapshot);
  if (snapshot && !changes) return { kind: 'pull', views };
  return { kind: 'continuous' };
}
