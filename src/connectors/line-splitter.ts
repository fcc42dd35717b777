/** Splits bytes read from a file into lines, tracking each line's byte offset and number. */

const LF = 10;
const CR = 13;
/** Bytes of a too-large line kept to show it (the rest is passed over, never held in memory). */
export const TOO_LARGE_HEAD = 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** True when `bytes` are valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Why a line was not decoded as text. */
export interface LineFlaw {
  /** `too-large`: longer than the splitter's maximum; `invalid-utf8`: its bytes are not UTF-8. */
  readonly kind: 'too-large' | 'invalid-utf8';
  /** A copy of the line's bytes (without the line terminator); for `too-large`, only its first 1 KiB. */
  readonly bytes: Uint8Array;
  /** The line's length in bytes, without its line terminator. */
  readonly length: number;
}

/**
 * Called for each complete line: its text (without `\n` / `\r\n`), its start offset and 1-based number.
 * A line that is too long or not valid UTF-8 comes with a `flaw` (and text `''` when too long).
 */
export type LineHandler = (text: string, offset: number, lineNumber: number, flaw?: LineFlaw) => void;

/**
 * Offered each complete line that is not too long, before its text is made: its bytes `bytes[start, end)`
 * (without the terminator; valid only during the call) and 1-based number. Returns true when it took the line
 * (no text is made, and the LineHandler is not called for it); false to have it handed out as text.
 */
export type LineBytesHandler = (bytes: Buffer, start: number, end: number, lineNumber: number) => boolean;

/**
 * Turns a file's bytes, fed in order in buffers of any size, into lines. Works on bytes so a UTF-8
 * character cut by a buffer boundary is decoded whole; a line without its newline yet is kept until
 * the newline arrives (a file being appended to) or {@link end} says there is no more (a bounded read).
 *
 * A line longer than `maxLineBytes` (without its terminator) is not decoded: only its first 1 KiB is
 * kept, while the rest is passed over until its newline, and it is handed out with a `too-large` flaw.
 * A line whose bytes are not valid UTF-8 is handed out with an `invalid-utf8` flaw and its bytes.
 *
 * Invariant: `committedOffset` is the offset just after the last line handed out, so resuming a read
 * there (with `linesDone` lines counted) loses and repeats nothing.
 */
export class LineSplitter {
  private pending: Buffer | undefined;
  /** Bytes of the partial line so far (more than `pending` holds once it is too large). */
  private pendingLength = 0;
  /** True when the partial line is too large: `pending` holds its first bytes only. */
  private oversized = false;
  /** The last byte of the partial line (a CR is not part of a line ended by LF). */
  private lastByte = 0;
  /** File offset of the next byte to be pushed. */
  private offset: number;
  private committed: number;
  private lines: number;

  constructor(
    startOffset = 0,
    linesDone = 0,
    private readonly maxLineBytes = Infinity,
  ) {
    this.offset = startOffset;
    this.committed = startOffset;
    this.lines = linesDone;
  }

  /** Offset just after the last complete line handed out. */
  get committedOffset(): number {
    return this.committed;
  }

  /** Offset of the next byte expected (committed offset plus the bytes of a pending partial line). */
  get readOffset(): number {
    return this.offset;
  }

  /** Lines handed out so far (including those before the start offset). */
  get linesDone(): number {
    return this.lines;
  }

  /** True when a partial line (no newline yet) is held. */
  get hasPartialLine(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Feeds `length` bytes of `buffer` (which the caller may reuse afterwards) and calls `onLine` for every
   * line they complete (offering it to `onBytes` first, when given).
   */
  push(buffer: Buffer, length: number, onLine: LineHandler, onBytes?: LineBytesHandler): void {
    const data = buffer.subarray(0, length);
    const base = this.offset;
    this.offset += length;
    let pos = 0;
    if (this.pending) {
      const nl = data.indexOf(LF);
      if (nl < 0) {
        this.hold(data, 0, length);
        return;
      }
      this.hold(data, 0, nl);
      this.emitPending(base + nl + 1, onLine, onBytes);
      pos = nl + 1;
    }
    for (;;) {
      const nl = data.indexOf(LF, pos);
      if (nl < 0) break;
      this.emit(data, pos, nl, base + nl + 1, onLine, onBytes);
      pos = nl + 1;
    }
    if (pos < length) this.hold(data, pos, length);
  }

  /** Ends the input: a pending partial line is handed out as the last line. */
  end(onLine: LineHandler, onBytes?: LineBytesHandler): void {
    if (this.pending) this.emitPending(this.offset, onLine, onBytes);
  }

  /** Adds bytes to the partial line (copied: the caller reuses its buffer); keeps only a head once too large. */
  private hold(data: Buffer, start: number, end: number): void {
    if (end > start) this.lastByte = data[end - 1]!;
    this.pendingLength += end - start;
    if (!this.pending) this.pending = Buffer.from(data.subarray(start, end));
    else if (!this.oversized && end > start) this.pending = Buffer.concat([this.pending, data.subarray(start, end)]);
    // One byte more than the maximum may still be a CR before the LF.
    if (!this.oversized && this.pendingLength > this.maxLineBytes + 1) {
      this.pending = Buffer.from(this.pending.subarray(0, TOO_LARGE_HEAD));
      this.oversized = true;
    }
  }

  private emitPending(nextOffset: number, onLine: LineHandler, onBytes: LineBytesHandler | undefined): void {
    const held = this.pending!;
    const oversized = this.oversized;
    const length = this.pendingLength - (this.lastByte === CR ? 1 : 0);
    this.pending = undefined;
    this.pendingLength = 0;
    this.oversized = false;
    this.lastByte = 0;
    if (oversized) this.handOut('', nextOffset, onLine, { kind: 'too-large', bytes: new Uint8Array(held), length });
    else this.emit(held, 0, held.length, nextOffset, onLine, onBytes);
  }

  private emit(data: Buffer, start: number, end: number, nextOffset: number, onLine: LineHandler, onBytes: LineBytesHandler | undefined): void {
    let stop = end;
    if (stop > start && data[stop - 1] === CR) stop--;
    const length = stop - start;
    if (length > this.maxLineBytes) {
      const head = new Uint8Array(data.subarray(start, start + Math.min(length, TOO_LARGE_HEAD)));
      this.handOut('', nextOffset, onLine, { kind: 'too-large', bytes: head, length });
      return;
    }
    // (A line that starts a file with a byte-order mark is handed out as text, the mark removed.)
    if (onBytes !== undefined && (this.committed !== 0 || data[start] !== 0xef) && onBytes(data, start, stop, this.lines + 1)) {
      this.lines++;
      this.committed = nextOffset;
      return;
    }
    let text = data.toString('utf8', start, stop);
    // Invalid bytes decode as U+FFFD; the strict check runs only then (the character may be real).
    if (text.includes('\uFFFD')) {
      const bytes = data.subarray(start, stop);
      if (!isValidUtf8(bytes)) {
        this.handOut(text, nextOffset, onLine, { kind: 'invalid-utf8', bytes: new Uint8Array(bytes), length });
        return;
      }
    }
    // A UTF-8 byte-order mark at the very start of a file is not data.
    if (this.committed === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.handOut(text, nextOffset, onLine, undefined);
  }

  private handOut(text: string, nextOffset: number, onLine: LineHandler, flaw: LineFlaw | undefined): void {
    const lineStart = this.committed;
    this.lines++;
    this.committed = nextOffset;
    if (flaw) onLine(text, lineStart, this.lines, flaw);
    else onLine(text, lineStart, this.lines);
  }
}
