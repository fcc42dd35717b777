/**
 * Which views and materialized views depend on a table or view: those whose query binds with the catalog as
 * it is, and no longer binds without it (directly, or through another view). DROP refuses to break them
 * unless asked to CASCADE.
 */
import type * as ast from '../parser/ast.js';
import { Catalog, type CatalogEntry } from '../planner/catalog.js';
import type { SessionContext } from './session-context.js';

/** A view's or a materialized view's query (undefined for a table with a connector). */
function queryOf(entry: CatalogEntry): ast.Query | undefined {
  if (entry.kind === 'view') return entry.query;
  return entry.statement.kind === 'CreateView' ? entry.statement.query : undefined;
}

/** Whether `query` binds against `catalog`. */
function binds(session: SessionContext, catalog: Catalog, query: ast.Query): boolean {
  try {
    session.planner(catalog).bindQuery(query);
    return true;
  } catch {
    return false;
  }
}

/** The views and materialized views that would break if `target` were dropped, sorted by name. */
export function dependentsOf(session: SessionContext, target: CatalogEntry): CatalogEntry[] {
  const entries = session.catalog.list();
  const without = new Catalog();
  for (const e of entries) if (e !== target) without.add(e);
  return entries.filter((e) => {
    const query = e !== target ? queryOf(e) : undefined;
    return query !== undefined && binds(session, session.catalog, query) && !binds(session, without, query);
  });
}

/** `the view v, the materialized view m`: dependents as a message names them. */
export function describeDependents(dependents: readonly CatalogEntry[], isMaterialized: (e: CatalogEntry) => boolean): string {
  return dependents.map((d) => `${isMaterialized(d) ? 'materialized view' : 'view'} '${d.name}'`).join(', ');
}
