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
import { typeToString } from '../common/types.js';
import { nodeId, sortedEntries } from '../planner/node-id.js';
import { physicalInputs, type PhysicalPipeline, type PhysicalPlan } from '../planner/physical-plan.js';
import type { PlannedPipeline } from '../planner/planner.js';
import { stateDescriptors } from '../planner/state-declarations.js';
import { StateBackend, type StateBackendOptions } from '../runtime/state/state-backend.js';
import { STATE_FORMAT_VERSION, SqliteStateStore, type CheckpointData, type Synchronous } from '../runtime/state/sqlite-state-store.js';

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

/** A job's plan: one planned statement, or the pipelines of its sinks. */
export type JobPlan = PlannedPipeline | readonly PhysicalPipeline[];

/** The pipelines of a job's sinks. */
export function pipelinesOf(plan: JobPlan): readonly PhysicalPipeline[] {
  return Array.isArray(plan) ? plan : [(plan as PlannedPipeline).pipeline];
}

/**
 * A fingerprint of everything in a job's plan that decides the shape of its state: each sink (its table
 * and columns) with the id of the node feeding it, and each node's id with its declared state. Node ids
 * hash the plan's structure (node-id.ts), so this does not depend on EXPLAIN's wording.
 */
export function planFingerprint(plan: JobPlan): string {
  const hash = createHash('sha256').update(`eddy-state-plan ${STATE_FORMAT_VERSION}\n`);
  const nodes = new Map<string, PhysicalPlan>();
  const walk = (p: PhysicalPlan) => {
    const id = nodeId(p);
    if (nodes.has(id)) return;
    nodes.set(id, p);
    physicalInputs(p).forEach(walk);
  };
  for (const pipeline of pipelinesOf(plan)) {
    const table = pipeline.sink.kind === 'table' ? pipeline.sink.table : undefined;
    // A sink's OPTIONS hint (another path, another topic) makes it another sink; without one, as before.
    const sink = table ? [table.name, table.options['connector'], ...(table.dynamicOptions ? [sortedEntries(table.dynamicOptions)] : [])] : ['collect'];
    hash.update(JSON.stringify(['sink', ...sink, pipeline.schema.map((f) => [f.name, typeToString(f.type)]), nodeId(pipeline.root)])).update('\n');
    walk(pipeline.root);
  }
  for (const id of [...nodes.keys()].sort()) hash.update(JSON.stringify(['node', id, stateDescriptors(nodes.get(id)!)])).update('\n');
  return hash.digest('hex').slice(0, 16);
}

/** The physical plans of a job's sinks as EXPLAIN text (stored with its state, for people to read). */
function planText(plan: JobPlan): string {
  return pipelinesOf(plan)
    .map((p) => `${explainSink(p)}\n${explainPhysical(p.root)}`)
    .join('\n\n');
}

/** Checks that a savepoint file was written by this plan (before anything is copied or overwritten). */
export function checkSavepoint(file: string, plan: JobPlan): void {
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
  plan: JobPlan,
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
    store.setMeta('plan', planText(plan));
  }
  return { store, backend: new StateBackend(store, restored !== undefined, options.state), intervalMs: options.intervalMs, minPauseMs: options.minPauseMs, restored };
}
