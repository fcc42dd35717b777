/**
 * Clear errors for state files that cannot be used: damaged (a garbage, truncated or corrupted SQLite file,
 * an unreadable checkpoint record or state entry), on a full disk, or otherwise unreadable. What SQLite and
 * the decoders throw (`SqliteError: database disk image is malformed`, a JSON `SyntaxError`) becomes an
 * EddyError naming the file and what to do; a damaged state is never "run it again": it would fail again.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { EddyError, ErrorCode } from '../../common/errors.js';

/** The hint for a damaged state file. */
export const DAMAGED_STATE_HINT =
  "restore the job from a savepoint (SET 'execution.savepoint.path' = '<the savepoint>' before its INSERT), or start it over with --fresh (discards that state); copy the damaged file aside first to look into it";

/** A state file whose content cannot be read (EDDY-R007). */
export function damagedStateError(file: string, detail: string): EddyError {
  return new EddyError({
    code: ErrorCode.STATE_DAMAGED,
    message: `The state in ${file} is damaged and cannot be read (${detail})`,
    hint: DAMAGED_STATE_HINT,
  });
}

/** True when the disk holding `file` has no space left (false when that cannot be told). */
function diskFull(file: string): boolean {
  try {
    const s = statfsSync(dirname(file));
    return s.bavail * s.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

/**
 * The EddyError for `err`, thrown while trying to `action` (`open the state in`) the state file `file`, or
 * undefined when `err` is not about the file (a bug, an EddyError already).
 */
export function stateFileError(file: string, err: unknown, action: string): EddyError | undefined {
  if (err instanceof EddyError) return undefined;
  const code = (err as { code?: unknown })?.code;
  const detail = (err as Error | undefined)?.message ?? String(err);
  if (err instanceof SyntaxError) return damagedStateError(file, `a checkpoint record is not valid JSON: ${detail}`);
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return damagedStateError(file, `${detail}, ${code}`);
  if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && diskFull(file))) {
    return new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `Cannot ${action} ${file}: the disk is full (${detail}, ${code})`,
      hint: 'free space on that disk, then run the job again: it resumes from its last checkpoint',
    });
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') {
    return new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `Cannot ${action} ${file}: ${detail} (${code})`,
      hint: 'check that the file and its directory exist, are readable and writable, and that the disk works; then run the job again',
    });
  }
  return undefined;
}

/** Runs `fn`; an error about the state file `file` is rethrown as its clear EddyError. */
export function withStateFile<T>(file: string, action: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw stateFileError(file, err, action) ?? err;
  }
}
