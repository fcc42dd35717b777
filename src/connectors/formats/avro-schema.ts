/**
 * Avro schemas as the `avro` format uses them: parsed from the JSON of `avro.schema`, or derived from the table's
 * columns with Flink's type mapping (AvroSchemaConverter, legacy timestamp mapping):
 *
 * | SQL type                   | Avro type                                  |
 * |----------------------------|--------------------------------------------|
 * | BOOLEAN                    | boolean                                    |
 * | TINYINT, SMALLINT, INT     | int                                        |
 * | BIGINT                     | long                                       |
 * | FLOAT / DOUBLE             | float / double                             |
 * | STRING, VARCHAR, CHAR      | string                                     |
 * | BYTES                      | bytes                                      |
 * | DECIMAL(p, s)              | bytes, logicalType decimal (p, s)          |
 * | DATE                       | int, logicalType date                      |
 * | TIME                       | int, logicalType time-millis               |
 * | TIMESTAMP(p), TIMESTAMP_LTZ(p) | long, timestamp-millis (p <= 3) or timestamp-micros |
 * | ARRAY<T> / MAP<STRING, T>  | array / map                                |
 * | ROW<...>                   | record (named `<parent>_<field>`)          |
 * | a nullable type            | the union ["null", T]                      |
 *
 * The table's row is a record named `record` (Flink's name).
 */
import { typeToString, type DataType, type Schema } from '../../common/types.js';

/** A primitive Avro type, maybe with a logical type. */
export interface AvroPrimitive {
  readonly kind: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';
  readonly logicalType?: string;
  readonly precision?: number;
  readonly scale?: number;
}

/** An Avro type, its named types resolved. */
export type AvroType =
  | AvroPrimitive
  | { readonly kind: 'record'; readonly name: string; readonly fields: readonly { readonly name: string; readonly type: AvroType }[] }
  | { readonly kind: 'enum'; readonly name: string; readonly symbols: readonly string[] }
  | { readonly kind: 'array'; readonly items: AvroType }
  | { readonly kind: 'map'; readonly values: AvroType }
  | { readonly kind: 'fixed'; readonly name: string; readonly size: number; readonly logicalType?: string; readonly precision?: number; readonly scale?: number }
  | { readonly kind: 'union'; readonly branches: readonly AvroType[] };

/** A schema that cannot be used: its message says where (`field 'a'`) and what. */
export class AvroSchemaError extends Error {}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Parses an Avro schema from its JSON text. */
export function parseAvroSchema(text: string): AvroType {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AvroSchemaError(`it is not valid JSON: ${(e as Error).message}`);
  }
  const named = new Map<string, AvroType>();
  const fullName = (name: string, namespace: string | undefined): string => (name.includes('.') || !namespace ? name : `${namespace}.${name}`);
  const parse = (s: unknown, namespace: string | undefined, where: string): AvroType => {
    if (typeof s === 'string') {
      if (PRIMITIVES.has(s)) return { kind: s as AvroPrimitive['kind'] };
      const found = named.get(fullName(s, namespace)) ?? named.get(s);
      if (!found) throw new AvroSchemaError(`${where}: unknown type '${s}'`);
      return found;
    }
    if (Array.isArray(s)) {
      const branches = s.map((b, i) => parse(b, namespace, `${where} (union branch ${i})`));
      if (branches.some((b) => b.kind === 'union')) throw new AvroSchemaError(`${where}: a union may not hold a union`);
      return { kind: 'union', branches };
    }
    if (typeof s !== 'object' || s === null) throw new AvroSchemaError(`${where}: a type is a name, an array (union) or an object, got ${JSON.stringify(s)}`);
    const o = s as Record<string, unknown>;
    const type = o['type'];
    const logical = typeof o['logicalType'] === 'string' ? { logicalType: o['logicalType'] } : {};
    const decimal = o['logicalType'] === 'decimal' ? { precision: Number(o['precision']), scale: o['scale'] === undefined ? 0 : Number(o['scale']) } : {};
    const ns = typeof o['namespace'] === 'string' ? o['namespace'] : namespace;
    switch (type) {
      case 'record':
      case 'error': {
        const name = requireName(o, where);
        if (!Array.isArray(o['fields'])) throw new AvroSchemaError(`${where}: record '${name}' has no "fields" array`);
        const fields: { name: string; type: AvroType }[] = [];
        const record: AvroType = { kind: 'record', name, fields };
        named.set(fullName(name, ns), record); // before its fields: a field may refer to it by name
        for (const f of o['fields'] as unknown[]) {
          if (typeof f !== 'object' || f === null || typeof (f as Record<string, unknown>)['name'] !== 'string') throw new AvroSchemaError(`${where}: a field of record '${name}' has no name`);
          const fname = (f as Record<string, unknown>)['name'] as string;
          fields.push({ name: fname, type: parse((f as Record<string, unknown>)['type'], ns, `field '${fname}'`) });
        }
        return record;
      }
      case 'enum': {
        const name = requireName(o, where);
        const symbols = o['symbols'];
        if (!Array.isArray(symbols) || symbols.some((x) => typeof x !== 'string')) throw new AvroSchemaError(`${where}: enum '${name}' needs "symbols", an array of names`);
        const t: AvroType = { kind: 'enum', name, symbols: symbols as string[] };
        named.set(fullName(name, ns), t);
        return t;
      }
      case 'array':
        return { kind: 'array', items: parse(o['items'], ns, `${where} (array items)`) };
      case 'map':
        return { kind: 'map', values: parse(o['values'], ns, `${where} (map values)`) };
      case 'fixed': {
        const name = requireName(o, where);
        const size = o['size'];
        if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new AvroSchemaError(`${where}: fixed '${name}' needs a "size"`);
        const t: AvroType = { kind: 'fixed', name, size, ...logical, ...decimal };
        named.set(fullName(name, ns), t);
        return t;
      }
      default:
        if (typeof type === 'string' && PRIMITIVES.has(type)) return { kind: type as AvroPrimitive['kind'], ...logical, ...decimal };
        if (typeof type === 'string' || typeof type === 'object') return parse(type, ns, where);
        throw new AvroSchemaError(`${where}: unknown type ${JSON.stringify(type)}`);
    }
  };
  return parse(json, undefined, 'the schema');
}

function requireName(o: Record<string, unknown>, where: string): string {
  const name = o['name'];
  if (typeof name !== 'string' || name === '') throw new AvroSchemaError(`${where}: a ${String(o['type'])} needs a "name"`);
  return name;
}

/** The Avro type of a column type (Flink's mapping, see the table above); `name` names a nested record. */
export function avroTypeOf(type: DataType, name: string): AvroType {
  const t = nonNullAvroType(type, name);
  return type.nullable ? { kind: 'union', branches: [{ kind: 'null' }, t] } : t;
}

function nonNullAvroType(type: DataType, name: string): AvroType {
  switch (type.name) {
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return { kind: 'int' };
    case 'BIGINT':
      return { kind: 'long' };
    case 'FLOAT':
      return { kind: 'float' };
    case 'DOUBLE':
      return { kind: 'double' };
    case 'STRING':
      return { kind: 'string' };
    case 'BYTES':
      return { kind: 'bytes' };
    case 'DECIMAL':
      return { kind: 'bytes', logicalType: 'decimal', precision: type.precision ?? 10, scale: type.scale ?? 0 };
    case 'DATE':
      return { kind: 'int', logicalType: 'date' };
    case 'TIME':
      return { kind: 'int', logicalType: 'time-millis' };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return { kind: 'long', logicalType: (type.precision ?? 3) <= 3 ? 'timestamp-millis' : 'timestamp-micros' };
    case 'ARRAY':
      return { kind: 'array', items: avroTypeOf(type.element!, name) };
    case 'MAP':
      if (type.key!.name !== 'STRING') throw new AvroSchemaError(`${typeToString(type)}: an Avro map's keys are strings`);
      return { kind: 'map', values: avroTypeOf(type.value!, name) };
    case 'ROW':
      return { kind: 'record', name, fields: (type.fields ?? []).map((f) => ({ name: f.name, type: avroTypeOf(f.type, `${name}_${f.name}`) })) };
    default:
      throw new AvroSchemaError(`${typeToString(type)} has no Avro type`);
  }
}

/** The Avro schema of a table's columns: a record named `record`, a field per column. */
export function avroSchemaOf(schema: Schema): AvroType {
  return { kind: 'record', name: 'record', fields: schema.map((f) => ({ name: f.name, type: avroTypeOf(f.type, `record_${f.name}`) })) };
}

/** The JSON form of an Avro type (for DESCRIBE-like output and docs, and for tests). */
export function avroSchemaJson(t: AvroType): unknown {
  switch (t.kind) {
    case 'record':
      return { type: 'record', name: t.name, fields: t.fields.map((f) => ({ name: f.name, type: avroSchemaJson(f.type) })) };
    case 'enum':
      return { type: 'enum', name: t.name, symbols: t.symbols };
    case 'array':
      return { type: 'array', items: avroSchemaJson(t.items) };
    case 'map':
      return { type: 'map', values: avroSchemaJson(t.values) };
    case 'fixed':
      return { type: 'fixed', name: t.name, size: t.size, ...logicalJson(t) };
    case 'union':
      return t.branches.map(avroSchemaJson);
    default:
      return t.logicalType ? { type: t.kind, ...logicalJson(t) } : t.kind;
  }
}

function logicalJson(t: { readonly logicalType?: string; readonly precision?: number; readonly scale?: number }): Record<string, unknown> {
  if (!t.logicalType) return {};
  return t.logicalType === 'decimal' ? { logicalType: 'decimal', precision: t.precision, scale: t.scale } : { logicalType: t.logicalType };
}
