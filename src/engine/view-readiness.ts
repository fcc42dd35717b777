/**
 * Before a pull query reads materialized views: waits for views that have committed nothing yet (a view
 * created a moment ago), within `table.exec.mv.first-commit-wait`, and says what the answer cannot reflect
 * — a view whose job failed (its table is stale) or one that still has nothing committed — as warnings
 * that travel with the answer (a Postgres NOTICE, an HTTP `warnings` field, a line in the shell).
 */
import { existsSync } from 'node:fs';
import { EddyError, ErrorCode } from '../common/errors.js';
import { parseDuration } from '../connectors/option-values.js';
import type { MaterializedView } from './materialized-views.js';
import type { SessionContext } from './session-context.js';

/** The setting bounding the wait for a new view's first commit. */
export const FIRST_COMMIT_WAIT = 'table.exec.mv.first-commit-wait';

/** How often a waiting pull query looks for the first commit. */
const POLL_MS = 25;

/** Reads `table.exec.mv.first-commit-wait` (a duration; 0 does not wait). */
export function firstCommitWaitMs(setting: string): number {
  const ms = setting.trim() === '' ? 0 : parseDuration(setting);
  if (ms === undefined || ms < 0) {
    throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Invalid '${FIRST_COMMIT_WAIT}': '${setting}'`, hint: "a duration such as '10 s', '500 ms' or '0 s' (do not wait)" });
  }
  return ms;
}

/**
 * Waits until every view kept by a running job has committed something — for a view whose job started
 * less than the setting's bound ago, until that bound (a view created a moment ago); an older view that
 * has still committed nothing (a quiet source) is not waited for again. Then returns the warnings for the
 * views read: failed jobs, and views still empty of commits.
 */
export async function awaitViews(session: SessionContext, views: readonly MaterializedView[]): Promise<string[]> {
  const waitMs = firstCommitWaitMs(session.settings.get(FIRST_COMMIT_WAIT));
  const store = session.viewStore();
  const committed = (v: MaterializedView) => existsSync(store.path) && store.withReader((db) => store.freshness(db, v).committedAt !== undefined);
  const uncommitted = (v: MaterializedView) => v.job.status === 'running' && !committed(v);
  const young = (v: MaterializedView) => Date.now() < v.job.startTime + waitMs;
  let waiting = views.filter(uncommitted);
  while (waiting.some(young)) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    waiting = waiting.filter(uncommitted);
  }
  const warnings: string[] = [];
  for (const v of views) {
    const error = session.registry.get(v.job.id)?.error;
    if (error || v.job.status === 'failed') {
      warnings.push(
        `Materialized view '${v.name}' is stale: its job ${v.job.id} failed${error ? ` (${error.code}: ${error.message})` : ''}. ` +
          `The answer is its content as of the job's last commit; SHOW JOBS shows the error, and DROP MATERIALIZED VIEW ${v.name} then CREATE it again restarts it.`,
      );
    } else if (waiting.includes(v)) {
      warnings.push(
        `Materialized view '${v.name}' has committed nothing yet (its job started ${((Date.now() - v.job.startTime) / 1000).toFixed(1)} s ago; ` +
          `pull queries wait up to '${FIRST_COMMIT_WAIT}' = ${session.settings.get(FIRST_COMMIT_WAIT)} after that for its first commit): ` +
          `the answer reflects none of its input so far.`,
      );
    }
  }
  return warnings;
}
