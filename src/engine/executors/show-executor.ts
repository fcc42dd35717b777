/** Executes SHOW, DESCRIBE and EXPLAIN: statements that describe the session and its plans without changing them. */
import { existsSync } from 'node:fs';
import type * as ast from '../../parser/ast.js';
import { T, typeToString, type Field } from '../../common/types.js';
import { formatValue } from '../../common/values.js';
import type { JobMetrics } from '../job-registry.js';
import { explainPipelines } from '../../planner/explain.js';
import { describeFreshness } from '../pull-query.js';
import type { MaterializedView } from '../materialized-views.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult, TextTable } from '../statement-result.js';

/** The statements that describe the session. */
export type InspectStatement = ast.ShowStatement | ast.DescribeStatement | ast.ExplainStatement;

/** SHOW lists, DESCRIBE tables, EXPLAIN plans. */
export class ShowExecutor implements StatementExecutor<InspectStatement> {
  constructor(private readonly session: SessionContext) {}

  execute(stmt: InspectStatement): StatementResult {
    switch (stmt.kind) {
      case 'ShowStatement':
        return { kind: 'table', table: this.show(stmt.what), statement: stmt };
      case 'DescribeStatement':
        return { kind: 'table', table: this.describe(stmt), statement: stmt };
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

  private show(what: ast.ShowStatement['what']): TextTable {
    const session = this.session;
    switch (what) {
      case 'TABLES':
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
    }
  }

  private describe(stmt: ast.DescribeStatement): TextTable {
    const name = stmt.name.parts.map((p) => p.name).join('.');
    const entry = this.session.catalog.get(name, stmt.name.span);
    const columns = ['name', 'type', 'null', 'key', 'extras', 'watermark'];
    const typeOnly = (f: Field) => typeToString({ ...f.type, nullable: true }).replace(/ \*(ROWTIME|PROCTIME)\*$/, '');
    if (entry.kind === 'view') {
      return { columns, rows: entry.schema.map((f) => [f.name, typeToString({ ...f.type, nullable: true }), String(f.type.nullable).toUpperCase(), '', '', '']) };
    }
    const view = this.session.views.get(entry.name);
    return {
      columns,
      ...(view ? { footer: this.describeFreshness(view) } : {}),
      rows: entry.columns.map((c) => {
        const isKey = entry.primaryKey?.includes(c.name) ?? false;
        const wm = entry.watermark?.column === c.name && entry.statement.kind === 'CreateTable' ? entry.statement.watermark!.expr : undefined;
        const extras = c.computed ? `AS ${sqlText(entry.statement, c.computed)}` : '';
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

/** SHOW JOBS: running jobs and failed ones, with their figures (see JobRegistry). */
function jobsTable(jobs: readonly JobMetrics[], timeZone: string): TextTable {
  const time = (ms: number) => formatValue(ms, T.timestampLtz(3), timeZone);
  const int = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    columns: [
      'job id', 'job name', 'status', 'start time', 'rows in', 'rows out', 'rows/s in', 'rows/s out', 'watermark', 'watermark lag', 'late rows', 'bad rows',
      'state entries', 'state bytes', 'last checkpoint', 'checkpoint time', 'checkpoint duration', 'error',
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
    ]),
  };
}

/** The source text of a node inside a statement (the statement's text starts at its span). */
function sqlText(stmt: ast.StatementBase, node: ast.Expr): string {
  return stmt.text.slice(node.span.start - stmt.span.start, node.span.end - stmt.span.start);
}
