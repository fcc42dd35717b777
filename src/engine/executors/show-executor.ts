/** Executes SHOW, DESCRIBE and EXPLAIN: statements that describe the session and its plans without changing them. */
import { describeKsqlSource } from '../ksql/describe.js';
import { existsSync } from 'node:fs';
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { T, typeToString, type Field } from '../../common/types.js';
import { formatValue } from '../../common/values.js';
import { parseStatement } from '../../parser/parse.js';
import { describeSummary } from '../job-summary.js';
import type { JobMetrics } from '../job-registry.js';
import { explainPipelines } from '../../planner/explain.js';
import { describeFreshness } from '../pull-query.js';
import type { MaterializedView } from '../materialized-views.js';
import type { SessionContext } from '../session-context.js';
import { describeExtendedFooter, ksqlSourcesTable, propertiesTable, queriesTable, variablesTable } from './ksql-listings.js';
import type { StatementExecutor, StatementResult, TextTable } from '../statement-result.js';

/** The statements that describe the session. */
export type InspectStatement = ast.ShowStatement | ast.DescribeStatement | ast.DescribeJobStatement | ast.ExplainStatement;

/** Flink's names for the one catalog and database Eddy has (SHOW CATALOGS, SHOW CURRENT DATABASE). */
export const DEFAULT_CATALOG = 'default_catalog';
export const DEFAULT_DATABASE = 'default_database';

/** SHOW lists, DESCRIBE tables, EXPLAIN plans. */
export class ShowExecutor implements StatementExecutor<InspectStatement> {
  constructor(private readonly session: SessionContext) {}

  execute(stmt: InspectStatement): StatementResult {
    switch (stmt.kind) {
      case 'ShowStatement':
        return { kind: 'table', table: this.show(stmt), statement: stmt };
      case 'DescribeStatement':
        return { kind: 'table', table: this.describe(stmt.name, stmt.extended === true), statement: stmt };
      case 'DescribeJobStatement':
        return { kind: 'table', table: this.describeJob(stmt), statement: stmt };
      case 'ExplainStatement':
        return { kind: 'explain', text: this.explain(stmt.statement), statement: stmt };
    }
  }

  /** EXPLAIN text for a query, an INSERT or a statement set. */
  explain(stmt: ast.QueryStatement | ast.InsertStatement | ast.StatementSet): string {
    const planner = this.session.planner();
    if (stmt.kind === 'QueryStatement') return explainPipelines([planner.planQuery(stmt.query)]);
    // The INSERTs of a job are planned together, as they will run.
    const { planned, sinks } = planner.planJob(stmt);
    return explainPipelines(planned, sinks);
  }

  private show(stmt: ast.ShowStatement): TextTable {
    const session = this.session;
    switch (stmt.what) {
      case 'TABLES':
        // ksqlDB's LIST TABLES and SHOW TABLES EXTENDED: its tables with its columns (docs/ksql.md).
        if (stmt.list || stmt.extended) return ksqlSourcesTable(session, 'TABLE', stmt.extended === true);
        // As in Flink, views are tables too.
        return { columns: ['table name'], rows: session.catalog.list().map((t) => [t.name]) };
      case 'VIEWS':
        return { columns: ['view name'], rows: session.catalog.list('view').map((t) => [t.name]) };
      case 'MATERIALIZED VIEWS':
        return {
          columns: ['view name', 'key', 'status', 'job id', 'reason'],
          rows: [...session.views.values()].map((v) => {
            const error = session.registry.get(v.job.id)?.error;
            return [v.name, v.key ? `(${v.key.join(', ')})` : '', error ? 'FAILED' : v.job.status.toUpperCase(), v.job.id, error ? `${error.code}: ${error.message}` : ''];
          }),
        };
      case 'FUNCTIONS':
        return { columns: ['function name'], rows: session.functions.names().map((n) => [n]) };
      case 'JOBS':
        return jobsTable(session.registry.list(), session.settings.get('table.local-time-zone'));
      case 'CATALOGS':
        return { columns: ['catalog name'], rows: [[DEFAULT_CATALOG]] };
      case 'DATABASES':
        return { columns: ['database name'], rows: [[DEFAULT_DATABASE]] };
      case 'CURRENT CATALOG':
        return { columns: ['current catalog name'], rows: [[DEFAULT_CATALOG]] };
      case 'CURRENT DATABASE':
        return { columns: ['current database name'], rows: [[DEFAULT_DATABASE]] };
      case 'CREATE TABLE':
      case 'CREATE VIEW':
        return this.showCreate(stmt.what, stmt.name!);
      case 'COLUMNS':
        // Flink's SHOW COLUMNS lists what DESCRIBE does.
        return this.describe(stmt.name!);
      case 'STREAMS':
        return ksqlSourcesTable(session, 'STREAM', stmt.extended === true);
      case 'QUERIES':
        return queriesTable(session, stmt.extended === true);
      case 'PROPERTIES':
        return propertiesTable(session);
      case 'VARIABLES':
        return variablesTable(session);
    }
  }

  /** The keys of options whose values are secrets (OptionSpec.secret), of every connector, lower-case. */
  private secretOptionKeys(): ReadonlySet<string> {
    return new Set(this.session.connectors.flatMap((c) => c.options.filter((o) => o.secret).map((o) => o.key.toLowerCase())));
  }

  /** `SHOW CREATE TABLE|VIEW name`: the statement that created it, as it was written (secret option values masked). */
  private showCreate(what: 'CREATE TABLE' | 'CREATE VIEW', qualified: ast.QualifiedName): TextTable {
    const name = qualified.parts.map((p) => p.name).join('.');
    const entry = this.session.catalog.get(name, qualified.span);
    const wanted = what === 'CREATE TABLE' ? 'table' : 'view';
    if (entry.kind !== wanted) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `'${entry.name}' is a ${entry.kind}, not a ${wanted}`,
        span: qualified.span,
        hint: `SHOW CREATE ${entry.kind.toUpperCase()} ${entry.name}`,
      });
    }
    return { columns: ['create statement'], rows: [[maskSecretOptions(entry.statement.text.trim(), this.secretOptionKeys()) + ';']] };
  }

  /**
   * `DESCRIBE JOB 'id'`: a job's status, counters and watermark, and its plan — a running job, or a failed
   * one that SHOW JOBS still lists (then with its error).
   */
  private describeJob(stmt: ast.DescribeJobStatement): TextTable {
    const jobs = [...this.session.jobs];
    const job = jobs.find((j) => j.id === stmt.jobId);
    if (!job) {
      const ended = this.session.registry.get(stmt.jobId);
      if (ended) return this.describeEndedJob(ended);
      const listed = this.session.registry.list().map((m) => m.id);
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `No job '${stmt.jobId}'`,
        span: stmt.span,
        hint: listed.length ? `SHOW JOBS lists: ${listed.join(', ')}` : 'SHOW JOBS lists the running jobs and the failed ones',
      });
    }
    const progress = job.progress();
    const s = progress.summary;
    const zone = this.session.settings.get('table.local-time-zone');
    const time = (ms: number) => formatValue(ms, T.timestampLtz(3), zone);
    const wm = progress.watermark;
    const rows: string[][] = [
      ['job id', job.id],
      ['statement', job.description.replace(/\s+/g, ' ').trim()],
      ['status', job.status.toUpperCase()],
      ['start time', time(job.startTime)],
      ['rows in', String(s.rowsIn)],
      ['rows out', String(s.rowsOut)],
      ['late rows dropped', String(s.lateRowsDropped)],
      ['bad rows skipped', String(s.badRowsSkipped)],
      ['watermark', wm === Number.NEGATIVE_INFINITY ? 'none yet' : wm === Number.POSITIVE_INFINITY ? 'end of input' : formatValue(wm, T.timestamp(3), zone)],
      ['state entries', String(progress.stateEntries)],
      ['checkpoints', String(progress.checkpoints)],
      ['last checkpoint', progress.lastCheckpointTime === undefined ? '' : time(progress.lastCheckpointTime)],
      ['health', progress.health ?? 'ok'],
    ];
    return { columns: ['property', 'value'], rows, footer: [`Summary: ${describeSummary(s)}.`, 'Plan:', ...this.planOf(job.description)] };
  }

  /** DESCRIBE JOB of a job that has ended but is still listed (a failed one): its last figures and error. */
  private describeEndedJob(m: JobMetrics): TextTable {
    const zone = this.session.settings.get('table.local-time-zone');
    const time = (ms: number) => formatValue(ms, T.timestampLtz(3), zone);
    const wm = m.watermark;
    const rows: string[][] = [
      ['job id', m.id],
      ['statement', m.name],
      ['status', m.status],
      ['start time', time(m.startTime)],
      ['end time', m.endTime === undefined ? '' : time(m.endTime)],
      ['rows in', String(m.rowsIn)],
      ['rows out', String(m.rowsOut)],
      ['late rows dropped', String(m.lateRows)],
      ['bad rows skipped', String(m.badRows)],
      ['watermark', wm === Number.NEGATIVE_INFINITY ? 'none yet' : wm === Number.POSITIVE_INFINITY ? 'end of input' : formatValue(wm, T.timestamp(3), zone)],
      ['state entries', String(m.stateEntries)],
      ['checkpoints', String(m.checkpoints)],
      ['last checkpoint', m.lastCheckpoint === undefined ? '' : time(m.lastCheckpoint.time)],
      ['error', m.error ? `${m.error.code}: ${m.error.message}` : ''],
    ];
    return { columns: ['property', 'value'], rows, footer: [...(m.error ? ['Error:', m.error.rendered] : []), 'Plan:', ...this.planOf(m.name)] };
  }

  /** The plan of a job's statement, planned again over the catalog as it is now. */
  private planOf(text: string): string[] {
    try {
      const stmt = parseStatement(text);
      const plan =
        stmt.kind === 'QueryStatement' || stmt.kind === 'InsertStatement' || stmt.kind === 'StatementSet'
          ? this.explain(stmt)
          : stmt.kind === 'CreateView'
            ? explainPipelines([this.session.planner().planQuery(stmt.query)])
            : undefined;
      return plan === undefined ? ['  (no plan for this statement)'] : plan.trimEnd().split('\n').map((l) => `  ${l}`);
    } catch (err) {
      return [`  (cannot be planned now: ${err instanceof Error ? err.message : String(err)})`];
    }
  }

  /**
   * The columns of a table or view. A ksqlDB source's pseudo columns (ROWTIME, ...) are listed only with
   * EXTENDED, which also adds the source's topic and formats, the queries writing and reading it, and their
   * counters (ksql-listings.ts).
   */
  private describe(qualified: ast.QualifiedName, extended = false): TextTable {
    const name = qualified.parts.map((p) => p.name).join('.');
    const entry = this.session.catalog.get(name, qualified.span);
    const columns = ['name', 'type', 'null', 'key', 'extras', 'watermark'];
    const typeOnly = (f: Field) => typeToString({ ...f.type, nullable: true }).replace(/ \*(ROWTIME|PROCTIME)\*$/, '');
    if (entry.kind === 'view') {
      return { columns, rows: entry.schema.map((f) => [f.name, typeToString({ ...f.type, nullable: true }), String(f.type.nullable).toUpperCase(), '', '', '']) };
    }
    if (entry.ksql) {
      // ksqlDB's layout: Field | Type; EXTENDED adds the pseudo columns, the topic, formats and the queries.
      const table = describeKsqlSource(entry, extended);
      return extended ? { ...table, footer: [`Name                 : ${entry.name}`, ...describeExtendedFooter(this.session, entry)] } : table;
    }
    const view = this.session.views.get(entry.name);
    const footer = [...(view ? this.describeFreshness(view) : []), ...(extended ? describeExtendedFooter(this.session, entry) : [])];
    return {
      columns,
      ...(footer.length > 0 ? { footer } : {}),
      rows: entry.columns.filter((c) => extended || !c.hidden).map((c) => {
        const isKey = entry.primaryKey?.includes(c.name) ?? false;
        const wm = entry.watermark?.column === c.name && entry.statement.kind === 'CreateTable' ? entry.statement.watermark!.expr : undefined;
        const extras = [
          c.computed ? `AS ${sqlText(entry.statement, c.computed)}` : c.metadata ? `METADATA FROM '${c.metadata.key}'${c.metadata.virtual ? ' VIRTUAL' : ''}` : '',
          c.hidden ? 'pseudo column' : '',
        ].filter((x) => x !== '').join(', ');
        const type = typeOnly({ name: c.name, type: c.type }) + (c.type.timeAttribute === 'rowtime' ? ' *ROWTIME*' : c.type.timeAttribute === 'proctime' ? ' *PROCTIME*' : '');
        return [c.name, type, String(c.type.nullable).toUpperCase(), isKey ? `PRI(${entry.primaryKey!.join(', ')})` : '', extras, wm ? sqlText(entry.statement, wm) : ''];
      }),
    };
  }

  /** The lines DESCRIBE adds for a materialized view: its job, key, and what its table reflects. */
  private describeFreshness(view: MaterializedView): string[] {
    const store = this.session.viewStore();
    const f = existsSync(store.path) ? store.withReader((db) => store.freshness(db, view)) : { view: view.name };
    return [
      `Materialized view, kept up to date by ${view.job.id} (${view.job.status.toUpperCase()}); key: ${view.key ? (view.key.length ? `(${view.key.join(', ')})` : '() — one row') : 'none (append-only)'}.`,
      `Reflects ${describeFreshness(f, this.session.settings.get('table.local-time-zone'))}.`,
    ];
  }
}

/**
 * A statement's text with the values of the given WITH options (secrets: passwords, private keys) replaced by
 * `'******'`, wherever `'key' = '...'` appears in it.
 */
export function maskSecretOptions(text: string, keys: ReadonlySet<string>): string {
  if (keys.size === 0) return text;
  return text.replace(/('((?:[^']|'')*)'\s*=\s*)'(?:[^']|'')*'/g, (whole, head: string, key: string) => (keys.has(key.replace(/''/g, "'").toLowerCase()) ? `${head}'******'` : whole));
}

/** SHOW JOBS: running jobs and failed ones, with their figures (see JobRegistry). */
function jobsTable(jobs: readonly JobMetrics[], timeZone: string): TextTable {
  const time = (ms: number) => formatValue(ms, T.timestampLtz(3), timeZone);
  const int = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    columns: [
      'job id', 'job name', 'status', 'start time', 'rows in', 'rows out', 'rows/s in', 'rows/s out', 'watermark', 'watermark lag', 'late rows', 'bad rows',
      'state entries', 'state bytes', 'last checkpoint', 'checkpoint time', 'checkpoint duration', 'error', 'health',
    ],
    rows: jobs.map((j) => [
      j.id,
      j.name.slice(0, 60),
      j.status,
      new Date(j.startTime).toISOString(),
      int(j.rowsIn),
      int(j.rowsOut),
      String(j.rowsInPerSecond),
      String(j.rowsOutPerSecond),
      j.watermark === Infinity ? 'end of input' : j.watermark === -Infinity ? '' : time(j.watermark),
      j.watermarkLagMs === undefined ? '' : `${(j.watermarkLagMs / 1000).toFixed(1)} s`,
      int(j.lateRows),
      int(j.badRows),
      int(j.stateEntries),
      int(j.stateBytes),
      int(j.lastCheckpoint?.id),
      j.lastCheckpoint ? time(j.lastCheckpoint.time) : '',
      j.lastCheckpoint?.durationMs === undefined ? '' : `${j.lastCheckpoint.durationMs} ms`,
      j.error ? `${j.error.code}: ${j.error.message}` : '',
      j.health ?? '',
    ]),
  };
}

/** The source text of a node inside a statement (the statement's text starts at its span). */
function sqlText(stmt: ast.StatementBase, node: ast.Expr): string {
  return stmt.text.slice(node.span.start - stmt.span.start, node.span.end - stmt.span.start);
}
