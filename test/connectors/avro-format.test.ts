import { describe, expect, it } from 'vitest';
import { createAvroDecoder, createAvroEncoder, avroFormat } from '../../src/connectors/formats/avro-format.js';
import { AvroReader, AvroWriter, fromTwosComplement, twosComplement } from '../../src/connectors/formats/avro-binary.js';
import { avroSchemaJson, avroSchemaOf } from '../../src/connectors/formats/avro-schema.js';
import { RecordError } from '../../src/connectors/formats/record-codec.js';
import { T, withNullable, type DataType, type Schema } from '../../src/common/types.js';
import { parseDate, parseTimestamp } from '../../src/common/time.js';

const nn = (t: DataType): DataType => withNullable(t, false);
const hex = (b: Uint8Array | null): string => Buffer.from(b!).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

describe('Avro binary encoding (the specification\'s examples)', () => {
  it('writes int and long as zig-zag varints', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-2, '03'],
      [2, '04'],
      [-64, '7f'],
      [64, '8001'],
      [-(2 ** 31), 'ffffffff0f'],
      [2n ** 63n - 1n, 'feffffffffffffffff01'],
      [-(2n ** 63n), 'ffffffffffffffffff01'],
    ];
    for (const [v, h] of cases) {
      const w = new AvroWriter();
      w.long(v);
      expect(hex(w.bytes()), String(v)).toBe(h);
      expect(new AvroReader(bytes(h)).long(), h).toBe(BigInt(v));
    }
    const w = new AvroWriter();
    w.int(-(2 ** 31));
    expect(hex(w.bytes())).toBe('ffffffff0f');
    expect(new AvroReader(bytes('ffffffff0f')).int()).toBe(-(2 ** 31));
  });

  it('writes decimals as big-endian two\'s complement in the fewest bytes', () => {
    expect(hex(twosComplement(0n))).toBe('00');
    expect(hex(twosComplement(127n))).toBe('7f');
    expect(hex(twosComplement(128n))).toBe('0080');
    expect(hex(twosComplement(-1n))).toBe('ff');
    expect(hex(twosComplement(-129n))).toBe('ff7f');
    for (const n of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 10n ** 30n, -(10n ** 30n)]) expect(fromTwosComplement(twosComplement(n))).toBe(n);
  });

  it('reads and writes the record {a: long 27, b: string "foo"} as 36 06 66 6f 6f', () => {
    const schema: Schema = [
      { name: 'a', type: nn(T.bigint()) },
      { name: 'b', type: nn(T.string()) },
    ];
    expect(hex(createAvroEncoder(schema).encodeBytes!([27, 'foo']))).toBe('3606666f6f');
    expect(createAvroDecoder(schema).decode({ value: bytes('3606666f6f') })).toEqual([27, 'foo']);
  });

  it('writes a nullable column as the union ["null", T]: index 0 for null, 1 then the value', () => {
    const schema: Schema = [{ name: 's', type: T.string() }];
    const e = createAvroEncoder(schema);
    expect(hex(e.encodeBytes!([null]))).toBe('00');
    expect(hex(e.encodeBytes!(['a']))).toBe('020261');
    const d = createAvroDecoder(schema);
    expect(d.decode({ value: bytes('00') })).toEqual([null]);
    expect(d.decode({ value: bytes('020261') })).toEqual(['a']);
  });

  it('writes an array of longs [3, 27] as a block of 2 items then 0', () => {
    const schema: Schema = [{ name: 'xs', type: nn(T.array(nn(T.bigint()))) }];
    expect(hex(createAvroEncoder(schema).encodeBytes!([[3, 27]]))).toBe('04063600');
    expect(hex(createAvroEncoder(schema).encodeBytes!([[]]))).toBe('00');
    // A block with a negative count carries its byte size: -2 items, 2 bytes.
    expect(createAvroDecoder(schema).decode({ value: bytes('03 04 06 36 00') })).toEqual([[3, 27]]);
  });

  it('writes float and double little-endian, booleans as one byte, bytes with their length', () => {
    const schema: Schema = [
      { name: 'f', type: nn(T.float()) },
      { name: 'd', type: nn(T.double()) },
      { name: 'b', type: nn(T.boolean()) },
      { name: 'x', type: nn(T.bytes()) },
    ];
    const b = createAvroEncoder(schema).encodeBytes!([1.5, -2, true, new Uint8Array([1, 2, 3])]);
    expect(hex(b)).toBe('0000c03f' + '00000000000000c0' + '01' + '06010203');
    expect(createAvroDecoder(schema).decode({ value: b })).toEqual([1.5, -2, true, new Uint8Array([1, 2, 3])]);
  });
});

describe('the avro format', () => {
  const schema: Schema = [
    { name: 'id', type: nn(T.bigint()) },
    { name: 'name', type: T.string() },
    { name: 'price', type: T.decimal(10, 2) },
    { name: 'day', type: T.date() },
    { name: 'ts', type: T.timestamp(3) },
    { name: 'tags', type: T.array(T.string()) },
    { name: 'attrs', type: T.map(nn(T.string()), T.int()) },
    { name: 'pos', type: T.row([{ name: 'x', type: nn(T.double()) }, { name: 'y', type: T.double() }]) },
    { name: 't', type: T.time(3) },
    { name: 'small', type: T.smallint() },
  ];

  it('derives the schema from the columns with Flink\'s mapping', () => {
    expect(avroSchemaJson(avroSchemaOf(schema))).toEqual({
      type: 'record',
      name: 'record',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'name', type: ['null', 'string'] },
        { name: 'price', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }] },
        { name: 'day', type: ['null', { type: 'int', logicalType: 'date' }] },
        { name: 'ts', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }] },
        { name: 'tags', type: ['null', { type: 'array', items: ['null', 'string'] }] },
        { name: 'attrs', type: ['null', { type: 'map', values: ['null', 'int'] }] },
        { name: 'pos', type: ['null', { type: 'record', name: 'record_pos', fields: [{ name: 'x', type: 'double' }, { name: 'y', type: ['null', 'double'] }] }] },
        { name: 't', type: ['null', { type: 'int', logicalType: 'time-millis' }] },
        { name: 'small', type: ['null', 'int'] },
      ],
    });
  });

  it('round-trips rows: encoded then decoded equals the row', () => {
    const rows = [
      [1, 'a', 12.5, parseDate('2024-02-29'), parseTimestamp('2024-02-29 23:59:59.999'), ['x', null], new Map([['k', 1], ['n', null]]), [1.5, null], 3_600_000, -7],
      [2n ** 62n, null, null, null, null, null, null, null, null, null],
      [-5, '', -12345678.99, parseDate('1969-12-31'), parseTimestamp('1960-01-01 00:00:00.001'), [], new Map(), [0, -0.25], 0, 32767],
    ];
    const e = createAvroEncoder(schema);
    const d = createAvroDecoder(schema);
    for (const row of rows) expect(d.decode({ value: e.encodeBytes!(row) })).toEqual(row);
  });

  it('reads hand-made bytes of a DECIMAL(10, 2) and a timestamp-millis', () => {
    const s: Schema = [
      { name: 'p', type: nn(T.decimal(10, 2)) },
      { name: 'ts', type: nn(T.timestamp(3)) },
    ];
    // -1.28 is unscaled -128: one byte 80 (length 1 = 02); 1000 ms = zig-zag 2000 = d0 0f. Two bytes ff 80 are -128 too.
    expect(hex(createAvroEncoder(s).encodeBytes!([-1.28, 1000]))).toBe('0280d00f');
    expect(createAvroDecoder(s).decode({ value: bytes('0280 d00f') })).toEqual([-1.28, 1000]);
    expect(createAvroDecoder(s).decode({ value: bytes('04ff80 d00f') })).toEqual([-1.28, 1000]);
    // 1.28 is unscaled 128: 00 80 (0x80 alone would be negative).
    expect(hex(createAvroEncoder(s).encodeBytes!([1.28, 0]))).toBe('04008000');
  });

  it('uses a schema given in avro.schema: union order, enums, fixed, micros', () => {
    const given = JSON.stringify({
      type: 'record',
      name: 'Trade',
      namespace: 'x.y',
      fields: [
        { name: 'side', type: { type: 'enum', name: 'Side', symbols: ['BUY', 'SELL'] } },
        { name: 'note', type: ['string', 'null'] },
        { name: 'id', type: { type: 'fixed', name: 'Id', size: 2 } },
        { name: 'ts', type: { type: 'long', logicalType: 'timestamp-micros' } },
      ],
    });
    const s: Schema = [
      { name: 'side', type: nn(T.string()) },
      { name: 'note', type: T.string() },
      { name: 'id', type: nn(T.bytes()) },
      { name: 'ts', type: nn(T.timestamp(6)) },
    ];
    const options = { 'avro.schema': given };
    const e = createAvroEncoder(s, options);
    // SELL = enum 1 (02); null is branch 1 of ["string","null"] (02); fixed 2 bytes; 1 ms = 1000 µs = zig-zag 2000.
    expect(hex(e.encodeBytes!(['SELL', null, new Uint8Array([9, 8]), 1]))).toBe('02' + '02' + '0908' + 'd00f');
    expect(createAvroDecoder(s, options).decode({ value: bytes('00 00 0661 6263 0102 d00f') })).toEqual(['BUY', 'abc', new Uint8Array([1, 2]), 1]);
    expect(() => e.encodeBytes!(['HOLD', null, new Uint8Array([1, 2]), 0])).toThrow(/'HOLD' is not a symbol of enum 'Side'/);
  });

  it('refuses a given schema that does not match the columns, naming the field', () => {
    const s: Schema = [
      { name: 'a', type: T.bigint() },
      { name: 'b', type: nn(T.string()) },
    ];
    const problems = (avro: unknown) => avroFormat.checkSchema!(s, { 'avro.schema': JSON.stringify(avro) }).map((p) => p.message);
    const rec = (fields: unknown[]) => ({ type: 'record', name: 'r', fields });
    expect(problems(rec([{ name: 'a', type: ['null', 'long'] }, { name: 'b', type: 'string' }]))).toEqual([]);
    expect(problems(rec([{ name: 'a', type: 'long' }, { name: 'b', type: 'string' }]))[0]).toMatch(/column 'a' is nullable \(BIGINT\), but its Avro type long is not a union with "null"/);
    expect(problems(rec([{ name: 'a', type: ['null', 'int'] }, { name: 'b', type: 'string' }]))[0]).toMatch(/column 'a' is BIGINT, which the Avro type int cannot hold/);
    expect(problems(rec([{ name: 'b', type: 'string' }, { name: 'a', type: ['null', 'long'] }]))[0]).toMatch(/field 1 of the Avro record 'r' is 'b', but column 1 is 'a'/);
    expect(problems(rec([{ name: 'a', type: ['null', 'long'] }]))[0]).toMatch(/has 1 fields \(a\), but there are 2 columns/);
    expect(problems('string')[0]).toMatch(/must be a record/);
    expect(problems(rec([{ name: 'a', type: ['null', 'long', 'string'] }, { name: 'b', type: 'string' }]))[0]).toMatch(/must be of "null" and one other type/);
    expect(avroFormat.checkSchema!(s, { 'avro.schema': '{"type":' })[0]!.message).toMatch(/not valid JSON/);
    expect(avroFormat.checkSchema!([{ name: 'i', type: T.intervalDayTime() }], {})[0]!.message).toMatch(/has no Avro type/);
  });

  it('reports truncated data, trailing bytes and a bad union index as invalid-avro records', () => {
    const s: Schema = [
      { name: 'a', type: nn(T.bigint()) },
      { name: 'b', type: T.string() },
    ];
    const d = createAvroDecoder(s);
    const bad = (h: string): RecordError => {
      const r = d.decode({ value: bytes(h) });
      expect(r).toBeInstanceOf(RecordError);
      expect((r as RecordError).kind).toBe('invalid-avro');
      return r as RecordError;
    };
    expect(bad('02 02 06 6162').message).toMatch(/string of 3 bytes is longer than the data left/);
    expect(bad('02 00 ff').message).toMatch(/1 bytes are left after the record/);
    expect(bad('02 04').message).toMatch(/union branch 2 does not exist/);
    expect(bad('').message).toMatch(/ends early/);
    expect(bad('02 02 02 ff').message).toMatch(/not valid UTF-8/);
    expect(d.decode({ value: null })).toBeNull();
  });

  it('fails to write a value its schema cannot hold', () => {
    const s: Schema = [{ name: 'p', type: T.decimal(3, 1) }];
    expect(() => createAvroEncoder(s).encodeBytes!([{ decimal: '12345.6' }])).toThrow(/does not fit DECIMAL\(3, 1\)/);
  });
});
