/**
 * Opens the state file of a job in a state directory: checks that the stored checkpoint was written by the
 * same plan (a changed query must never run on state it did not write), honours --fresh, and picks the
 * checkpoint to resume from.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EddyError, ErrorCode } from '../common/errors.js';
import { parseDuration } from '../connectors/option-values.js';
import { explainPhysical, explainSink } from '../planner/explain.js';
import type { PlannedPipeline } from '../planner/planner.js';
import { StateBackend, type StateBackendOptions } from '../runtime/state/state-backend.js';
import { SqliteStateStore, type CheckpointData, type Synchronous } from '../runtime/state/sqlite-state-store.js';

/** A job's durable state, ready to build the job with. */
export interface DurableState {
  readonly store: SqliteStateStore;
  readonly backend: StateBackend;
  readonly intervalMs: number;
  readonly minPauseMs: number;
  readonly restored?: CheckpointData;
}

/** Checkpoint interval used with a state directory when `execution.checkpointing.interval` is not set. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 5000;

/** Reads `execution.checkpointing.interval` (a Flink duration such as `1 s`; empty: the default). */
export function checkpointInterval(setting: string): number {
  if (setting.trim() === '') return DEFAULT_CHECKPOINT_INTERVAL_MS;
  return durationSetting('execution.checkpointing.interval', setting, false);
}

/** Reads `execution.checkpointing.min-pause` (a duration; empty: 0). */
export function checkpointMinPause(setting: string): number {
  if (setting.trim() === '') return 0;
  return durationSetting('execution.checkpointing.min-pause', setting, true);
}

/** Reads the duration setting `key`; a value that is not a duration (or is 0 where that is not allowed) is an error. */
function durationSetting(key: string, setting: string, zeroAllowed: boolean): number {
  const ms = parseDuration(setting);
  if (ms === undefined || ms < 0 || (ms === 0 && !zeroAllowed)) {
    throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Invalid '${key}': '${setting}'`, hint: "a duration such as '1 s', '500 ms' or '1 min'" });
  }
  return ms;
}

/** Reads `table.exec.state.ttl` and `state.cache.max-entries`. */
export function stateOptions(ttl: string, maxEntries: string): StateBackendOptions {
  const ttlMs = ttl.trim() === '' ? undefined : durationSetting('table.exec.state.ttl', ttl, false);
  const max = Number(maxEntries);
  if (!Number.isInteger(max) || max < 1000) {
    throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Invalid 'state.cache.max-entries': '${maxEntries}'`, hint: 'a whole number of at least 1000' });
  }
  return { ttlMs, maxEntries: max };
}

/** A fingerprint of everything in a plan that decides the shape of its state. */
export function planFingerprint(plan: PlannedPipeline): string {
  return createHash('sha256').update(explainSink(plan.pipeline)).update('\n').update(explainPhysical(plan.pipeline.root)).digest('hex').slice(0, 16);
}

/** Checks that a savepoint file was written by this plan (before anything is copied or overwritten). */
export function checkSavepoint(file: string, plan: PlannedPipeline): void {
  const store = new SqliteStateStore(file);
  try {
    if (store.meta('fingerprint') !== planFingerprint(plan)) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `The savepoint ${file} was written by a different job: its plan has changed since`,
        hint: "restore the SQL that wrote it, or RESET 'execution.savepoint.path' to start without the savepoint",
      });
    }
  } finally {
    store.close();
  }
}

export function openDurableState(
  dir: string,
  key: string,
  plan: PlannedPipeline,
  options: { fresh: boolean; intervalMs: number; minPauseMs: number; synchronous: Synchronous; state: StateBackendOptions },
): DurableState {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${key}.db`);
  if (options.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  // The job's writes (evictions, checkpoints) run in a worker thread; see sqlite-state-store.ts.
  const store = new SqliteStateStore(path, options.synchronous, { worker: true });
  const fingerprint = planFingerprint(plan);
  const restored = store.latestCheckpoint();
  if (restored) {
    const stored = store.meta('fingerprint');
    if (stored !== fingerprint) {
      store.close();
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `The state in ${path} was written by a different job: its plan has changed since checkpoint ${restored.id}`,
        hint: `restore the SQL that wrote it, or start over with --fresh (discards that state)`,
      });
    }
  } else {
    store.setMeta('fingerprint', fingerprint);
    store.setMeta('plan', explainPhysical(plan.pipeline.root));
  }
  return { store, backend: new StateBackend(store, restored !== undefined, options.state), intervalMs: options.intervalMs, minPauseMs: options.minPauseMs, restored };
}
