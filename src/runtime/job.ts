/**
 * A running streaming job: sources feeding a tree of operators into sinks, driven on the event loop.
 *
 * - Each source runs an async loop: await the next chunk from its reader, push it synchronously through
 *   the operators (no promises per record), then await the sinks' flush (backpressure).
 * - A bounded source that finishes emits the +∞ watermark (all windows fire) and ends its stream; when every
 *   sink has seen the end of its input, the job is finished.
 * - A sink that ends early (LIMIT reached) stops the sources. `cancel()` stops everything without firing
 *   pending windows. An error anywhere fails the job and stops the rest.
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import type { SourceReader, SinkWriter } from './connector.js';
import type { MetricsRegistry } from './metrics.js';
import type { TableSourceScan } from './operators/table-source-scan.js';
import type { TableSink } from './operators/table-sink.js';
import { crashPoint } from './crash-points.js';
import type { StateBackend } from './state/state-backend.js';
import { SqliteStateStore, type CheckpointData } from './state/sqlite-state-store.js';
import type { ParallelPart } from './parallel/part.js';

/** How a job checkpoints: where its state goes and how often. */
export interface CheckpointConfig {
  readonly store: SqliteStateStore;
  readonly backend: StateBackend;
  /** Milliseconds between the starts of two checkpoints (Flink's `execution.checkpointing.interval`). */
  readonly intervalMs: number;
  /** Least milliseconds between the end of a checkpoint and the start of the next (Flink's min-pause; default 0). */
  readonly minPauseMs?: number;
  /** The checkpoint the job restored from, if any. */
  readonly restored?: CheckpointData;
}

/**
 * Whether a checkpoint is due at `now`, as Flink schedules them: `intervalMs` after the start of the last
 * one (or of the job), and at least `minPauseMs` after the end of the last one. A checkpoint that took
 * longer than the interval is followed at once (with the default pause of 0).
 */
export function checkpointDue(now: number, lastStart: number, lastEnd: number, cfg: { readonly intervalMs: number; readonly minPauseMs?: number }): boolean {
  return now - lastStart >= cfg.intervalMs && now - lastEnd >= (cfg.minPauseMs ?? 0);
}

/** Checkpoint statistics of a job. */
export interface CheckpointStats {
  readonly completed: number;
  /**
   * Duration of each completed checkpoint in ms, oldest first (the last 1000): from its start until its
   * state was durable and its sinks committed.
   */
  readonly durations: readonly number[];
  /**
   * How long each checkpoint held the sources, in ms (the last 1000): sink pre-commits and handing the
   * state changes to the store's writer. The write itself overlaps with processing.
   */
  readonly pauses?: readonly number[];
  readonly lastId: number;
  readonly lastTime?: number;
}

/** One source of a job: a reader and the scan operator its rows go through. */
export interface SourceTask {
  readonly name: string;
  readonly reader: SourceReader;
  readonly scan: TableSourceScan;
  /**
   * The reader's position after the last chunk that went all the way through the pipeline. Checkpoints
   * store this, never the reader's live position: a chunk already returned by `next()` but not yet
   * processed (it waits for the checkpoint to finish) must be read again after a restore.
   */
  position?: unknown;
  /**
   * Writes what the source reported about the chunk it just returned (its dead letters), once the chunk is
   * sure to be processed: so a chunk dropped by a stop is neither processed nor dead-lettered.
   */
  beforeChunk?: () => void;
  /** The same, for what processing the chunk reported (NULL event times, failed expressions). */
  afterChunk?: () => void;
  /** Forgets what the source reported about a chunk that will not be processed. */
  dropChunk?: () => void;
}

/** One sink of a job. */
export interface SinkTask {
  readonly operator: TableSink;
  readonly writer: SinkWriter;
  /** A dead-letter table: written and checkpointed like any sink, but the job does not wait for its end. */
  readonly auxiliary?: boolean;
}

/** How long a source may run without letting other work on the event loop have a turn. */
const YIELD_EVERY_MS = 20;

export type JobStatus = 'created' | 'running' | 'finished' | 'stopped' | 'cancelled' | 'failed';

/** A job's answer to Eddy.settle: whether it has processed all its available input, and how much it processed. */
export interface SettleProbe {
  readonly caughtUp: boolean;
  /** Chunks with rows processed so far. */
  readonly processed: number;
}

export class Job {
  private status: JobStatus = 'created';
  private stopping = false;
  private cancelled = false;
  private failure?: unknown;
  private readonly wakers = new Set<() => void>();
  /** True once sinks, operators and sources are open (periodic work may run). */
  private started = false;

  private stopRequest?: { savepoint?: string; done: (path: string | undefined) => void; failed: (err: unknown) => void };
  /** The part of a checkpoint that holds the sources (until its changes are handed to the store). */
  private checkpointing?: Promise<void>;
  /** The rest of a checkpoint: waiting until it is durable, then the sinks' commits. One at a time. */
  private completing?: Promise<void>;
  /** When the last checkpoint completed (or the job started). */
  private lastCheckpointAt = Date.now();
  /** When the last checkpoint started (or the job started). */
  private lastCheckpointStartedAt = this.lastCheckpointAt;
  private checkpointId: number;
  private readonly durations: number[] = [];
  private readonly pauses: number[] = [];
  private completedCheckpoints = 0;
  /** Sources holding a chunk between `next()` and the end of its processing. */
  private readonly processing = new Set<SourceTask>();
  /** Sources whose reader has ended (`next()` returned null). */
  private readonly endedSources = new Set<SourceTask>();
  private chunksWithRows = 0;

  constructor(
    readonly name: string,
    readonly sources: readonly SourceTask[],
    readonly sinks: readonly SinkTask[],
    readonly metrics: MetricsRegistry,
    /** Opens every operator (called once, before the sources start). */
    private readonly openOperators: () => void,
    /** Checkpointing, when the job has a state store. */
    private readonly checkpoints?: CheckpointConfig,
    /** The job's state (for savepoints of jobs without a state store). */
    private readonly stateBackend?: StateBackend,
    /** Identifies the plan, stored in savepoints (see the engine's planFingerprint). */
    private readonly fingerprint = '',
    /** Releases what operators hold open (a lookup join's table), when the job ends however it ends. */
    private readonly closeOperators: () => void = () => {},
    /** One instance of a job running in parallel (see runtime/parallel): its channels to the others. */
    private readonly parallel?: ParallelPart,
  ) {
    this.checkpointId = checkpoints?.restored?.id ?? 0;
  }

  /** The checkpoint this job resumed from, if it restored one. */
  get restoredFrom(): CheckpointData | undefined {
    return this.checkpoints?.restored;
  }

  /** Checkpoints taken so far. */
  get checkpointStats(): CheckpointStats {
    return { completed: this.completedCheckpoints, durations: this.durations, pauses: this.pauses, lastId: this.checkpointId, lastTime: this.checkpoints ? this.lastCheckpointAt : undefined };
  }

  get state(): JobStatus {
    return this.status;
  }

  /** Entries in the job's state tables (in memory and spilled). */
  get stateEntries(): number {
    return this.stateBackend?.entries ?? 0;
  }

  /** The minimum watermark over the job's sources (-∞ before any). */
  get watermark(): number {
    let min = Infinity;
    for (const s of this.sources) min = Math.min(min, s.scan.watermark);
    return this.sources.length === 0 ? -Infinity : min;
  }

  /** What the sources are going through when they are not simply reading (see SourceReader.health), or undefined. */
  get health(): string | undefined {
    const notes = this.sources.map((s) => s.reader.health?.()).filter((h): h is string => h !== undefined);
    return notes.length > 0 ? notes.join('; ') : undefined;
  }

  /**
   * What Eddy.settle asks of a job: whether it has caught up (see {@link caughtUp}, and nothing was processed while
   * that was being found out), and how many chunks with rows it has processed so far.
   */
  async settleProbe(): Promise<SettleProbe> {
    const processed = this.chunksWithRows;
    const caughtUp = await this.caughtUp();
    return { caughtUp: caughtUp && this.chunksWithRows === processed, processed };
  }

  /**
   * Whether the job has processed all the input its sources can read now: no source holds a chunk, and each has
   * ended or says it has caught up (SourceReader.caughtUp). A job that is not running has nothing left to do. A
   * source that cannot tell (no `caughtUp`, unbounded) makes this fail: nobody can know when it is done.
   */
  async caughtUp(): Promise<boolean> {
    if (this.status === 'created') return false;
    if (this.status !== 'running') return true;
    if (this.parallel) {
      throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: `Job '${this.name}' runs in parallel instances, which cannot tell yet whether they have read all their input`, hint: "SET 'parallelism.default' = '1'" });
    }
    if (!this.started || this.checkpointing) return false;
    for (const s of this.sources) {
      if (this.processing.has(s) || s.scan.holding) return false;
      if (this.endedSources.has(s)) continue;
      if (s.reader.caughtUp) {
        if (!(await s.reader.caughtUp())) return false;
        // It may have handed out a chunk meanwhile.
        if (this.processing.has(s)) return false;
      } else if (!s.reader.bounded) {
        throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: `Job '${this.name}': the source of table '${s.scan.config.tableName}' cannot tell whether it has read all its input` });
      } else return false;
    }
    return true;
  }

  /**
   * Makes what the job has processed visible downstream: a checkpoint (resolving once it completed, so that
   * transactional sinks committed), or without checkpoints a flush of the sinks. Nothing for a job not running.
   */
  async checkpointNow(): Promise<void> {
    if (this.status !== 'running' || !this.started || this.stopping) return;
    if (this.checkpoints) await this.checkpoint(true);
    else await this.flushSinks();
  }

  /** True when every source will end by itself. */
  get bounded(): boolean {
    return this.sources.every((s) => s.reader.bounded);
  }

  /** Runs the job to its end: resolves when finished or cancelled, rejects when it fails. */
  async run(): Promise<void> {
    if (this.status !== 'created') throw new Error(`job ${this.name} was already started`);
    this.status = 'running';
    let stoppedAt: { path: string | undefined } | undefined;
    // Checkpoints (and state expiry) also happen while no input arrives, e.g. a monitored source that is idle.
    const timer = this.checkpoints || this.stateBackend?.hasTtl ? setInterval(() => void this.onTimer(), Math.max(50, Math.min(this.checkpoints?.intervalMs ?? 1000, 1000))) : undefined;
    timer?.unref();
    const idleTimeouts = this.sources.map((s) => s.scan.config.idleTimeoutMs).filter((t): t is number => t !== undefined);
    // Idle splits (`scan.watermark.idle-timeout`) stop holding the watermark back also while no chunk arrives.
    const idleTimer = idleTimeouts.length > 0 ? setInterval(() => void this.onIdleTimer(), Math.max(50, Math.min(1000, Math.min(...idleTimeouts) / 4))) : undefined;
    idleTimer?.unref();
    try {
      for (const s of this.sinks) await s.writer.open();
      this.openOperators();
      if (this.parallel) {
        this.parallel.onFailure((err) => this.failWith(err));
        this.parallel.links.start(
          () => this.sinkFlushSoon(),
          (err) => this.failWith(err),
        );
      }
      if (this.checkpoints?.restored) crashPoint('during-recovery');
      for (const s of this.sinks) s.operator.whenEnded(() => this.onSinkEnded());
      for (const s of this.sources) {
        await s.reader.open();
        s.position = s.reader.position?.();
      }
      this.started = true;
      await Promise.all(this.sources.map((s) => this.runSource(s)));
      // In parallel, the other instances may still send rows: until every exchange has ended everywhere.
      if (this.parallel && !this.stopping) await this.parallel.links.drained();
      await this.checkpointsSettled();
      if (this.failure !== undefined) throw this.failure;
      for (const s of this.sinks) await s.writer.flush();
      if (this.stopRequest) {
        stoppedAt = { path: await this.stopWithSavepoint(this.stopRequest.savepoint) };
        this.status = 'stopped';
        return;
      }
      // A finished job takes a last checkpoint: its output is then committed, and running it again with the
      // same state resumes at the end instead of repeating it.
      if (this.checkpoints && !this.cancelled) await this.checkpoint();
      if (this.failure !== undefined) throw this.failure;
      // (Read again: STOP JOB may have arrived during the last checkpoint.)
      const lateStop = this.stopRequest as Job['stopRequest'];
      if (lateStop) {
        // The job is at its end already; honour the savepoint anyway.
        stoppedAt = { path: await this.stopWithSavepoint(lateStop.savepoint) };
        this.status = 'stopped';
        return;
      }
      this.status = this.cancelled ? 'cancelled' : 'finished';
    } catch (err) {
      this.stopRequest?.failed(err);
      this.status = 'failed';
      this.failure = err;
      this.stopping = true;
      if (err instanceof EddyError) throw err;
      // Anything else (a failed system call in a connector, a bug) still ends as a clear error, not a crash;
      // the original stays available as `cause` (the CLI prints it with EDDY_DEBUG=1).
      const e = err as NodeJS.ErrnoException;
      const failure = new EddyError({
        code: typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) ? ErrorCode.IO_FAILED : ErrorCode.JOB_FAILED,
        message: `Job '${this.name}' failed: ${e?.message ?? String(err)}`,
        hint: this.checkpoints ? 'run it again: it resumes from its last checkpoint' : undefined,
      });
      (failure as { cause?: unknown }).cause = err;
      throw failure;
    } finally {
      if (timer) clearInterval(timer);
      if (idleTimer) clearInterval(idleTimer);
      await this.checkpointsSettled();
      if (this.parallel) {
        this.parallel.links.stop();
        await this.parallel.close(this.status === 'finished').catch((err: unknown) => {
          // An instance that failed while this one finished still fails the job.
          if (this.status === 'finished') {
            this.status = 'failed';
            throw err;
          }
        });
      }
      await Promise.allSettled(this.sources.map((s) => s.reader.close()));
      await Promise.allSettled(this.sinks.map((s) => s.writer.close()));
      this.closeOperators();
      await this.checkpoints?.store.close();
      // STOP JOB resolves only now: the job has released its files, so a new job may open them at once.
      if (stoppedAt) this.stopRequest?.done(stoppedAt.path);
    }
  }

  /** Waits until no checkpoint is under way (whether it succeeds or not). */
  private async checkpointsSettled(): Promise<void> {
    while (this.checkpointing || this.completing) await (this.checkpointing ?? this.completing)!.catch(() => {});
  }

  /** Periodic work that must not wait for input: checkpoints and state expiry. */
  private async onTimer(): Promise<void> {
    if (!this.started || this.status !== 'running' || this.stopping) return;
    try {
      this.maybeExpireState();
      await this.maybeCheckpoint();
    } catch (err) {
      this.failWith(err);
    }
  }

  /**
   * Lets sources whose splits went idle advance their watermark (see TableSourceScan.advanceIdle). Not while a
   * checkpoint holds the sources (fired windows must not slip between its flush and its commit); a scan holding a
   * paced chunk waits for it.
   */
  private async onIdleTimer(): Promise<void> {
    if (!this.started || this.status !== 'running' || this.stopping || this.checkpointing) return;
    try {
      const now = Date.now();
      let advanced = false;
      for (const s of this.sources) if (s.scan.advanceIdle(now)) advanced = true;
      if (advanced) await this.flushSinks();
    } catch (err) {
      this.failWith(err);
    }
  }

  /** Fails the job: sources stop, and the job ends with `err`. */
  private failWith(err: unknown): void {
    if (this.failure === undefined) this.failure = err;
    this.stopping = true;
    this.stopParallel();
    this.wakeAll();
    for (const s of this.sources) void s.reader.close();
  }

  /**
   * Stops the job gracefully: sources stop at a chunk boundary, pending windows stay in the state (they do
   * not fire), a last checkpoint is taken (jobs with a state store), and with `savepoint` the state is
   * written to that file, from which a later job can resume (`SET 'execution.savepoint.path'`). Resolves
   * with the savepoint's path once the job has stopped.
   */
  stop(savepoint?: string): Promise<string | undefined> {
    if (this.status !== 'running' || this.stopRequest) return Promise.reject(new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Job '${this.name}' is not running (${this.status})` }));
    if (this.parallel && savepoint) {
      return Promise.reject(new EddyError({ code: ErrorCode.UNSUPPORTED, message: `Job '${this.name}' runs in parallel instances: a savepoint of them all is not supported yet`, hint: 'STOP JOB without a savepoint, or run the job with parallelism.default = 1' }));
    }
    return new Promise((done, failed) => {
      this.stopRequest = { savepoint, done, failed };
      this.stopping = true;
      this.stopParallel();
      this.wakeAll();
      for (const s of this.sources) void s.reader.close();
    });
  }

  private async stopWithSavepoint(path: string | undefined): Promise<string | undefined> {
    if (this.checkpoints) {
      await this.checkpoint();
      if (path) this.checkpoints.store.copyTo(path);
      return path;
    }
    if (!path) return undefined;
    // A job without a state store writes its whole state into a new store at `path`.
    const store = new SqliteStateStore(path);
    try {
      const sinkInfo: Record<string, unknown> = {};
      for (const s of this.sinks) {
        await s.writer.flush();
        if (s.writer.preCommit) sinkInfo[s.operator.name] = await s.writer.preCommit(1);
      }
      const sources: Record<string, unknown> = {};
      for (const s of this.sources) sources[s.name] = s.position ?? null;
      store.setMeta('fingerprint', this.fingerprint);
      await store.commit({ id: 1, time: Date.now(), sources, sinks: sinkInfo }, () => this.stateBackend?.writeAllTo(store));
      for (const s of this.sinks) {
        const info = sinkInfo[s.operator.name];
        if (info !== undefined && s.writer.commit) await s.writer.commit(info);
      }
    } finally {
      await store.close();
    }
    return path;
  }

  /** Stops the job: sources stop reading; pending windows do not fire. */
  async cancel(): Promise<void> {
    if (this.status !== 'running' && this.status !== 'created') return;
    this.cancelled = true;
    this.stopping = true;
    this.stopParallel();
    this.wakeAll();
    await Promise.allSettled(this.sources.map((s) => s.reader.close()));
  }

  private onSinkEnded(): void {
    if (this.sinks.every((s) => s.auxiliary || s.operator.hasEnded) && this.sources.length > 0) {
      // Every output is complete (e.g. LIMIT reached): no need to read further.
      this.stopping = true;
      this.stopParallel();
      this.wakeAll();
      for (const s of this.sources) void s.reader.close();
    }
  }

  private async runSource(task: SourceTask): Promise<void> {
    let lastYield = Date.now();
    try {
      for (;;) {
        // A source that always has data ready (a fast datagen, a large file) would otherwise keep the event
        // loop to itself: timers, signals and the shell's screen get a turn at least every 20 ms.
        if (Date.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = Date.now();
        }
        if (this.stopping) break;
        this.processing.delete(task);
        const chunk = await task.reader.next();
        this.processing.add(task);
        if (this.stopping) {
          task.dropChunk?.();
          break;
        }
        if (chunk === null) {
          this.endedSources.add(task);
          // Windows fired now must not slip between a checkpoint's sink flush and its commit.
          while (this.checkpointing) await this.checkpointing;
          task.beforeChunk?.();
          task.scan.finish();
          task.afterChunk?.();
          task.position = task.reader.position?.();
          await this.flushSinks();
          this.processing.delete(task);
          return;
        }
        // No rows may enter the pipeline while a checkpoint is being taken.
        while (this.checkpointing) await this.checkpointing;
        task.beforeChunk?.();
        let pending = task.scan.processChunk(chunk);
        while (pending && !this.stopping) {
          await this.pause(pending.delayMs);
          pending = task.scan.resume();
        }
        // A stop (unlike a cancel) keeps what was processed: the rest of a chunk held back by pacing goes
        // through at once, so the recorded position and the state agree.
        if (pending && this.stopRequest) pending = task.scan.releaseAll();
        // The position moves on only once the whole chunk went through (a chunk cut short by a stop is
        // read again after a restore).
        task.afterChunk?.();
        if (!pending) task.position = task.reader.position?.();
        if (chunk.rows.length > 0) this.chunksWithRows++;
        if (this.parallel) {
          // Rows for other instances go now; while the channels are full, this source waits.
          this.parallel.links.flush();
          const room = this.parallel.links.ready();
          if (room) await room;
        }
        this.stateBackend?.maintain();
        await this.flushSinks();
        this.maybeExpireState();
        await this.maybeCheckpoint();
      }
      if (!this.sinks.every((s) => s.auxiliary || s.operator.hasEnded)) task.scan.cancel();
    } catch (err) {
      if (this.failure === undefined) this.failure = err;
      this.stopping = true;
      for (const s of this.sources) void s.reader.close();
    }
  }

  /** Waits `ms`, or less if the job is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private wakeAll(): void {
    for (const w of [...this.wakers]) w();
  }

  private lastExpiry = Date.now();

  /** Removes idle state (table.exec.state.ttl) about once a second. */
  private maybeExpireState(): void {
    const backend = this.stateBackend;
    if (!backend?.hasTtl) return;
    const now = Date.now();
    if (now - this.lastExpiry < 1000) return;
    this.lastExpiry = now;
    backend.expire(now);
  }

  /**
   * Takes a checkpoint when the interval has passed (or evicted changes waiting for a commit grew large),
   * no source holds a chunk half-processed, and the previous checkpoint has completed (while it has not,
   * the next one waits: at most one is under way).
   */
  private async maybeCheckpoint(): Promise<void> {
    const cfg = this.checkpoints;
    if (!cfg || this.stopping || this.completing) return;
    if (!checkpointDue(Date.now(), this.lastCheckpointStartedAt, this.lastCheckpointAt, cfg) && !cfg.backend.needsCommit) return;
    if (this.sources.some((s) => s.scan.holding)) return;
    await this.checkpoint(false);
  }

  /**
   * A checkpoint, in two parts.
   *
   * 1. Sources are held: sinks flush and pre-commit, the sources' positions are taken, and every changed
   *    state entry is handed to the store together with the checkpoint record (positions, sinks' commit
   *    information); the store writes all of it in one SQLite transaction, in its writer thread. So the
   *    positions, the state and the sinks' data all describe the same point of the input.
   * 2. Sources go on while the store writes. Once the transaction is durable, the sinks commit (the
   *    checkpoint is then complete). Output produced meanwhile belongs to the next checkpoint; that one
   *    starts only after this one completed.
   *
   * `wait`: resolve only once the checkpoint completed (the last checkpoint, savepoints); otherwise once the
   * sources may go on. A checkpoint that fails fails the job: the state tables have already handed over
   * their changes, so the only consistent way on is a restart from the last completed checkpoint.
   */
  private async checkpoint(wait = true): Promise<void> {
    // Never join a checkpoint already under way: the caller may have produced output after it began.
    while (this.checkpointing || this.completing) await (this.checkpointing ?? this.completing);
    if (this.failure !== undefined) throw this.failure;
    // While it waited, a source may have begun a chunk that pacing holds half-released: its rows already
    // reached the sinks, but its position is still before the chunk. A periodic checkpoint must not record
    // that (a restore would repeat those rows); it comes again once the chunk is through.
    if (!wait && this.sources.some((s) => s.scan.holding)) return;
    const cfg = this.checkpoints!;
    const started = Date.now();
    this.lastCheckpointStartedAt = started;
    const id = this.checkpointId + 1;
    const hold = async () => {
      const sinkInfo: Record<string, unknown> = {};
      for (const s of this.sinks) {
        await s.writer.flush();
        if (s.writer.preCommit) sinkInfo[s.operator.name] = await s.writer.preCommit(id);
      }
      const sources: Record<string, unknown> = {};
      for (const s of this.sources) sources[s.name] = s.position ?? null;
      crashPoint('before-state-commit');
      // A checkpoint waited for (the last one, a stop) streams its state to the writer as it is encoded.
      const durable = cfg.store.commit({ id, time: started, sources, sinks: sinkInfo }, () => cfg.backend.writeChanges(), { stream: wait });
      this.pauses.push(Date.now() - started);
      if (this.pauses.length > 1000) this.pauses.shift();
      this.completing = this.complete(id, started, sinkInfo, durable, sources)
        .catch((err: unknown) => {
          this.failWith(err);
          throw err;
        })
        .finally(() => {
          this.completing = undefined;
        });
      // Nobody may be left with an unhandled rejection: whoever waits for it sees the failure.
      this.completing.catch(() => {});
    };
    this.checkpointing = hold()
      .catch((err: unknown) => {
        // A failed checkpoint fails the job (the state tables already handed over their changes).
        if (this.failure === undefined) this.failure = err;
        throw err;
      })
      .finally(() => {
        this.checkpointing = undefined;
      });
    await this.checkpointing;
    if (wait) await this.completing;
  }

  /** The second part of a checkpoint: once its transaction is durable, the sinks commit. */
  private async complete(id: number, started: number, sinkInfo: Record<string, unknown>, durable: Promise<void>, positions: Record<string, unknown>): Promise<void> {
    const cfg = this.checkpoints!;
    await durable;
    this.checkpointId = id;
    crashPoint('after-state-commit');
    for (const s of this.sinks) {
      const info = sinkInfo[s.operator.name];
      if (info !== undefined && s.writer.commit) await s.writer.commit(info);
    }
    for (const s of this.sources) {
      if (!s.reader.checkpointCompleted) continue;
      try {
        s.reader.checkpointCompleted(positions[s.name], id);
      } catch {
        // A source's report of its progress to the outside world never fails the job (see SourceReader).
      }
    }
    if (id % 20 === 0) cfg.store.reclaim();
    this.lastCheckpointAt = Date.now();
    this.completedCheckpoints++;
    this.durations.push(this.lastCheckpointAt - started);
    if (this.durations.length > 1000) this.durations.shift();
  }

  /** Stops the other instances of a parallel job, and this one's processing of what they send. */
  private stopParallel(): void {
    if (!this.parallel) return;
    this.parallel.links.stop();
    this.parallel.stopOthers();
  }

  private sinkFlushScheduled = false;

  /** Flushes the sinks soon (rows from other instances arrived), once for all that arrive in one turn. */
  private sinkFlushSoon(): void {
    if (this.sinkFlushScheduled || this.sinks.length === 0) return;
    this.sinkFlushScheduled = true;
    setImmediate(() => {
      this.sinkFlushScheduled = false;
      this.flushSinks().catch((err: unknown) => this.failWith(err));
    });
  }

  private async flushSinks(): Promise<void> {
    for (const s of this.sinks) await s.writer.flush();
  }
}
