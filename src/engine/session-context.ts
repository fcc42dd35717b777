/** The state a session's executors share: its catalog, settings, connectors, running jobs, materialized views and job thread. */
import { randomUUID } from 'node:crypto';
import { withKsqlStartup } from './ksql/source.js';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinFunctions, type FunctionRegistry } from '../functions/registry.js';
import { Catalog } from '../planner/catalog.js';
import { Planner } from '../planner/planner.js';
import type { ConnectorFactory, FormatFactory } from '../runtime/connector.js';
import { builtinConnectors, builtinFormats } from '../connectors/index.js';
import { connectorLookup } from './connector-lookup.js';
import type { QueryHandle } from './query-handle.js';
import type { JobHandle } from './job-handle.js';
import { JobThread, type ThreadContext } from './job-thread.js';
import { Settings } from './settings.js';
import { ViewStore, type MaterializedView } from './materialized-views.js';
import { JobRegistry, type JobKind } from './job-registry.js';
import type { CatalogLog } from './catalog-log.js';
import { StateDirLock } from './state-dir-lock.js';

/** The embedded log's file name, in the state directory (or the session's temporary directory). */
export const EMBEDDED_LOG_FILE = 'topics.db';

/** How a session is set up (see Eddy). */
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
   * Lock `stateDir` for this process until `close` (see state-dir-lock.ts): a second process given the same
   * directory fails with EDDY-R006 naming this one's pid. `eddy run`, `eddy serve` and the shell set it; a
   * library user who runs one session per directory should too.
   */
  readonly lockStateDir?: boolean;
  /**
   * Run INSERT jobs, materialized views' jobs and the jobs of SELECT queries (continuous and bounded) in a
   * worker thread of the session (its job thread), so that this thread stays free to answer pull queries
   * and serve clients: a job's work and its garbage collection pauses no longer delay them. `eddy serve`
   * turns it on. Ignored (jobs run in this thread) when `connectors` or `now` are given, since those live
   * in this thread only. Pull queries, and push queries over materialized views, run in this thread.
   */
  readonly jobThread?: boolean;
  /**
   * @internal The embedded log's file to use instead of the session's own (a job thread's session uses its
   * parent session's, which owns it).
   */
  readonly embeddedLogPath?: string;
}

/**
 * One session's shared state, handed to every executor (rather than letting them reach into Eddy). It
 * owns the counters that name jobs, the set of running jobs and queries, the materialized views and their
 * database, and the job thread; `close` releases them.
 */
export class SessionContext {
  readonly catalog = new Catalog();
  readonly settings = new Settings();
  readonly functions: FunctionRegistry = builtinFunctions();
  readonly connectors: readonly ConnectorFactory[];
  readonly formats: readonly FormatFactory[] = builtinFormats();
  /** Values for `${name}`: the session's initial ones (`--define`), changed by DEFINE and UNDEFINE. */
  readonly variables: Map<string, string>;
  readonly now: () => number;
  readonly stateDir?: string;
  readonly fresh: boolean;
  /** Jobs and queries still running (SHOW JOBS, STOP JOB, close). */
  readonly jobs = new Set<JobHandle | QueryHandle>();
  /** Every job with its metrics and events; failed jobs stay listed (SHOW JOBS, the servers' metrics and log). */
  readonly registry: JobRegistry;
  /** Where created objects' DDL is kept, once the durable catalog is open (Eddy.restoreCatalog). */
  catalogLog?: CatalogLog;
  /** Materialized views by name. */
  readonly views = new Map<string, MaterializedView>();
  /** Where INSERT, materialized-view and SELECT jobs run, with `jobThread` (else in this thread). */
  readonly jobThread?: JobThread;
  private jobCounter = 0;
  private insertCounter = 0;
  private handleCounter = 0;
  /** The database holding the materialized views (created on first use). */
  private viewStoreInstance?: ViewStore;
  private sessionDir?: string;
  private lock?: StateDirLock;
  private readonly givenEmbeddedLogPath?: string;

  constructor(options: EddyOptions = {}) {
    // First: a directory another process uses is refused before anything in it is touched.
    if (options.stateDir && options.lockStateDir) this.lock = StateDirLock.acquire(options.stateDir);
    this.stateDir = options.stateDir;
    this.fresh = options.fresh ?? false;
    this.givenEmbeddedLogPath = options.embeddedLogPath;
    this.variables = new Map(Object.entries(options.variables ?? {}));
    this.now = options.now ?? Date.now;
    this.connectors = [...builtinConnectors(), ...(options.connectors ?? [])];
    this.registry = new JobRegistry(this.stateDir);
    if (options.jobThread && !options.connectors?.length && !options.now) this.jobThread = new JobThread();
  }

  /** A planner over the session's catalog (or `catalog`), functions, settings and connectors as they are now. */
  planner(catalog: Catalog = this.catalog): Planner {
    return new Planner({
      catalog: withKsqlStartup(catalog, this.settings),
      functions: this.functions,
      env: { timeZone: this.settings.get('table.local-time-zone'), now: this.now, maxStringLength: Number(this.settings.get('table.exec.max-string-length')) },
      connectors: connectorLookup(this.connectors, this.formats),
      dynamicTableOptions: this.settings.get('table.dynamic-table-options.enabled') !== 'false',
    });
  }

  /** The connector factory with this identifier (built-in or given to the session). */
  connector(id: string | undefined): ConnectorFactory | undefined {
    return this.connectors.find((c) => c.identifier === id);
  }

  /** The id of a new job or query handle (`job-<n>`), as SHOW JOBS lists it and STOP JOB takes it. */
  nextHandleId(): string {
    return `job-${++this.handleCounter}`;
  }

  /** The number of a new INSERT job among the session's INSERTs (part of its state's name). */
  nextInsertNumber(): number {
    return ++this.insertCounter;
  }

  /** A job's name: `pipeline.name`, or its number and the start of its statement. */
  jobName(text: string): string {
    return this.settings.get('pipeline.name') || `job-${++this.jobCounter}: ${text.replace(/\s+/g, ' ').slice(0, 60)}`;
  }

  /** Lists a job or query among the running ones until it ends, and in the registry (when it starts). */
  track(handle: JobHandle | QueryHandle, kind: JobKind): void {
    this.jobs.add(handle);
    this.registry.register(handle, kind);
    handle.done.then(
      () => this.jobs.delete(handle),
      () => this.jobs.delete(handle),
    );
  }

  /** The session's views database: `views.db` in the state directory, or in a temporary directory. */
  viewStore(): ViewStore {
    if (!this.viewStoreInstance) {
      const dir = this.stateDir ?? this.temporaryDir(true);
      this.viewStoreInstance = new ViewStore(join(dir, 'views.db'));
    }
    return this.viewStoreInstance;
  }

  /**
   * The file of the session's embedded log (the topics of `'client.library' = 'embedded'` tables): `topics.db` in
   * the state directory, or in the session's temporary directory (created now if need be, deleted by `close`).
   * SQLite creates the file itself when a table first uses it.
   */
  embeddedLogPath(): string {
    if (this.givenEmbeddedLogPath !== undefined) return this.givenEmbeddedLogPath;
    return join(this.stateDir ?? this.temporaryDir(false), EMBEDDED_LOG_FILE);
  }

  /**
   * The session's temporary directory (no state directory), deleted by `close`: its name is chosen (unguessable)
   * on first use; it is created when `create` asks (the embedded log creates it when it first opens its file).
   */
  private temporaryDir(create: boolean): string {
    this.sessionDir ??= join(tmpdir(), `eddy-session-${randomUUID()}`);
    if (create) mkdirSync(this.sessionDir, { recursive: true, mode: 0o700 });
    return this.sessionDir;
  }

  /** What the job thread needs to plan and build this session's jobs as this session would. */
  threadContext(): ThreadContext {
    return { catalog: this.catalog.list(), settings: this.settings.entries(), stateDir: this.stateDir, fresh: this.fresh, embeddedLogPath: this.embeddedLogPath() };
  }

  /** Cancels every running job and query, then releases the job thread, the views database, the temporary directory and the state directory's lock. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.jobs].map((j) => j.cancel()));
    await Promise.allSettled([...this.jobs].map((j) => j.done));
    this.registry.close();
    await this.jobThread?.close();
    this.viewStoreInstance?.close();
    this.viewStoreInstance = undefined;
    this.views.clear();
    if (this.sessionDir) rmSync(this.sessionDir, { recursive: true, force: true });
    this.sessionDir = undefined;
    this.lock?.release();
    this.lock = undefined;
  }
}
