/** Writes an insert-only stream to a file of the `filesystem` connector, one encoded record per line. */
import { mkdir, open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ConnectorContext, SinkWriter } from '../runtime/connector.js';
import { INSERT, ROW_KIND_NAMES, type ChangeBatch } from '../runtime/changelog.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import { createEncoder, requireTextRecords, type RecordEncoder } from './formats/index.js';

/** A `path` with one of these extensions names the file itself; any other path is a directory. */
const FILE_EXTENSIONS = /\.(json|csv|txt)$/i;

/** The file a sink with this `path` and `format` writes. */
export function sinkFilePath(path: string, format: string): string {
  return FILE_EXTENSIONS.test(path) ? path : join(path, `part-0.${format.toLowerCase()}`);
}

/** What the filesystem sink's `preCommit` returns: the file and its length, durable up to there. */
export interface FileSinkCommit {
  readonly file: string;
  readonly length: number;
}

/**
 * The `filesystem` sink. It writes `<path>/part-0.<format>` (the directory is created when missing), or
 * `path` itself when it ends in `.json`, `.csv` or `.txt`. Rows are encoded as they arrive and written in
 * `flush`.
 *
 * Exactly-once by truncation: `preCommit` writes what is buffered, fsyncs the file and returns
 * `{ file, length }`; `commit` has nothing to do (the committed length is in the checkpoint). A fresh start
 * replaces the file; a restored start (`ctx.restored` = that info) cuts the file back to the committed
 * length, discarding what was written after the checkpoint, and appends from there. Readers of the file may
 * see lines that a crash later discards; the committed length is the truth.
 */
export class FileSystemSinkWriter implements SinkWriter {
  /** The file written. */
  readonly file: string;
  private readonly encoder: RecordEncoder;
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  /** The chain of writes in flight (see flush). */
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: ConnectorContext) {
    const format = ctx.options['format'] ?? '';
    this.file = sinkFilePath(ctx.options['path'] ?? '', format);
    this.encoder = createEncoder(format, ctx.schema, ctx.options);
    requireTextRecords(this.encoder, format, ctx.tableName);
  }

  async open(): Promise<void> {
    const restored = this.restoredCommit();
    try {
      await mkdir(dirname(this.file), { recursive: true });
      if (restored === undefined) {
        this.handle = await open(this.file, 'w');
        await syncDirectory(dirname(this.file));
        return;
      }
    } catch (e) {
      throw this.ioError('open', e);
    }
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw this.ioError('open', e);
      if (restored.length > 0) throw this.lostError(restored, 0);
      size = 0;
    }
    if (size < restored.length) throw this.lostError(restored, size);
    try {
      if (size > restored.length) await truncate(this.file, restored.length);
      this.handle = await open(this.file, 'a');
      await this.handle.sync();
    } catch (e) {
      throw this.ioError('open', e);
    }
  }

  write(batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) {
        // A changelog format (debezium-json, canal-json) writes every kind of change.
        if (this.encoder.encodeChange) {
          this.pending.push(this.encoder.encodeChange(kinds[i]!, rows[i]!) + '\n');
          continue;
        }
        throw new EddyError({
          code: ErrorCode.UPDATING_INTO_APPEND_ONLY,
          message: `Table \`${this.ctx.tableName}\`: the filesystem sink only accepts inserts, got a ${ROW_KIND_NAMES[kinds[i]!]} change`,
        });
      }
      this.pending.push(this.encoder.encode(rows[i]!) + '\n');
    }
  }

  /**
   * Writes what is buffered. Writes are chained one after another, so concurrent flushes never reorder lines
   * and a pre-commit (which awaits the chain) never measures the file while a write is in flight.
   */
  async flush(): Promise<void> {
    if (this.pending.length > 0 && this.handle) {
      const text = this.pending.join('');
      this.pending = [];
      const handle = this.handle;
      this.writes = this.writes.then(() => writeFully(handle, text));
    }
    try {
      await this.writes;
    } catch (err) {
      throw this.ioError('write to', err);
    }
  }

  /** Writes what is buffered, makes the file durable and returns its length (the committed part). */
  async preCommit(_checkpointId: number): Promise<FileSinkCommit> {
    await this.flush();
    if (!this.handle) throw new Error(`filesystem sink of ${this.ctx.tableName}: preCommit before open`);
    let size: number;
    try {
      await this.handle.sync();
      ({ size } = await this.handle.stat());
    } catch (err) {
      throw this.ioError('make durable', err);
    }
    return { file: this.file, length: size };
  }

  /** Nothing to do: the committed length is stored in the checkpoint, and a restore truncates to it. */
  async commit(_info: unknown): Promise<void> {}

  /**
   * A failed write as a clear error: the table, the file, the system's reason (a full disk, a missing
   * directory, no permission), and what happens to the data.
   */
  private ioError(action: string, err: unknown): EddyError {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOSPC' ? 'no space left on device' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : (e.message ?? String(err));
    return new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `Cannot ${action} ${this.file} (sink \`${this.ctx.tableName}\`): ${reason}${e.code ? ` (${e.code})` : ''}`,
      hint: 'fix the cause and run the job again: with --state-dir it resumes from its last checkpoint, and the file is cut back to what that checkpoint committed',
    });
  }

  async close(): Promise<void> {
    if (!this.handle) return;
    await this.flush();
    await this.handle.close();
    this.handle = undefined;
  }

  private restoredCommit(): FileSinkCommit | undefined {
    const r = this.ctx.restored as Partial<FileSinkCommit> | undefined | null;
    if (r === undefined || r === null) return undefined;
    if (typeof r !== 'object' || typeof r.file !== 'string' || !Number.isInteger(r.length) || r.length! < 0) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: the checkpointed commit of the filesystem sink is not readable: ${JSON.stringify(r).slice(0, 100)}`,
        hint: 'start the job without restoring its state',
      });
    }
    if (r.file !== this.file) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: the checkpoint was taken writing '${r.file}', but the sink now writes '${this.file}'`,
        hint: "restore with the table's original 'path', or start the job without restoring its state",
      });
    }
    return r as FileSinkCommit;
  }

  private lostError(restored: FileSinkCommit, size: number): EddyError {
    return new EddyError({
      code: ErrorCode.IO_FAILED,
      message:
        `Table \`${this.ctx.tableName}\`: cannot restore '${this.file}': the checkpoint committed ${restored.length} bytes, ` +
        `but the file ${size === 0 ? 'is missing or empty' : `has only ${size}`}`,
      hint: 'the file was changed outside Eddy; start the job without restoring its state',
    });
  }

}

/**
 * Writes all of `text`. A single write may write only part of it without an error (a disk that fills up
 * mid-write): the rest is written in further writes, and the one that cannot write reports the error, so a
 * cut line is never taken for committed output.
 */
async function writeFully(handle: FileHandle, text: string): Promise<void> {
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    if (bytesWritten === 0) {
      throw Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' });
    }
    offset += bytesWritten;
  }
}

/** Makes a newly created file's directory entry durable (best effort: not every platform allows it). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Directories cannot be fsynced everywhere (Windows); the file's data is synced by preCommit anyway.
  } finally {
    await handle?.close();
  }
}
