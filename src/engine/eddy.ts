/**
 * The engine's public API: a session with a catalog and settings that executes SQL statements — DDL,
 * SET/SHOW/DESCRIBE/EXPLAIN, INSERT jobs and continuous SELECT queries. The CLI, the shell and the servers
 * use only this.
 */
import type * as ast from '../parser/ast.js';
import { parseScript } from '../parser/parse.js';
import { T, typeToString, withoutTimeAttribute, type Field } from '../common/types.js';
import { EddyError, ErrorCode, type SourceText } from '../common/errors.js';
import { builtinFunctions, type FunctionRegistry } from '../functions/registry.js';
import { Catalog, physicalColumns, type TableDef } from '../planner/catalog.js';
import { Planner, scannedTables, type PlannedPipeline, type PlannedPull } from '../planner/planner.js';
import type { LogicalPlan } from '../planner/logical-plan.js';
import { explainPipelines } from '../planner/explain.js';
import { physicalInputs, type ChangelogMode, type PhysicalPlan } from '../planner/physical-plan.js';
import type { ConnectorFactory, FormatFactory } from '../runtime/connector.js';
import { buildJob, type DeadLetterTarget } from '../runtime/build-job.js';
import { DEAD_LETTER_COLUMNS, errorPolicyOf } from '../runtime/bad-records.js';
import type { Job } from '../runtime/job.js';
import { builtinConnectors, builtinFormats } from '../connectors/index.js';
import { connectorLookup } from './connector-lookup.js';
import { CollectWriter, QueryHandle } from './query-handle.js';
import { JobHandle, type RunnableJob } from './job-handle.js';
import { JobThread, type InsertJobsSpec, type ThreadContext, type ViewJobSpec } from './job-thread.js';
import { Settings } from './settings.js';
import { applyFinalSteps, collapseChangelog, describeFreshness, FeedRunner, type PullResult, type ViewChangesOpened } from './pull-query.js';
import { ChangeFeed, publishingSqliteConnector, ViewStore, type MaterializedView } from './materialized-views.js';
import { uniqueKey } from '../planner/pull-plan.js';
import { readSqliteTable, sqliteSnapshotConnector } from '../connectors/sqlite.js';
import type Database from 'better-sqlite3';
import { compileExpr } from '../expr/compile.js';
import type { ChangeBatch, Row } from '../runtime/changelog.js';
import { substituteVariables } from './variables.js';
import { checkSavepoint, checkpointInterval, checkpointMinPause, openDurableState, planFingerprint, stateOptions, type DurableState } from './durable-state.js';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A table of text, for SHOW, DESCRIBE and SET. */
export interface TextTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines to show after the table (e.g. a materialized view's freshness in DESCRIBE). */
  readonly footer?: readonly string[];
}

/** What executing one statement gives back. */
export type StatementResult =
  | { readonly kind: 'ok'; readonly message: string; readonly statement: ast.Statement }
  | { readonly kind: 'table'; readonly table: TextTable; readonly statement: ast.Statement }
  | { readonly kind: 'explain'; readonly text: string; readonly statement: ast.Statement }
  | { readonly kind: 'query'; readonly query: QueryHandle; readonly statement: ast.Statement }
  /** A pull query's answer (a SELECT over materialized views or sqlite tables only): final rows. */
  | { readonly kind: 'rows'; readonly result: PullResult; readonly statement: ast.Statement }
  | { readonly kind: 'job'; readonly job: JobHandle; readonly statement: ast.Statement };

/** The columns of the default dead-letter table. */
const DEAD_LETTER_SCHEMA: readonly Field[] = [
  { name: 'source', type: T.string() },
  { name: 'location', type: T.string() },
  { name: 'kind', type: T.string() },
  { name: 'message', type: T.string() },
  { name: 'raw', type: T.string() },
  { name: 'ts', type: T.timestampLtz(3) },
];

export interface EddyOptions {
  /** Values for `${name}` in scripts. */
  readonly variables?: Readonly<Record<string, string>>;
  /** Extra connectors (tests, plugins); the built-in ones are always there. */
  readonly connectors?: readonly ConnectorFactory[];
  /** Wall clock for CURRENT_TIMESTAMP and PROCTIME() (tests fix it). */
  readonly now?: () => number;
  /**
   * Where INSERT jobs keep their state and checkpoints (one SQLite file per job). A job whose state file
   * holds a checkpoint resumes from it. Absent: state lives in memory only.
   */
  readonly stateDir?: string;
  /** Discard existing state in `stateDir` and start over. */
  readonly fresh?: boolean;
  /**
   * Run INSERT jobs and materialized views' jobs in a worker thread of the session (its job thread), so
   * that this thread stays free to answer pull queries and serve clients: a job's work and its garbage
   * collection pauses no longer delay them. `eddy serve` turns it on. Ignored (jobs run in this thread)
   * when `connectors` or `now` are given, since those live in this thread only. SELECT queries always run
   * in this thread.
   */
  readonly jobThread?: boolean;
}

export class Eddy {
  readonly catalog = new Catalog();
  readonly settings = new Settings();
  readonly functions: FunctionRegistry = builtinFunctions();
  readonly connectors: readonly ConnectorFactory[];
  readonly formats: readonly FormatFactory[] = builtinFormats();
  private readonly variables: Readonly<Record<string, string>>;
  private readonly now: () => number;
  private readonly jobs = new Set<JobHandle | QueryHandle>();
  private jobCounter = 0;
  private insertCounter = 0;
  private handleCounter = 0;
  private readonly stateDir?: string;
  private readonly fresh: boolean;
  /** Materialized views by name, and the database holding them (created on first use). */
  private readonly views = new Map<string, MaterializedView>();
  private viewStoreInstance?: ViewStore;
  /** Where INSERT and materialized-view jobs run, with `jobThread` (else in this thread). */
  private readonly jobThread?: JobThread;
  private sessionDir?: string;

  constructor(options: EddyOptions = {}) {
    this.stateDir = options.stateDir;
    this.fresh = options.fresh ?? false;
    this.variables = options.variables ?? {};
    this.now = options.now ?? Date.now;
    this.connectors = [...builtinConnectors(), ...(options.connectors ?? [])];
    if (options.jobThread && !options.connectors?.length && !options.now) this.jobThread = new JobThread();
  }

  private planner(): Planner {
    return new Planner({
      catalog: this.catalog,
      functions: this.functions,
      env: { timeZone: this.settings.get('table.local-time-zone'), now: this.now },
      connectors: connectorLookup(this.connectors, this.formats),
    });
  }

  /**
   * Parses a whole script (reporting every syntax error at once), then executes its statements in order,
   * yielding each result. Errors are EddyErrors carrying the script text for rendering.
   */
  async *executeScript(text: string, sourceName?: string): AsyncGenerator<StatementResult> {
    const source: SourceText = { text: substituteVariables(text, this.variables, sourceName), name: sourceName };
    const parsed = parseScript(source.text, sourceName);
    if (parsed.diagnostics.length > 0) throw new EddyError(parsed.diagnostics, source);
    for (const stmt of parsed.statements) yield await this.executeStatement(stmt, source);
  }

  /** Executes a text holding exactly one statement (a trailing `;` is fine). */
  async execute(sql: string): Promise<StatementResult> {
    let last: StatementResult | undefined;
    let count = 0;
    const source: SourceText = { text: substituteVariables(sql, this.variables), name: '<statement>' };
    const parsed = parseScript(source.text, '<statement>');
    if (parsed.diagnostics.length > 0) throw new EddyError(parsed.diagnostics, source);
    for (const stmt of parsed.statements) {
      if (++count > 1) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: 'execute() takes one statement; use executeScript() for several', span: stmt.span }, source);
      last = await this.executeStatement(stmt, source);
    }
    if (!last) throw new EddyError({ code: ErrorCode.UNEXPECTED_END, message: 'No statement to execute' }, source);
    return last;
  }

  /** Executes one parsed statement. */
  async executeStatement(stmt: ast.Statement, source: SourceText): Promise<StatementResult> {
    try {
      const result = await this.dispatch(stmt);
      // Errors of a running job surface later, through `done`: give them the script text for rendering.
      if (result.kind === 'query' || result.kind === 'job') {
        const handle = result.kind === 'query' ? result.query : result.job;
        handle.done.catch((err: unknown) => {
          if (err instanceof EddyError && !err.source) err.source = source;
        });
      }
      return result;
    } catch (err) {
      if (err instanceof EddyError && !err.source) err.source = source;
      throw err;
    }
  }

  private async dispatch(stmt: ast.Statement): Promise<StatementResult> {
    switch (stmt.kind) {
      case 'CreateTable': {
        const name = stmt.name.parts.map((p) => p.name).join('.');
        if (stmt.ifNotExists && this.catalog.has(name)) return { kind: 'ok', message: `Table '${name}' already exists; skipped.`, statement: stmt };
        this.catalog.add(this.planner().createTable(stmt), stmt.name.span);
        return { kind: 'ok', message: `Table '${name}' created.`, statement: stmt };
      }
      case 'CreateView': {
        const name = stmt.name.parts.map((p) => p.name).join('.');
        if (stmt.materialized) {
          if (stmt.ifNotExists && this.catalog.has(name)) return { kind: 'ok', message: `Materialized view '${name}' already exists; skipped.`, statement: stmt };
          const view = await this.createMaterializedView(stmt, name);
          // As for INSERT: with table.dml-sync, the statement returns once the view's job has ended.
          if (this.settings.get('table.dml-sync') === 'true') await view.job.done;
          return { kind: 'job', job: view.job, statement: stmt };
        }
        if (stmt.ifNotExists && this.catalog.has(name)) return { kind: 'ok', message: `View '${name}' already exists; skipped.`, statement: stmt };
        this.catalog.add(this.planner().createView(stmt), stmt.name.span);
        return { kind: 'ok', message: `View '${name}' created.`, statement: stmt };
      }
      case 'DropStatement': {
        const name = stmt.name.parts.map((p) => p.name).join('.');
        const entry = this.catalog.find(name);
        const view = entry ? this.views.get(entry.name) : undefined;
        if (stmt.objectType === 'MATERIALIZED VIEW' || view) {
          if (!view) {
            if (stmt.ifExists && !entry) return { kind: 'ok', message: `Materialized view '${name}' does not exist; skipped.`, statement: stmt };
            if (entry) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `'${name}' is a ${entry.kind}, not a materialized view`, span: stmt.name.span, hint: `DROP ${entry.kind.toUpperCase()} ${name}` });
            this.catalog.get(name, stmt.name.span);
          }
          if (stmt.objectType !== 'MATERIALIZED VIEW') {
            throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `'${name}' is a materialized view`, span: stmt.name.span, hint: `DROP MATERIALIZED VIEW ${name}` });
          }
          await this.dropMaterializedView(view!);
          return { kind: 'ok', message: `Materialized view '${name}' dropped.`, statement: stmt };
        }
        const kind = stmt.objectType === 'TABLE' ? 'table' : 'view';
        if (!entry || entry.kind !== kind) {
          if (stmt.ifExists) return { kind: 'ok', message: `${stmt.objectType === 'TABLE' ? 'Table' : 'View'} '${name}' does not exist; skipped.`, statement: stmt };
          if (entry) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `'${name}' is a ${entry.kind}, not a ${kind}`, span: stmt.name.span, hint: `DROP ${entry.kind.toUpperCase()} ${name}` });
          this.catalog.get(name, stmt.name.span);
        }
        this.catalog.remove(name);
        return { kind: 'ok', message: `${stmt.objectType === 'TABLE' ? 'Table' : 'View'} '${name}' dropped.`, statement: stmt };
      }
      case 'InsertStatement':
      case 'StatementSet': {
        const inserts = stmt.kind === 'InsertStatement' ? [stmt] : stmt.inserts;
        const planner = this.planner();
        const plans = inserts.map((i) => planner.planInsert(i));
        const spec: InsertJobsSpec = {
          statement: stmt,
          keys: plans.map((plan, i) => this.jobKey(plan, plans.length > 1 ? i + 1 : undefined)),
          names: inserts.map((i) => this.jobName(i.text)),
        };
        const jobs = this.jobThread ? await this.jobThread.start(this.threadContext(), { kind: 'insert', spec }) : this.insertJobs(spec, plans);
        const handle = new JobHandle(jobs, stmt.text, `job-${++this.handleCounter}`, spec.keys);
        this.track(handle);
        handle.start();
        if (this.settings.get('table.dml-sync') === 'true') await handle.done;
        return { kind: 'job', job: handle, statement: stmt };
      }
      case 'QueryStatement': {
        const bound = this.planner().bindQuery(stmt.query);
        const scanned = scannedTables(bound);
        const pull = scanned.length > 0 && scanned.every((t) => t.options['connector'] === 'sqlite');
        const views = scanned.map((t) => this.views.get(t.name)).filter((v): v is MaterializedView => v !== undefined);
        if (stmt.query.emit === 'CHANGES' && views.length > 0) return { kind: 'query', query: this.pushQuery(stmt, views, bound), statement: stmt };
        if (pull && stmt.query.emit !== 'CHANGES') return { kind: 'rows', result: await this.pullQuery(stmt.query, views, bound), statement: stmt };
        const plan = this.planner().planQuery(stmt.query);
        const writer = new CollectWriter();
        const job = this.buildJob(plan, this.jobName(stmt.text), writer);
        const handle = new QueryHandle(job, writer, plan.pipeline.schema, plan.pipeline.root.changelog, stmt.text);
        handle.id = `job-${++this.handleCounter}`;
        this.track(handle);
        handle.start();
        return { kind: 'query', query: handle, statement: stmt };
      }
      case 'SetStatement':
        if (stmt.key === undefined) return { kind: 'table', table: { columns: ['key', 'value'], rows: this.settings.entries() }, statement: stmt };
        this.settings.set(stmt.key, stmt.value ?? '', stmt.span);
        return { kind: 'ok', message: `Set '${stmt.key}' = '${stmt.value}'.`, statement: stmt };
      case 'ResetStatement':
        this.settings.reset(stmt.key);
        return { kind: 'ok', message: stmt.key ? `Reset '${stmt.key}'.` : 'All settings reset.', statement: stmt };
      case 'ShowStatement':
        return { kind: 'table', table: this.show(stmt.what), statement: stmt };
      case 'DescribeStatement':
        return { kind: 'table', table: this.describe(stmt), statement: stmt };
      case 'ExplainStatement':
        return { kind: 'explain', text: this.explain(stmt.statement), statement: stmt };
      case 'StopJobStatement': {
        const handle = [...this.jobs].find((j) => j.id === stmt.jobId);
        if (!handle) {
          throw new EddyError({
            code: ErrorCode.INVALID_STATEMENT,
            message: `No running job '${stmt.jobId}'`,
            span: stmt.span,
            hint: this.jobs.size ? `running: ${[...this.jobs].map((j) => j.id).join(', ')}` : 'SHOW JOBS lists the running jobs',
          });
        }
        if (handle instanceof QueryHandle) {
          if (stmt.withSavepoint) {
            throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `${handle.id} is a SELECT query: it has no state to save`, span: stmt.span, hint: `STOP JOB '${handle.id}' (without WITH SAVEPOINT) cancels it` });
          }
          await handle.cancel();
          return { kind: 'ok', message: `Query ${handle.id} cancelled.`, statement: stmt };
        }
        const dir = stmt.withSavepoint ? this.savepointDir(handle.id) : undefined;
        await handle.stop(dir);
        return dir
          ? { kind: 'table', table: { columns: ['savepoint path'], rows: [[dir]] }, statement: stmt }
          : { kind: 'ok', message: `Job ${handle.id} stopped.`, statement: stmt };
      }
    }
  }

  /** The session's views database: `views.db` in the state directory, or in a temporary directory. */
  private viewStore(): ViewStore {
    if (!this.viewStoreInstance) {
      const dir = this.stateDir ?? (this.sessionDir ??= mkdtempSync(join(tmpdir(), 'eddy-session-')));
      this.viewStoreInstance = new ViewStore(join(dir, 'views.db'));
    }
    return this.viewStoreInstance;
  }

  /**
   * CREATE MATERIALIZED VIEW: plans the query, and starts a job that keeps its result in a SQLite table
   * (keyed by the result's unique key) of views.db. With a state directory the job checkpoints and resumes
   * like an INSERT job (its state file is `mv-<name>.db`); the table changes only at checkpoints.
   */
  private async createMaterializedView(stmt: ast.CreateView, name: string): Promise<MaterializedView> {
    const planned = this.planner().planQuery(stmt.query);
    const root = planned.pipeline.root;
    const names = stmt.columnNames?.map((c) => c.name) ?? planned.pipeline.schema.map((f) => f.name);
    if (names.length !== planned.pipeline.schema.length) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Materialized view '${name}' names ${names.length} columns, but its query has ${planned.pipeline.schema.length}`, span: stmt.name.span });
    }
    const duplicate = names.find((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
    if (duplicate) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Materialized view '${name}' has two columns named '${duplicate}'`, span: stmt.name.span, hint: 'name the columns with AS' });
    }
    const keyIndex = uniqueKey(root);
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
    const store = this.viewStore();
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
    const spec: ViewJobSpec = { statement: stmt, table, keyIndex, key, sinkId: `${key}/${name}`, name: this.jobName(stmt.text) };
    this.catalog.add(table, stmt.name.span);
    try {
      let job: RunnableJob;
      let changes: MaterializedView['changes'];
      if (this.jobThread) {
        const thread = this.jobThread;
        const [remote] = await thread.start(this.threadContext(), { kind: 'view', spec });
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
      const handle = new JobHandle([job], stmt.text, `job-${++this.handleCounter}`, [key]);
      const view: MaterializedView = { name, table, key: table.primaryKey, job: handle, sinkId: spec.sinkId, changes, statement: stmt.text };
      this.views.set(name, view);
      this.track(handle);
      handle.start();
      handle.done.catch(() => {});
      return view;
    } catch (err) {
      this.catalog.remove(name);
      throw err;
    }
  }

  /**
   * @internal The job keeping a materialized view's table (not started): it plans the view's query, opens
   * its durable state, and prepares the table (emptied unless the job resumes). Run by this session, or by
   * its job thread.
   */
  viewJob(spec: ViewJobSpec, feed: ChangeFeed): Job {
    const planned = this.planner().planQuery(spec.statement.query);
    const schema = spec.table.columns.map((c) => ({ name: c.name, type: c.type }));
    const plan: PlannedPipeline = { ...planned, pipeline: { root: planned.pipeline.root, sink: { kind: 'table', table: spec.table }, schema } };
    const durable = this.durableState(plan, spec.key);
    try {
      new ViewStore(spec.table.options['path']!).prepareTable(spec.table.name, spec.sinkId, schema, spec.keyIndex, !durable?.restored);
    } catch (err) {
      void durable?.store.close();
      throw err;
    }
    return this.buildJob(plan, spec.name, undefined, durable, spec.key, [publishingSqliteConnector(feed)]);
  }

  /** @internal The jobs of an INSERT or a statement set (not started), each with its durable state. */
  insertJobs(spec: InsertJobsSpec, plans?: readonly PlannedPipeline[]): Job[] {
    const inserts = spec.statement.kind === 'InsertStatement' ? [spec.statement] : spec.statement.inserts;
    const planner = this.planner();
    return inserts.map((insert, i) => {
      const plan = plans?.[i] ?? planner.planInsert(insert);
      return this.buildJob(plan, spec.names[i]!, undefined, this.durableState(plan, spec.keys[i]!), spec.keys[i]);
    });
  }

  /** What the job thread needs to plan and build this session's jobs as this session would. */
  private threadContext(): ThreadContext {
    return { catalog: this.catalog.list(), settings: this.settings.entries(), stateDir: this.stateDir, fresh: this.fresh };
  }

  /** A job's name: `pipeline.name`, or its number and the start of its statement. */
  private jobName(text: string): string {
    return this.settings.get('pipeline.name') || `job-${++this.jobCounter}: ${text.replace(/\s+/g, ' ').slice(0, 60)}`;
  }

  private async dropMaterializedView(view: MaterializedView): Promise<void> {
    await view.job.cancel();
    await view.job.done.catch(() => {});
    this.views.delete(view.name);
    this.catalog.remove(view.name);
    this.viewStore().dropTable(view.name, view.sinkId);
    if (this.stateDir) for (const suffix of ['', '-wal', '-shm']) rmSync(join(this.stateDir, `${view.job.keys[0]}.db${suffix}`), { force: true });
  }

  /**
   * A pull query: runs the query over one consistent snapshot of the views (and sqlite tables) it reads,
   * collapses its changelog into final rows, then applies ORDER BY / LIMIT.
   */
  private async pullQuery(query: ast.Query, views: readonly MaterializedView[], bound: LogicalPlan): Promise<PullResult> {
    const planned = this.planner().planPull(query, bound);
    const run = async (overrides: ConnectorFactory[]) => {
      const writer = new CollectWriter();
      const batches: ChangeBatch[] = [];
      writer.listen((b) => batches.push(b));
      await this.buildJob(planned, this.jobName('pull query'), writer, undefined, undefined, overrides).run();
      return applyFinalSteps(collapseChangelog(batches), planned.final);
    };
    const schema = planned.pipeline.schema;
    if (views.length === 0 || !existsSync(this.viewStore().path)) return { schema, rows: await run([]), freshness: [] };
    const store = this.viewStore();
    const direct = this.directPull(planned, views);
    if (direct) return store.snapshotSync((db) => ({ schema, rows: applyFinalSteps(direct(db), planned.final), freshness: views.map((v) => store.freshness(db, v)) }));
    return store.snapshot(async (db) => {
      const freshness = views.map((v) => store.freshness(db, v));
      return { schema, rows: await run([sqliteSnapshotConnector(store.path, db)]), freshness };
    });
  }

  /**
   * The fast path of a pull query that reads one view through a filter and projection (key lookups, ranges):
   * one indexed SQLite statement and the compiled expressions, with no job. Undefined for other plans.
   */
  private directPull(planned: PlannedPull, views: readonly MaterializedView[]): ((db: Database.Database) => Row[]) | undefined {
    const root = planned.pipeline.root;
    const calc = root.kind === 'Calc' ? root : undefined;
    const scan = calc ? calc.input : root;
    if (scan.kind !== 'TableSourceScan' || views.length !== 1 || scan.table !== views[0]!.table) return undefined;
    const view = views[0]!;
    const condition = calc?.condition ? compileExpr(calc.condition) : undefined;
    const projection = calc?.projection.map(compileExpr);
    return (db) => {
      const out: Row[] = [];
      for (const stored of readSqliteTable(db, view.name, view.table.columns, scan.filters)) {
        const row = scan.projection.map((i) => stored[i]);
        if (condition && condition(row) !== true) continue;
        out.push(projection ? projection.map((p) => p(row)) : row);
      }
      return out;
    };
  }

  /**
   * `SELECT ... FROM view [WHERE ...] [LIMIT n] EMIT CHANGES`: the view's current rows, then its changes as
   * they are applied. Projections and filters of one view are supported.
   */
  private pushQuery(stmt: ast.QueryStatement, views: readonly MaterializedView[], bound: LogicalPlan): QueryHandle {
    const planned = this.planner().planPull(stmt.query, bound);
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
    handle.id = `job-${++this.handleCounter}`;
    this.track(handle);
    handle.start();
    // A view whose job has ended (its input was bounded) will not change again.
    view.job.done.then(
      () => runner.feedEnded(),
      (err: unknown) => runner.feedEnded(err),
    );
    return handle;
  }

  /** A new savepoint directory for a job: under `state.savepoints.dir`, `<state-dir>/savepoints` or `./savepoints`. */
  private savepointDir(id: string): string {
    const base = this.settings.get('state.savepoints.dir') || (this.stateDir ? join(this.stateDir, 'savepoints') : 'savepoints');
    const dir = join(base, `savepoint-${id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** EXPLAIN text for a query, an INSERT or a statement set. */
  explain(stmt: ast.QueryStatement | ast.InsertStatement | ast.StatementSet): string {
    const planner = this.planner();
    const plans: PlannedPipeline[] =
      stmt.kind === 'QueryStatement' ? [planner.planQuery(stmt.query)] : (stmt.kind === 'InsertStatement' ? [stmt] : stmt.inserts).map((i) => planner.planInsert(i));
    return explainPipelines(plans);
  }

  private buildJob(plan: PlannedPipeline, name: string, collect?: CollectWriter, durable?: DurableState, jobKey?: string, overrides: readonly ConnectorFactory[] = []): Job {
    try {
      return buildJob(plan.pipeline, {
        name,
        timeZone: this.settings.get('table.local-time-zone'),
        collect,
        connector: (id) => overrides.find((c) => c.identifier === id) ?? this.connectors.find((c) => c.identifier === id),
        state: durable?.backend,
        stateOptions: this.stateOptions(),
        deadLetters: (table) => this.deadLetterTarget(table),
        jobKey,
        fingerprint: planFingerprint(plan),
        checkpoints: durable ? { store: durable.store, intervalMs: durable.intervalMs, minPauseMs: durable.minPauseMs, restored: durable.restored } : undefined,
      });
    } catch (err) {
      durable?.store.close();
      throw err;
    }
  }

  /**
   * Where a source with `errors.policy` = 'dead-letter' sends bad records: the sink table named by
   * `errors.dead-letter.table` (with the columns source, location, kind, message, raw, ts), or by default a
   * `dead_letters` table in `dead-letters.db` in the state directory (or the current directory).
   */
  private deadLetterTarget(table: TableDef): DeadLetterTarget | undefined {
    if (errorPolicyOf(table.options) !== 'dead-letter') return undefined;
    const named = table.options['errors.dead-letter.table'];
    if (!named) {
      const path = join(this.stateDir ?? '.', 'dead-letters.db');
      if (this.stateDir) mkdirSync(this.stateDir, { recursive: true });
      return { name: 'dead_letters', factory: this.connectorById('sqlite'), options: { connector: 'sqlite', path, 'table-name': 'dead_letters' }, schema: DEAD_LETTER_SCHEMA };
    }
    const entry = this.catalog.get(named);
    const factory = entry.kind === 'table' ? this.connectors.find((c) => c.identifier === entry.options['connector']) : undefined;
    if (entry.kind !== 'table' || !factory?.createSink) {
      throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `The dead-letter table '${named}' of '${table.name}' must be a table that can be written to` });
    }
    const columns = physicalColumns(entry);
    const missing = DEAD_LETTER_COLUMNS.filter((c) => !columns.some((col) => col.name.toLowerCase() === c));
    if (missing.length > 0) {
      throw new EddyError({
        code: ErrorCode.INVALID_OPTION,
        message: `The dead-letter table '${named}' lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        hint: 'declare it as (source STRING, location STRING, kind STRING, message STRING, raw STRING, ts TIMESTAMP_LTZ(3))',
      });
    }
    return { name: entry.name, factory, options: entry.options, schema: columns.map((c) => ({ name: c.name, type: c.type })) };
  }

  private connectorById(id: string): ConnectorFactory {
    return this.connectors.find((c) => c.identifier === id)!;
  }

  private stateOptions() {
    return stateOptions(this.settings.get('table.exec.state.ttl'), this.settings.get('state.cache.max-entries'));
  }

  /** The name of an INSERT job's state: its position among the session's INSERTs and its sink, or `pipeline.name`. */
  private jobKey(plan: PlannedPipeline, indexInSet?: number): string {
    const sink = plan.pipeline.sink.kind === 'table' ? plan.pipeline.sink.table.name : 'collect';
    const n = ++this.insertCounter;
    const named = this.settings.get('pipeline.name');
    const key = named ? (indexInSet === undefined ? named : `${named}-${indexInSet}-${sink}`) : `insert-${n}-${sink}`;
    return key.replace(/[^A-Za-z0-9_.-]+/g, '_');
  }

  /**
   * The durable state of an INSERT job when the session has a state directory: its SQLite file (named after
   * the job's position among the session's INSERTs and its sink, or `pipeline.name`), checked against the
   * job's plan so that changed SQL is never run on state it did not write.
   */
  private durableState(plan: PlannedPipeline, key: string): DurableState | undefined {
    const savepoint = this.settings.get('execution.savepoint.path');
    let dir = this.stateDir;
    if (savepoint) {
      const file = join(savepoint, `${key}.db`);
      if (!existsSync(file)) {
        throw new EddyError({ code: ErrorCode.FILE_NOT_FOUND, message: `The savepoint ${savepoint} has no state for job '${key}'`, hint: "RESET 'execution.savepoint.path' to start without it" });
      }
      checkSavepoint(file, plan);
      dir ??= mkdtempSync(join(tmpdir(), 'eddy-state-'));
      const target = join(dir, `${key}.db`);
      mkdirSync(dir, { recursive: true });
      for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
      copyFileSync(file, target);
    }
    if (!dir) return undefined;
    return openDurableState(dir, key, plan, {
      fresh: this.fresh && !savepoint,
      intervalMs: checkpointInterval(this.settings.get('execution.checkpointing.interval')),
      minPauseMs: checkpointMinPause(this.settings.get('execution.checkpointing.min-pause')),
      synchronous: this.settings.get('state.sqlite.synchronous').toUpperCase() === 'FULL' ? 'FULL' : 'NORMAL',
      state: this.stateOptions(),
    });
  }

  private track(handle: JobHandle | QueryHandle): void {
    this.jobs.add(handle);
    handle.done.then(
      () => this.jobs.delete(handle),
      () => this.jobs.delete(handle),
    );
  }

  /** Jobs and queries still running. */
  running(): (JobHandle | QueryHandle)[] {
    return [...this.jobs];
  }

  /** Cancels every running job and query. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.jobs].map((j) => j.cancel()));
    await Promise.allSettled([...this.jobs].map((j) => j.done));
    await this.jobThread?.close();
    this.viewStoreInstance?.close();
    this.viewStoreInstance = undefined;
    this.views.clear();
    if (this.sessionDir) rmSync(this.sessionDir, { recursive: true, force: true });
    this.sessionDir = undefined;
  }

  private show(what: ast.ShowStatement['what']): TextTable {
    switch (what) {
      case 'TABLES':
        // As in Flink, views are tables too.
        return { columns: ['table name'], rows: this.catalog.list().map((t) => [t.name]) };
      case 'VIEWS':
        return { columns: ['view name'], rows: this.catalog.list('view').map((t) => [t.name]) };
      case 'MATERIALIZED VIEWS':
        return {
          columns: ['view name', 'key', 'status', 'job id'],
          rows: [...this.views.values()].map((v) => [v.name, v.key ? `(${v.key.join(', ')})` : '', v.job.status.toUpperCase(), v.job.id]),
        };
      case 'FUNCTIONS':
        return { columns: ['function name'], rows: this.functions.names().map((n) => [n]) };
      case 'JOBS':
        return {
          columns: ['job id', 'job name', 'status', 'start time'],
          rows: [...this.jobs].map((j) => [j.id, j.description.replace(/\s+/g, ' ').slice(0, 60), j.status.toUpperCase(), new Date(j.startTime).toISOString()]),
        };
    }
  }

  /** The lines DESCRIBE adds for a materialized view: its job, key, and what its table reflects. */
  private describeFreshness(view: MaterializedView): string[] {
    const store = this.viewStore();
    const f = existsSync(store.path) ? store.withReader((db) => store.freshness(db, view)) : { view: view.name };
    return [
      `Materialized view, kept up to date by ${view.job.id} (${view.job.status.toUpperCase()}); key: ${view.key ? (view.key.length ? `(${view.key.join(', ')})` : '() — one row') : 'none (append-only)'}.`,
      `Reflects ${describeFreshness(f, this.settings.get('table.local-time-zone'))}.`,
    ];
  }

  private describe(stmt: ast.DescribeStatement): TextTable {
    const name = stmt.name.parts.map((p) => p.name).join('.');
    const entry = this.catalog.get(name, stmt.name.span);
    const columns = ['name', 'type', 'null', 'key', 'extras', 'watermark'];
    const typeOnly = (f: Field) => typeToString({ ...f.type, nullable: true }).replace(/ \*(ROWTIME|PROCTIME)\*$/, '');
    if (entry.kind === 'view') {
      return { columns, rows: entry.schema.map((f) => [f.name, typeToString({ ...f.type, nullable: true }), String(f.type.nullable).toUpperCase(), '', '', '']) };
    }
    const view = this.views.get(entry.name);
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
}

/** Whether a physical plan joins anywhere. */
function hasJoin(node: PhysicalPlan): boolean {
  return node.kind === 'Join' || physicalInputs(node).some(hasJoin);
}

/** The source text of a node inside a statement (the statement's text starts at its span). */
function sqlText(stmt: ast.StatementBase, node: ast.Expr): string {
  return stmt.text.slice(node.span.start - stmt.span.start, node.span.end - stmt.span.start);
}

export type { ChangelogMode };
