/**
 * ksqlDB's DDL and persistent queries on the session: CREATE STREAM|TABLE (lowered by source.ts, topic checked
 * or created as ksqlDB does), CREATE STREAM|TABLE AS SELECT (a sink stream or table and the INSERT job writing
 * it, id CSAS_<NAME>_<n> / CTAS_<NAME>_<n>), INSERT INTO a ksqlDB stream (INSERTQUERY_<n>), DROP STREAM|TABLE
 * [DELETE TOPIC] (refused while a running query reads or writes it).
 */
import type * as ast from '../../parser/ast.js';
import { parseExpression } from '../../parser/parse.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { withoutTimeAttribute } from '../../common/types.js';
import type { TableDef } from '../../planner/catalog.js';
import type { JobHandle } from '../job-handle.js';
import type { SessionContext } from '../session-context.js';
import type { StatementResult } from '../statement-result.js';
import { asKsqlTable, ksqlConnection, ksqlName, lowerKsqlSource, RECORD_TIMESTAMP, type KsqlConnection } from './source.js';
import { quotedIn, readKsqlProperties } from './properties.js';
import { ksqlClientFactory, ensureSourceTopic, topicPartitions, withKsqlAdmin, type KsqlClientFactory } from './topics.js';

/** A persistent query: its job, the stream or table it writes and the ones it reads. */
export interface KsqlQuery {
  readonly id: string;
  readonly handle: JobHandle;
  readonly sink: string;
  readonly sources: readonly string[];
  readonly statement: string;
  /** CTAS: the materialized view pull queries on the table read (see {@link KsqlExecutor.pullQuery}). */
  readonly view?: string;
}

/** Runs a DDL statement the ordinary way (the materialized view of a CTAS). */
export type RunDdl = (stmt: ast.CreateView | ast.DropStatement) => Promise<StatementResult>;

/** The name of the materialized view keeping a CTAS table for pull queries. */
export function ctasViewName(table: string): string {
  return `${table}$VIEW`;
}

/** Starts an INSERT job for `insert` (the DML executor's, so it runs as any INSERT does), with the job id `id` when given. */
export type StartInsert = (insert: ast.InsertStatement, id?: string) => Promise<StatementResult & { kind: 'job' }>;

export class KsqlExecutor {
  /** The session's persistent queries by id (SHOW QUERIES and TERMINATE read them). */
  readonly queries = new Map<string, KsqlQuery>();
  private counter = 0;

  constructor(
    private readonly session: SessionContext,
    private readonly startInsert: StartInsert,
    private readonly runDdl: RunDdl,
    private readonly clientFactory: KsqlClientFactory = ksqlClientFactory(() => session.embeddedLogPath()),
  ) {}

  /**
   * Where the session's ksqlDB topics are; offsets as ksqlDB's default (latest): the catalog keeps that, and
   * `auto.offset.reset` applies when a query starts (withKsqlStartup).
   */
  private connection(): KsqlConnection {
    return { ...ksqlConnection(this.session.settings), offsetReset: 'latest' };
  }

  /** The TableDef of ksqlDB's CREATE STREAM|TABLE, bound (no topic checked, nothing registered). */
  lowerSource(stmt: ast.CreateTable): { table: TableDef; partitions?: number; replicas?: number } {
    const lowered = lowerKsqlSource(stmt, this.connection());
    const bound = this.session.planner().createTable(lowered.create);
    return { table: asKsqlTable(bound, lowered.ksql, stmt), partitions: lowered.properties.partitions, replicas: lowered.properties.replicas };
  }

  /** CREATE [OR REPLACE] STREAM|TABLE: the topic must exist (or PARTITIONS creates it); then the catalog entry. */
  async createSource(stmt: ast.CreateTable): Promise<StatementResult> {
    const name = stmt.name.parts.map((p) => p.name).join('.');
    const what = stmt.ksql!.objectType === 'STREAM' ? 'Stream' : 'Table';
    const catalog = this.session.catalog;
    const existing = catalog.find(name);
    if (existing && stmt.ifNotExists) return { kind: 'ok', message: `${what} '${name}' already exists; skipped.`, statement: stmt };
    if (existing && stmt.ksql!.orReplace) this.refuseWhileUsed(existing.name, stmt.name.span, 'replace');
    const { table, partitions, replicas } = this.lowerSource(stmt);
    await withKsqlAdmin(this.clientFactory, table.options, stmt.name.span, (admin) => ensureSourceTopic(admin, table.ksql!.topic, partitions, replicas, stmt.name.span));
    if (existing && stmt.ksql!.orReplace) catalog.remove(existing.name);
    catalog.add(table, stmt.name.span);
    this.session.catalogLog?.created(table.name, stmt.text);
    return { kind: 'ok', message: `${what} '${name}' created.`, statement: stmt };
  }

  /** DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC] of a ksqlDB stream or table. */
  async drop(stmt: ast.DropStatement): Promise<StatementResult> {
    const name = stmt.name.parts.map((p) => p.name).join('.');
    const entry = this.session.catalog.find(name);
    const what = stmt.objectType === 'STREAM' ? 'Stream' : 'Table';
    if (!entry || entry.kind !== 'table' || !entry.ksql || entry.ksql.objectType !== stmt.objectType) {
      if (!entry && stmt.ifExists) return { kind: 'ok', message: `${what} '${name}' does not exist; skipped.`, statement: stmt };
      if (!entry) this.session.catalog.get(name, stmt.name.span);
      const is = entry!.kind === 'table' && entry!.ksql ? `a ${entry!.ksql.objectType.toLowerCase()}` : `a ${entry!.kind}, not a ksqlDB ${what.toLowerCase()}`;
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `'${name}' is ${is}`, span: stmt.name.span });
    }
    this.refuseWhileUsed(entry.name, stmt.name.span, 'drop');
    if (stmt.deleteTopic) {
      const topic = entry.ksql.topic;
      await withKsqlAdmin(this.clientFactory, entry.options, stmt.name.span, async (admin) => {
        if ((await topicPartitions(admin, topic)) !== undefined) await admin.deleteTopics([topic]);
      });
    }
    const writer = entry.ksql.queryId ? this.queries.get(entry.ksql.queryId) : undefined;
    if (writer) this.queries.delete(writer.id);
    const view = ctasViewName(entry.name);
    if (this.session.views.has(view)) await this.runDdl(dropView(view, stmt));
    this.session.catalog.remove(entry.name);
    this.session.catalogLog?.dropped(entry.name);
    return { kind: 'ok', message: `${what} '${entry.name}' dropped${stmt.deleteTopic ? `, and its topic '${entry.ksql.topic}' deleted` : ''}.`, statement: stmt };
  }

  /**
   * ksqlDB's pull query on a CREATE TABLE AS SELECT table (`SELECT .. FROM t WHERE key = ..`, no EMIT CHANGES):
   * reads the table's materialized view instead of its topic. Other queries are returned as they are.
   */
  pullQuery(stmt: ast.QueryStatement): ast.QueryStatement {
    const body = stmt.query.body;
    if (stmt.query.emit !== undefined || body.kind !== 'Select' || body.from?.kind !== 'TableName') return stmt;
    const ref = body.from;
    const entry = this.session.catalog.find(ref.name.parts.map((p) => p.name).join('.'));
    if (entry?.kind !== 'table' || entry.ksql?.objectType !== 'TABLE') return stmt;
    const view = ctasViewName(entry.name);
    if (!this.session.views.has(view)) return stmt;
    const name: ast.QualifiedName = { ...ref.name, parts: [{ kind: 'Identifier', name: view, quoted: true, span: ref.name.span }] };
    // The table's name stays usable as a qualifier (`t.ID`).
    const alias = ref.alias ?? { kind: 'Identifier', name: entry.name, quoted: true, span: ref.name.span };
    return { ...stmt, query: { ...stmt.query, body: { ...body, from: { ...ref, name, alias } } } };
  }

  /** The running persistent queries that read or write `table`. */
  queriesUsing(table: string): KsqlQuery[] {
    const same = (a: string) => a.toLowerCase() === table.toLowerCase();
    return [...this.queries.values()].filter((q) => q.handle.status === 'running' && (same(q.sink) || q.sources.some(same)));
  }

  private refuseWhileUsed(table: string, span: ast.Identifier['span'], verb: 'drop' | 'replace'): void {
    const using = this.queriesUsing(table);
    if (using.length === 0) return;
    const ids = using.map((q) => q.id).join(', ');
    throw new EddyError({
      code: ErrorCode.INVALID_STATEMENT,
      message: `Cannot ${verb} ${table}: the following queries read from or write to it: ${ids}`,
      span,
      hint: `TERMINATE ${using.length === 1 ? ids : 'them'} first`,
    });
  }

  /**
   * CREATE STREAM|TABLE name [WITH (..)] AS query: registers the sink (its columns from the query, keyed as
   * ksqlDB keys it), creates its topic (PARTITIONS from WITH, else the source's), and starts the INSERT job.
   */
  async createAs(stmt: ast.KsqlCreateAs): Promise<StatementResult> {
    const session = this.session;
    const name = stmt.name.parts.map((p) => p.name).join('.');
    const sinkName = stmt.name.parts.length === 1 && !stmt.name.parts[0]!.quoted ? name.toUpperCase() : name;
    const existing = session.catalog.find(sinkName);
    if (existing && stmt.ifNotExists) return { kind: 'ok', message: `${stmt.objectType === 'STREAM' ? 'Stream' : 'Table'} '${existing.name}' already exists; skipped.`, statement: stmt };
    if (existing && !stmt.orReplace) {
      throw new EddyError({ code: ErrorCode.ALREADY_EXISTS, message: `Cannot add ${stmt.objectType.toLowerCase()} '${existing.name}': a ${existing.kind} with the same name already exists`, span: stmt.name.span });
    }
    if (existing) this.refuseWhileUsed(existing.name, stmt.name.span, 'replace');
    const props = readKsqlProperties(stmt.options, quotedIn(stmt));
    const select = stmt.query.body.kind === 'Select' ? stmt.query.body : undefined;
    if (select === undefined) throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: 'CREATE ... AS takes one SELECT', span: stmt.query.span });
    const planner = session.planner();
    const query = withoutPartitionBy(stmt.query, select);
    const planned = planner.planQuery(query);
    const scanned = planner.scannedTables(planner.bindQuery(query)).map((s) => s.table);
    const source = scanned.find((t) => t.ksql !== undefined);
    // Output column names as ksqlDB gives them (hidden ones, an aggregation's ROWTIME, are not the sink's columns).
    const visible = planned.pipeline.schema.filter((f) => !f.hidden);
    const selectOrder = visible.map((f, i) => outputName(select, i, f.name));
    const keyColumns = sinkKeyColumns(select, selectOrder, source, stmt.objectType);
    // ksqlDB's column order: the key columns, a windowed table's WINDOWSTART and WINDOWEND, then the values.
    const rank = (n: string) => (keyColumns.includes(n) ? keyColumns.indexOf(n) : /^WINDOW(START|END)$/.test(n) ? keyColumns.length + (n === 'WINDOWEND' ? 1 : 0) : keyColumns.length + 2);
    const order = selectOrder.map((_, i) => i).sort((a, b) => rank(selectOrder[a]!) - rank(selectOrder[b]!) || a - b);
    const names = order.map((i) => selectOrder[i]!);
    const columnsAst: ast.ColumnDef[] = order.map((i) => ({
      kind: 'PhysicalColumn',
      name: { kind: 'Identifier', name: selectOrder[i]!, quoted: true, span: stmt.name.span },
      type: withoutTimeAttribute(visible[i]!.type),
      span: stmt.name.span,
    }));
    // The query's rows in that order (a projection over it; also what the table's materialized view keeps).
    const ordered = reordered(query, visible.map((f) => f.name), order, select.span);
    const sourceProps = source?.ksql?.properties ?? {};
    const option = (key: string, value: string): ast.TableOption => ({ kind: 'TableOption', key, value, keySpan: stmt.name.span, valueSpan: stmt.name.span, span: stmt.name.span });
    const written: Record<string, string> = { ...props.values };
    if (written['KAFKA_TOPIC'] === undefined) written['KAFKA_TOPIC'] = sinkName;
    if (written['FORMAT'] === undefined) {
      if (written['VALUE_FORMAT'] === undefined) written['VALUE_FORMAT'] = sourceProps['VALUE_FORMAT'] ?? sourceProps['FORMAT'] ?? 'JSON';
      if (written['KEY_FORMAT'] === undefined) written['KEY_FORMAT'] = sourceProps['KEY_FORMAT'] ?? sourceProps['FORMAT'] ?? 'KAFKA';
    }
    const window = select.ksqlWindow;
    if (window !== undefined) {
      written['WINDOW_TYPE'] = window.type;
      if (window.type !== 'SESSION') written['WINDOW_SIZE'] = `${window.sizeMs} MILLISECONDS`;
    }
    const sinkCreate: ast.CreateTable = {
      kind: 'CreateTable',
      name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', name: sinkName, quoted: true, span: stmt.name.span }], span: stmt.name.span },
      temporary: false,
      ifNotExists: false,
      columns: columnsAst.filter((c) => !(window !== undefined && /^WINDOW(START|END)$/.test(c.name.name))),
      options: Object.entries(written).map(([k, v]) => option(k, v)),
      ksql: { objectType: stmt.objectType, orReplace: stmt.orReplace, source: false, keyColumns: keyColumns.map((k) => ({ kind: 'Identifier', name: k, quoted: true, span: stmt.name.span })) },
      span: stmt.span,
      text: stmt.text,
    };
    const lowered = lowerKsqlSource(sinkCreate, this.connection(), (o) => o.key !== 'PARTITIONS' && o.key !== 'REPLICAS');
    // Windowed output: WINDOWSTART / WINDOWEND come back as columns the key's window fills.
    const windowColumns = columnsAst.filter((c) => window !== undefined && /^WINDOW(START|END)$/.test(c.name.name));
    const create: ast.CreateTable = {
      ...lowered.create,
      columns: [...lowered.create.columns.slice(0, keyColumns.length), ...windowColumns, ...lowered.create.columns.slice(keyColumns.length)],
      ...(stmt.objectType === 'TABLE' && window !== undefined
        ? { primaryKey: [...(lowered.create.primaryKey ?? []), ...windowColumns.filter((c) => window.type === 'SESSION' || c.name.name === 'WINDOWSTART').map((c) => c.name)] }
        : {}),
    };
    const id = `${stmt.objectType === 'STREAM' ? 'CSAS' : 'CTAS'}_${sinkName.toUpperCase()}_${++this.counter}`;
    const table = asKsqlTable(session.planner().createTable(create), { ...lowered.ksql, queryId: id }, stmt);
    let partitions = props.partitions;
    if (partitions === undefined && source?.ksql) {
      partitions = await withKsqlAdmin(this.clientFactory, source.options, stmt.query.span, (admin) => topicPartitions(admin, source.ksql!.topic));
    }
    await withKsqlAdmin(this.clientFactory, table.options, stmt.name.span, async (admin) => {
      if ((await topicPartitions(admin, table.ksql!.topic)) === undefined) {
        await admin.createTopic({ topic: table.ksql!.topic, partitions: partitions ?? 1, ...(props.replicas === undefined ? {} : { replicationFactor: props.replicas }) });
      }
    });
    if (existing) session.catalog.remove(existing.name);
    session.catalog.add(table, stmt.name.span);
    let view: string | undefined;
    try {
      if (stmt.objectType === 'TABLE') {
        // Pull queries read the table's rows from a materialized view of the same query.
        view = ctasViewName(table.name);
        // The view keeps each row's ROWTIME too (hidden: pull queries select it by name, as in ksqlDB).
        const viewRowtime = hasRowtime(reordered(query, visible.map((f) => f.name), order, select.span, true), session);
        const ids = names.map((n): ast.Identifier => ({ kind: 'Identifier', name: n, quoted: true, span: stmt.name.span }));
        await this.runDdl({
          kind: 'CreateView',
          materialized: true,
          name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', name: view, quoted: true, span: stmt.name.span }], span: stmt.name.span },
          temporary: true,
          ifNotExists: false,
          columnNames: viewRowtime ? [...ids, { kind: 'Identifier', name: 'ROWTIME', quoted: true, span: stmt.name.span }] : ids,
          query: viewRowtime ? reordered(query, visible.map((f) => f.name), order, select.span, true) : ordered,
          span: stmt.span,
          text: stmt.text,
        });
      }
      if (view !== undefined) hideViewRowtime(session, view);
      const result = await this.startPersistentQuery(stmt, table, query, select, selectOrder, id, scanned.map((t) => t.name), view);
      session.catalogLog?.created(table.name, stmt.text);
      return result;
    } catch (err) {
      if (view !== undefined && session.views.has(view)) await this.runDdl(dropView(view, stmt)).catch(() => {});
      session.catalog.remove(table.name);
      throw err;
    }
  }

  /** Whether `stmt` writes a ksqlDB stream or table (then {@link insert} runs it). */
  writesKsqlTable(stmt: ast.InsertStatement): boolean {
    const target = this.session.catalog.find(stmt.target.parts.map((p) => p.name).join('.'));
    return target?.kind === 'table' && target.ksql !== undefined;
  }

  /**
   * INSERT INTO a ksqlDB stream or table SELECT ...: runs as INSERTQUERY_<n>, writing each row's ROWTIME as the
   * record's timestamp. Undefined when `stmt` is not such an INSERT (the DML executor runs it as usual).
   */
  async insert(stmt: ast.InsertStatement): Promise<StatementResult | undefined> {
    if (!this.writesKsqlTable(stmt)) return undefined;
    const target = this.session.catalog.find(stmt.target.parts.map((p) => p.name).join('.')) as TableDef;
    if (stmt.query.body.kind === 'Values') return this.insertValues(stmt, stmt.query.body);
    if (stmt.query.body.kind !== 'Select') return undefined;
    const select = stmt.query.body;
    const id = `INSERTQUERY_${++this.counter}`;
    const planner = this.session.planner();
    const query = withoutPartitionBy(stmt.query, select);
    const names = stmt.columns?.map((c) => c.name) ?? target.columns.filter((c) => !c.hidden && !c.computed && !c.metadata).map((c) => c.name);
    const sources = planner.scannedTables(planner.bindQuery(query)).map((s) => s.table.name);
    return this.startPersistentQuery(stmt, target, query, select, names, id, sources);
  }

  /**
   * INSERT INTO s [(cols)] VALUES (...): one record per row; a ROWTIME value (epoch ms) becomes the record's
   * timestamp (else the time of writing). Without a column list the values are the stream's own columns (not
   * its pseudo or metadata ones). As in ksqlDB, the statement ends once its records are written, so the
   * records of consecutive INSERTs reach the topic in statement order.
   */
  private async insertValues(stmt: ast.InsertStatement, values: ast.Values): Promise<StatementResult> {
    const at = stmt.columns?.findIndex((c) => c.name.toUpperCase() === 'ROWTIME') ?? -1;
    let insert: ast.InsertStatement;
    if (at >= 0) {
      const columns = stmt.columns!.map((c, i) => (i === at ? { ...c, name: RECORD_TIMESTAMP, quoted: true } : c));
      const toTimestamp = (e: ast.Expr): ast.Expr => {
        const call = parseExpression('TO_TIMESTAMP_LTZ(0, 3)') as ast.FunctionCall;
        return { ...call, args: [e, call.args[1]!], span: e.span };
      };
      const rows = values.rows.map((row) => row.map((e, i) => (i === at ? toTimestamp(e) : e)));
      insert = { ...stmt, columns, query: { ...stmt.query, body: { ...values, rows } } };
    } else if (stmt.columns === undefined) {
      const target = this.session.catalog.find(stmt.target.parts.map((p) => p.name).join('.')) as TableDef;
      const span = stmt.target.span;
      insert = { ...stmt, columns: target.columns.filter((c) => !c.hidden && !c.computed && !c.metadata).map((c): ast.Identifier => ({ kind: 'Identifier', name: c.name, quoted: true, span })) };
    } else insert = stmt;
    const result = await this.startInsert(insert);
    await result.job.done;
    return result;
  }

  /** Starts the INSERT job writing `query`'s rows (as `names`) and its ROWTIME into `table`. */
  private async startPersistentQuery(stmt: ast.Statement, table: TableDef, query: ast.Query, select: ast.Select, names: readonly string[], id: string, sources: readonly string[], view?: string): Promise<StatementResult> {
    const span = stmt.span;
    const timed = withRecordTimestamp(query, select, this.session);
    const columns = [...names, ...(timed === undefined ? [] : [RECORD_TIMESTAMP])].map((n): ast.Identifier => ({ kind: 'Identifier', name: n, quoted: true, span }));
    const insert: ast.InsertStatement = {
      kind: 'InsertStatement',
      target: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', name: table.name, quoted: true, span }], span },
      columns,
      overwrite: false,
      query: timed ?? query,
      span,
      text: stmt.text,
    };
    const result = await this.startInsert(insert, id);
    this.queries.set(id, { id, handle: result.job, sink: table.name, sources, statement: stmt.text, ...(view === undefined ? {} : { view }) });
    return result;
  }
}

/** `SELECT q.c[order[0]], q.c[order[1]], ... FROM (query) q`: the query's columns (named `planned`) reordered; the query itself when the order is unchanged. */
function reordered(query: ast.Query, planned: readonly string[], order: readonly number[], span: ast.Select['span'], rowtime = false): ast.Query {
  if (order.every((o, i) => o === i) && !rowtime) return query;
  const alias = 'KSQL$ORDERED';
  const id = (name: string): ast.Identifier => ({ kind: 'Identifier', name, quoted: true, span });
  const ref = (name: string): ast.Expr => ({ kind: 'ColumnRef', name: { kind: 'QualifiedName', parts: [id(alias), id(name)], span }, span });
  const items: ast.SelectItem[] = order.map((i) => ({ kind: 'SelectExpr', expr: ref(planned[i]!), span }));
  if (rowtime) items.push({ kind: 'SelectExpr', expr: ref('ROWTIME'), alias: id('ROWTIME'), span });
  const outer: ast.Select = { kind: 'Select', distinct: false, items, from: { kind: 'SubqueryRef', query, alias: id(alias), lateral: false, span }, groupBy: [], span };
  return { kind: 'Query', with: [], body: outer, orderBy: [], span: query.span };
}

/** Whether `query` binds: false when it reads a ROWTIME its input does not have (a query over Flink tables). */
function hasRowtime(query: ast.Query, session: SessionContext): boolean {
  try {
    session.planner().bindQuery(query);
    return true;
  } catch (err) {
    if (err instanceof EddyError && err.code === ErrorCode.UNKNOWN_COLUMN) return false;
    throw err;
  }
}

/** Marks the ROWTIME column of a CTAS table's view hidden: `SELECT *` leaves it out, as ksqlDB's pull queries do. */
function hideViewRowtime(session: SessionContext, view: string): void {
  const entry = session.catalog.find(view);
  if (entry?.kind !== 'table' || !entry.columns.some((c) => c.name === 'ROWTIME')) return;
  session.catalog.remove(entry.name);
  session.catalog.add({ ...entry, columns: entry.columns.map((c) => (c.name === 'ROWTIME' ? { ...c, hidden: true } : c)) });
}

/** DROP MATERIALIZED VIEW of a CTAS table's view. */
function dropView(view: string, stmt: ast.Statement): ast.DropStatement {
  const span = stmt.span;
  return { kind: 'DropStatement', objectType: 'MATERIALIZED VIEW', name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', name: view, quoted: true, span }], span }, ifExists: true, temporary: true, cascade: false, span, text: stmt.text };
}

/** The query without PARTITION BY (it only chooses the sink's key columns). */
function withoutPartitionBy(query: ast.Query, select: ast.Select): ast.Query {
  if (select.partitionBy === undefined) return query;
  const { partitionBy: _dropped, ...rest } = select;
  return { ...query, body: rest };
}

/** The i-th output column's name as ksqlDB names it: an alias or column as written upper-case unless quoted; KSQL_COL_i for expressions. */
function outputName(select: ast.Select, i: number, planned: string): string {
  const item = select.items[i];
  if (item?.kind === 'SelectExpr') {
    if (item.alias) return ksqlName(item.alias);
    if (item.expr.kind === 'ColumnRef') return planned.toUpperCase() === planned ? planned : planned.toUpperCase();
    if (/^EXPR\$\d+$/.test(planned)) return `KSQL_COL_${i}`;
  }
  return planned;
}

/**
 * The sink's key columns, as ksqlDB chooses them: PARTITION BY columns; else the GROUP BY columns of an
 * aggregation; else the source's key columns (when selected).
 */
function sinkKeyColumns(select: ast.Select, names: readonly string[], source: TableDef | undefined, objectType: 'STREAM' | 'TABLE'): string[] {
  const named = (e: ast.Expr, clause: string): string => {
    const col = e.kind === 'ColumnRef' ? e.name.parts.at(-1)!.name : undefined;
    const found = col === undefined ? undefined : names.find((n) => n.toUpperCase() === col.toUpperCase());
    if (found === undefined) {
      throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: `${clause} an expression that is not a selected column is not supported: select it and ${clause.toLowerCase()} its name`, span: e.span });
    }
    return found;
  };
  if (select.partitionBy !== undefined) return select.partitionBy.map((e) => named(e, 'PARTITION BY'));
  if (select.groupBy.length > 0) return select.groupBy.map((e) => named(e, 'GROUP BY'));
  const keys = source?.ksql?.keyColumns ?? [];
  const kept = keys.map((k) => names.find((n) => n.toUpperCase() === k.toUpperCase())).filter((n): n is string => n !== undefined);
  if (objectType === 'TABLE' && kept.length === 0) {
    throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: 'A table needs a key: select its source key columns, or GROUP BY', span: select.span });
  }
  return kept;
}

/**
 * `query` with one more output column, the record timestamp its sink writes (KSQL$TIMESTAMP): its ROWTIME.
 * A projection or a join reads its input's ROWTIME; an aggregation's output carries a hidden ROWTIME (the
 * latest event time of its group or window: bind-ksql-window.ts), read by a projection over it. Undefined when
 * there is no ROWTIME (a query over Flink tables): the sink then stamps records with the time of writing.
 */
function withRecordTimestamp(query: ast.Query, select: ast.Select, session: SessionContext): ast.Query | undefined {
  const planner = session.planner();
  const stamp = (qualifier?: string): ast.SelectItem => {
    const expr = parseExpression(qualifier === undefined ? 'TO_TIMESTAMP_LTZ(ROWTIME, 3)' : `TO_TIMESTAMP_LTZ(\`${qualifier}\`.ROWTIME, 3)`);
    return { kind: 'SelectExpr', expr, alias: { kind: 'Identifier', name: RECORD_TIMESTAMP, quoted: true, span: select.span }, span: select.span };
  };
  const aggregated = select.groupBy.length > 0 || select.ksqlWindow !== undefined;
  let candidate: ast.Query;
  if (!aggregated) {
    candidate = { ...query, body: { ...select, items: [...select.items, stamp()] } };
  } else {
    const inner = planner.planQuery(query).pipeline.schema;
    const span = select.span;
    const alias = 'KSQL$AGGREGATE';
    const items: ast.SelectItem[] = inner
      .filter((f) => !f.hidden)
      .map((f) => ({ kind: 'SelectExpr', expr: { kind: 'ColumnRef', name: { kind: 'QualifiedName', parts: [{ kind: 'Identifier', name: alias, quoted: true, span }, { kind: 'Identifier', name: f.name, quoted: true, span }], span }, span }, span }));
    const from: ast.SubqueryRef = { kind: 'SubqueryRef', query, alias: { kind: 'Identifier', name: alias, quoted: true, span }, lateral: false, span };
    const outer: ast.Select = { kind: 'Select', distinct: false, items: [...items, stamp(alias)], from, groupBy: [], span };
    candidate = { kind: 'Query', with: [], body: outer, orderBy: [], span: query.span };
  }
  try {
    planner.bindQuery(candidate);
    return candidate;
  } catch (err) {
    if (err instanceof EddyError && err.code === ErrorCode.UNKNOWN_COLUMN) return undefined;
    throw err;
  }
}
