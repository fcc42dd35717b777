/** Splits bytes read from a file into lines, tracking each line's byte offset and number. */

const LF = 10;
const CR = 13;

/** Called for each complete line: its text (without `\n` / `\r\n`), its start offset and 1-based number. */
export type LineHandler = (text: string, offset: number, lineNumber: number) => void;

/**
 * Turns a file's bytes, fed in order in buffers of any size, into lines. Works on bytes so a UTF-8
 * character cut by a buffer boundary is decoded whole; a line without its newline yet is kept until
 * the newline arrives (a file being appended to) or {@link end} says there is no more (a bounded read).
 *
 * Invariant: `committedOffset` is the offset just after the last line handed out, so resuming a read
 * there (with `linesDone` lines counted) loses and repeats nothing.
 */
export class LineSplitter {
  private pending: Buffer | undefined;
  /** File offset of the next byte to be pushed. */
  private offset: number;
  private committed: number;
  private lines: number;

  constructor(startOffset = 0, linesDone = 0) {
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
   * line they complete.
   */
  push(buffer: Buffer, length: number, onLine: LineHandler): void {
    const data = buffer.subarray(0, length);
    const base = this.offset;
    this.offset += length;
    let pos = 0;
    if (this.pending) {
      const nl = data.indexOf(LF);
      if (nl < 0) {
        this.pending = Buffer.concat([this.pending, data]);
        return;
      }
      const whole = Buffer.concat([this.pending, data.subarray(0, nl)]);
      this.pending = undefined;
      this.emit(whole, 0, whole.length, base + nl + 1, onLine);
      pos = nl + 1;
    }
    for (;;) {
      const nl = data.indexOf(LF, pos);
      if (nl < 0) break;
      this.emit(data, pos, nl, base + nl + 1, onLine);
      pos = nl + 1;
    }
    if (pos < length) this.pending = Buffer.from(data.subarray(pos));
  }

  /** Ends the input: a pending partial line is handed out as the last line. */
  end(onLine: LineHandler): void {
    if (!this.pending) return;
    const last = this.pending;
    this.pending = undefined;
    this.emit(last, 0, last.length, this.offset, onLine);
  }

  private emit(data: Buffer, start: number, end: number, nextOffset: number, onLine: LineHandler): void {
    const lineStart = this.committed;
    let stop = end;
    if (stop > start && data[stop - 1] === CR) stop--;
    let text = data.toString('utf8', start, stop);
    // A UTF-8 byte-order mark at the very start of a file is not data.
    if (lineStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.lines++;
    this.committed = nextOffset;
    onLine(text, lineStart, this.lines);
  }
}
