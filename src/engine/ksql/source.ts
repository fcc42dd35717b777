/**
 * The lowering of ksqlDB's CREATE STREAM / CREATE TABLE: a Flink CREATE TABLE on the `kafka` (stream) or
 * `upsert-kafka` (table) connector, with ksqlDB's hidden pseudo columns, bound as any table is, then marked
 * as ksqlDB's (TableDef.ksql, hidden columns, the original statement). docs/ksql.md describes the mapping.
 *
 * The lowered table's columns: the declared ones (unquoted names upper-cased, as ksqlDB names them), then hidden
 * - `KSQL$TIMESTAMP TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'`: the record's timestamp (written by an INSERT),
 * - `ROWTIME AS ...` BIGINT epoch ms: the record's timestamp, or the TIMESTAMP property's column,
 * - `ROWPARTITION INT METADATA FROM 'partition' VIRTUAL`, `ROWOFFSET BIGINT METADATA FROM 'offset' VIRTUAL`,
 * - the event-time attribute with the watermark "stream time" (`WATERMARK FOR t AS t`): `KSQL$TIMESTAMP` itself,
 *   or `KSQL$EVENTTIME AS TO_TIMESTAMP_LTZ(ROWTIME's expression, 3)` with a TIMESTAMP property.
 */
import type * as ast from '../../parser/ast.js';
import { parseExpression } from '../../parser/parse.js';
import { EddyError, ErrorCode, didYouMean, type Span } from '../../common/errors.js';
import { T, typeToString, type DataType } from '../../common/types.js';
import { Catalog, type KsqlSourceDef, type TableDef } from '../../planner/catalog.js';
import type { Settings } from '../settings.js';
import { KAFKA_SERVERS_SETTING } from '../kafka-cluster.js';
import { quotedIn, readKsqlProperties, type KsqlProperties } from './properties.js';

/** The hidden column holding the record's timestamp (written on INSERT). */
export const RECORD_TIMESTAMP = 'KSQL$TIMESTAMP';
/** The hidden event-time attribute when ROWTIME comes from a TIMESTAMP column. */
export const EVENT_TIME = 'KSQL$EVENTTIME';
/** ksqlDB's pseudo columns (hidden: resolved by name, left out of SELECT *). */
export const PSEUDO_COLUMNS: readonly string[] = ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET'];
/** Every hidden column a lowered source may have. */
const HIDDEN: ReadonlySet<string> = new Set([...PSEUDO_COLUMNS, RECORD_TIMESTAMP, EVENT_TIME]);

/** Where ksqlDB streams and tables keep their topics, and where their queries start reading. */
export interface KsqlConnection {
  /** The brokers (setting `kafka.bootstrap-servers`, or ksqlDB's `bootstrap.servers`); absent: the embedded log. */
  readonly bootstrapServers?: string;
  /** ksqlDB's `auto.offset.reset` (default latest). */
  readonly offsetReset: 'earliest' | 'latest';
}

/** The connection the session's settings choose (read defensively: the ksqlDB settings may not be declared). */
export function ksqlConnection(settings: Settings): KsqlConnection {
  const servers = (settings.get(KAFKA_SERVERS_SETTING) || settings.get('bootstrap.servers')).trim();
  const reset = settings.get('auto.offset.reset').trim().toLowerCase();
  return { ...(servers === '' ? {} : { bootstrapServers: servers }), offsetReset: reset === 'earliest' ? 'earliest' : 'latest' };
}

/** What the connector options of a ksqlDB stream or table are made of. */
export interface KsqlTopicSpec {
  readonly objectType: 'STREAM' | 'TABLE';
  readonly topic: string;
  /** Eddy format names. */
  readonly keyFormat: string;
  readonly valueFormat: string;
  readonly keyColumns: readonly string[];
  readonly valueDelimiter?: string;
  readonly window?: KsqlSourceDef['window'];
}

/**
 * The connector options of a ksqlDB stream (`kafka`) or table (`upsert-kafka`): the one place they are built.
 * Without brokers configured, the topic lives in Eddy's embedded log (`'client.library' = 'embedded'`).
 */
export function ksqlConnectorOptions(spec: KsqlTopicSpec, connection: KsqlConnection): Record<string, string> {
  const options: Record<string, string> = { connector: spec.objectType === 'STREAM' ? 'kafka' : 'upsert-kafka', topic: spec.topic };
  if (connection.bootstrapServers !== undefined) options['properties.bootstrap.servers'] = connection.bootstrapServers;
  else options['client.library'] = 'embedded';
  if (spec.keyColumns.length > 0) {
    options['key.format'] = spec.keyFormat;
    if (spec.objectType === 'STREAM') options['key.fields'] = spec.keyColumns.join(';');
  }
  options['value.format'] = spec.valueFormat;
  if (spec.keyColumns.length > 0) options['value.fields-include'] = 'EXCEPT_KEY';
  if (spec.valueDelimiter !== undefined) options['value.csv.field-delimiter'] = spec.valueDelimiter;
  if (spec.objectType === 'STREAM') options['scan.startup.mode'] = startupMode(connection);
  if (spec.window !== undefined) {
    options['key.window.type'] = spec.window.type;
    if (spec.window.sizeMs !== undefined) options['key.window.size'] = String(spec.window.sizeMs);
  }
  return options;
}

/** A column's name as ksqlDB names it: unquoted names upper-case. */
export function ksqlName(id: ast.Identifier): string {
  return id.quoted ? id.name : id.name.toUpperCase();
}

/** The lowered Flink CREATE TABLE of a ksqlDB CREATE STREAM / TABLE, and what Eddy keeps about it. */
export interface LoweredSource {
  readonly create: ast.CreateTable;
  readonly ksql: KsqlSourceDef;
  readonly properties: KsqlProperties;
}

/** Lowers ksqlDB's CREATE STREAM / TABLE `stmt` (its `ksql` set) with the session's connection. */
export function lowerKsqlSource(stmt: ast.CreateTable, connection: KsqlConnection, quoted: (o: ast.TableOption) => boolean = quotedIn(stmt)): LoweredSource {
  const info = stmt.ksql!;
  const props = readKsqlProperties(stmt.options, quoted);
  const what = info.objectType === 'STREAM' ? 'stream' : 'table';
  if (props.topic === undefined) {
    throw new EddyError({ code: ErrorCode.MISSING_OPTION, message: `A ${what} needs KAFKA_TOPIC`, span: stmt.name.span, hint: `add WITH (KAFKA_TOPIC = '${stmt.name.parts.at(-1)!.name.toLowerCase()}', ...)` });
  }
  if (props.valueFormat === undefined) {
    throw new EddyError({ code: ErrorCode.MISSING_OPTION, message: `A ${what} needs VALUE_FORMAT (or FORMAT)`, span: stmt.name.span, hint: "add VALUE_FORMAT = 'JSON'" });
  }
  for (const c of stmt.columns) {
    if (HIDDEN.has(ksqlName(c.name).toUpperCase()) || (/^WINDOW(START|END)$/i.test(c.name.name) && props.window === undefined)) {
      throw new EddyError({ code: ErrorCode.DUPLICATE_NAME, message: `'${c.name.name}' is a reserved pseudo column name`, span: c.name.span, hint: 'name the column otherwise' });
    }
  }
  const columns = stmt.columns.map((c) => ({ ...c, name: { ...c.name, name: ksqlName(c.name), quoted: true } })) as ast.ColumnDef[];
  const keyColumns = info.keyColumns.map(ksqlName);
  const rowtime = rowtimeExpression(columns, props);
  const at = stmt.name.span;
  const id = (name: string): ast.Identifier => ({ kind: 'Identifier', name, quoted: true, span: at });
  const expr = (text: string): ast.Expr => parseExpression(text);
  const meta = (name: string, type: DataType, key: string, virtual: boolean): ast.MetadataColumn => ({ kind: 'MetadataColumn', name: id(name), type, key, keySpan: at, virtual, span: at });
  const hidden: ast.ColumnDef[] = [
    meta(RECORD_TIMESTAMP, T.timestampLtz(3), 'timestamp', false),
    { kind: 'ComputedColumn', name: id('ROWTIME'), expr: expr(rowtime), span: at },
    meta('ROWPARTITION', T.int(), 'partition', true),
    meta('ROWOFFSET', T.bigint(), 'offset', true),
  ];
  let eventTime = RECORD_TIMESTAMP;
  if (props.timestamp !== undefined) {
    hidden.push({ kind: 'ComputedColumn', name: id(EVENT_TIME), expr: expr(`TO_TIMESTAMP_LTZ(${rowtime}, 3)`), span: at });
    eventTime = EVENT_TIME;
  }
  const ksql: KsqlSourceDef = {
    objectType: info.objectType,
    topic: props.topic,
    keyColumns,
    properties: props.values,
    ...(props.window === undefined ? {} : { window: props.window }),
  };
  const options = ksqlConnectorOptions(
    { objectType: info.objectType, topic: props.topic, keyFormat: props.keyFormat ?? 'kafka', valueFormat: props.valueFormat, keyColumns, ...(props.valueDelimiter ? { valueDelimiter: props.valueDelimiter } : {}), ...(props.window ? { window: props.window } : {}) },
    connection,
  );
  const create: ast.CreateTable = {
    kind: 'CreateTable',
    name: stmt.name,
    temporary: false,
    ifNotExists: stmt.ifNotExists,
    columns: [...columns, ...hidden],
    watermark: { kind: 'WatermarkDef', column: id(eventTime), expr: expr(`\`${eventTime}\``), span: at },
    ...(info.objectType === 'TABLE' ? { primaryKey: keyColumns.map(id) } : {}),
    options: Object.entries(options).map(([key, value]) => ({ kind: 'TableOption', key, value, keySpan: at, valueSpan: at, span: at })),
    span: stmt.span,
    text: stmt.text,
  };
  return { create, ksql, properties: props };
}

/** ROWTIME's expression: the record's timestamp, or the TIMESTAMP property's column in epoch ms. */
function rowtimeExpression(columns: readonly ast.ColumnDef[], props: KsqlProperties): string {
  if (props.timestamp === undefined) return `EPOCH_MILLIS(\`${RECORD_TIMESTAMP}\`)`;
  const { column, span } = props.timestamp;
  const col = columns.find((c) => c.name.name === column) ?? columns.find((c) => c.name.name.toUpperCase() === column.toUpperCase());
  if (col === undefined || col.kind !== 'PhysicalColumn') {
    throw new EddyError({ code: ErrorCode.UNKNOWN_COLUMN, message: `TIMESTAMP names no column: '${column}'`, span, hint: didYouMean(column, columns.map((c) => c.name.name)) });
  }
  const ref = `\`${col.name.name.replace(/`/g, '``')}\``;
  switch (col.type.name) {
    case 'BIGINT':
      if (props.timestampFormat !== undefined) throw formatNotFor(col.type, props);
      return ref;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (props.timestampFormat !== undefined) throw formatNotFor(col.type, props);
      return `EPOCH_MILLIS(${ref})`;
    case 'STRING':
      if (props.timestampFormat === undefined) {
        throw new EddyError({ code: ErrorCode.MISSING_OPTION, message: `TIMESTAMP column '${col.name.name}' is a STRING: give TIMESTAMP_FORMAT to read it`, span, hint: "TIMESTAMP_FORMAT = 'yyyy-MM-dd''T''HH:mm:ssX'" });
      }
      return `EPOCH_MILLIS(TO_TIMESTAMP(${ref}, '${props.timestampFormat.replace(/'/g, "''")}'))`;
    default:
      throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `TIMESTAMP column '${col.name.name}' is ${typeToString(col.type)}; it must be a BIGINT (epoch ms), a TIMESTAMP or a STRING`, span });
  }
}

function formatNotFor(type: DataType, props: KsqlProperties): EddyError {
  return new EddyError({ code: ErrorCode.INVALID_OPTION, message: `TIMESTAMP_FORMAT is for a STRING TIMESTAMP column, not a ${typeToString(type)}`, span: props.spans['TIMESTAMP_FORMAT'] as Span });
}

/** The bound lowered table made ksqlDB's: hidden columns marked, `ksql` set, the ksqlDB statement kept. */
export function asKsqlTable(bound: TableDef, ksql: KsqlSourceDef, statement: TableDef['statement']): TableDef {
  return { ...bound, columns: bound.columns.map((c) => (HIDDEN.has(c.name) ? { ...c, hidden: true } : c)), ksql, statement };
}

/** The scan startup mode ksqlDB's `auto.offset.reset` chooses. */
function startupMode(connection: KsqlConnection): string {
  return connection.offsetReset === 'earliest' ? 'earliest-offset' : 'latest-offset';
}

/**
 * `catalog` as queries starting now see it: ksqlDB streams start reading where the session's `auto.offset.reset`
 * says (ksqlDB reads the property when a query starts, not when the stream is created). The catalog itself
 * keeps ksqlDB's default (latest), so a replayed CREATE gives the same table whatever is set then.
 */
export function withKsqlStartup(catalog: Catalog, settings: Settings): Catalog {
  const mode = startupMode(ksqlConnection(settings));
  const streams = catalog.list('table').filter((t) => t.kind === 'table' && t.ksql?.objectType === 'STREAM' && t.options['scan.startup.mode'] !== mode);
  if (streams.length === 0) return catalog;
  const view = new Catalog();
  for (const e of catalog.list()) {
    view.add(e.kind === 'table' && streams.includes(e) ? { ...e, options: { ...e.options, 'scan.startup.mode': mode } } : e);
  }
  return view;
}
