/**
 * A job's durable state: one SQLite database (WAL) holding every operator's state tables and values, and
 * the latest checkpoint (source positions, sink commit information).
 *
 * Between checkpoints the store keeps one write transaction open: state tables that outgrow their memory
 * budget write entries into it, and read them back through the same connection. A checkpoint writes the
 * remaining changes and the checkpoint record, then commits that transaction and opens the next. So after a
 * crash the database holds exactly the last completed checkpoint, and other connections (pull queries)
 * only ever see completed checkpoints.
 */
import Database from 'better-sqlite3';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { ChangeSink, ColdReader } from './keyed-state-table.js';
import type { Namespace, StateKey } from './state-types.js';

/** The on-disk format version; a store written by another major format is refused with a clear message. */
export const STATE_FORMAT_VERSION = 1;

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

const encodeNs = (ns: Namespace): string => (typeof ns === 'number' ? `n${ns}` : `s${ns}`);
const decodeNs = (text: string): Namespace => (text[0] === 'n' ? Number(text.slice(1)) : text.slice(1));

export class SqliteStateStore {
  readonly db: Database.Database;
  private readonly upsertStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly deleteNsStmt: Database.Statement;
  private readonly valueStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly nsRowsStmt: Database.Statement;
  private readonly nsListStmt: Database.Statement;
  private readonly expireStmt: Database.Statement;

  constructor(
    readonly path: string,
    synchronous: Synchronous = 'NORMAL',
  ) {
    this.db = new Database(path);
    // Incremental vacuum must be chosen before the first table exists; it lets removed state shrink the file.
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.pragma('journal_size_limit = 67108864');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS eddy_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS eddy_state (tbl TEXT NOT NULL, ns TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, t INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, ns, k)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS eddy_values (name TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS eddy_checkpoint (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, data TEXT NOT NULL);
    `);
    const version = this.meta('format_version');
    if (version === undefined) this.setMeta('format_version', String(STATE_FORMAT_VERSION));
    else if (Number(version) !== STATE_FORMAT_VERSION) {
      this.db.close();
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `The state in ${path} has format version ${version}; this Eddy reads version ${STATE_FORMAT_VERSION}`,
        hint: 'start over with --fresh, or use the Eddy version that wrote it',
      });
    }
    this.upsertStmt = this.db.prepare('INSERT INTO eddy_state (tbl, ns, k, v, t) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tbl, ns, k) DO UPDATE SET v = excluded.v, t = excluded.t');
    this.getStmt = this.db.prepare('SELECT v, t FROM eddy_state WHERE tbl = ? AND ns = ? AND k = ?');
    this.nsRowsStmt = this.db.prepare('SELECT k, v, t FROM eddy_state WHERE tbl = ? AND ns = ?');
    this.nsListStmt = this.db.prepare('SELECT DISTINCT ns FROM eddy_state WHERE tbl = ?');
    this.expireStmt = this.db.prepare('DELETE FROM eddy_state WHERE tbl = ? AND t < ?');
    this.deleteStmt = this.db.prepare('DELETE FROM eddy_state WHERE tbl = ? AND ns = ? AND k = ?');
    this.deleteNsStmt = this.db.prepare('DELETE FROM eddy_state WHERE tbl = ? AND ns = ?');
    this.valueStmt = this.db.prepare('INSERT INTO eddy_values (name, v) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET v = excluded.v');
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM eddy_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO eddy_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** The last completed checkpoint, if any. */
  latestCheckpoint(): CheckpointData | undefined {
    const row = this.db.prepare('SELECT data FROM eddy_checkpoint ORDER BY id DESC LIMIT 1').get() as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as CheckpointData) : undefined;
  }

  /** Every stored entry of table `tbl`. */
  *tableRows(tbl: string): IterableIterator<{ ns: Namespace; key: StateKey; data: unknown }> {
    for (const row of this.db.prepare('SELECT ns, k, v FROM eddy_state WHERE tbl = ?').iterate(tbl) as IterableIterator<{ ns: string; k: string; v: string }>) {
      yield { ns: decodeNs(row.ns), key: JSON.parse(row.k) as StateKey, data: JSON.parse(row.v) };
    }
  }

  /** Reads of one table's entries that are not in memory (written at a checkpoint, or evicted since). */
  coldReader(tbl: string): ColdReader {
    return {
      get: (ns, key) => {
        const row = this.getStmt.get(tbl, encodeNs(ns), JSON.stringify(key)) as { v: string; t: number } | undefined;
        return row ? { data: JSON.parse(row.v), time: row.t } : undefined;
      },
      namespace: (ns) =>
        (this.nsRowsStmt.all(tbl, encodeNs(ns)) as { k: string; v: string; t: number }[]).map((r) => ({ key: JSON.parse(r.k) as StateKey, data: JSON.parse(r.v), time: r.t })),
      namespaces: () => (this.nsListStmt.all(tbl) as { ns: string }[]).map((r) => decodeNs(r.ns)),
    };
  }

  /** Removes a table's stored entries last written before `before` (epoch ms); for state TTL. */
  expire(tbl: string, before: number): void {
    this.beginWrite();
    this.expireStmt.run(tbl, before);
  }

  /** Opens the write transaction that lasts until the next checkpoint, if it is not open yet. */
  beginWrite(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
  }

  /** The stored value state `name`, if any. */
  value(name: string): { data: unknown } | undefined {
    const row = this.db.prepare('SELECT v FROM eddy_values WHERE name = ?').get(name) as { v: string } | undefined;
    return row ? { data: JSON.parse(row.v) } : undefined;
  }

  /**
   * Writes one table's changes into the open write transaction (they become durable with the next
   * checkpoint). `time` is the entry's last write (for TTL; 0 when unknown).
   */
  changeSink(tbl: string): ChangeSink {
    return {
      deleteNamespace: (ns) => {
        this.beginWrite();
        this.deleteNsStmt.run(tbl, encodeNs(ns));
      },
      upsert: (ns, key, data, time = 0) => {
        this.beginWrite();
        this.upsertStmt.run(tbl, encodeNs(ns), JSON.stringify(key), JSON.stringify(data), time);
      },
      delete: (ns, key) => {
        this.beginWrite();
        this.deleteStmt.run(tbl, encodeNs(ns), JSON.stringify(key));
      },
    };
  }

  /** Writes a value state inside {@link commit}. */
  writeValue(name: string, data: unknown): void {
    this.beginWrite();
    this.valueStmt.run(name, JSON.stringify(data));
  }

  /**
   * Runs `writeState` (which writes every changed table and value), records the checkpoint, and commits
   * everything written since the last checkpoint: either all of it is durable, or none (on an error the
   * transaction is rolled back to the previous checkpoint).
   */
  commit(checkpoint: CheckpointData, writeState: () => void): void {
    this.beginWrite();
    try {
      writeState();
      this.db.prepare('DELETE FROM eddy_checkpoint').run();
      this.db.prepare('INSERT INTO eddy_checkpoint (id, time, data) VALUES (?, ?, ?)').run(checkpoint.id, checkpoint.time, JSON.stringify(checkpoint));
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Returns free pages to the file system (state that was removed), a few at a time (between checkpoints). */
  reclaim(pages = 1000): void {
    if (this.db.inTransaction) return;
    this.db.pragma(`incremental_vacuum(${pages})`);
  }

  /** Removes all state and checkpoints (a fresh start). */
  clear(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.exec('DELETE FROM eddy_state; DELETE FROM eddy_values; DELETE FROM eddy_checkpoint; DELETE FROM eddy_meta WHERE key <> \'format_version\';');
    this.reclaim(1_000_000);
  }

  /** Copies the last checkpoint (a consistent snapshot) to `target`, e.g. for a savepoint. */
  copyTo(target: string): void {
    // VACUUM cannot run inside a transaction; a second connection sees exactly the committed checkpoint.
    const reader = new Database(this.path, { readonly: true });
    try {
      reader.prepare('VACUUM INTO ?').run(target);
    } finally {
      reader.close();
    }
  }

  /** Closes the store; anything written since the last checkpoint is rolled back. */
  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}
