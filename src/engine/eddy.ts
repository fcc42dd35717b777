/**
 * The engine's public API: a session with a catalog and settings that executes SQL statements — DDL,
 * SET/SHOW/DESCRIBE/EXPLAIN, INSERT jobs and continuous SELECT queries. The CLI, the shell and the servers
 * use only this. It parses, then routes each statement to the executor of its family (src/engine/executors),
 * which share the session's state through one SessionContext.
 */
import { join } from 'node:path';
import type * as ast from '../parser/ast.js';
import { parseScript } from '../parser/parse.js';
import { withParameterValues } from '../parser/parameter-values.js';
import { EddyError, ErrorCode, type SourceText } from '../common/errors.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Catalog } from '../planner/catalog.js';
import type { ChangelogMode } from '../planner/physical-plan.js';
import type { ConnectorFactory, FormatFactory } from '../runtime/connector.js';
import type { Job } from '../runtime/job.js';
import type { CollectWriter, QueryHandle, QueryRunner } from './query-handle.js';
import type { JobHandle } from './job-handle.js';
import type { InsertJobsSpec, QueryJobSpec, ViewJobSpec } from './job-thread.js';
import type { Settings } from './settings.js';
import type { ChangeFeed } from './materialized-views.js';
import { substituteVariables } from './variables.js';
import { readScript } from './script-reader.js';
import { readScriptFile } from './script-file.js';
import type { JobEvent, JobMetrics } from './job-registry.js';
import { CatalogLog } from './catalog-log.js';
import { SessionContext, type EddyOptions } from './session-context.js';
import { JobBuilder } from './job-builder.js';
import type { StatementResult } from './statement-result.js';
import { checkStatementAccess, type StatementAccess } from './statement-access.js';
import { DdlExecutor } from './executors/ddl-executor.js';
import { DmlExecutor } from './executors/dml-executor.js';
import { QueryExecutor } from './executors/query-executor.js';
import { ShowExecutor } from './executors/show-executor.js';
import { JobControlExecutor } from './executors/job-control-executor.js';
import { SettingsExecutor } from './executors/settings-executor.js';
import { TopicExecutor } from './executors/topic-executor.js';
import { clusterClient, clusterName, KAFKA_SERVERS_SETTING, resolveKafkaCluster } from './kafka-cluster.js';
import { TopicAdmin } from './topic-admin.js';
import { KsqlExecutor } from './ksql/executor.js';

export type { EddyOptions } from './session-context.js';

/** What Eddy.restoreCatalog replayed: the objects restored, and those whose statement failed (kept for later). */
export interface CatalogRestore {
  /** The catalog file (undefined without a state directory). */
  readonly path?: string;
  readonly restored: readonly string[];
  readonly failed: readonly { readonly name: string; readonly error: Error }[];
}
export type { StatementResult, TextTable } from './statement-result.js';
export type { StatementAccess } from './statement-access.js';

/** A session: executes scripts and statements, and owns the jobs and queries they start until `close`. */
/** Options of {@link Eddy.executeScript}. */
export interface ScriptOptions {
  /** Sees each statement before it runs and may refuse it by throwing an EddyError. */
  readonly check?: (stmt: ast.Statement) => void;
  /**
   * Before a pull query on a ksqlDB table (CREATE TABLE AS SELECT), wait until every running job has caught up
   * with its input ({@link Eddy.settle}), so the answer reflects the statements before it (`eddy run`).
   */
  readonly settlePullQueries?: boolean;
}

export class Eddy {
  readonly catalog: Catalog;
  readonly settings: Settings;
  readonly functions: FunctionRegistry;
  readonly connectors: readonly ConnectorFactory[];
  readonly formats: readonly FormatFactory[];
  private readonly session: SessionContext;
  private readonly ddl: DdlExecutor;
  private readonly dml: DmlExecutor;
  private readonly queries: QueryExecutor;
  private readonly show: ShowExecutor;
  private readonly jobControl: JobControlExecutor;
  private readonly settingsExecutor: SettingsExecutor;
  private readonly topics: TopicExecutor;
  /** @internal ksqlDB's DDL and persistent queries (src/engine/ksql). */
  readonly ksql: KsqlExecutor;

  constructor(options: EddyOptions = {}) {
    const session = (this.session = new SessionContext(options));
    this.catalog = session.catalog;
    this.settings = session.settings;
    this.functions = session.functions;
    this.connectors = session.connectors;
    this.formats = session.formats;
    const builder = new JobBuilder(session);
    this.ddl = new DdlExecutor(session, builder);
    this.dml = new DmlExecutor(session, builder);
    this.queries = new QueryExecutor(session, builder);
    this.show = new ShowExecutor(session);
    this.jobControl = new JobControlExecutor(session);
    this.settingsExecutor = new SettingsExecutor(session);
    this.topics = new TopicExecutor(session);
    this.ksql = new KsqlExecutor(
      session,
      (insert, id) => this.dml.execute(insert, id === undefined ? {} : { id }),
      (stmt) => this.ddl.execute(stmt),
    );
  }

  /**
   * Parses a whole script (reporting every syntax error at once), then executes its statements in order,
   * yielding each result (one for a run of INSERTs that runs as one job: see sharedReadRun). Errors are
   * EddyErrors carrying the script text for rendering. `check`, when given, sees each statement before it
   * runs and may refuse it by throwing an EddyError (`eddy run` refuses a PRINT that would never end).
   */
  async *executeScript(text: string, sourceName?: string, options: ScriptOptions = {}): AsyncGenerator<StatementResult> {
    yield* this.runScript(text, sourceName, options, []);
  }

  /**
   * Runs a script's statements (see executeScript); `chain` holds the files of the RUN SCRIPTs it runs
   * inside, outermost first. Variables are resolved statement by statement (script-reader.ts). Returns how
   * many statements it ran.
   */
  private async *runScript(text: string, sourceName: string | undefined, options: ScriptOptions, chain: readonly string[]): AsyncGenerator<StatementResult, number> {
    const { source, statements } = readScript(text, sourceName, this.session.variables);
    for (let i = 0; i < statements.length; ) {
      const n = this.sharedReadRun(statements, i);
      try {
        for (const stmt of statements.slice(i, i + n)) options.check?.(stmt);
      } catch (err) {
        if (err instanceof EddyError && !err.source) err.source = source;
        throw err;
      }
      const stmt = statements[i]!;
      if (options.settlePullQueries && stmt.kind === 'QueryStatement' && this.ksql.pullQuery(stmt) !== stmt) {
        // A pull query in a script sees what the statements before it wrote: the persistent queries catch up first.
        await this.settle();
      }
      if (stmt.kind === 'RunScriptStatement') yield* this.runNestedScript(stmt, source, options, chain);
      else yield await this.executeStatement(n > 1 ? implicitStatementSet(statements.slice(i, i + n) as ast.InsertStatement[], source) : stmt, source);
      i += n;
    }
    return statements.length;
  }

  /**
   * `RUN SCRIPT 'file'`: the file's statements run in this session, in order (their results yielded one by
   * one), then an ok result for the RUN SCRIPT itself. The script sees the session's variables; those it
   * defines or undefines are its own (ksqlDB's KLIP-38): the session's are restored when it ends. An error
   * inside is the nested file's, positioned there, with a note naming the RUN SCRIPT that ran it.
   */
  private async *runNestedScript(stmt: ast.RunScriptStatement, source: SourceText, options: ScriptOptions, chain: readonly string[]): AsyncGenerator<StatementResult> {
    const at = `${source.name ?? '<input>'}:${stmt.span.line}:${stmt.span.column}`;
    const file = readScriptFile(stmt, chain, source);
    const variables = this.session.variables;
    const saved = [...variables];
    let count: number;
    try {
      count = yield* this.runScript(file.text, stmt.path, options, [...chain, file.path]);
    } catch (err) {
      if (err instanceof EddyError) err.notes.push(`in the script run by RUN SCRIPT '${stmt.path}' at ${at}`);
      throw err;
    } finally {
      variables.clear();
      for (const [k, v] of saved) variables.set(k, v);
    }
    yield { kind: 'ok', message: `Ran script ${stmt.path} (${count} ${count === 1 ? 'statement' : 'statements'}).`, statement: stmt };
  }

  /**
   * How many statements from `start` run as one job: a run of consecutive INSERTs that read a common table
   * (directly, or through another INSERT of the run) runs as an implicit statement set, so the table is read
   * once (multi-sink.ts). 1 for anything else, and when `table.dml-sync` asks for one job at a time.
   */
  private sharedReadRun(statements: readonly ast.Statement[], start: number): number {
    if (this.session.settings.get('table.dml-sync') === 'true' || statements[start]?.kind !== 'InsertStatement') return 1;
    const planner = this.session.planner();
    const readSet = (stmt: ast.Statement): Set<string> | undefined => {
      // An INSERT into a ksqlDB stream or table is a persistent query of its own (INSERTQUERY_<n>).
      if (stmt.kind !== 'InsertStatement' || this.ksql.writesKsqlTable(stmt)) return undefined;
      try {
        // Planned in full: an INSERT that cannot be planned ends the run, so the ones before it still start.
        planner.planInsert(stmt);
        return new Set(planner.scannedTables(planner.bindQuery(stmt.query)).map((t) => t.table.name));
      } catch {
        return undefined; // its error is reported when it runs on its own
      }
    };
    const read = readSet(statements[start]!);
    if (!read) return 1;
    let n = 1;
    while (start + n < statements.length) {
      const next = readSet(statements[start + n]!);
      if (!next || ![...next].some((t) => read.has(t))) break;
      for (const t of next) read.add(t);
      n++;
    }
    return n;
  }

  /**
   * Executes a text holding exactly one statement (a trailing `;` is fine). `params` are the values of its
   * `$n` parameters, `params[n - 1]` for `$n` (the Postgres extended protocol's Bind); they are bound as
   * typed values, never spliced into the text. `access` limits what the statement may do when it runs on
   * behalf of someone else (a served client): see StatementAccess.
   */
  async execute(sql: string, options: { readonly params?: readonly ast.ParameterValue[]; readonly access?: StatementAccess } = {}): Promise<StatementResult> {
    let last: StatementResult | undefined;
    let count = 0;
    const source: SourceText = { text: substituteVariables(sql, this.session.variables, '<statement>'), name: '<statement>' };
    const parsed = parseScript(source.text, '<statement>');
    if (parsed.diagnostics.length > 0) throw new EddyError(parsed.diagnostics, source);
    for (const stmt of parsed.statements) {
      if (++count > 1) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: 'execute() takes one statement; use executeScript() for several', span: stmt.span }, source);
      if (options.access) {
        try {
          checkStatementAccess(stmt, options.access);
        } catch (err) {
          if (err instanceof EddyError) err.source = source;
          throw err;
        }
      }
      last = await this.executeStatement(options.params ? withParameterValues(stmt, options.params, source) : stmt, source);
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

  /** Routes a statement to the executor of its family. */
  private async dispatch(stmt: ast.Statement): Promise<StatementResult> {
    switch (stmt.kind) {
      case 'CreateTable':
        return stmt.ksql ? this.ksql.createSource(stmt) : this.ddl.execute(stmt);
      case 'DropStatement':
        return this.isKsqlDrop(stmt) ? this.ksql.drop(stmt) : this.ddl.execute(stmt);
      case 'CreateView':
        return this.ddl.execute(stmt);
      case 'InsertStatement':
        return (await this.ksql.insert(stmt)) ?? this.dml.execute(stmt);
      case 'StatementSet':
        return this.dml.execute(stmt);
      case 'KsqlCreateAs':
        return this.ksql.createAs(stmt);
      case 'QueryStatement':
        return this.queries.execute(this.ksql.pullQuery(stmt));
      case 'SetStatement':
      case 'ResetStatement':
      case 'UnsetStatement':
      case 'DefineStatement':
      case 'UndefineStatement':
        return this.settingsExecutor.execute(stmt);
      case 'ShowStatement':
      case 'DescribeStatement':
      case 'DescribeJobStatement':
      case 'ExplainStatement':
        return this.show.execute(stmt);
      case 'StopJobStatement':
      case 'TerminateStatement':
        return this.jobControl.execute(stmt);
      case 'ShowTopicsStatement':
      case 'PrintStatement':
        return this.topics.execute(stmt);
      case 'RunScriptStatement':
        // It yields the results of many statements: executeScript runs it (eddy run, the shell, --queries-file).
        throw new EddyError({
          code: ErrorCode.INVALID_STATEMENT,
          message: 'RUN SCRIPT runs inside a script (eddy run, the shell, eddy serve --queries-file), not as a single statement',
          span: stmt.span,
          hint: 'send the statements of the file instead',
        });
    }
  }

  /** DROP STREAM, or DROP TABLE of a ksqlDB table: ksqlDB's (DELETE TOPIC, refused while a query uses it). */
  private isKsqlDrop(stmt: ast.DropStatement): boolean {
    if (stmt.objectType === 'STREAM' || stmt.deleteTopic) return true;
    if (stmt.objectType !== 'TABLE') return false;
    const entry = this.session.catalog.find(stmt.name.parts.map((p) => p.name).join('.'));
    return entry?.kind === 'table' && entry.ksql !== undefined;
  }

  /** EXPLAIN text for a query, an INSERT or a statement set. */
  explain(stmt: ast.QueryStatement | ast.InsertStatement | ast.StatementSet): string {
    return this.show.explain(stmt);
  }

  /**
   * @internal The job keeping a materialized view's table (not started): it plans the view's query, opens
   * its durable state, and prepares the table (emptied unless the job resumes). Run by this session, or by
   * its job thread.
   */
  viewJob(spec: ViewJobSpec, feed: ChangeFeed): Job {
    return this.ddl.viewJob(spec, feed);
  }

  /** @internal The job of an INSERT or a statement set (not started), with its durable state. */
  insertJobs(spec: InsertJobsSpec): Job[] {
    return this.dml.insertJobs(spec);
  }

  /** @internal The job of a continuous or bounded SELECT (not started), writing its changes to `writer`. */
  queryJob(spec: QueryJobSpec, writer: CollectWriter): Job {
    return this.queries.queryJob(spec, writer);
  }

  /**
   * Opens the durable catalog of the state directory (catalog-log.ts): replays the DDL kept there — tables,
   * views, materialized views (whose jobs resume from their checkpoints) — then keeps the DDL of every
   * table and view created or dropped from now on. With `fresh`, what was kept is discarded first. A kept
   * statement that fails now (a name an init script already took, a file gone) is reported and kept, not
   * forgotten. Without a state directory there is nothing to open.
   */
  async restoreCatalog(): Promise<CatalogRestore> {
    const session = this.session;
    if (!session.stateDir) return { path: undefined, restored: [], failed: [] };
    const log = new CatalogLog(join(session.stateDir, 'catalog.json'));
    if (session.fresh) log.clear();
    const restored: string[] = [];
    const failed: { name: string; error: EddyError | Error }[] = [];
    for (const record of log.records()) {
      const source: SourceText = { text: record.sql, name: log.path };
      try {
        const parsed = parseScript(record.sql, log.path);
        if (parsed.diagnostics.length > 0) throw new EddyError(parsed.diagnostics, source);
        for (const stmt of parsed.statements) await this.executeStatement(stmt, source);
        restored.push(record.name);
      } catch (err) {
        failed.push({ name: record.name, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
    session.catalogLog = log;
    return { path: log.path, restored, failed };
  }

  /**
   * Every job with its status and figures: running INSERT jobs, materialized views' jobs and queries, and
   * failed jobs with their errors (see JobRegistry).
   */
  jobs(): JobMetrics[] {
    return this.session.registry.list();
  }

  /** Calls `fn` when a job starts or resumes, completes a checkpoint, ends or fails; returns how to stop. */
  onJobEvent(fn: (event: JobEvent) => void): () => void {
    return this.session.registry.listen(fn);
  }

  /**
   * The topics of the session's cluster, the one SHOW TOPICS and PRINT use (kafka-cluster.ts): the
   * `kafka.bootstrap-servers` setting's, else the one its Kafka tables name, else the session's embedded log
   * (`<state dir>/topics.db`, or a temporary file deleted by `close`). Create, delete, list and describe topics,
   * produce records and read a topic back (topic-admin.ts).
   */
  topicAdmin(): TopicAdmin {
    const session = this.session;
    const cluster = resolveKafkaCluster(session.catalog, session.settings.get(KAFKA_SERVERS_SETTING), undefined);
    const path = session.embeddedLogPath();
    return new TopicAdmin(clusterClient(cluster, path, undefined, 'eddy-admin'), `${clusterName(cluster, path)} (${cluster.source})`, cluster.embedded === true);
  }

  /** Jobs and queries still running. */
  running(): (JobHandle | QueryHandle)[] {
    return [...this.session.jobs];
  }

  /**
   * Resolves once every running job (INSERT jobs, persistent queries, materialized views, queries) has processed
   * all the input its sources can read now and a checkpoint has made its output visible (committed Kafka
   * transactions, materialized views' rows), repeating while that output is new input of another job (jobs that
   * feed each other through topics). What `eddy test` waits for after producing each input record.
   *
   * In rounds: every job is asked whether it has caught up (Job.settleProbe); each one that has, and processed
   * something since the checkpoint an earlier round took, takes one and waits for it to complete. It is done when a
   * round finds the same jobs as the one before, all caught up, none needing a checkpoint. Fails with SETTLE_TIMEOUT
   * after `timeoutMs` (default 30 s), naming the jobs still behind, and with UNSUPPORTED for a job whose sources
   * cannot tell whether they have caught up (an unbounded source without `SourceReader.caughtUp`).
   */
  async settle(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const checkpointedAt = new Map<QueryRunner, number>();
    let previous: QueryRunner[] | undefined;
    for (;;) {
      const jobs = this.settlingJobs();
      const probes = await Promise.all(jobs.map((j) => j.settleProbe!()));
      const due = jobs.filter((j, i) => probes[i]!.caughtUp && checkpointedAt.get(j) !== probes[i]!.processed);
      await Promise.all(due.map((j) => j.checkpointNow!()));
      for (const j of due) checkpointedAt.set(j, probes[jobs.indexOf(j)]!.processed);
      const sameJobs = previous !== undefined && previous.length === jobs.length && previous.every((j, i) => j === jobs[i]);
      if (sameJobs && due.length === 0 && probes.every((p) => p.caughtUp)) return;
      previous = jobs;
      if (Date.now() > deadline) {
        const behind = jobs.filter((_j, i) => !probes[i]!.caughtUp).map((j) => j.name);
        throw new EddyError({
          code: ErrorCode.SETTLE_TIMEOUT,
          message: `The jobs did not catch up with their input within ${timeoutMs} ms${behind.length > 0 ? `: ${behind.join(', ')}` : ''}`,
          hint: 'a job may be waiting for input that never becomes visible (an open transaction), or be too slow for the time allowed',
        });
      }
      if (due.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The running jobs settle() waits for. */
  private settlingJobs(): QueryRunner[] {
    const jobs = [...this.session.jobs].flatMap((h) => ('jobs' in h ? [...h.jobs] : [h.job])).filter((j) => j.state === 'running' || j.state === 'created');
    for (const j of jobs) {
      if (!j.settleProbe || !j.checkpointNow) {
        throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: `settle() cannot wait for job '${j.name}': it cannot say whether it has caught up` });
      }
    }
    return jobs;
  }

  /** Cancels every running job and query. */
  async close(): Promise<void> {
    await this.session.close();
  }
}

export type { ChangelogMode };

/** Consecutive INSERTs of a script run as one statement set (see Eddy.sharedReadRun). */
function implicitStatementSet(inserts: readonly ast.InsertStatement[], source: SourceText): ast.StatementSet {
  const first = inserts[0]!;
  const last = inserts[inserts.length - 1]!;
  const span = { ...first.span, end: last.span.end };
  return { kind: 'StatementSet', inserts, span, text: source.text.slice(first.span.start, last.span.end) };
}
