/**
 * A job's durable state: one SQLite database (WAL) holding every operator's state tables and values, and
 * the latest checkpoint (source positions, sink commit information).
 *
 * Between checkpoints the writing connection keeps one write transaction open: state tables that outgrow
 * their memory budget write entries into it. A checkpoint writes the remaining changes and the checkpoint
 * record, then commits that transaction and opens the next. So after a crash the database holds exactly the
 * last completed checkpoint, and other connections (pull queries) only ever see completed checkpoints.
 *
 * Writes are batches of operations (state-writer.ts). With `worker: true` (running jobs) a worker thread
 * owns the writing connection: {@link SqliteStateStore.commit} hands the batch over and resolves once the
 * worker has committed it, while the main thread goes on; its own connection only reads, and sees
 * committed data only — the state tables keep what they handed over and is not committed yet (see
 * keyed-state-table.ts) and answer reads of it themselves. Without a worker, batches are applied on the
 * main connection at once.
 *
 * Layout (format 2): `eddy_entries (tbl INTEGER, ns BLOB, k BLOB, v BLOB, t INTEGER)`, keyed by (tbl, ns,
 * k), with table names in `eddy_tables` and keys, namespaces and values in the binary encoding of
 * packed.ts; the view `eddy_state` shows entries with their table's name.
 */
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { ChangeSink, ColdReader } from './keyed-state-table.js';
import { packKey, unpack } from './packed.js';
import { localApplier, OpWriter, startWriterWorker } from './state-writer.js';
import { damagedStateError, stateFileError, withStateFile } from './state-file-errors.js';
import type { Namespace, StateKey } from './state-types.js';

/**
 * The on-disk format version; a store written in another format is refused with a clear message.
 * 1: JSON text, table names in every row. 2: binary entries (packed.ts), table ids. 3: state named by
 * plan node ids (`<node id>/<table>`), the plan fingerprint from node ids and declared state.
 */
export const STATE_FORMAT_VERSION = 3;

/** What a checkpoint records besides operator state. */
export interface CheckpointData {
  readonly id: number;
  /** Epoch ms when it was taken. */
  readonly time: number;
  /** Each source's position, by source name. */
  readonly sources: Readonly<Record<string, unknown>>;
  /** Each sink's commit information, by sink name. */
  readonly sinks: Readonly<Record<string, unknown>>;
}

/** `state.sqlite.synchronous`: NORMAL survives process crashes; FULL survives power loss too. */
export type Synchronous = 'NORMAL' | 'FULL';

/** Options of a store. */
export interface StoreOptions {
  /** Write in a worker thread (running jobs); else on this thread, at once. */
  readonly worker?: boolean;
}

type Pending = { resolve: () => void; reject: (err: unknown) => void };

/** Bytes of a commit's state handed to the worker at a time while the rest is still being encoded. */
const STREAM_CHUNK_BYTES = 1 << 20;

export class SqliteStateStore {
  /** The main thread's connection: reads (and, without a worker, writes). */
  readonly db: Database.Database;
  private readonly getStmt: Database.Statement;
  private readonly nsRowsStmt: Database.Statement;
  private readonly nsListStmt: Database.Statement;
  private readonly valueStmt: Database.Statement;
  private readonly tableIds = new Map<string, number>();
  private nextTableId = 1;
  /** Operations not handed over yet. */
  private ops = new OpWriter();
  /** Number of the commit that the operations being written now belong to. */
  private epochNo = 1;
  private readonly committedListeners: ((epoch: number) => void)[] = [];
  private readonly useWorker: boolean;
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private closing?: Promise<void>;
  private failure?: unknown;
  private applier?: { apply(buf: Buffer): void };
  /** True while a streaming {@link commit} runs its `writeState` (see {@link wrote}). */
  private streaming = false;

  constructor(
    readonly path: string,
    private readonly synchronous: Synchronous = 'NORMAL',
    options: StoreOptions = {},
  ) {
    this.useWorker = options.worker ?? false;
    // A file that cannot be opened (garbage, truncated, a full disk) is a clear error naming it, not a raw SqliteError.
    let db: Database.Database | undefined;
    try {
      db = this.db = new Database(path);
      ({ getStmt: this.getStmt, nsRowsStmt: this.nsRowsStmt, nsListStmt: this.nsListStmt, valueStmt: this.valueStmt } = this.openTables());
    } catch (err) {
      if (db?.open) db.close();
      throw stateFileError(path, err, 'open the state in') ?? err;
    }
  }

  /** Sets the connection up, checks the format, creates the tables; returns the prepared reads. */
  private openTables() {
    const path = this.path;
    // Incremental vacuum must be chosen before the first table exists; it lets removed state shrink the file.
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.synchronous}`);
    this.db.pragma('journal_size_limit = 67108864');
    this.db.exec('CREATE TABLE IF NOT EXISTS eddy_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);');
    // The version is checked before anything else is created: an older file is left as it is.
    const version = this.meta('format_version');
    if (version !== undefined && Number(version) !== STATE_FORMAT_VERSION) {
      this.db.close();
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `The state in ${path} has format version ${version}; this Eddy reads version ${STATE_FORMAT_VERSION}`,
        hint: 'start over with --fresh (discards that state), or use the Eddy version that wrote it',
      });
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS eddy_tables (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS eddy_entries (tbl INTEGER NOT NULL, ns BLOB NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, t INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, ns, k)) WITHOUT ROWID;
      CREATE VIEW IF NOT EXISTS eddy_state AS SELECT eddy_tables.name AS tbl, e.ns, e.k, e.v, e.t FROM eddy_entries e JOIN eddy_tables ON eddy_tables.id = e.tbl;
      CREATE TABLE IF NOT EXISTS eddy_values (name TEXT PRIMARY KEY, v BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS eddy_checkpoint (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, data TEXT NOT NULL);
    `);
    if (version === undefined) this.setMeta('format_version', String(STATE_FORMAT_VERSION));
    for (const row of this.db.prepare('SELECT id, name FROM eddy_tables').all() as { id: number; name: string }[]) {
      this.tableIds.set(row.name, row.id);
      this.nextTableId = Math.max(this.nextTableId, row.id + 1);
    }
    return {
      getStmt: this.db.prepare('SELECT v, t FROM eddy_entries WHERE tbl = ? AND ns = ? AND k = ?'),
      nsRowsStmt: this.db.prepare('SELECT k, v, t FROM eddy_entries WHERE tbl = ? AND ns = ?'),
      nsListStmt: this.db.prepare('SELECT DISTINCT ns FROM eddy_entries WHERE tbl = ?'),
      valueStmt: this.db.prepare('SELECT v FROM eddy_values WHERE name = ?'),
    };
  }

  /**
   * Runs a read of stored state: a SQLite error becomes a clear error naming the file (state-file-errors.ts),
   * and anything else thrown (an entry that does not decode) means the file is damaged.
   */
  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof EddyError) throw err;
      throw stateFileError(this.path, err, 'read the state in') ?? damagedStateError(this.path, `a stored entry cannot be decoded: ${(err as Error | undefined)?.message ?? String(err)}`);
    }
  }

  meta(key: string): string | undefined {
    return this.read(() => (this.db.prepare('SELECT value FROM eddy_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value);
  }

  /** Writes a meta value at once (only before the store's first write: the worker then owns writing). */
  setMeta(key: string, value: string): void {
    if (this.worker) throw new Error('SqliteStateStore.setMeta after writing started');
    withStateFile(this.path, 'write the state in', () => this.db.prepare('INSERT INTO eddy_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value));
  }

  /** The last completed checkpoint, if any. */
  latestCheckpoint(): CheckpointData | undefined {
    return this.read(() => {
      const row = this.db.prepare('SELECT data FROM eddy_checkpoint ORDER BY id DESC LIMIT 1').get() as { data: string } | undefined;
      if (!row) return undefined;
      const data = JSON.parse(row.data) as CheckpointData;
      const ok = typeof data === 'object' && data !== null && Number.isInteger(data.id) && typeof data.sources === 'object' && typeof data.sinks === 'object';
      if (!ok) throw new Error(`the checkpoint record is not one: ${row.data.slice(0, 60)}`);
      return data;
    });
  }

  /** The id of table `name` (a new one is registered with the next write). */
  private tableId(name: string): number {
    let id = this.tableIds.get(name);
    if (id === undefined) {
      id = this.nextTableId++;
      this.tableIds.set(name, id);
      this.ops.table(id, name);
    }
    return id;
  }

  /** Every stored (committed, or written without a worker) entry of table `tbl`. */
  *tableRows(tbl: string): IterableIterator<{ ns: Namespace; key: StateKey; data: unknown }> {
    const id = this.tableIds.get(tbl);
    if (id === undefined) return;
    const rows = this.read(() => this.db.prepare('SELECT ns, k, v FROM eddy_entries WHERE tbl = ?').iterate(id) as IterableIterator<{ ns: Buffer; k: Buffer; v: Buffer }>);
    for (;;) {
      const next = this.read(() => {
        const r = rows.next();
        return r.done ? undefined : { ns: unpack(r.value.ns) as Namespace, key: unpack(r.value.k) as StateKey, data: unpack(r.value.v) };
      });
      if (!next) return;
      yield next;
    }
  }

  /**
   * Reads of one table's stored entries. With a worker these are the committed ones: what was handed
   * over since is the state table's to answer for.
   */
  coldReader(tbl: string): ColdReader {
    return {
      get: (ns, key) => {
        const id = this.tableIds.get(tbl);
        if (id === undefined) return undefined;
        return this.read(() => {
          const row = this.getStmt.get(id, packKey(ns), packKey(key)) as { v: Buffer; t: number } | undefined;
          return row ? { data: unpack(row.v), time: row.t } : undefined;
        });
      },
      namespace: (ns) => {
        const id = this.tableIds.get(tbl);
        if (id === undefined) return [];
        return this.read(() => (this.nsRowsStmt.all(id, packKey(ns)) as { k: Buffer; v: Buffer; t: number }[]).map((r) => ({ key: unpack(r.k) as StateKey, data: unpack(r.v), time: r.t })));
      },
      namespaces: () => {
        const id = this.tableIds.get(tbl);
        if (id === undefined) return [];
        return this.read(() => (this.nsListStmt.all(id) as { ns: Buffer }[]).map((r) => unpack(r.ns) as Namespace));
      },
    };
  }

  /** Removes a table's stored entries last written before `before` (epoch ms); for state TTL. */
  expire(tbl: string, before: number): void {
    this.ops.expire(this.tableId(tbl), before);
  }

  /** The stored value state `name`, if any. */
  value(name: string): { data: unknown } | undefined {
    return this.read(() => {
      const row = this.valueStmt.get(name) as { v: Buffer } | undefined;
      return row ? { data: unpack(row.v) } : undefined;
    });
  }

  /**
   * Writes one table's changes (they become durable with the next checkpoint; hand them over with
   * {@link flushWrites} or {@link commit}). `time` is the entry's last write (for TTL; 0 when unknown).
   */
  changeSink(tbl: string): ChangeSink {
    return {
      deleteNamespace: (ns) => {
        this.ops.dropNamespace(this.tableId(tbl), ns);
        this.wrote();
      },
      upsert: (ns, key, data, time = 0) => {
        this.ops.upsert(this.tableId(tbl), ns, key, data, time);
        this.wrote();
      },
      delete: (ns, key) => {
        this.ops.delete(this.tableId(tbl), ns, key);
        this.wrote();
      },
      upsertValue: (ns, key, value, codec, time) => {
        this.ops.upsertValue(this.tableId(tbl), ns, key, value, codec, time);
        this.wrote();
      },
    };
  }

  /**
   * While a streaming commit writes its state, hands what was written over in chunks: the worker then writes
   * the first entries into the checkpoint's transaction while the rest are still being encoded, instead of
   * waiting for all of them. (Nothing of it is visible before the commit: it is one transaction.)
   */
  private wrote(): void {
    if (this.streaming && this.ops.pos >= STREAM_CHUNK_BYTES) this.flushWrites();
  }

  /** Writes a value state (inside {@link commit}'s `writeState`). */
  writeValue(name: string, data: unknown): void {
    this.ops.writeValue(name, data);
  }

  /** The number of the commit that writes made now belong to (1 for the first). */
  get epoch(): number {
    return this.epochNo;
  }

  /** Calls `fn(epoch)` whenever the commit numbered `epoch` is durable. */
  onCommitted(fn: (epoch: number) => void): void {
    this.committedListeners.push(fn);
  }

  /** True when a commit was handed to the worker and is not durable yet. */
  get committing(): boolean {
    return this.pending.size > 0;
  }

  /** Hands the operations written so far to the writer (the worker, or this connection at once). */
  flushWrites(): void {
    if (this.ops.pos === 0) return;
    this.checkUsable();
    if (!this.useWorker) {
      this.beginLocal();
      this.applyLocal(this.ops.bytes());
      this.ops.reset();
      return;
    }
    const batch = this.ops.take();
    this.startedWorker().postMessage({ type: 'write', ...batch }, [batch.buffer]);
  }

  /**
   * Runs `writeState` (which writes every changed table and value), records the checkpoint, and commits
   * everything written since the last checkpoint: either all of it is durable, or none. The returned
   * promise resolves once it is durable (without a worker: before this returns). An error of `writeState`
   * is thrown at once; the store is then unusable (the job restarts from the last checkpoint).
   *
   * `stream`: hand the state to the worker in chunks while it is encoded (see {@link wrote}), for a commit
   * the caller waits for (the last checkpoint of a job, a savepoint): it is then durable sooner. Not for
   * periodic checkpoints, whose encoding holds the sources: the worker writing alongside slows it down.
   */
  commit(checkpoint: CheckpointData, writeState: () => void, { stream = false }: { stream?: boolean } = {}): Promise<void> {
    this.checkUsable();
    const epoch = this.epochNo;
    this.streaming = stream && this.useWorker;
    try {
      writeState();
    } catch (err) {
      this.ops.reset();
      this.fail(err);
      throw err;
    } finally {
      this.streaming = false;
    }
    this.epochNo++;
    const data = JSON.stringify(checkpoint);
    if (!this.useWorker) {
      this.beginLocal();
      try {
        this.applyLocal(this.ops.bytes());
        this.ops.reset();
        this.db.prepare('DELETE FROM eddy_checkpoint').run();
        this.db.prepare('INSERT INTO eddy_checkpoint (id, time, data) VALUES (?, ?, ?)').run(checkpoint.id, checkpoint.time, data);
        this.db.exec('COMMIT');
      } catch (err) {
        this.fail(err);
        throw err;
      }
      this.notifyCommitted(epoch);
      return Promise.resolve();
    }
    const batch = this.ops.take();
    const worker = this.startedWorker();
    const done = new Promise<void>((resolve, reject) => this.pending.set(epoch, { resolve, reject }));
    worker.ref();
    worker.postMessage({ type: 'commit', seq: epoch, id: checkpoint.id, time: checkpoint.time, data, ...batch }, [batch.buffer]);
    return done;
  }

  /** Returns free pages to the file system (state that was removed), a few at a time (between checkpoints). */
  reclaim(pages = 1000): void {
    if (this.useWorker) {
      this.worker?.postMessage({ type: 'reclaim', pages });
      return;
    }
    if (this.db.inTransaction) return;
    this.db.pragma(`incremental_vacuum(${pages})`);
  }

  /** Removes all state and checkpoints (a fresh start; only before the first write). */
  clear(): void {
    if (this.worker) throw new Error('SqliteStateStore.clear after writing started');
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.ops.reset();
    this.db.exec("DELETE FROM eddy_entries; DELETE FROM eddy_values; DELETE FROM eddy_checkpoint; DELETE FROM eddy_meta WHERE key <> 'format_version';");
    this.reclaim(1_000_000);
  }

  /** Copies the last checkpoint (a consistent snapshot) to `target`, e.g. for a savepoint. */
  copyTo(target: string): void {
    // VACUUM cannot run inside a transaction; a second connection sees exactly the committed checkpoint.
    withStateFile(this.path, 'copy the state in', () => {
      const reader = new Database(this.path, { readonly: true });
      try {
        reader.prepare('VACUUM INTO ?').run(target);
      } finally {
        reader.close();
      }
    });
  }

  /**
   * Closes the store; anything written since the last checkpoint is rolled back. With a worker, the
   * returned promise resolves once the worker has closed its connection (a commit handed over before
   * is finished first). Commits not durable by then fail.
   */
  private workerExited = false;

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const worker = this.worker;
    const closeMain = () => {
      if (!this.db.open) return;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.db.close();
    };
    if (!worker || this.workerExited) {
      // No writer thread, or it already ended (it failed): nothing to wait for.
      closeMain();
      if (worker) this.fail(new Error('the state store was closed'));
      this.closing = Promise.resolve();
      return this.closing;
    }
    this.closing = new Promise<void>((resolve) => {
      worker.ref();
      worker.once('exit', () => {
        closeMain();
        this.fail(new Error('the state store was closed'));
        resolve();
      });
      worker.postMessage({ type: 'close' });
    });
    return this.closing;
  }

  private checkUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closing) throw new Error('the state store is closed');
  }

  private beginLocal(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
  }

  private applyLocal(buf: Buffer): void {
    this.applier ??= localApplier(this.db);
    try {
      this.applier.apply(buf);
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  /** Marks the store failed: the open transaction is rolled back, pending and later commits fail. */
  private fail(err: unknown): void {
    if (this.failure === undefined) this.failure = err;
    if (!this.useWorker && this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private notifyCommitted(epoch: number): void {
    for (const fn of this.committedListeners) fn(epoch);
  }

  private startedWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWriterWorker(this.path, this.synchronous);
    worker.unref();
    worker.on('message', (m: { type: string; seq?: number; message?: string; code?: string }) => {
      if (m.type === 'committed') {
        const p = this.pending.get(m.seq!);
        this.pending.delete(m.seq!);
        if (this.pending.size === 0 && !this.closing) worker.unref();
        this.notifyCommitted(m.seq!);
        p?.resolve();
      } else if (m.type === 'failed') {
        const clear = m.code ? stateFileError(this.path, { code: m.code, message: m.message }, 'write the state in') : undefined;
        this.fail(clear ?? new EddyError({ code: ErrorCode.IO_FAILED, message: `Cannot write the state in ${this.path}: ${m.message}`, hint: 'fix the cause and run the job again: it resumes from its last checkpoint' }));
      }
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => {
      this.workerExited = true;
      if (!this.closing) this.fail(new Error('the state writer thread ended'));
    });
    this.worker = worker;
    return worker;
  }
}
