/**
 * A job's durable state: one SQLite database (WAL) holding every operator's state tables and values, and
 * the latest checkpoint (source positions, sink commit information). A checkpoint is one transaction, so
 * after a crash the database holds exactly the last completed checkpoint.
 */
import Database from 'better-sqlite3';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { ChangeSink } from './keyed-state-table.js';
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
      CREATE TABLE IF NOT EXISTS eddy_state (tbl TEXT NOT NULL, ns TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (tbl, ns, k)) WITHOUT ROWID;
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
    this.upsertStmt = this.db.prepare('INSERT INTO eddy_state (tbl, ns, k, v) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, ns, k) DO UPDATE SET v = excluded.v');
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

  /** The stored value state `name`, if any. */
  value(name: string): { data: unknown } | undefined {
    const row = this.db.prepare('SELECT v FROM eddy_values WHERE name = ?').get(name) as { v: string } | undefined;
    return row ? { data: JSON.parse(row.v) } : undefined;
  }

  /** A sink for one table's changes, for use inside {@link commit}. */
  changeSink(tbl: string): ChangeSink {
    return {
      deleteNamespace: (ns) => void this.deleteNsStmt.run(tbl, encodeNs(ns)),
      upsert: (ns, key, data) => void this.upsertStmt.run(tbl, encodeNs(ns), JSON.stringify(key), JSON.stringify(data)),
      delete: (ns, key) => void this.deleteStmt.run(tbl, encodeNs(ns), JSON.stringify(key)),
    };
  }

  /** Writes a value state inside {@link commit}. */
  writeValue(name: string, data: unknown): void {
    this.valueStmt.run(name, JSON.stringify(data));
  }

  /**
   * Runs `writeState` (which writes every changed table and value) and records the checkpoint, in one
   * transaction: either all of it is durable, or none.
   */
  commit(checkpoint: CheckpointData, writeState: () => void): void {
    this.db.transaction(() => {
      writeState();
      this.db.prepare('DELETE FROM eddy_checkpoint').run();
      this.db.prepare('INSERT INTO eddy_checkpoint (id, time, data) VALUES (?, ?, ?)').run(checkpoint.id, checkpoint.time, JSON.stringify(checkpoint));
    })();
  }

  /** Returns free pages to the file system (state that was removed), a few at a time. */
  reclaim(pages = 1000): void {
    this.db.pragma(`incremental_vacuum(${pages})`);
  }

  /** Removes all state and checkpoints (a fresh start). */
  clear(): void {
    this.db.exec('DELETE FROM eddy_state; DELETE FROM eddy_values; DELETE FROM eddy_checkpoint; DELETE FROM eddy_meta WHERE key <> \'format_version\';');
    this.reclaim(1_000_000);
  }

  /** Copies the database (a consistent snapshot) to `target`, e.g. for a savepoint. */
  copyTo(target: string): void {
    this.db.prepare('VACUUM INTO ?').run(target);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
