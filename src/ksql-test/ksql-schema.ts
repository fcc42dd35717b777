/** Schemas and formats as ksqlDB names them: what a REST test's query header says, and a source's formats. */
import type { DataType, Field } from '../common/types.js';

/** ksqlDB's name of a type: `INTEGER`, `STRING`, `DECIMAL(4, 2)`, `ARRAY<BIGINT>`, `STRUCT<`A` INTEGER>`. */
export function ksqlTypeName(type: DataType): string {
  switch (type.name) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return 'INTEGER';
    case 'FLOAT':
      return 'DOUBLE';
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMP';
    case 'DECIMAL':
      return `DECIMAL(${type.precision ?? 10}, ${type.scale ?? 0})`;
    case 'ARRAY':
      return `ARRAY<${type.element ? ksqlTypeName(type.element) : 'STRING'}>`;
    case 'MAP':
      return `MAP<${type.key ? ksqlTypeName(type.key) : 'STRING'}, ${type.value ? ksqlTypeName(type.value) : 'STRING'}>`;
    case 'ROW':
      return `STRUCT<${(type.fields ?? []).map((f) => `\`${f.name}\` ${ksqlTypeName(f.type)}`).join(', ')}>`;
    default:
      return type.name;
  }
}

/** A query's schema as ksqlDB's REST API writes it: `` `ID` STRING KEY, `COUNT` BIGINT `` (`keys`: the KEY columns). */
export function ksqlSchemaText(fields: readonly Field[], keys: ReadonlySet<string> = new Set()): string {
  return fields.map((f) => `\`${f.name}\` ${ksqlTypeName(f.type)}${keys.has(f.name) ? ' KEY' : ''}`).join(', ');
}

/** ksqlDB's name of an Eddy format (`json` → JSON, `csv` → DELIMITED, `kafka` → KAFKA), upper-case otherwise. */
export function ksqlFormatName(format: string): string {
  const f = format.trim().toLowerCase();
  return f === 'json' ? 'JSON' : f === 'csv' ? 'DELIMITED' : f === 'kafka' ? 'KAFKA' : f.toUpperCase();
}
