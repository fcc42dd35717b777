/** Reads the `filesystem` connector's files line by line, once (bounded) or following appends (monitored). */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ConnectorContext, SourceChunk, SourceReader } from '../runtime/connector.js';
import type { Row, RowKind } from '../runtime/changelog.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import { createDecoder, requireTextRecords, type RecordDecoder } from './formats/index.js';
import { LineSplitter, type LineFlaw } from './line-splitter.js';
import { maxRecordBytes, parseDuration } from './option-values.js';
import { InterruptibleSleep } from './interruptible-sleep.js';

/**
 * How far a file has been read: the offset just after the last line handed out by `next()`, the lines read
 * so far (for line numbers in errors), and whether the file is finished (read to its end by a bounded
 * source, or deleted while monitored). A list of these, one per known file, is the source's position.
 */
export interface FilePosition {
  readonly file: string;
  readonly offset: number;
  readonly line: number;
  readonly finished?: boolean;
  /**
   * A checksum of the file's bytes just before `offset` (the last {@link TAIL_BYTES} of what was read): a
   * restore checks the file still holds them. Absent for finished files (nothing more is read from them)
   * and at offset 0.
   */
  readonly tail?: string;
}

/** How many bytes before a file's read offset its position's checksum covers. */
export const TAIL_BYTES = 4096;

/** The checksum of a position's {@link FilePosition.tail}. */
export function tailChecksum(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex').slice(0, 16);
}

/** Reads a checkpointed position (`ConnectorContext.restored`) back, or fails with a clear message. */
function restoredPositions(tableName: string, restored: unknown): FilePosition[] {
  if (restored === undefined || restored === null) return [];
  const ok =
    Array.isArray(restored) &&
    restored.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as FilePosition).file === 'string' &&
        Number.isInteger((p as FilePosition).offset) &&
        Number.isInteger((p as FilePosition).line),
    );
  if (!ok) {
    throw new EddyError({
      code: ErrorCode.INVALID_STATEMENT,
      message: `Table \`${tableName}\`: the checkpointed position of the filesystem source is not readable: ${JSON.stringify(restored).slice(0, 100)}`,
      hint: 'start the job without restoring its state',
    });
  }
  return restored as FilePosition[];
}

/**
 * Lines per block of a split read (ConnectorContext.split): block k of each file (lines k·B+1 .. (k+1)·B) belongs
 * to split k % count, so that all splits advance through a file together (their event times stay close).
 */
export const SPLIT_BLOCK_LINES = 512;

/** Bytes read per chunk at most. */
const MAX_READ = 256 * 1024;
/** Rows per chunk the read size aims at (the read size shrinks for files of short lines). */
const TARGET_ROWS = 4000;

/**
 * A chunk of a file's rows that remembers, per row, its line number and text, so the runtime can say where
 * a row found bad after decoding (a NULL event time) came from. The bookkeeping is a few arrays per chunk;
 * a row decoded from its bytes keeps the bytes it came from, made text only when described.
 */
class FileChunk implements SourceChunk {
  readonly split: string;
  readonly rows: Row[];
  readonly kinds?: RowKind[];
  readonly splitEnded?: boolean;
  // Private fields: not enumerable, so a chunk still compares equal to `{ split, rows, splitEnded }`.
  readonly #lines: readonly number[];
  readonly #texts: readonly (string | Buffer)[];
  readonly #starts: readonly number[];
  readonly #ends: readonly number[];

  constructor(split: string, lines: LineRows, splitEnded: boolean) {
    this.split = split;
    this.rows = lines.rows;
    if (lines.kinds) this.kinds = lines.kinds;
    if (splitEnded) this.splitEnded = true;
    this.#lines = lines.lines;
    this.#texts = lines.texts;
    this.#starts = lines.starts;
    this.#ends = lines.ends;
  }

  describe(i: number): { readonly position: string; readonly raw: string } {
    const text = this.#texts[i];
    const raw = text === undefined ? '' : typeof text === 'string' ? text : text.toString('utf8', this.#starts[i], this.#ends[i]);
    return { position: `${this.split}:${this.#lines[i]}`, raw };
  }
}

/**
 * Rows decoded from a read, with the line number and text of each (and its kind, from a changelog format).
 * A row decoded from its line's bytes has the bytes as text: `texts[i][starts[i], ends[i])` (a buffer read
 * for this chunk alone); for other rows, starts and ends are 0.
 */
interface LineRows {
  readonly rows: Row[];
  readonly kinds?: RowKind[];
  readonly lines: number[];
  readonly texts: (string | Buffer)[];
  readonly starts: number[];
  readonly ends: number[];
}

interface FileSplit {
  readonly path: string;
  handle: FileHandle | undefined;
  splitter: LineSplitter;
  ended: boolean;
  /** The checksum of the bytes before `tailAt` (the splitter's committed offset when it was taken). */
  tail?: string;
  tailAt: number;
  /** A restored position to check against the file when it is first opened. */
  verify?: FilePosition;
}

/** A file is data unless hidden or marked as metadata (`.crc`, `_SUCCESS`), as Flink skips them. */
function isDataFile(name: string): boolean {
  return !name.startsWith('.') && !name.startsWith('_');
}

/**
 * The `filesystem` source. Every file is a split (its id is the file's path); files of a directory are
 * read one after the other in sorted name order.
 *
 * - Bounded (no `source.monitor-interval`): each file is read to its end once; the last chunk of a file
 *   has `splitEnded`, a last line without a newline is a record, and `next` resolves null at the end.
 * - Monitored: after the end of the data, every interval it reads bytes appended to known files and new
 *   files of the directory. A line is only read once its newline has arrived.
 *
 * Resuming: `position()` lists every known file with the offset after the last line `next()` returned, its
 * line count and whether it is finished. Created with `ctx.restored` (or `startPositions`), finished files
 * are skipped and the others continue at their offset, with line numbers counting on; a partial line that
 * was held (no newline yet) is read again from its start. Files not in the position are read from the start.
 * A file continued from a restored offset must still hold what was read (see `checkRestored`).
 *
 * Bad records are reported with `ctx.badRecord` (position `<file>:<line>`, the file's path as the split
 * names it), which applies the table's error policy: it throws (`fail`), or returns and the source goes on
 * with the next line. Kinds: those of the format's decoder (`invalid-json`, `invalid-csv`, `empty` for a
 * blank line, `wrong-type`, `numeric-overflow`, `missing-field`, `missing-not-null`), plus `too-large`
 * (a line over `errors.max-record-bytes`, not decoded; raw is its first 1 KiB) and `invalid-utf8` (raw is
 * the line's bytes). Each chunk can {@link FileChunk.describe} its rows (file:line and text).
 */
export class FileSystemSourceReader implements SourceReader {
  readonly bounded: boolean;
  private readonly root: string;
  private readonly interval: number;
  private readonly decoder: RecordDecoder;
  private readonly maxRecordBytes: number;
  private readonly splits: FileSplit[] = [];
  private readonly start: ReadonlyMap<string, FilePosition>;
  private isDirectory = false;
  private cursor = 0;
  private readSize = MAX_READ;
  private buffer = Buffer.allocUnsafe(MAX_READ);
  private closed = false;
  private readonly timer = new InterruptibleSleep();
  private inflight: Promise<unknown> | undefined;
  /** `source.restore.on-change`: what to do with a restored file that changed since the checkpoint. */
  private readonly onChange: 'fail' | 'restart';
  /** The METADATA keys whose values each row gets after its physical columns. */
  private readonly metadataKeys: readonly string[];
  /** This reader's share of every file's lines (see SPLIT_BLOCK_LINES), when the job runs in parallel instances. */
  private readonly share?: { readonly index: number; readonly count: number };

  /** Resumes from `startPositions` when given, else from `ctx.restored` (a checkpointed {@link position}). */
  constructor(
    private readonly ctx: ConnectorContext,
    startPositions: readonly FilePosition[] = restoredPositions(ctx.tableName, ctx.restored),
  ) {
    const format = ctx.options['format'] ?? '';
    this.root = ctx.options['path'] ?? '';
    const interval = ctx.options['source.monitor-interval'];
    this.interval = interval === undefined ? 0 : (parseDuration(interval) ?? 1000);
    this.bounded = interval === undefined;
    this.decoder = createDecoder(format, ctx.schema, ctx.options, ctx.columnsRead);
    requireTextRecords(this.decoder, format, ctx.tableName);
    this.maxRecordBytes = maxRecordBytes(ctx.options);
    this.start = new Map(startPositions.map((p) => [p.file, p]));
    this.onChange = ctx.options['source.restore.on-change']?.toLowerCase() === 'restart' ? 'restart' : 'fail';
    this.metadataKeys = ctx.metadataKeys ?? [];
    if (ctx.split && ctx.split.count > 1) this.share = ctx.split;
  }

  async open(): Promise<void> {
    let info;
    try {
      info = await stat(this.root);
    } catch {
      throw new EddyError({
        code: ErrorCode.FILE_NOT_FOUND,
        message: `Table \`${this.ctx.tableName}\`: path '${this.root}' does not exist`,
        hint: "check the table's 'path' option",
      });
    }
    this.isDirectory = info.isDirectory();
    await this.discover();
  }

  /** Where each file has been read to, and which are finished (plain data, for checkpoints). */
  position(): FilePosition[] {
    return this.splits.map((s) => {
      const p = { file: s.path, offset: s.splitter.committedOffset, line: s.splitter.linesDone, finished: s.ended };
      return s.ended || s.tail === undefined || s.tailAt !== p.offset ? p : { ...p, tail: s.tail };
    });
  }

  next(): Promise<SourceChunk | null> {
    const p = this.bounded ? this.nextBounded() : this.nextMonitored();
    this.inflight = p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer.interrupt();
    await this.inflight;
    for (const s of this.splits) {
      await s.handle?.close();
      s.handle = undefined;
    }
  }

  private async nextBounded(): Promise<SourceChunk | null> {
    while (!this.closed && this.cursor < this.splits.length) {
      const split = this.splits[this.cursor]!;
      if (split.ended) {
        this.cursor++; // Finished before a restore: its end was already reported.
        continue;
      }
      const { read, bytes } = await this.readChunk(split);
      if (split.ended) {
        this.cursor++;
        await split.handle?.close();
        split.handle = undefined;
        return new FileChunk(split.path, read, true);
      }
      if (read.rows.length > 0 || bytes === 0) return new FileChunk(split.path, read, false);
    }
    return null;
  }

  private async nextMonitored(): Promise<SourceChunk | null> {
    while (!this.closed) {
      for (; this.cursor < this.splits.length; this.cursor++) {
        const split = this.splits[this.cursor]!;
        for (;;) {
          const { read, bytes } = await this.readChunk(split);
          if (this.closed) return null;
          if (read.rows.length > 0) return new FileChunk(split.path, read, false);
          if (bytes === 0) {
            await this.checkUnchanged(split);
            break;
          }
        }
      }
      await this.sleep(this.interval);
      if (this.closed) return null;
      await this.discover();
      this.cursor = 0;
    }
    return null;
  }

  /**
   * A monitored file that has been read to its end must still be the same file, only ever appended to.
   * Truncated or replaced, its new content cannot be told from what was already read: the job fails with a
   * clear error rather than silently skipping or repeating data. Deleted, it is done (a directory's
   * consumed file may be cleaned up); a single monitored file that is deleted fails the job, since nothing
   * could ever arrive again.
   */
  private async checkUnchanged(split: FileSplit): Promise<void> {
    if (!split.handle || split.ended) return;
    const where = `Table \`${this.ctx.tableName}\`: file '${split.path}'`;
    const opened = await split.handle.stat();
    const offset = split.splitter.readOffset;
    if (opened.size < offset) {
      throw new EddyError({
        code: ErrorCode.IO_FAILED,
        message: `${where} shrank to ${opened.size} bytes while being read (${offset} bytes were read): a monitored file may only be appended to`,
        hint: 'write new data to new files of a monitored directory; to read the file again from its start, run the job without its state (--fresh)',
      });
    }
    let now;
    try {
      now = await stat(split.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!this.isDirectory) {
        throw new EddyError({
          code: ErrorCode.FILE_NOT_FOUND,
          message: `${where} was deleted while monitored (all ${offset} bytes of it were read): nothing more can arrive`,
          hint: 'monitor a directory (its files may come and go) instead of a single file',
        });
      }
      split.ended = true;
      await split.handle.close();
      split.handle = undefined;
      return;
    }
    if (now.ino !== opened.ino || now.dev !== opened.dev) {
      throw new EddyError({
        code: ErrorCode.IO_FAILED,
        message: `${where} was replaced by another file while being read (${offset} bytes of the old one were read)`,
        hint: 'write new data to new files of a monitored directory instead of replacing a file',
      });
    }
  }

  /** Finds the files to read (a directory's data files in name order); new ones are appended as splits. */
  private async discover(): Promise<void> {
    let paths: string[];
    if (!this.isDirectory) {
      paths = [this.root];
    } else {
      let entries;
      try {
        entries = await readdir(this.root, { withFileTypes: true });
      } catch {
        return; // The directory went away while monitored: nothing new to read.
      }
      paths = entries.filter((e) => e.isFile() && isDataFile(e.name)).map((e) => e.name).sort().map((n) => join(this.root, n));
    }
    const known = new Set(this.splits.map((s) => s.path));
    for (const path of paths) {
      if (known.has(path)) continue;
      const from = this.start.get(path);
      const splitter = new LineSplitter(from?.offset ?? 0, from?.line ?? 0, this.maxRecordBytes);
      const ended = from?.finished === true;
      const verify = from && !ended && from.offset > 0 ? from : undefined;
      this.splits.push({ path, handle: undefined, splitter, ended, tail: verify?.tail, tailAt: verify?.tail ? verify.offset : -1, verify });
    }
  }

  /** Reads the next bytes of a file and decodes the lines they complete. */
  private async readChunk(split: FileSplit): Promise<{ read: LineRows; bytes: number }> {
    const read: LineRows = this.decoder.decodeChanges
      ? { rows: [], kinds: [], lines: [], texts: [], starts: [], ends: [] }
      : { rows: [], lines: [], texts: [], starts: [], ends: [] };
    const rows = read.rows;
    if (split.ended) return { read, bytes: 0 };
    if (!split.handle) {
      try {
        split.handle = await open(split.path, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        if (this.bounded) {
          throw new EddyError({
            code: ErrorCode.FILE_NOT_FOUND,
            message: `Table \`${this.ctx.tableName}\`: file '${split.path}' disappeared before it was read`,
          });
        }
        split.ended = true; // Deleted while monitored: nothing more will come from it.
        return { read, bytes: 0 };
      }
      if (split.verify) await this.checkRestored(split, split.verify);
    }
    const length = this.readSize;
    const base = split.splitter.readOffset;
    // Rows decoded from their bytes keep them (to show a row's text if it turns out bad): a buffer per read then.
    const decodeBytes = this.decoder.decodeChanges ? undefined : this.decoder.decodeBytes?.bind(this.decoder);
    const buffer = decodeBytes ? Buffer.allocUnsafe(length) : this.buffer;
    const { bytesRead } = await split.handle.read(buffer, 0, length, base);
    const onLine = (text: string, _offset: number, line: number, flaw?: LineFlaw): void => this.decodeLine(split, text, line, flaw, read);
    const onBytes = decodeBytes
      ? (bytes: Buffer, start: number, end: number, line: number): boolean => {
          // A line of another split's block is that split's (see decodeLine): handled, by not reading it.
          const share = this.share;
          if (share && Math.floor((line - 1) / SPLIT_BLOCK_LINES) % share.count !== share.index) return true;
          const row = decodeBytes(bytes, start, end);
          if (row === undefined) return false;
          read.rows.push(row);
          read.lines.push(line);
          read.texts.push(bytes);
          read.starts.push(start);
          read.ends.push(end);
          return true;
        }
      : undefined;
    split.splitter.push(buffer, bytesRead, onLine, onBytes);
    if (this.bounded && bytesRead < length) {
      split.splitter.end(onLine, onBytes);
      split.ended = true;
    }
    if (!split.ended) this.updateTail(split, buffer, base, bytesRead);
    if (this.metadataKeys.length > 0 && rows.length > 0) await this.appendMetadata(split, rows);
    if (rows.length > TARGET_ROWS) this.readSize = Math.max(4096, Math.floor((bytesRead * TARGET_ROWS) / rows.length));
    else if (rows.length > 0 && rows.length < TARGET_ROWS / 2) this.readSize = Math.min(MAX_READ, this.readSize * 2);
    return { read, bytes: bytesRead };
  }

  /** Appends the values of `ctx.metadataKeys` (the file's path, name, size, modification time) to each row. */
  private async appendMetadata(split: FileSplit, rows: Row[]): Promise<void> {
    const info = await split.handle!.stat();
    const path = resolve(split.path);
    const values = this.metadataKeys.map((key) => {
      if (key === 'file.path') return path;
      if (key === 'file.name') return basename(path);
      if (key === 'file.size') return info.size;
      if (key === 'file.modification-time') return Math.floor(info.mtimeMs);
      throw new Error(`filesystem source: no metadata key '${key}'`);
    });
    for (const row of rows) row.push(...values);
  }

  /**
   * Takes the checksum of the bytes before the split's committed offset, if it moved: from the buffer just
   * read when they are all in it (almost always), else read again from the file. A few microseconds a chunk.
   */
  private updateTail(split: FileSplit, buffer: Buffer, base: number, bytesRead: number): void {
    const end = split.splitter.committedOffset;
    if (end === split.tailAt || end === 0) return;
    const start = Math.max(0, end - TAIL_BYTES);
    let bytes: Uint8Array;
    if (start >= base && end <= base + bytesRead) bytes = buffer.subarray(start - base, end - base);
    else {
      bytes = Buffer.alloc(end - start);
      readSync(split.handle!.fd, bytes, 0, bytes.length, start);
    }
    split.tail = tailChecksum(bytes);
    split.tailAt = end;
  }

  /**
   * A restored file must still hold what the job had read: at least `offset` bytes, the last of which (up to
   * {@link TAIL_BYTES}) have the checkpointed checksum. A file truncated or rewritten while the job was down
   * would otherwise be read from the middle of other data, or not at all (past its end), silently. It fails
   * the job (EDDY-R004), or with 'source.restore.on-change' = 'restart' the file is read again from its start.
   */
  private async checkRestored(split: FileSplit, from: FilePosition): Promise<void> {
    split.verify = undefined;
    const size = (await split.handle!.stat()).size;
    let problem: string | undefined;
    if (size < from.offset) problem = `is ${size} bytes long, shorter than the ${from.offset} bytes the job had read from it`;
    else if (from.tail !== undefined) {
      const start = Math.max(0, from.offset - TAIL_BYTES);
      const bytes = Buffer.alloc(from.offset - start);
      await split.handle!.read(bytes, 0, bytes.length, start);
      if (tailChecksum(bytes) !== from.tail) problem = `no longer holds the bytes the job had read (the ${bytes.length} bytes before offset ${from.offset} differ)`;
    }
    if (problem === undefined) return;
    if (this.onChange === 'restart') {
      split.splitter = new LineSplitter(0, 0, this.maxRecordBytes);
      split.tail = undefined;
      split.tailAt = -1;
      return;
    }
    throw new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `Table \`${this.ctx.tableName}\`: file '${split.path}' changed since the checkpoint the job resumes from (line ${from.line}, byte ${from.offset}): it ${problem}`,
      hint: "put the file back as it was to resume; or start the job over with --fresh; or set 'source.restore.on-change' = 'restart' on the table to read a changed file again from its start",
    });
  }

  /** Decodes one line into a row, or reports it as a bad record (and goes on if the policy returns). */
  private decodeLine(split: FileSplit, text: string, line: number, flaw: LineFlaw | undefined, read: LineRows): void {
    // A line of another split's block is that split's (bad records included).
    const share = this.share;
    if (share && Math.floor((line - 1) / SPLIT_BLOCK_LINES) % share.count !== share.index) return;
    if (flaw) {
      this.ctx.badRecord(
        flaw.kind === 'too-large'
          ? {
              kind: 'too-large',
              message: `the record is ${flaw.length} bytes, more than errors.max-record-bytes (${this.maxRecordBytes})`,
              position: `${split.path}:${line}`,
              raw: headText(flaw.bytes),
            }
          : { kind: 'invalid-utf8', message: 'the record is not valid UTF-8', position: `${split.path}:${line}`, raw: flaw.bytes },
      );
      return;
    }
    if (this.decoder.decodeChanges) {
      // A changelog format: a line holds one or more changes (all at the line's position).
      const changes = this.decoder.decodeChanges({ value: text });
      if (changes === null) return;
      if ('rows' in changes) {
        for (let i = 0; i < changes.rows.length; i++) {
          read.rows.push(changes.rows[i]!);
          read.kinds!.push(changes.kinds[i]!);
          read.lines.push(line);
          read.texts.push(text);
          read.starts.push(0);
          read.ends.push(0);
        }
        return;
      }
      this.ctx.badRecord({ kind: changes.kind, message: changes.message, position: `${split.path}:${line}`, raw: text });
      return;
    }
    // A line is a message with only a text value: the decoder's fast path, with no message object.
    const result = this.decoder.decodeText(text);
    if (result === null) return;
    if (Array.isArray(result)) {
      read.rows.push(result);
      read.lines.push(line);
      read.texts.push(text);
      read.starts.push(0);
      read.ends.push(0);
      return;
    }
    this.ctx.badRecord({ kind: result.kind, message: result.message, position: `${split.path}:${line}`, raw: text });
  }

  private sleep(ms: number): Promise<void> {
    return this.timer.sleep(ms);
  }
}

/** The first bytes of a too-large record as text (a character cut at the end dropped), or the bytes if not UTF-8. */
function headText(bytes: Uint8Array): string | Uint8Array {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return bytes;
  }
}
