import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineHandler } from '../../src/connectors/line-splitter.js';

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

  it('hands out a line over the maximum with its first 1 KiB only, across buffers, without holding the rest', () => {
    const s = new LineSplitter(0, 0, 10);
    const flaws: [string, number, number, unknown][] = [];
    const onLine: LineHandler = (t, o, n, flaw) => flaws.push([t, o, n, flaw && { kind: flaw.kind, text: Buffer.from(flaw.bytes).toString(), length: flaw.length }]);
    const long = 'x'.repeat(3000);
    for (const part of ['0123456789\r\n', '0123456789a\n', long.slice(0, 1500), long.slice(1500) + '\r\n', 'ok\n', 'y'.repeat(11)]) {
      s.push(Buffer.from(part), Buffer.byteLength(part), onLine);
    }
    expect((s as unknown as { pending: Buffer }).pending.length).toBe(11);
    s.end(onLine);
    expect(flaws).toEqual([
      ['0123456789', 0, 1, undefined],
      ['', 12, 2, { kind: 'too-large', text: '0123456789a', length: 11 }],
      ['', 24, 3, { kind: 'too-large', text: 'x'.repeat(1024), length: 3000 }],
      ['ok', 3026, 4, undefined],
      ['', 3029, 5, { kind: 'too-large', text: 'y'.repeat(11), length: 11 }],
    ]);
    expect(s.committedOffset).toBe(3040);
  });

  it('hands out a line that is not valid UTF-8 with its bytes, also when cut across buffers', () => {
    const bad = Buffer.from([0x61, 0xe2, 0x82, 0x28, 0x62]);
    const s = new LineSplitter();
    const out: [string, number, unknown][] = [];
    const onLine: LineHandler = (t, _o, n, flaw) => out.push([t, n, flaw && { kind: flaw.kind, bytes: [...flaw.bytes], length: flaw.length }]);
    const data = Buffer.concat([Buffer.from('\uFFFD ok\n'), bad, Buffer.from('\r\n€\n')]);
    s.push(data.subarray(0, 8), 8, onLine);
    s.push(data.subarray(8), data.length - 8, onLine);
    expect(out).toEqual([
      ['\uFFFD ok', 1, undefined],
      ['a\uFFFD(b', 2, { kind: 'invalid-utf8', bytes: [...bad], length: 5 }],
      ['€', 3, undefined],
    ]);
  });

  it('resumes from an offset and line count', () => {
    const s = new LineSplitter(100, 7);
    expect(feed(s, ['a\n'], false)).toEqual([['a', 100, 8]]);
  });
});
