/**
 * The session's jobs as people watch them: every INSERT job, materialized view's job and query, with its
 * metrics (rows in/out and their rates, watermark and its lag, late and bad rows, state, checkpoints), and
 * the events of their lives (started or resumed, a checkpoint completed, ended or failed) for whoever
 * listens — `eddy serve`'s log, SHOW JOBS, `GET /v1/jobs`, `GET /metrics`.
 *
 * - A job that fails stays listed, with its error, until the session ends (a failed INSERT or view job
 *   must not vanish); jobs that finish or are cancelled leave the list, as before.
 * - Rates are measured over the last RATE_WINDOW_MS, from samples taken once a second while jobs run; the
 *   same sampling notices completed checkpoints (one event per sample, naming the newest checkpoint).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { EddyError, ErrorCode } from '../common/errors.js';
import type { JobHandle } from './job-handle.js';
import type { QueryHandle } from './query-handle.js';
import type { Progress } from './job-summary.js';

/** What a job does: an INSERT (or statement set), a materialized view's upkeep, or a SELECT. */
export type JobKind = 'insert' | 'view' | 'query';

/** A completed checkpoint: its id, when it was taken (epoch ms), and how long it took. */
export interface CheckpointInfo {
  readonly id: number;
  readonly time: number;
  readonly durationMs?: number;
}

/** Why a job failed: the error's code, message and hint, and the error as the CLI renders it. */
export interface JobFailure {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly rendered: string;
}

/** One job's status and figures at one moment. */
export interface JobMetrics {
  readonly id: string;
  readonly name: string;
  readonly kind: JobKind;
  /** RUNNING, FINISHED, CANCELLED, STOPPED or FAILED. */
  readonly status: string;
  readonly startTime: number;
  readonly endTime?: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
  /** Rows per second over the last few seconds (0 once ended). */
  readonly rowsInPerSecond: number;
  readonly rowsOutPerSecond: number;
  /** The event-time watermark (epoch ms): -Infinity before the first, +Infinity once bounded input ended. */
  readonly watermark: number;
  /** How far the watermark is behind the wall clock (ms), while it is a finite time. */
  readonly watermarkLagMs?: number;
  readonly lateRows: number;
  readonly badRows: number;
  readonly stateEntries: number;
  /** Bytes of the job's state file(s) on disk (with a state directory; undefined when state is in memory). */
  readonly stateBytes?: number;
  /** Checkpoints completed by this run of the job. */
  readonly checkpoints: number;
  /** The newest checkpoint: completed by this run, or the one it resumed from. */
  readonly lastCheckpoint?: CheckpointInfo;
  readonly error?: JobFailure;
  /** What the job's sources are going through when they are not simply reading (`retrying: ...`), while running. */
  readonly health?: string;
  /** Every counter, by operator (`Source: t`, `Sink: v`, ...). */
  readonly operators: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Something that happened to a job. */
export type JobEvent =
  | { readonly kind: 'started'; readonly job: JobMetrics; readonly resumedFrom?: CheckpointInfo }
  | { readonly kind: 'checkpoint'; readonly job: JobMetrics; readonly checkpoint: CheckpointInfo }
  /** The job ended: `job.status` says how, `job.error` why it failed. */
  | { readonly kind: 'ended'; readonly job: JobMetrics };

/** How far back rates look. */
const RATE_WINDOW_MS = 5000;
/** How often running jobs are sampled. */
const SAMPLE_INTERVAL_MS = 1000;

interface Sample {
  readonly time: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
}

interface Entry {
  readonly handle: JobHandle | QueryHandle;
  readonly kind: JobKind;
  samples: Sample[];
  checkpointsSeen: number;
  /** Set when the job has ended: its last figures. */
  final?: JobMetrics;
}

/** The jobs of one session and their metrics (see the file's comment). */
export class JobRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    /** Where durable jobs keep their state files (to measure them). */
    private readonly stateDir: string | undefined,
  ) {}

  /** Calls `fn` with every job event from now on; returns how to stop. */
  listen(fn: (event: JobEvent) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** Watches a job that has just been started. */
  register(handle: JobHandle | QueryHandle, kind: JobKind): void {
    const entry: Entry = { handle, kind, samples: [], checkpointsSeen: 0 };
    this.entries.set(handle.id, entry);
    const restored = 'jobs' in handle ? handle.jobs.find((j) => j.restoredFrom)?.restoredFrom : undefined;
    this.emit({ kind: 'started', job: this.metrics(entry), ...(restored ? { resumedFrom: { id: restored.id, time: restored.time } } : {}) });
    this.ensureTimer();
    handle.done.then(
      () => this.ended(entry),
      // After the session's own handler, which gives the error its statement's text for rendering.
      (err: unknown) => queueMicrotask(() => this.ended(entry, err)),
    );
  }

  /** Every job listed: the running ones and the failed ones, oldest first. */
  list(): JobMetrics[] {
    return [...this.entries.values()].map((e) => e.final ?? this.metrics(e));
  }

  /** One job's metrics, by id. */
  get(id: string): JobMetrics | undefined {
    const e = this.entries.get(id);
    return e ? (e.final ?? this.metrics(e)) : undefined;
  }

  /** Removes a job from the list (a dropped materialized view's failed job). */
  forget(id: string): void {
    const e = this.entries.get(id);
    if (e?.final) this.entries.delete(id);
  }

  /** Stops sampling (the session is closing). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private ended(entry: Entry, err?: unknown): void {
    this.sample(entry);
    const failed = err !== undefined;
    const final = { ...this.metrics(entry, failed ? failureOf(err) : undefined), rowsInPerSecond: 0, rowsOutPerSecond: 0, endTime: Date.now() };
    entry.final = final;
    // A failed INSERT or view job stays listed with its error; anything else leaves the list.
    if (!(failed && entry.kind !== 'query')) this.entries.delete(entry.handle.id);
    this.emit({ kind: 'ended', job: final });
    if (![...this.entries.values()].some((e) => !e.final)) this.close();
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const e of this.entries.values()) if (!e.final) this.sample(e);
    }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Records a rate sample, and reports a checkpoint completed since the last one. */
  private sample(entry: Entry): void {
    const p = entry.handle.progress();
    const now = Date.now();
    entry.samples.push({ time: now, rowsIn: p.summary.rowsIn, rowsOut: p.summary.rowsOut });
    while (entry.samples.length > 2 && now - entry.samples[1]!.time >= RATE_WINDOW_MS) entry.samples.shift();
    if (p.checkpoints > entry.checkpointsSeen) {
      entry.checkpointsSeen = p.checkpoints;
      const m = this.metrics(entry);
      if (m.lastCheckpoint) this.emit({ kind: 'checkpoint', job: m, checkpoint: m.lastCheckpoint });
    }
  }

  private metrics(entry: Entry, error?: JobFailure): JobMetrics {
    const { handle, kind } = entry;
    const p: Progress = handle.progress();
    const now = Date.now();
    const first = entry.samples[0] ?? { time: handle.startTime, rowsIn: 0, rowsOut: 0 };
    const seconds = Math.max((now - first.time) / 1000, 0.001);
    const status = error ? 'FAILED' : handle.status.toUpperCase();
    const checkpoint = lastCheckpoint(handle);
    const stateBytes = 'keys' in handle ? this.stateBytes(handle.keys) : undefined;
    const operators = 'jobs' in handle ? mergeOperators(handle.jobs.map((j) => j.metrics.snapshot())) : handle.job.metrics.snapshot();
    return {
      id: handle.id,
      name: handle.description.replace(/\s+/g, ' ').trim(),
      kind,
      status,
      startTime: handle.startTime,
      rowsIn: p.summary.rowsIn,
      rowsOut: p.summary.rowsOut,
      rowsInPerSecond: round((p.summary.rowsIn - first.rowsIn) / seconds),
      rowsOutPerSecond: round((p.summary.rowsOut - first.rowsOut) / seconds),
      watermark: p.watermark,
      ...(Number.isFinite(p.watermark) ? { watermarkLagMs: Math.max(0, now - p.watermark) } : {}),
      lateRows: p.summary.lateRowsDropped,
      badRows: p.summary.badRowsSkipped,
      stateEntries: p.stateEntries,
      ...(stateBytes !== undefined ? { stateBytes } : {}),
      checkpoints: p.checkpoints,
      ...(checkpoint ? { lastCheckpoint: checkpoint } : {}),
      ...(error ? { error } : {}),
      ...(p.health !== undefined && !error ? { health: p.health } : {}),
      operators,
    };
  }

  /** The size of a job's state files (database and write-ahead log), when it has a state directory. */
  private stateBytes(keys: readonly string[]): number | undefined {
    if (!this.stateDir || keys.length === 0) return undefined;
    let bytes = 0;
    for (const key of keys) {
      for (const suffix of ['.db', '.db-wal']) {
        try {
          bytes += statSync(join(this.stateDir, key + suffix)).size;
        } catch {
          // Not written yet (or no WAL at the moment).
        }
      }
    }
    return bytes;
  }

  private emit(event: JobEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(event);
      } catch {
        // A listener's failure (a closed log stream) must not break the job.
      }
    }
  }
}

/** The newest checkpoint of a job: completed by this run, or the one it resumed from. */
function lastCheckpoint(handle: JobHandle | QueryHandle): CheckpointInfo | undefined {
  const runners = 'jobs' in handle ? handle.jobs : [handle.job];
  let best: CheckpointInfo | undefined;
  for (const j of runners) {
    const s = j.checkpointStats;
    const restored = 'restoredFrom' in j ? (j as { restoredFrom?: { id: number; time: number } }).restoredFrom : undefined;
    const info: CheckpointInfo | undefined =
      s.completed > 0 && s.lastTime !== undefined
        ? { id: s.lastId, time: s.lastTime, ...(s.durations.length ? { durationMs: s.durations[s.durations.length - 1]! } : {}) }
        : restored
          ? { id: restored.id, time: restored.time }
          : undefined;
    if (info && (!best || info.id > best.id)) best = info;
  }
  return best;
}

/** The counters of several jobs, by operator (counters of one operator name added up). */
function mergeOperators(snapshots: readonly Record<string, Record<string, number>>[]): Record<string, Record<string, number>> {
  if (snapshots.length === 1) return snapshots[0]!;
  const out: Record<string, Record<string, number>> = {};
  for (const snap of snapshots) {
    for (const [scope, counters] of Object.entries(snap)) {
      const into = (out[scope] ??= {});
      for (const [name, value] of Object.entries(counters)) into[name] = (into[name] ?? 0) + value;
    }
  }
  return out;
}

/** A job's error as the registry keeps it. */
function failureOf(err: unknown): JobFailure {
  if (err instanceof EddyError) {
    const d = err.diagnostics[0]!;
    return { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}), rendered: err.render() };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCode.JOB_FAILED, message, rendered: message };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
