/**
 * Test-only ksqlDB sources: Flink DDL tables turned into what the ksqlDB front end makes of CREATE STREAM /
 * CREATE TABLE (`TableDef.ksql` set, ROWTIME and its event-time attribute hidden pseudo columns), so that
 * the planner and runtime can be tested without it.
 */
import type { Catalog, TableDef } from '../../src/planner/catalog.js';

/** The columns every test source declares for its record time: `ROWTIME BIGINT` and the event-time attribute `RT` from it. */
export const ROWTIME_COLUMNS = 'ROWTIME BIGINT, RT AS TO_TIMESTAMP_LTZ(ROWTIME, 3), WATERMARK FOR RT AS RT';

/** Marks the catalog table `name` as a ksqlDB stream or table, with ROWTIME and RT hidden. */
export function markKsql(catalog: Catalog, name: string, objectType: 'STREAM' | 'TABLE'): void {
  const def = catalog.get(name) as TableDef;
  catalog.remove(def.name);
  const hidden = new Set(['ROWTIME', 'RT']);
  catalog.add({
    ...def,
    columns: def.columns.map((c) => (hidden.has(c.name) ? { ...c, hidden: true } : c)),
    ksql: { objectType, topic: def.name.toLowerCase(), keyColumns: def.primaryKey ?? [], properties: {} },
  });
}
