/**
 * How a Kafka record's key and value hold a table's columns (Flink's "Key and Value Formats"): `key.format` +
 * `key.fields` (or, for `upsert-kafka`, the PRIMARY KEY) name the columns the key holds, `value.format` (or its
 * fallback key `format`) the value's format, and `value.fields-include` whether the value holds every column
 * (`ALL`, the default) or only the others (`EXCEPT_KEY`). `key.fields-prefix` is a prefix the key columns' names
 * carry in the table and not in the key (so key and value fields may share a name); it needs `EXCEPT_KEY`.
 *
 * Format options follow Flink's prefixes: the key format's are `key.<format>.<option>`, the value format's
 * `value.<format>.<option>` or `<format>.<option>`; each codec is given its options as `<format>.<option>`.
 */
import type { OptionSpec, TableShape } from '../../runtime/connector.js';
import { typeToString, type Schema } from '../../common/types.js';
import { EddyError, ErrorCode, didYouMean } from '../../common/errors.js';
import { FORMATS } from '../formats/index.js';
import { kafkaFormatProblem } from '../formats/kafka-format.js';

type Options = Readonly<Record<string, string>>;
type Problem = { key: string; message: string; hint?: string };

export const VALUE_FIELDS_INCLUDE = ['ALL', 'EXCEPT_KEY'] as const;

/** The windows a windowed key may carry (Kafka Streams' time windows and session windows, as ksqlDB names them). */
export const KEY_WINDOW_TYPES = ['TUMBLING', 'HOPPING', 'SESSION'] as const;
export type KeyWindowType = (typeof KEY_WINDOW_TYPES)[number];

/** The columns a windowed key's window fills: BIGINT epoch milliseconds, as ksqlDB's. */
export const WINDOW_START_COLUMN = 'WINDOWSTART';
export const WINDOW_END_COLUMN = 'WINDOWEND';

/** The options of windowed keys (both connectors). */
export const KEY_WINDOW_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'key.window.type',
    description:
      "The record keys are windowed as Kafka Streams writes them: the key format's bytes, then the window's start (TUMBLING, HOPPING: 8 bytes big-endian) or its end and start (SESSION: 8 + 8 bytes); the table's BIGINT columns WINDOWSTART and WINDOWEND hold the window.",
    values: KEY_WINDOW_TYPES,
  },
  { key: 'key.window.size', description: "The size of a TUMBLING or HOPPING window in milliseconds (a time window's key holds only its start: WINDOWEND = WINDOWSTART + size)." },
];

/** The key and value options of the `kafka` connector (`upsert-kafka` takes them without `key.fields`). */
export const KEY_VALUE_OPTIONS: readonly OptionSpec[] = [
  { key: 'value.format', description: "The format of the records' values ('format' is the same option: give one of them)." },
  { key: 'key.format', description: "The format of the records' keys; the key holds the 'key.fields' columns." },
  { key: 'key.fields', description: "The columns (';'-separated) the record key holds, in this order; needs 'key.format'." },
  {
    key: 'key.fields-prefix',
    description: "A prefix of the key columns' names that the key format does not see (avoids clashes with value fields); needs 'value.fields-include' = 'EXCEPT_KEY'.",
  },
  {
    key: 'value.fields-include',
    description: "'ALL': the value holds every column (key columns too); 'EXCEPT_KEY': only the columns the key does not hold.",
    defaultValue: 'ALL',
    values: VALUE_FIELDS_INCLUDE,
  },
  ...KEY_WINDOW_OPTIONS,
];

/** Where a table's columns are in its records. */
export interface RecordLayout {
  readonly valueFormat: string;
  /** Undefined: the records' keys are not read (source) or written as null (sink). */
  readonly keyFormat: string | undefined;
  /** The columns (indexes into the table's physical columns) the key holds, in the key's order. */
  readonly keyColumns: readonly number[];
  /** The key format's fields: the key columns, named without `key.fields-prefix`. */
  readonly keySchema: Schema;
  /** The columns the value holds, in table order. */
  readonly valueColumns: readonly number[];
  readonly valueSchema: Schema;
  /** The key format's options, as `<format>.<option>`. */
  readonly keyOptions: Options;
  /** The value format's options, as `<format>.<option>`. */
  readonly valueOptions: Options;
  /** Set for windowed keys (`key.window.type`): the key format's bytes are followed by the window. */
  readonly window?: KeyWindow;
}

/** The window of a windowed key, and the columns (indexes into the physical columns) that hold it. */
export interface KeyWindow {
  readonly type: KeyWindowType;
  /** TUMBLING and HOPPING: the size in milliseconds (the key holds only the start). */
  readonly sizeMs?: number;
  readonly startColumn: number;
  readonly endColumn: number;
}

/** The window type given by `key.window.type`, if any (upper-cased; unchecked). */
function windowTypeOf(options: Options): string | undefined {
  return options['key.window.type']?.trim().toUpperCase();
}

/** The index of the column called `name`: exact first, then case-insensitive; -1 if none. */
function columnIndex(columns: readonly string[], name: string): number {
  const exact = columns.indexOf(name);
  return exact >= 0 ? exact : columns.findIndex((c) => c.toUpperCase() === name);
}

/** True when `name` is one of the window columns (which the key holds as its window, not in the key format). */
function isWindowColumn(name: string): boolean {
  const upper = name.toUpperCase();
  return upper === WINDOW_START_COLUMN || upper === WINDOW_END_COLUMN;
}

/** Problems with `key.window.type` / `key.window.size` and the window columns. */
function keyWindowProblems(options: Options, table: TableShape | undefined, upsert: boolean): Problem[] {
  const type = windowTypeOf(options);
  const size = options['key.window.size'];
  if (type === undefined) {
    return size === undefined ? [] : [{ key: 'key.window.size', message: "'key.window.size' applies to windowed keys: it needs 'key.window.type'", hint: "add 'key.window.type' = 'TUMBLING' or 'HOPPING'" }];
  }
  if (!(KEY_WINDOW_TYPES as readonly string[]).includes(type)) return []; // the option's values are checked with the others
  const problems: Problem[] = [];
  if (options['key.format'] === undefined) {
    problems.push({ key: 'key.window.type', message: "'key.window.type' needs 'key.format': a windowed key is the key format's bytes followed by the window", hint: "add 'key.format' = 'kafka' (or 'json')" });
  }
  if (type === 'SESSION') {
    if (size !== undefined) problems.push({ key: 'key.window.size', message: "'key.window.size' does not apply to SESSION windows: a session key holds both its start and its end", hint: "remove 'key.window.size'" });
  } else if (size === undefined) {
    problems.push({ key: 'key.window.type', message: `A ${type} windowed key needs 'key.window.size' (milliseconds): the key holds only the window's start`, hint: "add e.g. 'key.window.size' = '60000'" });
  } else if (!/^\s*[1-9]\d*\s*$/.test(size) || !Number.isSafeInteger(Number(size))) {
    problems.push({ key: 'key.window.size', message: `Invalid value '${size}' for option 'key.window.size'; expected a window size in milliseconds (a positive integer)` });
  }
  if (!table?.schema) return problems;
  for (const name of [WINDOW_START_COLUMN, WINDOW_END_COLUMN]) {
    const i = columnIndex(table.columns, name);
    if (i < 0) {
      problems.push({ key: 'key.window.type', message: `A windowed key needs a BIGINT column ${name}: the key's window fills it`, hint: `declare \`${name} BIGINT\`` });
    } else if (table.schema[i]!.type.name !== 'BIGINT') {
      problems.push({ key: 'key.window.type', message: `Column ${table.columns[i]} holds the key's window as epoch milliseconds: it must be BIGINT, not ${typeToString(table.schema[i]!.type)}` });
    }
  }
  if (upsert) {
    const pk = (table.primaryKey ?? []).map((n) => n.toUpperCase());
    if (table.primaryKey !== undefined && table.primaryKey.length > 0 && !pk.includes(WINDOW_START_COLUMN)) {
      problems.push({ key: 'key.window.type', message: `The PRIMARY KEY of a windowed 'upsert-kafka' table must include ${WINDOW_START_COLUMN}: a record's key is its key columns and its window`, hint: `declare PRIMARY KEY (..., ${WINDOW_START_COLUMN}${type === 'SESSION' ? `, ${WINDOW_END_COLUMN}` : ''}) NOT ENFORCED` });
    } else if (type === 'SESSION' && pk.length > 0 && !pk.includes(WINDOW_END_COLUMN)) {
      problems.push({ key: 'key.window.type', message: `The PRIMARY KEY of a SESSION-windowed 'upsert-kafka' table must include ${WINDOW_END_COLUMN}: a session key holds its start and its end`, hint: `declare PRIMARY KEY (..., ${WINDOW_START_COLUMN}, ${WINDOW_END_COLUMN}) NOT ENFORCED` });
    }
  } else {
    for (const name of keyFieldNames(options, undefined, false)) {
      if (isWindowColumn(name)) {
        problems.push({ key: 'key.fields', message: `'key.fields' names ${name}, which a windowed key holds as its window, not in the key format`, hint: `remove ${name} from 'key.fields'` });
      }
    }
  }
  return problems;
}

/** The key format's columns of a windowed upsert table: its PRIMARY KEY without the window columns. */
function keyFormatFieldNames(options: Options, primaryKey: readonly string[] | undefined, upsert: boolean): string[] {
  const names = keyFieldNames(options, primaryKey, upsert);
  return upsert && windowTypeOf(options) !== undefined ? names.filter((n) => !isWindowColumn(n)) : names;
}

/** Problems with a `kafka` key or value format for the columns it holds. */
function kafkaFormatProblems(options: Options, table: TableShape, upsert: boolean): Problem[] {
  if (!table.schema) return [];
  const schema = table.schema;
  const problems: Problem[] = [];
  const keyNames = options['key.format'] === undefined ? [] : keyFormatFieldNames(options, table.primaryKey, upsert);
  const windowed = windowTypeOf(options) !== undefined;
  if (options['key.format']?.trim().toLowerCase() === 'kafka') {
    const keySchema = keyNames.map((n) => schema[table.columns.indexOf(n)]).filter((f) => f !== undefined);
    const problem = kafkaFormatProblem(keySchema, 'key');
    if (problem) problems.push({ key: 'key.format', message: problem, hint: "give the key one column, or use 'key.format' = 'json'" });
  }
  if (valueFormatOf(options)?.trim().toLowerCase() === 'kafka') {
    const keyAll = keyFieldNames(options, table.primaryKey, upsert);
    const valueSchema = schema.filter((f) => !(exceptKey(options) && keyAll.includes(f.name)) && !(windowed && isWindowColumn(f.name)));
    const problem = kafkaFormatProblem(valueSchema, 'value');
    if (problem) problems.push({ key: options['value.format'] !== undefined ? 'value.format' : 'format', message: problem, hint: "with key columns, add 'value.fields-include' = 'EXCEPT_KEY'; or use 'value.format' = 'json'" });
  }
  return problems;
}

/** The value format's name: `value.format`, or its fallback key `format`. */
export function valueFormatOf(options: Options): string | undefined {
  return options['value.format'] ?? options['format'];
}

/** The key columns' names: the PRIMARY KEY for `upsert-kafka`, `key.fields` otherwise. */
function keyFieldNames(options: Options, primaryKey: readonly string[] | undefined, upsert: boolean): string[] {
  if (upsert) return [...(primaryKey ?? [])];
  const text = options['key.fields'];
  return text === undefined ? [] : text.split(';').map((n) => n.trim());
}

const exceptKey = (options: Options): boolean => options['value.fields-include']?.trim().toUpperCase() === 'EXCEPT_KEY';

/**
 * Problems with the key and value options of a table with these columns (`table` absent: the checks that need no
 * columns). `upsert`: the key is the PRIMARY KEY (`upsert-kafka`), which must exist.
 */
export function recordLayoutProblems(options: Options, table: TableShape | undefined, upsert: boolean): Problem[] {
  const problems: Problem[] = [];
  const keyFormat = options['key.format'];
  const prefix = options['key.fields-prefix'] ?? '';
  if (upsert && table && (table.primaryKey === undefined || table.primaryKey.length === 0)) {
    problems.push({
      key: 'connector',
      message: "'upsert-kafka' tables need a PRIMARY KEY: it names the columns the record key holds, and the key each record upserts or deletes",
      hint: 'declare e.g. PRIMARY KEY (id) NOT ENFORCED',
    });
  }
  if (!upsert) {
    if (options['key.fields'] !== undefined && keyFormat === undefined) {
      problems.push({ key: 'key.fields', message: "'key.fields' needs 'key.format' (the format of the record key)", hint: "add 'key.format' = 'json'" });
    }
    if (keyFormat !== undefined && keyFieldNames(options, undefined, false).every((n) => n === '')) {
      problems.push({ key: 'key.format', message: "'key.format' needs 'key.fields' (the columns of the record key)", hint: "add e.g. 'key.fields' = 'id'" });
    }
  }
  if (options['key.fields-prefix'] !== undefined) {
    if (keyFormat === undefined) {
      problems.push({ key: 'key.fields-prefix', message: "'key.fields-prefix' applies to the key columns: it needs 'key.format'" });
    } else if (!exceptKey(options)) {
      problems.push({
        key: 'key.fields-prefix',
        message: "'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY' (with 'ALL' the value's fields would overlap the key's)",
        hint: "add 'value.fields-include' = 'EXCEPT_KEY'",
      });
    }
  }
  for (const key of ['key.format', 'value.format', 'format']) {
    const name = options[key];
    const format = name === undefined ? undefined : FORMATS.find((f) => f.identifier === name.trim().toLowerCase());
    const mode = format?.changelogMode ?? 'insert-only';
    if (mode !== 'insert-only' && (key === 'key.format' || upsert)) {
      problems.push({
        key,
        message: `'${name}' cannot be the ${key === 'key.format' ? 'key' : 'value'} format${upsert ? " of an 'upsert-kafka' table" : ''}: its records are changes, not rows`,
        hint: "use an insert-only format such as 'json'",
      });
    }
  }
  problems.push(...keyWindowProblems(options, table, upsert));
  if (table) problems.push(...kafkaFormatProblems(options, table, upsert));
  if (!table || keyFormat === undefined) return problems;
  const names = keyFieldNames(options, table.primaryKey, upsert);
  const seen = new Set<string>();
  for (const name of names) {
    const where = upsert ? 'the PRIMARY KEY' : "'key.fields'";
    const optionKey = upsert ? 'key.format' : 'key.fields';
    if (name === '') {
      problems.push({ key: optionKey, message: `${where} has an empty column name` });
    } else if (!table.columns.includes(name)) {
      problems.push({
        key: optionKey,
        message: `${where} names column '${name}', which the table does not have (a key column must be a physical column)`,
        hint: didYouMean(name, table.columns) ?? `columns: ${table.columns.join(', ')}`,
      });
    } else if (seen.has(name)) {
      problems.push({ key: optionKey, message: `${where} names column '${name}' twice` });
    } else if (!name.startsWith(prefix) || name === prefix) {
      problems.push({
        key: 'key.fields-prefix',
        message: `Key column '${name}' does not start with 'key.fields-prefix' '${prefix}' (every key column's name carries the prefix, which the key format does not see)`,
      });
    }
    seen.add(name);
  }
  return problems;
}

/** `<format>.<option>` values of the options that start with one of `prefixes` + `<format>.` (later prefixes first). */
function formatOptions(options: Options, format: string, prefixes: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const prefix of prefixes) {
    const full = `${prefix}${format}.`;
    for (const [key, value] of Object.entries(options)) {
      if (key.startsWith(full)) result[`${format}.${key.slice(full.length)}`] = value;
    }
  }
  return result;
}

/**
 * The layout of a table's records, from its validated options (a problem left is thrown as an EddyError, for a
 * table that bypassed CREATE TABLE's checks).
 */
export function recordLayout(tableName: string, options: Options, schema: Schema, primaryKey: readonly string[] | undefined, upsert: boolean): RecordLayout {
  const columns = schema.map((f) => f.name);
  const problems = recordLayoutProblems(options, { columns, ...(primaryKey ? { primaryKey } : {}) }, upsert);
  if (problems.length > 0) {
    throw new EddyError(problems.map((p) => ({ code: ErrorCode.INVALID_OPTION, message: `Table \`${tableName}\`: ${p.message}`, hint: p.hint })));
  }
  const valueFormat = (valueFormatOf(options) ?? 'json').trim().toLowerCase();
  const keyFormat = options['key.format']?.trim().toLowerCase();
  const prefix = options['key.fields-prefix'] ?? '';
  const keyColumns = keyFormat === undefined ? [] : keyFormatFieldNames(options, primaryKey, upsert).map((n) => columns.indexOf(n));
  const window = keyWindow(options, columns);
  const windowColumns = window ? [window.startColumn, window.endColumn] : [];
  // The window columns are in the key only (ksqlDB's WINDOWSTART and WINDOWEND are not in the value).
  const valueColumns = schema.map((_, i) => i).filter((i) => !(exceptKey(options) && keyColumns.includes(i)) && !windowColumns.includes(i));
  return {
    valueFormat,
    keyFormat,
    keyColumns,
    keySchema: keyColumns.map((i) => ({ ...schema[i]!, name: schema[i]!.name.slice(prefix.length) })),
    valueColumns,
    valueSchema: valueColumns.map((i) => schema[i]!),
    keyOptions: keyFormat === undefined ? {} : formatOptions(options, keyFormat, ['key.']),
    // `value.<format>.x` over `<format>.x` when both are given (validation refuses that anyway).
    valueOptions: formatOptions(options, valueFormat, ['', 'value.']),
    ...(window ? { window } : {}),
  };
}

/** The key window of validated options, if the keys are windowed. */
function keyWindow(options: Options, columns: readonly string[]): KeyWindow | undefined {
  const type = windowTypeOf(options) as KeyWindowType | undefined;
  if (type === undefined) return undefined;
  const size = options['key.window.size'];
  return {
    type,
    ...(type !== 'SESSION' && size !== undefined ? { sizeMs: Number(size) } : {}),
    startColumn: columnIndex(columns, WINDOW_START_COLUMN),
    endColumn: columnIndex(columns, WINDOW_END_COLUMN),
  };
}
