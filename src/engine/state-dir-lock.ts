/**
 * The lock of a state directory: while a process uses a state directory (`eddy run` / `eddy serve`
 * `--state-dir`), no other process may, since two jobs writing one state file (or one sink's commit records)
 * corrupt each other's output.
 *
 * - The lock is an OS file lock, not a marker file: `eddy.lock` in the directory is a SQLite database held
 *   open in exclusive locking mode after a write (`PRAGMA locking_mode = EXCLUSIVE`), so SQLite holds a
 *   POSIX write lock on it until the connection closes. The operating system drops that lock when the
 *   process ends, however it ends: a `kill -9` never leaves the directory locked.
 * - `eddy.pid` beside it names the holder (its pid), for the message another process prints. It is only
 *   informative: a stale pid file never locks anything.
 * - POSIX locks belong to a process, and SQLite also refuses a second connection of the same process: a
 *   session's job thread, which uses its session's directory, does not take the lock again.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EddyError, ErrorCode } from '../common/errors.js';
import { stateFileError } from '../runtime/state/state-file-errors.js';

/** The lock file's name in a state directory. */
export const LOCK_FILE = 'eddy.lock';
/** The file naming the lock's holder (its pid). */
export const PID_FILE = 'eddy.pid';

/** A state directory this process has locked; {@link release} unlocks it (so does the process's end). */
export class StateDirLock {
  private constructor(
    readonly dir: string,
    private db: Database.Database | undefined,
  ) {}

  /** Locks `dir` (created if missing) for this process, or fails with EDDY-R006 naming the holder's pid. */
  static acquire(dir: string): StateDirLock {
    const lockPath = join(dir, LOCK_FILE);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new EddyError({
        code: ErrorCode.IO_FAILED,
        message: `Cannot use ${resolve(dir)} as the state directory: ${(err as Error).message}`,
        hint: '--state-dir takes a directory (created when missing)',
      });
    }
    let db: Database.Database | undefined;
    try {
      // timeout 0: a held lock is reported at once, not waited for.
      db = new Database(lockPath, { timeout: 0 });
      db.pragma('locking_mode = EXCLUSIVE');
      // No journal file beside the lock; the write below is what takes (and keeps) the exclusive lock.
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since INTEGER NOT NULL); DELETE FROM holder;');
      db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
      db.exec('COMMIT');
    } catch (err) {
      db?.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw lockedError(dir);
      if (err instanceof EddyError) throw err;
      throw stateFileError(lockPath, err, 'lock the state directory') ?? err;
    }
    try {
      writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
    } catch {
      // Only informative (a full disk): the lock holds without it, and opening the state reports the disk.
    }
    return new StateDirLock(dir, db);
  }

  /** Unlocks the directory (idempotent). */
  release(): void {
    if (!this.db) return;
    // The pid file goes first: another process that finds the directory unlocked then writes its own.
    if (holderPid(this.dir) === process.pid) rmSync(join(this.dir, PID_FILE), { force: true });
    this.db.close();
    this.db = undefined;
  }
}

/** The pid in a state directory's pid file, if readable. */
function holderPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(dir: string): EddyError {
  const pid = holderPid(dir);
  return new EddyError({
    code: ErrorCode.STATE_DIR_LOCKED,
    message: `The state directory ${resolve(dir)} is in use by another Eddy process${pid === undefined ? '' : ` (pid ${pid})`}`,
    hint: 'two processes must not share a state directory: wait for that one to end (or stop it), or give this one another --state-dir',
  });
}
