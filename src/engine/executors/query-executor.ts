/** Executes SELECT: binds it once, routes it (see query-router.ts), and runs it as a pull, push or continuous query. */
import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { LogicalPlan } from '../../planner/logical-plan.js';
import type { PlannedPull } from '../../planner/planner.js';
import type { ChangelogMode } from '../../planner/physical-plan.js';
import type { ConnectorFactory } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import { compileExpr } from '../../expr/compile.js';
import { readSqliteTable, sqliteSnapshotConnector } from '../../connectors/sqlite.js';
import { CollectWriter, QueryHandle, queryLimits, tooManyRows, type QueryLimits } from '../query-handle.js';
import { applyFinalSteps, collapseChangelog, FeedRunner, type PullResult, type ViewChangesOpened } from '../pull-query.js';
import type { MaterializedView } from '../materialized-views.js';
import { routeQuery } from '../query-router.js';
import { awaitViews } from '../view-readiness.js';
import type { JobBuilder } from '../job-builder.js';
import type { QueryJobSpec } from '../job-thread.js';
import type { Job } from '../../runtime/job.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult } from '../statement-result.js';

/** SELECT statements: pull queries answer final rows, push and continuous queries a running QueryHandle. */
export class QueryExecutor implements StatementExecutor<ast.QueryStatement> {
  constructor(
    private readonly session: SessionContext,
    private readonly builder: JobBuilder,
  ) {}

  async execute(stmt: ast.QueryStatement): Promise<StatementResult> {
    const planner = this.session.planner();
    const bound = planner.bindQuery(stmt.query);
    const route = routeQuery(stmt.query, planner.scannedTables(bound), (name) => this.session.views.get(name));
    switch (route.kind) {
      case 'push':
        return { kind: 'query', query: this.push(stmt, route.views, bound), statement: stmt };
      case 'pull':
        return { kind: 'rows', result: await this.pull(stmt.query, route.views, bound), statement: stmt };
      case 'continuous':
        return { kind: 'query', query: await this.continuous(stmt, bound), statement: stmt };
    }
  }

  /**
   * A continuous (or bounded) query: a streaming job whose changes go to the returned handle. The job runs
   * in the session's job thread when it has one (planned again there from the statement; its changes come
   * back in batches), else in this thread.
   */
  private async continuous(stmt: ast.QueryStatement, bound: LogicalPlan): Promise<QueryHandle> {
    const session = this.session;
    const plan = session.planner().planQuery(stmt.query, bound);
    const writer = new CollectWriter();
    const name = session.jobName(stmt.text);
    const limits = this.limits();
    const [job] = session.jobThread
      ? await session.jobThread.start(session.threadContext(), { kind: 'query', spec: { statement: stmt, name, maxRows: limits.maxRows } }, writer)
      : [this.builder.build(plan, name, { collect: writer, statement: stmt, replan: { kind: 'query', spec: { statement: stmt, name, maxRows: limits.maxRows } } })];
    const handle = new QueryHandle(job!, writer, plan.pipeline.schema, plan.pipeline.root.changelog, stmt.text, limits);
    handle.id = session.nextHandleId();
    session.track(handle, 'query');
    handle.start();
    return handle;
  }

  /** The job of a continuous query (not started), as the job thread builds it from the statement. */
  queryJob(spec: QueryJobSpec, writer: CollectWriter): Job {
    const plan = this.session.planner().planQuery(spec.statement.query);
    return this.builder.build(plan, spec.name, { collect: writer, statement: spec.statement, replan: { kind: 'query', spec } });
  }

  /**
   * A pull query: runs the query over one consistent snapshot of the views (and sqlite tables) it reads,
   * collapses its changelog into final rows, then applies ORDER BY / LIMIT.
   */
  private async pull(query: ast.Query, views: readonly MaterializedView[], bound: LogicalPlan): Promise<PullResult> {
    const planned = this.session.planner().planPull(query, bound);
    const limits = this.limits();
    const run = async (overrides: ConnectorFactory[]) => {
      const writer = new CollectWriter();
      const job = this.builder.build(planned, this.session.jobName('pull query'), { collect: writer, overrides });
      const handle = new QueryHandle(job, writer, planned.pipeline.schema, planned.pipeline.root.changelog, 'pull query', limits);
      handle.start();
      return applyFinalSteps(collapseChangelog(await handle.collect()), planned.final);
    };
    const schema = planned.pipeline.schema;
    const warnings = views.length > 0 ? await awaitViews(this.session, views) : [];
    const warned = warnings.length > 0 ? { warnings } : {};
    if (views.length === 0 || !existsSync(this.session.viewStore().path)) return { schema, rows: await run([]), freshness: [], ...warned };
    const store = this.session.viewStore();
    const direct = directPull(planned, views);
    if (direct) return store.snapshotSync((db) => ({ schema, rows: applyFinalSteps(direct(db, limits.maxRows), planned.final), freshness: views.map((v) => store.freshness(db, v)), ...warned }));
    return store.snapshot(async (db) => {
      const freshness = views.map((v) => store.freshness(db, v));
      return { schema, rows: await run([sqliteSnapshotConnector(store.path, db)]), freshness, ...warned };
    });
  }

  /** The session's bounds on an ad-hoc query (validated when they were set). */
  private limits(): QueryLimits {
    return queryLimits(this.session.settings);
  }

  /**
   * `SELECT ... FROM view [WHERE ...] [LIMIT n] EMIT CHANGES`: the view's current rows, then its changes as
   * they are applied. Projections and filters of one view are supported.
   */
  private push(stmt: ast.QueryStatement, views: readonly MaterializedView[], bound: LogicalPlan): QueryHandle {
    const planned = this.session.planner().planPull(stmt.query, bound);
    const root = planned.pipeline.root;
    const view = views[0]!;
    const calc = root.kind === 'Calc' ? root : undefined;
    const scan = calc ? calc.input : root;
    if (views.length > 1 || scan.kind !== 'TableSourceScan' || planned.final.sort || planned.final.offset > 0) {
      throw new EddyError({
        code: ErrorCode.UNSUPPORTED,
        message: 'EMIT CHANGES over a materialized view supports selecting columns of one view, with WHERE and LIMIT',
        span: stmt.query.span,
        hint: 'aggregate, join or order in the view itself, or run the query without EMIT CHANGES (a pull query)',
      });
    }
    // The scan's columns, by position in the view's table.
    const columnIndex = scan.projection;
    const project = (row: Row): Row => columnIndex.map((i) => row[i]);
    const condition = calc?.condition ? compileExpr(calc.condition) : undefined;
    const projection = calc ? calc.projection.map(compileExpr) : undefined;
    const writer = new CollectWriter();
    const runner = new FeedRunner(
      `push: ${stmt.text.replace(/\s+/g, ' ').slice(0, 60)}`,
      writer,
      (onChange) => {
        const opened = view.changes((b) => onChange({ rows: b.rows.map(project), kinds: b.kinds }));
        const projected = (o: ViewChangesOpened) => ({ rows: o.rows.map(project), unsubscribe: o.unsubscribe });
        return opened instanceof Promise ? opened.then(projected) : projected(opened);
      },
      { condition: condition ? (row) => condition(row) : undefined, projection: projection?.map((p) => (row: Row) => p(row)) },
      planned.final.limit,
      () => view.job.progress().watermark,
    );
    const keyIndex = view.key?.map((k) => view.table.columns.findIndex((c) => c.name === k));
    const outKey = keyIndex && calc ? keyIndex.map((k) => calc.projection.findIndex((e) => e.kind === 'InputRef' && columnIndex[e.index] === k)) : keyIndex;
    const changelog: ChangelogMode = { kind: 'updating', ...(outKey && outKey.every((k) => k >= 0) ? { upsertKey: outKey } : {}) };
    const handle = new QueryHandle(runner, writer, planned.pipeline.schema, changelog, stmt.text);
    handle.id = this.session.nextHandleId();
    this.session.track(handle, 'query');
    handle.start();
    // A view whose job has ended (its input was bounded) will not change again.
    view.job.done.then(
      () => runner.feedEnded(),
      (err: unknown) => runner.feedEnded(err),
    );
    return handle;
  }
}

/**
 * The fast path of a pull query that reads one view through a filter and projection (key lookups, ranges):
 * one indexed SQLite statement and the compiled expressions, with no job. Undefined for other plans.
 */
function directPull(planned: PlannedPull, views: readonly MaterializedView[]): ((db: Database.Database, maxRows: number) => Row[]) | undefined {
  const root = planned.pipeline.root;
  const calc = root.kind === 'Calc' ? root : undefined;
  const scan = calc ? calc.input : root;
  if (scan.kind !== 'TableSourceScan' || views.length !== 1 || scan.table !== views[0]!.table) return undefined;
  const view = views[0]!;
  const condition = calc?.condition ? compileExpr(calc.condition) : undefined;
  const projection = calc?.projection.map(compileExpr);
  return (db, maxRows) => {
    const out: Row[] = [];
    for (const stored of readSqliteTable(db, view.name, view.table.columns, scan.filters)) {
      const row = scan.projection.map((i) => stored[i]);
      if (condition && condition(row) !== true) continue;
      out.push(projection ? projection.map((p) => p(row)) : row);
      if (maxRows > 0 && out.length > maxRows) throw tooManyRows(maxRows);
    }
    return out;
  };
}
