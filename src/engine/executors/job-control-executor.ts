/** Executes job control: STOP JOB, which cancels a query, or stops a job (optionally taking a savepoint first). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { QueryHandle } from '../query-handle.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult } from '../statement-result.js';

/** `STOP JOB '<id>' [WITH SAVEPOINT]` over the session's running jobs and queries. */
export class JobControlExecutor implements StatementExecutor<ast.StopJobStatement> {
  constructor(private readonly session: SessionContext) {}

  async execute(stmt: ast.StopJobStatement): Promise<StatementResult> {
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
