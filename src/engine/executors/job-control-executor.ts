/**
 * Executes job control: STOP JOB, which cancels a query, or stops a job (optionally taking a savepoint
 * first); ksqlDB's TERMINATE, which stops a persistent query (a job) by its id, or all of them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode, didYouMean } from '../../common/errors.js';
import { JobHandle } from '../job-handle.js';
import { QueryHandle } from '../query-handle.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult } from '../statement-result.js';

/** The statements that stop jobs. */
export type JobControlStatement = ast.StopJobStatement | ast.TerminateStatement;

/** `STOP JOB '<id>' [WITH SAVEPOINT]` and `TERMINATE <id> | ALL` over the session's running jobs and queries. */
export class JobControlExecutor implements StatementExecutor<JobControlStatement> {
  constructor(private readonly session: SessionContext) {}

  async execute(stmt: JobControlStatement): Promise<StatementResult> {
    return stmt.kind === 'TerminateStatement' ? this.terminate(stmt) : this.stopJob(stmt);
  }

  /**
   * `TERMINATE id`: stops the job (as STOP JOB does; a SELECT query is cancelled). `TERMINATE ALL`: stops
   * every persistent query — INSERT jobs and materialized views' jobs, not SELECT queries (ksqlDB's rule).
   */
  private async terminate(stmt: ast.TerminateStatement): Promise<StatementResult> {
    const running = [...this.session.jobs];
    if (stmt.queryId === undefined) {
      const jobs = running.filter((j): j is JobHandle => j instanceof JobHandle);
      await Promise.all(jobs.map((j) => j.stop()));
      const ids = jobs.map((j) => j.id);
      return { kind: 'ok', message: ids.length ? `Terminated ${ids.join(', ')}.` : 'No persistent query was running.', statement: stmt };
    }
    const id = stmt.queryId;
    // Exact id first, then case-insensitively: ksqlDB's ids are upper-case, and scripts write them any way.
    const handle = running.find((j) => j.id === id) ?? running.find((j) => j.id.toLowerCase() === id.toLowerCase());
    if (!handle) {
      const ids = running.map((j) => j.id);
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `No running query '${id}'`,
        span: stmt.queryIdSpan ?? stmt.span,
        hint: didYouMean(id, ids) ?? (ids.length ? `running: ${ids.join(', ')}` : 'SHOW QUERIES lists the running queries'),
      });
    }
    if (handle instanceof QueryHandle) await handle.cancel();
    else await handle.stop();
    return { kind: 'ok', message: `Terminated ${handle.id}.`, statement: stmt };
  }

  private async stopJob(stmt: ast.StopJobStatement): Promise<StatementResult> {
    const jobs = this.session.jobs;
    const handle = [...jobs].find((j) => j.id === stmt.jobId);
    if (!handle) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `No running job '${stmt.jobId}'`,
        span: stmt.span,
        hint: jobs.size ? `running: ${[...jobs].map((j) => j.id).join(', ')}` : 'SHOW JOBS lists the running jobs',
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

  /** A new savepoint directory for a job, under {@link savepointsBase}. */
  private savepointDir(id: string): string {
    const base = savepointsBase(this.session);
    const dir = join(base, `savepoint-${id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** Where savepoints go: `state.savepoints.dir`, else `<state-dir>/savepoints`, else `./savepoints`. */
export function savepointsBase(session: SessionContext): string {
  const stateDir = session.stateDir;
  return session.settings.get('state.savepoints.dir') || (stateDir ? join(stateDir, 'savepoints') : 'savepoints');
}
