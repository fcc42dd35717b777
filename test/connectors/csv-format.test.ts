import { describe, expect, it } from 'vitest';
import { createCsvDecoder, createCsvEncoder, splitCsvLine } from '../../src/connectors/formats/csv-format.js';
import { RecordError } from '../../src/connectors/formats/record-codec.js';
import { T, type Schema } from '../../src/common/types.js';
import { parseTimestamp } from '../../src/common/time.js';
import { EddyError } from '../../src/common/errors.js';

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
  { name: 'ts', type: T.timestamp(3) },
];

describe('csv splitting', () => {
  it('follows RFC 4180 quoting', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",', ',', '"')).toEqual({
      fields: ['a', 'b,c', 'say "hi"', ''],
      quoted: [false, true, true, false],
    });
    expect(splitCsvLine('"abc', ',', '"')).toBe('unterminated quoted field starting at column 1');
    expect(splitCsvLine('"a"b,c', ',', '"')).toBe('unexpected character after the closing quote at column 4');
    expect(splitCsvLine('"a",b', ',', undefined)).toEqual({ fields: ['"a"', 'b'], quoted: [false, false] });
  });
});

describe('csv decoder', () => {
  it('reads fields by position and converts them', () => {
    expect(createCsvDecoder(schema).decodeText('1,"x, y",2024-01-01 00:00:00.000')).toEqual([1, 'x, y', parseTimestamp('2024-01-01')]);
  });

  it('reads NULL from empty unquoted fields and the null literal; "" is an empty string', () => {
    expect(createCsvDecoder(schema).decodeText(',,')).toEqual([null, null, null]);
    expect(createCsvDecoder(schema).decodeText('"","",')).toEqual([null, '', null]);
    expect(createCsvDecoder(schema, { 'csv.null-literal': 'n/a' }).decodeText('n/a,n/a,')).toEqual([null, null, null]);
    expect(createCsvDecoder(schema, { 'csv.null-literal': 'n/a' }).decodeText('1,"n/a",')).toEqual([1, 'n/a', null]);
  });

  it('honours delimiter, quote character, comments and disabled quoting', () => {
    expect(createCsvDecoder(schema, { 'csv.field-delimiter': '\\t' }).decodeText("1\tx\t")).toEqual([1, 'x', null]);
    expect(createCsvDecoder(schema, { 'csv.field-delimiter': ';', 'csv.quote-character': "'" }).decodeText("1;'a;b';")).toEqual([1, 'a;b', null]);
    expect(createCsvDecoder(schema, { 'csv.allow-comments': 'true' }).decodeText('# a comment')).toBeNull();
    expect(createCsvDecoder(schema, { 'csv.disable-quote-character': 'true' }).decodeText('1,"a",')).toEqual([1, '"a"', null]);
    expect(() => createCsvDecoder(schema, { 'csv.field-delimiter': ';;' })).toThrow(EddyError);
  });

  it('reports bad records', () => {
    const d = createCsvDecoder(schema);
    const count = d.decodeText('1,a') as RecordError;
    expect(count).toBeInstanceOf(RecordError);
    expect([count.kind, count.message]).toEqual(['invalid-csv', 'expected 3 fields, found 2']);
    const quote = d.decodeText('1,"a,') as RecordError;
    expect([quote.kind, quote.message]).toEqual(['invalid-csv', 'invalid CSV: unterminated quoted field starting at column 3']);
    const type = d.decodeText('x,a,') as RecordError;
    expect([type.kind, type.message]).toEqual(['wrong-type', 'column `id` (INT): expected an integer, got "x"']);
    expect((d.decodeText('') as RecordError).kind).toBe('empty');
    const overflow = d.decodeText('2147483648,a,') as RecordError;
    expect([overflow.kind, overflow.message]).toEqual(['numeric-overflow', 'column `id` (INT): "2147483648" is out of range for INT']);
  });

  it('reads a blank line of a one-column table as NULL, not as an empty record', () => {
    expect(createCsvDecoder([{ name: 'a', type: T.string() }]).decodeText('')).toEqual([null]);
  });

  it('reads nested types from JSON text', () => {
    const s: Schema = [{ name: 'a', type: T.array(T.int()) }];
    expect(createCsvDecoder(s).decodeText('"[1,2]"')).toEqual([[1, 2]]);
  });
});

describe('csv encoder', () => {
  it('quotes only when needed and round-trips', () => {
    const e = createCsvEncoder(schema);
    const rows = [
      [1, 'plain', 0],
      [2, 'a,b "c"', null],
      [null, '', 1000],
      [3, null, null],
    ];
    const lines = rows.map((r) => e.encode(r));
    expect(lines).toEqual([
      '1,plain,1970-01-01 00:00:00.000',
      '2,"a,b ""c""",',
      ',"",1970-01-01 00:00:01.000',
      '3,,',
    ]);
    const d = createCsvDecoder(schema);
    expect(lines.map((l) => d.decodeText(l))).toEqual(rows);
  });

  it('writes the null literal and the delimiter asked for', () => {
    const e = createCsvEncoder(schema, { 'csv.field-delimiter': '|', 'csv.null-literal': 'NULL' });
    expect(e.encode([1, 'NULL', null])).toBe('1|"NULL"|NULL');
  });
});
