/**
 * Executes INSERT and statement sets: plans the INSERTs together into one job with a sink per target table
 * (multi-sink.ts), and starts it (in the job thread when the session has one).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as ast from '../../parser/ast.js';
import type { PhysicalPipeline } from '../../planner/physical-plan.js';
import type { Job } from '../../runtime/job.js';
import { JobHandle } from '../job-handle.js';
import type { InsertJobsSpec } from '../job-thread.js';
import type { JobBuilder } from '../job-builder.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult } from '../statement-result.js';

/**
 * Removes a job's state files (`<key>.db` with its `-wal` and `-shm`) once it has finished: its output is
 * committed and nothing will resume it. A job that failed, was cancelled or stopped keeps its state, from
 * which it can resume. (The files are closed by then: a job closes its state store before it ends.)
 */
function removeStateWhenFinished(handle: JobHandle, stateDir: string): void {
  handle.done.then(
    () => {
      if (handle.status !== 'finished') return;
      for (const key of handle.keys) for (const suffix of ['', '-wal', '-shm']) rmSync(join(stateDir, `${key}.db${suffix}`), { force: true });
    },
    () => {},
  );
}

/** The statements that start INSERT jobs. */
export type DmlStatement = ast.InsertStatement | ast.StatementSet;

/** INSERT and EXECUTE STATEMENT SET: one job for all the INSERTs, sharing what their plans share. */
export class DmlExecutor implements StatementExecutor<DmlStatement> {
  constructor(
    private readonly session: SessionContext,
    private readonly builder: JobBuilder,
  ) {}

  /** `options.id`: the job's id instead of the session's next one (ksqlDB's persistent query ids). */
  async execute(stmt: DmlStatement, options: { readonly id?: string } = {}): Promise<StatementResult & { kind: 'job' }> {
    const session = this.session;
    const { sinks } = session.planner().planJob(stmt);
    const spec: InsertJobsSpec = { statement: stmt, keys: [this.builder.jobKey(sinks)], names: [session.jobName(stmt.text)] };
    const jobs = session.jobThread ? await session.jobThread.start(session.threadContext(), { kind: 'insert', spec }) : this.insertJobs(spec, sinks);
    const handle = new JobHandle(jobs, stmt.text, options.id ?? session.nextHandleId(), spec.keys);
    session.track(handle, 'insert');
    if (session.stateDir && session.settings.get('execution.checkpointing.retain-on-finish') === 'false') removeStateWhenFinished(handle, session.stateDir);
    handle.start();
    if (session.settings.get('table.dml-sync') === 'true') await handle.done;
    return { kind: 'job', job: handle, statement: stmt };
  }

  /**
   * The job of an INSERT or a statement set (not started), with its durable state. `sinks` are its planned
   * sinks when already made (in this thread); the job thread plans them again from the statement.
   */
  insertJobs(spec: InsertJobsSpec, sinks?: readonly PhysicalPipeline[]): Job[] {
    const plan = sinks ?? this.session.planner().planJob(spec.statement).sinks;
    const key = spec.keys[0]!;
    return [this.builder.build(plan, spec.names[0]!, { durable: this.builder.durableState(plan, key), jobKey: key, statement: spec.statement, replan: { kind: 'insert', spec } })];
  }
}
