/**
 * SQL data types and how their values are represented in memory.
 *
 * Every layer shares this file. Values inside Eddy are plain JavaScript values, chosen for speed:
 *
 * | SQL type                          | JS value                                   |
 * |-----------------------------------|--------------------------------------------|
 * | BOOLEAN                           | boolean                                    |
 * | TINYINT/SMALLINT/INT              | number (integral)                          |
 * | BIGINT                            | number within ±(2^53-1), else bigint (int64.ts) |
 * | FLOAT/DOUBLE                      | number                                     |
 * | DECIMAL(p,s)                      | number up to 15 significant digits, else BigDecimal (decimal.ts) |
 * | STRING/VARCHAR(n)/CHAR(n)         | string                                     |
 * | BYTES                             | Uint8Array                                 |
 * | TIMESTAMP(p)/TIMESTAMP_LTZ(p)     | number: epoch milliseconds (UTC)           |
 * | DATE                              | number: days since 1970-01-01              |
 * | TIME(p)                           | number: milliseconds of the day            |
 * | INTERVAL DAY TO SECOND            | number: milliseconds                       |
 * | INTERVAL YEAR TO MONTH            | number: months                             |
 * | ARRAY<T> / MAP<K,V> / ROW<...>    | unknown[] / Map / unknown[]                |
 * | NULL (any type)                   | null                                       |
 */

/** Names of the SQL types Eddy knows. */
export type TypeName =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'STRING'
  | 'BYTES'
  | 'TIMESTAMP'
  | 'TIMESTAMP_LTZ'
  | 'DATE'
  | 'TIME'
  | 'INTERVAL_DAY_TIME'
  | 'INTERVAL_YEAR_MONTH'
  | 'ARRAY'
  | 'MAP'
  | 'ROW'
  | 'NULL';

/** Marks a TIMESTAMP column as an event-time (rowtime) or processing-time (proctime) attribute. */
export type TimeAttribute = 'rowtime' | 'proctime';

/** A SQL data type. Immutable; build with the constructors in {@link T}. */
export interface DataType {
  readonly name: TypeName;
  readonly nullable: boolean;
  /** DECIMAL precision, TIMESTAMP/TIME fractional precision, VARCHAR/CHAR length (absent = unbounded). */
  readonly precision?: number;
  /** DECIMAL scale. */
  readonly scale?: number;
  /** Set on TIMESTAMP/TIMESTAMP_LTZ columns that are time attributes. */
  readonly timeAttribute?: TimeAttribute;
  /** ARRAY element type. */
  readonly element?: DataType;
  /** MAP key and value types. */
  readonly key?: DataType;
  readonly value?: DataType;
  /** ROW fields. */
  readonly fields?: readonly { readonly name: string; readonly type: DataType }[];
}

function make(name: TypeName, extra: Partial<DataType> = {}): DataType {
  return { name, nullable: true, ...extra };
}

/** Type constructors. All produce nullable types; use {@link withNullable} to change that. */
export const T = {
  boolean: (): DataType => make('BOOLEAN'),
  tinyint: (): DataType => make('TINYINT'),
  smallint: (): DataType => make('SMALLINT'),
  int: (): DataType => make('INT'),
  bigint: (): DataType => make('BIGINT'),
  float: (): DataType => make('FLOAT'),
  double: (): DataType => make('DOUBLE'),
  decimal: (precision = 10, scale = 0): DataType => make('DECIMAL', { precision, scale }),
  string: (length?: number): DataType => (length === undefined ? make('STRING') : make('STRING', { precision: length })),
  bytes: (): DataType => make('BYTES'),
  timestamp: (precision = 3): DataType => make('TIMESTAMP', { precision }),
  timestampLtz: (precision = 3): DataType => make('TIMESTAMP_LTZ', { precision }),
  date: (): DataType => make('DATE'),
  time: (precision = 0): DataType => make('TIME', { precision }),
  intervalDayTime: (): DataType => make('INTERVAL_DAY_TIME'),
  intervalYearMonth: (): DataType => make('INTERVAL_YEAR_MONTH'),
  array: (element: DataType): DataType => make('ARRAY', { element }),
  map: (key: DataType, value: DataType): DataType => make('MAP', { key, value }),
  row: (fields: { name: string; type: DataType }[]): DataType => make('ROW', { fields }),
  null: (): DataType => make('NULL'),
};

/** Returns the same type with the given nullability. */
export function withNullable(type: DataType, nullable: boolean): DataType {
  return type.nullable === nullable ? type : { ...type, nullable };
}

/** Returns the type without its time-attribute marker (what an expression over a time attribute yields). */
export function withoutTimeAttribute(type: DataType): DataType {
  if (type.timeAttribute === undefined) return type;
  const { timeAttribute: _dropped, ...rest } = type;
  return rest;
}

/** Returns the type marked as a time attribute. */
export function asTimeAttribute(type: DataType, attr: TimeAttribute): DataType {
  return { ...type, timeAttribute: attr };
}

const INTEGER_RANK: Partial<Record<TypeName, number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };

export function isIntegral(t: DataType): boolean {
  return INTEGER_RANK[t.name] !== undefined;
}

export function isNumeric(t: DataType): boolean {
  return isIntegral(t) || t.name === 'FLOAT' || t.name === 'DOUBLE' || t.name === 'DECIMAL';
}

export function isTimestamp(t: DataType): boolean {
  return t.name === 'TIMESTAMP' || t.name === 'TIMESTAMP_LTZ';
}

export function isInterval(t: DataType): boolean {
  return t.name === 'INTERVAL_DAY_TIME' || t.name === 'INTERVAL_YEAR_MONTH';
}

/** True when the type is a time attribute (event or processing time). */
export function isTimeAttribute(t: DataType): boolean {
  return t.timeAttribute !== undefined;
}

/** The result type of arithmetic between two exact numeric types, following Flink (widest integral wins). */
function widerNumeric(a: DataType, b: DataType): DataType {
  if (a.name === 'DOUBLE' || b.name === 'DOUBLE') return T.double();
  if (a.name === 'FLOAT' || b.name === 'FLOAT') return T.float();
  if (a.name === 'DECIMAL' || b.name === 'DECIMAL') {
    const pa = decimalShape(a);
    const pb = decimalShape(b);
    const scale = Math.max(pa.scale, pb.scale);
    const intDigits = Math.max(pa.precision - pa.scale, pb.precision - pb.scale);
    return T.decimal(Math.min(38, intDigits + scale), scale);
  }
  return (INTEGER_RANK[a.name] ?? 0) >= (INTEGER_RANK[b.name] ?? 0) ? withNullable(a, true) : withNullable(b, true);
}

/** Precision and scale an exact numeric type has when seen as a DECIMAL. */
export function decimalShape(t: DataType): { precision: number; scale: number } {
  switch (t.name) {
    case 'TINYINT':
      return { precision: 3, scale: 0 };
    case 'SMALLINT':
      return { precision: 5, scale: 0 };
    case 'INT':
      return { precision: 10, scale: 0 };
    case 'BIGINT':
      return { precision: 19, scale: 0 };
    case 'DECIMAL':
      return { precision: t.precision ?? 10, scale: t.scale ?? 0 };
    default:
      return { precision: 38, scale: 18 };
  }
}

/**
 * The least common type two values can both be converted to without a user-visible CAST, as Flink's implicit
 * coercion allows (numeric widening, STRING with STRING, TIMESTAMP with TIMESTAMP, NULL with anything).
 * Returns undefined when there is none. The result is nullable when either side is.
 */
export function commonType(a: DataType, b: DataType): DataType | undefined {
  const nullable = a.nullable || b.nullable;
  let result: DataType | undefined;
  if (a.name === 'NULL') result = b;
  else if (b.name === 'NULL') result = a;
  else if (isNumeric(a) && isNumeric(b)) result = widerNumeric(a, b);
  else if (a.name === b.name) {
    if (a.name === 'STRING') {
      result = a.precision !== undefined && b.precision !== undefined ? T.string(Math.max(a.precision, b.precision)) : T.string();
    } else if (a.name === 'TIMESTAMP' || a.name === 'TIMESTAMP_LTZ' || a.name === 'TIME') {
      result = { ...withoutTimeAttribute(a), precision: Math.max(a.precision ?? 3, b.precision ?? 3) };
    } else if (a.name === 'ARRAY' && a.element && b.element) {
      const e = commonType(a.element, b.element);
      result = e ? T.array(e) : undefined;
    } else {
      result = withoutTimeAttribute(a);
    }
  } else if ((a.name === 'TIMESTAMP' && b.name === 'DATE') || (a.name === 'DATE' && b.name === 'TIMESTAMP')) {
    result = T.timestamp(3);
  }
  return result ? withNullable(withoutTimeAttribute(result), nullable) : undefined;
}

/** True when two types are the same apart from nullability and time-attribute markers. */
export function sameType(a: DataType, b: DataType): boolean {
  return typeToString(withNullable(withoutTimeAttribute(a), true)) === typeToString(withNullable(withoutTimeAttribute(b), true));
}

/**
 * Renders a type as Flink does in DESCRIBE and messages: `BIGINT NOT NULL`, `DECIMAL(10, 2)`,
 * `TIMESTAMP(3) *ROWTIME*`, `TIMESTAMP_LTZ(3) *PROCTIME*`, `ARRAY<INT>`.
 */
export function typeToString(t: DataType): string {
  let s: string;
  switch (t.name) {
    case 'STRING':
      s = t.precision === undefined ? 'STRING' : `VARCHAR(${t.precision})`;
      break;
    case 'DECIMAL':
      s = `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`;
      break;
    case 'TIMESTAMP':
      s = `TIMESTAMP(${t.precision ?? 3})`;
      break;
    case 'TIMESTAMP_LTZ':
      s = `TIMESTAMP_LTZ(${t.precision ?? 3})`;
      break;
    case 'TIME':
      s = `TIME(${t.precision ?? 0})`;
      break;
    case 'INTERVAL_DAY_TIME':
      s = 'INTERVAL SECOND(3)';
      break;
    case 'INTERVAL_YEAR_MONTH':
      s = 'INTERVAL MONTH';
      break;
    case 'ARRAY':
      s = `ARRAY<${t.element ? typeToString(t.element) : '?'}>`;
      break;
    case 'MAP':
      s = `MAP<${t.key ? typeToString(t.key) : '?'}, ${t.value ? typeToString(t.value) : '?'}>`;
      break;
    case 'ROW':
      s = `ROW<${(t.fields ?? []).map((f) => `\`${f.name}\` ${typeToString(f.type)}`).join(', ')}>`;
      break;
    default:
      s = t.name;
  }
  if (!t.nullable && t.name !== 'NULL') s += ' NOT NULL';
  if (t.timeAttribute === 'rowtime') s += ' *ROWTIME*';
  if (t.timeAttribute === 'proctime') s += ' *PROCTIME*';
  return s;
}

/** A named, typed column of a schema. */
export interface Field {
  readonly name: string;
  readonly type: DataType;
  /**
   * A pseudo column (ksqlDB's ROWTIME, ROWPARTITION, ROWOFFSET): found by its name, left out of `SELECT *`
   * and of DESCRIBE (DESCRIBE EXTENDED shows it).
   */
  readonly hidden?: boolean;
}

/** An ordered list of columns. Rows are arrays whose positions match. */
export type Schema = readonly Field[];
