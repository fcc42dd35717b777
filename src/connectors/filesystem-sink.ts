/** Writes an insert-only stream to a file of the `filesystem` connector, one encoded record per line. */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ConnectorContext, SinkWriter } from '../runtime/connector.js';
import { INSERT, ROW_KIND_NAMES, type ChangeBatch } from '../runtime/changelog.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import { createEncoder, type RecordEncoder } from './formats/index.js';

/** A `path` with one of these extensions names the file itself; any other path is a directory. */
const FILE_EXTENSIONS = /\.(json|csv|txt)$/i;

/** The file a sink with this `path` and `format` writes. */
export function sinkFilePath(path: string, format: string): string {
  return FILE_EXTENSIONS.test(path) ? path : join(path, `part-0.${format.toLowerCase()}`);
}

/**
 * The `filesystem` sink. It writes `<path>/part-0.<format>` (the directory is created when missing), or
 * `path` itself when it ends in `.json`, `.csv` or `.txt`; an existing file is replaced. Rows are encoded
 * as they arrive and written in `flush`.
 */
export class FileSystemSinkWriter implements SinkWriter {
  /** The file written. */
  readonly file: string;
  private readonly encoder: RecordEncoder;
  private handle: FileHandle | undefined;
  private pending: string[] = [];

  constructor(private readonly ctx: ConnectorContext) {
    const format = ctx.options['format'] ?? '';
    this.file = sinkFilePath(ctx.options['path'] ?? '', format);
    this.encoder = createEncoder(format, ctx.schema, ctx.options);
  }

  async open(): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
      this.handle = await open(this.file, 'w');
    } catch (e) {
      throw new EddyError({
        code: ErrorCode.IO_FAILED,
        message: `Table \`${this.ctx.tableName}\`: cannot write '${this.file}': ${(e as Error).message}`,
      });
    }
  }

  write(batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) {
        throw new EddyError({
          code: ErrorCode.UPDATING_INTO_APPEND_ONLY,
          message: `Table \`${this.ctx.tableName}\`: the filesystem sink only accepts inserts, got a ${ROW_KIND_NAMES[kinds[i]!]} change`,
        });
      }
      this.pending.push(this.encoder.encode(rows[i]!) + '\n');
    }
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0 || !this.handle) return;
    const text = this.pending.join('');
    this.pending = [];
    await this.handle.write(text);
  }

  async close(): Promise<void> {
    if (!this.handle) return;
    await this.flush();
    await this.handle.close();
    this.handle = undefined;
  }
}
