/** Builds a session's jobs from planned pipelines: their connectors, state, checkpoints, savepoints and dead letters. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EddyError, ErrorCode, type Span } from '../common/errors.js';
import type { ConnectorFactory } from '../runtime/connector.js';
import { buildJob } from '../runtime/build-job.js';
import type { Job } from '../runtime/job.js';
import type { CollectWriter } from './query-handle.js';
import { checkSavepoint, checkpointInterval, checkpointMinPause, openDurableState, pipelinesOf, planFingerprint, stateOptions, type DurableState, type JobPlan } from './durable-state.js';
import type { PhysicalPipeline } from '../planner/physical-plan.js';
import { deadLetterTarget } from './dead-letter-target.js';
import type { SessionContext } from './session-context.js';
import type { JobsRequest } from './job-thread.js';
import { startInstances } from './parallel-instances.js';
import { builtinConnectors } from '../connectors/index.js';
import type { ParallelInstance } from '../runtime/parallel/exchange.js';
import type { ParallelPart } from '../runtime/parallel/part.js';

/**
 * Set in the thread of a parallel job's instance (parallel-instance-worker.ts): every job built in this thread is
 * that instance of its job (it has no sinks and no durable state of its own; instance 0 has them).
 */
let instanceOfThisThread: ParallelInstance | undefined;

/** Makes this thread build its jobs as `instance` (see instanceOfThisThread). */
export function runAsInstance(instance: ParallelInstance): void {
  instanceOfThisThread = instance;
}

/** `parallelism.default` as a number (checked when set). */
export function parallelismOf(value: string): number {
  const n = Number(value.trim());
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** How to build one job (see JobBuilder.build). */
export interface JobBuildOptions {
  /** Where a query's results go (a SELECT); absent for a job writing into a table. */
  readonly collect?: CollectWriter;
  /** The job's durable state and checkpoints; absent: state in memory only. */
  readonly durable?: DurableState;
  /** The name of the job's state (see JobBuilder.jobKey). */
  readonly jobKey?: string;
  /** Connectors used instead of the session's of the same identifier (a view's publishing sink, a pull query's snapshot). */
  readonly overrides?: readonly ConnectorFactory[];
  /** The statement the job runs, so errors can quote a failing expression. */
  readonly statement?: { readonly text: string; readonly span: Span };
  /**
   * How another thread plans the same job again: with `parallelism.default` > 1 the job's other instances do
   * (see parallel-instances.ts). Absent (a pull query's snapshot read): the job runs in one instance.
   */
  readonly replan?: JobsRequest;
}

/** Turns planned pipelines into runnable jobs the way the session's settings say. */
export class JobBuilder {
  constructor(private readonly session: SessionContext) {}

  /** Builds a job (not started). A durable state it was given is closed if building fails. */
  build(plan: JobPlan, name: string, options: JobBuildOptions = {}): Job {
    const { collect, durable, jobKey, overrides = [], statement } = options;
    let parallel: { instance: ParallelInstance; part: ParallelPart } | undefined;
    try {
      if (instanceOfThisThread) {
        const links = instanceOfThisThread.links;
        parallel = { instance: instanceOfThisThread, part: { links, onFailure: () => {}, stopOthers: () => {}, close: async () => links.close() } };
      } else {
        const count = parallelismOf(this.session.settings.get('parallelism.default'));
        if (count > 1 && options.replan) {
          this.checkParallel(options.replan, count, durable !== undefined);
          parallel = startInstances(this.session.threadContext(), options.replan, count);
        }
      }
      return buildJob(pipelinesOf(plan), {
        ...(parallel ? { parallel } : {}),
        name,
        timeZone: this.session.settings.get('table.local-time-zone'),
        collect,
        connector: (id) => overrides.find((c) => c.identifier === id) ?? this.session.connector(id),
        state: durable?.backend,
        stateOptions: this.stateOptions(),
        deadLetters: (table) => deadLetterTarget(this.session, table),
        jobKey,
        ...(statement === undefined ? {} : { sql: { text: statement.text, start: statement.span.start } }),
        fingerprint: planFingerprint(plan),
        checkpoints: durable ? { store: durable.store, intervalMs: durable.intervalMs, minPauseMs: durable.minPauseMs, restored: durable.restored } : undefined,
        embeddedLogPath: this.session.embeddedLogPath(),
      });
    } catch (err) {
      durable?.store.close();
      if (parallel && !instanceOfThisThread) void parallel.part.close(false);
      throw err;
    }
  }

  /** Refuses what a job cannot do in parallel instances (yet), clearly. */
  private checkParallel(request: JobsRequest, count: number, durable: boolean): void {
    const refuse = (what: string) => {
      throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: `${what} cannot run with 'parallelism.default' = ${count} yet`, hint: "SET 'parallelism.default' = '1' for it" });
    };
    if (request.kind === 'view') refuse('A materialized view');
    if (durable) refuse('A job with checkpoints (a state directory or a savepoint to resume from)');
    if (this.session.connectors.length !== builtinConnectors().length) refuse("A job of a session given its own connectors (they live in the session's thread only)");
  }

  /**
   * The name of an INSERT job's state: its position among the session's INSERT jobs and its sink tables
   * (`insert-3-totals`, `insert-4-homes-totals` for a statement set), or `pipeline.name`.
   */
  jobKey(sinks: readonly PhysicalPipeline[]): string {
    const tables = sinks.map((s) => (s.sink.kind === 'table' ? s.sink.table.name : 'collect'));
    const n = this.session.nextInsertNumber();
    const key = this.session.settings.get('pipeline.name') || `insert-${n}-${tables.join('-')}`;
    return key.replace(/[^A-Za-z0-9_.-]+/g, '_');
  }

  /**
   * The durable state of a job when the session has a state directory (or restores a savepoint): its
   * SQLite file, named by the job's key, checked against the job's plan so that changed SQL is never run on
   * state it did not write. Undefined when state lives in memory only.
   */
  durableState(plan: JobPlan, key: string): DurableState | undefined {
    // An instance of a parallel job keeps no state file: instance 0 owns the job's.
    if (instanceOfThisThread) return undefined;
    const settings = this.session.settings;
    const savepoint = settings.get('execution.savepoint.path');
    let dir = this.session.stateDir;
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
      fresh: this.session.fresh && !savepoint,
      intervalMs: checkpointInterval(settings.get('execution.checkpointing.interval')),
      minPauseMs: checkpointMinPause(settings.get('execution.checkpointing.min-pause')),
      synchronous: settings.get('state.sqlite.synchronous').toUpperCase() === 'FULL' ? 'FULL' : 'NORMAL',
      state: this.stateOptions(),
    });
  }

  private stateOptions() {
    return stateOptions(this.session.settings.get('table.exec.state.ttl'), this.session.settings.get('state.cache.max-entries'));
  }
}
