/**
 * Named points where a test can make the process kill itself (SIGKILL, as a power cut or OOM kill would),
 * to prove recovery works from each of them:
 *
 * - `before-state-commit`: sinks have pre-committed, the checkpoint's transaction has not run.
 * - `after-state-commit`: the transaction committed, sinks have not committed yet.
 * - `during-recovery`: state was loaded from a checkpoint, the job has not started reading.
 *
 * Enabled only by the environment: `EDDY_CRASH_AT=<point>` and optionally `EDDY_CRASH_AFTER=<n>` (crash at
 * the n-th time the point is reached; default 1). Never set in production.
 */
export type CrashPoint = 'before-state-commit' | 'after-state-commit' | 'during-recovery';

let reached = 0;

/** Kills the process here if the environment asks for it. */
export function crashPoint(point: CrashPoint): void {
  if (process.env['EDDY_CRASH_AT'] !== point) return;
  reached++;
  if (reached >= Number(process.env['EDDY_CRASH_AFTER'] ?? '1')) process.kill(process.pid, 'SIGKILL');
}
