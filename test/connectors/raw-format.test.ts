import { describe, expect, it } from 'vitest';
import { createRawDecoder, createRawEncoder, rawFormat } from '../../src/connectors/formats/raw-format.js';
import { RecordError } from '../../src/connectors/formats/record-codec.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';

const text: Schema = [{ name: 'line', type: T.string() }];
const binary: Schema = [{ name: 'payload', type: T.bytes() }];
const hex = (b: Uint8Array | null): string => Buffer.from(b!).toString('hex');

describe('raw format', () => {
  it('reads a record as the STRING column, UTF-8 by default, and a null record as NULL', () => {
    const d = createRawDecoder(text);
    expect(d.decode({ value: new Uint8Array(Buffer.from('héllo, "world"', 'utf8')) })).toEqual(['héllo, "world"']);
    expect(d.decode({ value: null })).toEqual([null]);
    expect(d.decodeText('a line')).toEqual(['a line']);
    const bad = d.decode({ value: new Uint8Array([0xff, 0xfe]) });
    expect(bad).toBeInstanceOf(RecordError);
    expect((bad as RecordError).kind).toBe('invalid-utf8');
  });

  it('decodes and encodes text in raw.charset', () => {
    const latin = { 'raw.charset': 'ISO-8859-1' };
    expect(createRawDecoder(text, latin).decode({ value: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) })).toEqual(['café']);
    expect(hex(createRawEncoder(text, latin).encodeBytes!(['café']))).toBe('636166e9');
    const be = { 'raw.charset': 'UTF-16BE' };
    expect(hex(createRawEncoder(text, be).encodeBytes!(['aé']))).toBe('006100e9');
    expect(createRawDecoder(text, be).decode({ value: new Uint8Array([0, 0x61, 0, 0xe9]) })).toEqual(['aé']);
    expect(hex(createRawEncoder(text, { 'raw.charset': 'utf-16le' }).encodeBytes!(['aé']))).toBe('6100e900');
    expect(createRawDecoder(text, be).binary).toBe(true);
    expect(createRawDecoder(text).binary).toBe(false);
  });

  it('reads and writes a BYTES column as the record bytes, NULL as a null record', () => {
    const d = createRawDecoder(binary);
    expect(d.decode({ value: new Uint8Array([0, 1, 255]) })).toEqual([new Uint8Array([0, 1, 255])]);
    expect(d.binary).toBe(true);
    const e = createRawEncoder(binary, { 'raw.endianness': 'little-endian' });
    expect(hex(e.encodeBytes!([new Uint8Array([0, 1, 255])]))).toBe('0001ff');
    expect(e.encodeBytes!([null])).toBeNull();
  });

  it('refuses a null record for a NOT NULL column', () => {
    const r = createRawDecoder([{ name: 'v', type: withNullable(T.string(), false) }]).decode({ value: null });
    expect((r as RecordError).kind).toBe('missing-not-null');
  });

  it('refuses anything but one STRING or BYTES column', () => {
    expect(rawFormat.checkSchema!(text, {})).toEqual([]);
    expect(rawFormat.checkSchema!([...text, ...binary], {})[0]!.message).toMatch(/one column, but the table has 2: line, payload/);
    expect(rawFormat.checkSchema!([{ name: 'n', type: T.bigint() }], {})[0]!.message).toMatch(/`n` is BIGINT \(Flink's raw numeric types are not supported\)/);
    expect(() => createRawDecoder([{ name: 'n', type: T.int() }])).toThrow(/STRING or BYTES/);
  });

  it('refuses to write a line break to a file of lines', () => {
    expect(createRawEncoder(text).encode(['one line'])).toBe('one line');
    expect(() => createRawEncoder(text).encode(['two\nlines'])).toThrow(/line break/);
    expect(hex(createRawEncoder(text).encodeBytes!(['two\nlines']))).toBe(Buffer.from('two\nlines').toString('hex'));
  });
});
