/** DESCRIBE of a ksqlDB stream or table, shaped as ksqlDB shows it: `Field | Type` with `(key)` markers. */
import type { DataType } from '../../common/types.js';
import type { TableDef } from '../../planner/catalog.js';
import type { TextTable } from '../statement-result.js';

/** A type as ksqlDB writes it (`VARCHAR(STRING)`, `INTEGER`, `STRUCT<A INTEGER>`). */
export function ksqlTypeName(t: DataType): string {
  switch (t.name) {
    case 'STRING':
      return 'VARCHAR(STRING)';
    case 'INT':
      return 'INTEGER';
    case 'TINYINT':
    case 'SMALLINT':
      return 'INTEGER';
    case 'FLOAT':
      return 'DOUBLE';
    case 'DECIMAL':
      return `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMP';
    case 'ARRAY':
      return `ARRAY<${ksqlTypeName(t.element!)}>`;
    case 'MAP':
      return `MAP<${ksqlTypeName(t.key!)}, ${ksqlTypeName(t.value!)}>`;
    case 'ROW':
      return `STRUCT<${(t.fields ?? []).map((f) => `${f.name} ${ksqlTypeName(f.type)}`).join(', ')}>`;
    default:
      return t.name;
  }
}

/**
 * The rows of DESCRIBE for a ksqlDB stream or table: its columns with `(key)` (stream) / `(primary key)` (table)
 * markers, pseudo columns hidden; `extended` adds ROWTIME, ROWPARTITION, ROWOFFSET (DESCRIBE EXTENDED adds
 * the topic, formats and queries: ksql-listings.ts).
 */
export function describeKsqlSource(table: TableDef, extended = false): TextTable {
  const ksql = table.ksql!;
  const marker = ksql.objectType === 'STREAM' ? '(key)' : '(primary key)';
  const rows: string[][] = [];
  for (const c of table.columns) {
    if (c.hidden && !(extended && ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET'].includes(c.name))) continue;
    const window = c.name === 'WINDOWSTART' || c.name === 'WINDOWEND' ? (ksql.window ? '(window)' : '') : '';
    const key = ksql.keyColumns.includes(c.name) ? marker : window;
    const system = c.hidden ? '(system)' : '';
    rows.push([c.name, [ksqlTypeName(c.type), key, system].filter((s) => s !== '').join('  ')]);
  }
  const footer = [`Name: ${table.name}`, `Type: ${ksql.objectType}`];
  return { columns: ['Field', 'Type'], rows, footer };
}
