/** Executes DDL: CREATE/DROP TABLE and VIEW, and CREATE/DROP MATERIALIZED VIEW with the job that keeps a view's table. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as ast from '../../parser/ast.js';
import { withoutTimeAttribute, type Field } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { CatalogEntry, TableDef } from '../../planner/catalog.js';
import { dependentsOf, describeDependents } from '../catalog-dependents.js';
import type { PlannedPipeline } from '../../planner/planner.js';
import { physicalInputs, type PhysicalPlan } from '../../planner/physical-plan.js';
import type { Job } from '../../runtime/job.js';
import { JobHandle, type RunnableJob } from '../job-handle.js';
import type { ViewJobSpec } from '../job-thread.js';
import { ChangeFeed, publishingSqliteConnector, ViewStore, type MaterializedView } from '../materialized-views.js';
import type { JobBuilder } from '../job-builder.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult } from '../statement-result.js';

/** The DDL statements. */
export type DdlStatement = ast.CreateTable | ast.CreateView | ast.DropStatement;

/** DDL: changes the session's catalog; a materialized view also starts (or stops) its job. */
export class DdlExecutor implements StatementExecutor<DdlStatement> {
  constructor(
    private readonly session: SessionContext,
    private readonly builder: JobBuilder,
  ) {}

  async execute(stmt: DdlStatement): Promise<StatementResult> {
    const catalog = this.session.catalog;
    const name = stmt.name.parts.map((p) => p.name).join('.');
    switch (stmt.kind) {
      case 'CreateTable': {
        if (stmt.ifNotExists && catalog.has(name)) return { kind: 'ok', message: `Table '${name}' already exists; skipped.`, statement: stmt };
        catalog.add(this.session.planner().createTable(stmt), stmt.name.span);
        this.keep(stmt, name);
        return { kind: 'ok', message: `Table '${name}' created.`, statement: stmt };
      }
      case 'CreateView': {
        if (stmt.materialized) {
          if (stmt.ifNotExists && catalog.has(name)) return { kind: 'ok', message: `Materialized view '${name}' already exists; skipped.`, statement: stmt };
          const view = await this.createMaterializedView(stmt, name);
          this.keep(stmt, name);
          // As for INSERT: with table.dml-sync, the statement returns once the view's job has ended.
          if (this.session.settings.get('table.dml-sync') === 'true') await view.job.done;
          return { kind: 'job', job: view.job, statement: stmt };
        }
        if (stmt.ifNotExists && catalog.has(name)) return { kind: 'ok', message: `View '${name}' already exists; skipped.`, statement: stmt };
        catalog.add(this.session.planner().createView(stmt), stmt.name.span);
        this.keep(stmt, name);
        return { kind: 'ok', message: `View '${name}' created.`, statement: stmt };
      }
      case 'DropStatement': {
        const entry = catalog.find(name);
        const view = entry ? this.session.views.get(entry.name) : undefined;
        if (stmt.objectType === 'MATERIALIZED VIEW' || view) {
          if (!view) {
            if (stmt.ifExists && !entry) return { kind: 'ok', message: `Materialized view '${name}' does not exist; skipped.`, statement: stmt };
            if (entry) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `'${name}' is a ${entry.kind}, not a materialized view`, span: stmt.name.span, hint: `DROP ${entry.kind.toUpperCase()} ${name}` });
            catalog.get(name, stmt.name.span);
          }
          if (stmt.objectType !== 'MATERIALIZED VIEW') {
            throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `'${name}' is a materialized view`, span: stmt.name.span, hint: `DROP MATERIALIZED VIEW ${name}` });
          }
          const also = await this.dropDependents(stmt, entry!);
          await this.dropMaterializedView(view!);
          return { kind: 'ok', message: `Materialized view '${name}' dropped.${also}`, statement: stmt };
        }
        const kind = stmt.objectType === 'TABLE' ? 'table' : 'view';
        if (!entry || entry.kind !== kind) {
          if (stmt.ifExists) return { kind: 'ok', message: `${stmt.objectType === 'TABLE' ? 'Table' : 'View'} '${name}' does not exist; skipped.`, statement: stmt };
          if (entry) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `'${name}' is a ${entry.kind}, not a ${kind}`, span: stmt.name.span, hint: `DROP ${entry.kind.toUpperCase()} ${name}` });
          catalog.get(name, stmt.name.span);
        }
        const target = catalog.get(name, stmt.name.span);
        const also = await this.dropDependents(stmt, target);
        catalog.remove(name);
        this.session.catalogLog?.dropped(target.name);
        return { kind: 'ok', message: `${stmt.objectType === 'TABLE' ? 'Table' : 'View'} '${name}' dropped.${also}`, statement: stmt };
      }
    }
  }

  /**
   * CREATE MATERIALIZED VIEW: plans the query, and starts a job that keeps its result in a SQLite table
   * (keyed by the result's unique key) of views.db. With a state directory the job checkpoints and resumes
   * like an INSERT job (its state file is `mv-<name>.db`); the table changes only at checkpoints.
   */
  private async createMaterializedView(stmt: ast.CreateView, name: string): Promise<MaterializedView> {
    const session = this.session;
    const planned = session.planner().planQuery(stmt.query);
    const root = planned.pipeline.root;
    const names = stmt.columnNames?.map((c) => c.name) ?? planned.pipeline.schema.map((f) => f.name);
    if (names.length !== planned.pipeline.schema.length) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Materialized view '${name}' names ${names.length} columns, but its query has ${planned.pipeline.schema.length}`, span: stmt.name.span });
    }
    const duplicate = names.find((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
    if (duplicate) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Materialized view '${name}' has two columns named '${duplicate}'`, span: stmt.name.span, hint: 'name the columns with AS' });
    }
    const keyIndex = root.props.uniqueKey;
    if (root.changelog.kind === 'updating' && keyIndex === undefined) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Materialized view '${name}': the query's result is updating, but no columns identify its rows, so updates could not be applied`,
        span: stmt.query.span,
        hint: hasJoin(root)
          ? "a join's rows are identified only when both inputs have keys (e.g. each side aggregated by the join key): join such inputs, or select the GROUP BY columns"
          : 'select the GROUP BY columns too',
      });
    }
    const schema: Field[] = planned.pipeline.schema.map((f, i) => ({ name: names[i]!, type: withoutTimeAttribute(f.type) }));
    const store = session.viewStore();
    const table: TableDef = {
      kind: 'table',
      name,
      columns: schema.map((f) => ({ name: f.name, type: f.type })),
      ...(keyIndex ? { primaryKey: keyIndex.map((k) => schema[k]!.name) } : {}),
      options: { connector: 'sqlite', path: store.path, 'table-name': name },
      temporary: stmt.temporary,
      statement: stmt,
    };
    const key = `mv-${name}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
    const spec: ViewJobSpec = { statement: stmt, table, keyIndex, key, sinkId: `${key}/${name}`, name: session.jobName(stmt.text) };
    session.catalog.add(table, stmt.name.span);
    try {
      let job: RunnableJob;
      let changes: MaterializedView['changes'];
      if (session.jobThread) {
        const thread = session.jobThread;
        const [remote] = await thread.start(session.threadContext(), { kind: 'view', spec });
        job = remote!;
        changes = (onChange) => thread.subscribe(remote!, { path: store.path, name, columns: schema }, onChange);
      } else {
        const feed = new ChangeFeed();
        job = this.viewJob(spec, feed);
        changes = (onChange) => {
          const unsubscribe = feed.subscribe(onChange);
          try {
            return { rows: store.readAll(name, table.columns), unsubscribe };
          } catch (err) {
            unsubscribe();
            throw err;
          }
        };
      }
      const handle = new JobHandle([job], stmt.text, session.nextHandleId(), [key]);
      const view: MaterializedView = { name, table, key: table.primaryKey, job: handle, sinkId: spec.sinkId, changes, statement: stmt.text };
      session.views.set(name, view);
      session.track(handle, 'view');
      handle.start();
      handle.done.catch(() => {});
      return view;
    } catch (err) {
      session.catalog.remove(name);
      throw err;
    }
  }

  /**
   * The job keeping a materialized view's table (not started): it plans the view's query, opens its
   * durable state, and prepares the table (emptied unless the job resumes). Run by this session, or by its
   * job thread.
   */
  viewJob(spec: ViewJobSpec, feed: ChangeFeed): Job {
    const planned = this.session.planner().planQuery(spec.statement.query);
    const schema = spec.table.columns.map((c) => ({ name: c.name, type: c.type }));
    const plan: PlannedPipeline = { ...planned, pipeline: { root: planned.pipeline.root, sink: { kind: 'table', table: spec.table }, schema } };
    const durable = this.builder.durableState(plan, spec.key);
    try {
      new ViewStore(spec.table.options['path']!).prepareTable(spec.table.name, spec.sinkId, schema, spec.keyIndex, !durable?.restored);
    } catch (err) {
      void durable?.store.close();
      throw err;
    }
    return this.builder.build(plan, spec.name, { durable, jobKey: spec.key, overrides: [publishingSqliteConnector(feed)], statement: spec.statement, replan: { kind: 'view', spec } });
  }

  /** Keeps a created object's DDL in the durable catalog, when it is open (temporary objects are not kept). */
  private keep(stmt: ast.CreateTable | ast.CreateView, name: string): void {
    if (!stmt.temporary) this.session.catalogLog?.created(this.session.catalog.find(name)?.name ?? name, stmt.text);
  }

  /**
   * Before dropping `entry`: the views and materialized views that depend on it. Without CASCADE the DROP
   * is refused, naming them; with it they are dropped first. Returns what to add to the DROP's message.
   */
  private async dropDependents(stmt: ast.DropStatement, entry: CatalogEntry): Promise<string> {
    const dependents = dependentsOf(this.session, entry);
    if (dependents.length === 0) return '';
    const named = describeDependents(dependents, (e) => this.session.views.has(e.name));
    if (!stmt.cascade) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Cannot drop ${entry.name}: ${named} depend${dependents.length === 1 ? 's' : ''} on it`,
        span: stmt.name.span,
        hint: `drop ${dependents.length === 1 ? 'it' : 'them'} first, or add CASCADE to drop ${dependents.length === 1 ? 'it' : 'them'} too: ${stmt.text.replace(/;?\s*$/, '')} CASCADE`,
      });
    }
    for (const d of dependents) {
      const view = this.session.views.get(d.name);
      if (view) await this.dropMaterializedView(view);
      else this.session.catalog.remove(d.name);
      this.session.catalogLog?.dropped(d.name);
    }
    return ` Also dropped: ${named}.`;
  }

  private async dropMaterializedView(view: MaterializedView): Promise<void> {
    await view.job.cancel();
    await view.job.done.catch(() => {});
    this.session.views.delete(view.name);
    this.session.registry.forget(view.job.id);
    this.session.catalog.remove(view.name);
    this.session.viewStore().dropTable(view.name, view.sinkId);
    this.session.catalogLog?.dropped(view.name);
    const stateDir = this.session.stateDir;
    if (stateDir) for (const suffix of ['', '-wal', '-shm']) rmSync(join(stateDir, `${view.job.keys[0]}.db${suffix}`), { force: true });
  }
}

/** Whether a physical plan joins anywhere. */
function hasJoin(node: PhysicalPlan): boolean {
  return node.kind === 'Join' || physicalInputs(node).some(hasJoin);
}
