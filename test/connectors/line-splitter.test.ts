import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/connectors/line-splitter.js';

function feed(splitter: LineSplitter, parts: (string | Buffer)[], end: boolean): [string, number, number][] {
  const out: [string, number, number][] = [];
  const onLine = (t: string, o: number, n: number) => out.push([t, o, n]);
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p) : p;
    splitter.push(b, b.length, onLine);
  }
  if (end) splitter.end(onLine);
  return out;
}

describe('LineSplitter', () => {
  it('splits lines with offsets and numbers, handling CRLF and a final line without newline', () => {
    const s = new LineSplitter();
    expect(feed(s, ['ab\r\ncd\n', '\nlast'], true)).toEqual([
      ['ab', 0, 1],
      ['cd', 4, 2],
      ['', 7, 3],
      ['last', 8, 4],
    ]);
    expect(s.committedOffset).toBe(12);
  });

  it('keeps a partial line until its newline arrives', () => {
    const s = new LineSplitter();
    expect(feed(s, ['one\ntw'], false)).toEqual([['one', 0, 1]]);
    expect(s.committedOffset).toBe(4);
    expect(s.readOffset).toBe(6);
    expect(s.hasPartialLine).toBe(true);
    expect(feed(s, ['o\nthr'], false)).toEqual([['two', 4, 2]]);
    expect(feed(s, ['ee\n'], false)).toEqual([['three', 8, 3]]);
    expect(s.committedOffset).toBe(14);
  });

  it('decodes a UTF-8 character split across buffers, and skips a BOM', () => {
    const bytes = Buffer.from('\uFEFFé€\nx\n');
    const s = new LineSplitter();
    const out = feed(s, [bytes.subarray(0, 4), bytes.subarray(4)], false);
    expect(out).toEqual([
      ['é€', 0, 1],
      ['x', 9, 2],
    ]);
  });

  it('resumes from an offset and line count', () => {
    const s = new LineSplitter(100, 7);
    expect(feed(s, ['a\n'], false)).toEqual([['a', 100, 8]]);
  });
});
