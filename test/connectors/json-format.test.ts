import { describe, expect, it } from 'vitest';
import { createJsonDecoder, createJsonEncoder } from '../../src/connectors/formats/json-format.js';
import { RecordError } from '../../src/connectors/formats/record-codec.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { parseDate, parseTimestamp } from '../../src/common/time.js';

const schema: Schema = [
  { name: 'id', type: T.bigint() },
  { name: 'name', type: T.string() },
  { name: 'ok', type: T.boolean() },
  { name: 'fare', type: T.double() },
  { name: 'ts', type: T.timestamp(3) },
];

function decodeError(s: Schema, text: string, options: Record<string, string> = {}): RecordError {
  const r = createJsonDecoder(s, options).decodeText(text);
  expect(r).toBeInstanceOf(RecordError);
  return r as RecordError;
}

describe('json decoder', () => {
  it('reads fields by name, in column order', () => {
    const r = createJsonDecoder(schema).decodeText('{"ts":"2024-01-01 00:00:01.500","fare":1.5,"ok":true,"name":"abc","id":7}');
    expect(r).toEqual([7, 'abc', true, 1.5, parseTimestamp('2024-01-01 00:00:01.500')]);
  });

  it('falls back to case-insensitive names, prefers the exact one', () => {
    const s: Schema = [{ name: 'Id', type: T.int() }];
    expect(createJsonDecoder(s).decodeText('{"ID":1}')).toEqual([1]);
    expect(createJsonDecoder(s).decodeText('{"id":1,"Id":2}')).toEqual([2]);
  });

  it('reads a missing field as NULL, or fails with json.fail-on-missing-field', () => {
    expect(createJsonDecoder(schema).decodeText('{"id":1}')).toEqual([1, null, null, null, null]);
    const e = decodeError(schema, '{"id":1}', { 'json.fail-on-missing-field': 'true' });
    expect(e.kind).toBe('missing-field');
    expect(e.message).toBe('column `name` (STRING) is missing');
  });

  it('converts numeric strings, and rejects non-integral integers', () => {
    expect(createJsonDecoder(schema).decodeText('{"id":"42","fare":"2.5e1"}')).toEqual([42, null, null, 25, null]);
    const e = decodeError(schema, '{"id":1.5}');
    expect(e.kind).toBe('wrong-type');
    expect(e.message).toBe('column `id` (BIGINT): expected an integer, got 1.5');
    expect(decodeError(schema, '{"fare":"abc"}').message).toBe('column `fare` (DOUBLE): expected a number, got "abc"');
  });

  it('tells numeric overflow apart from a wrong type', () => {
    const tiny = decodeError([{ name: 'b', type: T.tinyint() }], '{"b":300}');
    expect([tiny.kind, tiny.message]).toEqual(['numeric-overflow', 'column `b` (TINYINT): 300 is out of range for TINYINT']);
    const int: Schema = [{ name: 'i', type: T.int() }];
    expect(createJsonDecoder(int).decodeText('{"i":2147483647}')).toEqual([2147483647]);
    expect(decodeError(int, '{"i":2147483648}').kind).toBe('numeric-overflow');
    expect(decodeError(int, '{"i":"-2147483649"}').kind).toBe('numeric-overflow');
    expect(decodeError(int, '{"i":"1e3"}').kind).toBe('wrong-type');
    const big: Schema = [{ name: 'b', type: T.bigint() }];
    expect(createJsonDecoder(big).decodeText('{"b":"-9223372036854775808"}')).toEqual([-(2n ** 63n)]);
    expect(decodeError(big, '{"b":"-9223372036854775809"}').kind).toBe('numeric-overflow');
    expect(decodeError(big, '{"b":1e19}').kind).toBe('numeric-overflow');
    const dec: Schema = [{ name: 'd', type: T.decimal(4, 1) }];
    expect(createJsonDecoder(dec).decodeText('{"d":999.94}')).toEqual([999.9]);
    const over = decodeError(dec, '{"d":999.96}');
    expect([over.kind, over.message]).toEqual(['numeric-overflow', 'column `d` (DECIMAL(4, 1)): 999.96 does not fit DECIMAL(4, 1)']);
    expect(decodeError(dec, '{"d":"NaN"}').kind).toBe('wrong-type');
    expect(decodeError(dec, '{"d":"Infinity"}').kind).toBe('numeric-overflow');
  });

  it('reads every scalar type', () => {
    const s: Schema = [
      { name: 'b', type: T.boolean() },
      { name: 'i', type: T.int() },
      { name: 'f', type: T.float() },
      { name: 'd', type: T.decimal(10, 2) },
      { name: 'dt', type: T.date() },
      { name: 'tm', type: T.time() },
      { name: 'ltz', type: T.timestampLtz(3) },
      { name: 'ts0', type: T.timestamp(0) },
      { name: 'by', type: T.bytes() },
      { name: 's', type: T.string() },
    ];
    const r = createJsonDecoder(s).decodeText(
      '{"b":"TRUE","i":-3,"f":"NaN","d":"1.005","dt":"2024-02-29","tm":"12:30:00","ltz":"2024-01-01T00:00:00.250+01:00",' +
        '"ts0":1700000000999,"by":"AQID","s":{"x":1}}',
    ) as unknown[];
    expect(r.slice(0, 2)).toEqual([true, -3]);
    expect(Number.isNaN(r[2])).toBe(true);
    expect(r.slice(3)).toEqual([
      1.01,
      parseDate('2024-02-29'),
      45_000_000,
      parseTimestamp('2023-12-31 23:00:00.250'),
      1700000000000,
      new Uint8Array([1, 2, 3]),
      '{"x":1}',
    ]);
  });

  it('reads ARRAY, ROW and MAP', () => {
    const s: Schema = [
      { name: 'a', type: T.array(T.int()) },
      { name: 'r', type: T.row([{ name: 'x', type: T.int() }, { name: 'y', type: T.string() }]) },
      { name: 'm', type: T.map(T.int(), T.double()) },
    ];
    expect(createJsonDecoder(s).decodeText('{"a":[1,null,3],"r":{"y":"q","x":2},"m":{"1":0.5}}')).toEqual([
      [1, null, 3],
      [2, 'q'],
      new Map([[1, 0.5]]),
    ]);
    expect(decodeError(s, '{"a":5}').message).toBe('column `a` (ARRAY<INT>): expected an array, got 5');
  });

  it('rejects invalid JSON, non-objects, bad timestamps, NULL in NOT NULL columns and empty text', () => {
    expect(decodeError(schema, '{"id":').kind).toBe('invalid-json');
    expect(decodeError(schema, '[1,2]').message).toBe('expected a JSON object, got an array');
    expect(decodeError(schema, '{"ts":"yesterday"}').message).toBe(
      "column `ts` (TIMESTAMP(3)): expected a timestamp ('yyyy-MM-dd HH:mm:ss.SSS', ISO-8601 or epoch milliseconds), got \"yesterday\"",
    );
    const strict: Schema = [{ name: 'id', type: withNullable(T.int(), false) }];
    const e = decodeError(strict, '{"id":null}');
    expect(e.kind).toBe('missing-not-null');
    expect(e.message).toBe('column `id` (INT NOT NULL): got null, but the type is NOT NULL');
    expect(decodeError(strict, '{}').kind).toBe('missing-not-null');
    expect(decodeError(schema, '   ').kind).toBe('empty');
  });
});

describe('json encoder', () => {
  it('writes timestamps, dates and decimals as Flink does, and round-trips', () => {
    const s: Schema = [
      ...schema,
      { name: 'd', type: T.decimal(10, 2) },
      { name: 'dt', type: T.date() },
      { name: 'ltz', type: T.timestampLtz(3) },
    ];
    const row = [1, 'a"b', false, null, parseTimestamp('2024-01-02 03:04:05.006'), 12.5, parseDate('2024-03-01'), 0];
    const text = createJsonEncoder(s).encode(row);
    expect(text).toBe(
      '{"id":1,"name":"a\\"b","ok":false,"fare":null,"ts":"2024-01-02 03:04:05.006","d":12.5,"dt":"2024-03-01","ltz":"1970-01-01 00:00:00.000Z"}',
    );
    expect(createJsonDecoder(s).decodeText(text)).toEqual(row);
  });

  it('writes ISO-8601 timestamps when asked', () => {
    const s: Schema = [{ name: 'ts', type: T.timestamp(3) }];
    expect(createJsonEncoder(s, { 'json.timestamp-format.standard': 'ISO-8601' }).encode([0])).toBe('{"ts":"1970-01-01T00:00:00.000"}');
  });
});

describe('parseCanonicalTimestamp', () => {
  it('agrees with parseTimestamp on the canonical shapes and leaves others to it', async () => {
    const { parseCanonicalTimestamp } = await import('../../src/connectors/formats/convert-value.js');
    for (const text of ['2024-02-29 23:59:59.999', '1970-01-01 00:00:00', '1969-12-31T23:59:59.001', '2000-03-01 12:00:00.000', '0001-01-01 00:00:00']) {
      expect(parseCanonicalTimestamp(text)).toBe(parseTimestamp(text));
    }
    for (const text of ['2023-02-29 00:00:00', '2024-13-01 00:00:00', '2024-01-01 24:00:00', '2024-01-01 00:00:00,000', '2024-01-01']) {
      expect(parseCanonicalTimestamp(text)).toBeUndefined();
    }
  });
});

describe('json decoder limits', () => {
  const s: Schema = [{ name: 's', type: T.string() }];

  it('nesting: up to 1000 levels (the record object included) read, one more is a too-deep bad record', () => {
    const at = (depth: number) => `{"s":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(createJsonDecoder(s).decodeText(at(1000))).toEqual(['['.repeat(999) + ']'.repeat(999)]);
    expect(decodeError(s, at(1001)).kind).toBe('too-deep');
  });

  it('brackets inside strings (with escaped quotes) do not count as nesting', () => {
    const text = JSON.stringify({ s: '\\"' + '['.repeat(3000) + '{'.repeat(3000) });
    expect(createJsonDecoder(s).decodeText(text)).toEqual(['\\"' + '['.repeat(3000) + '{'.repeat(3000)]);
  });

  it('TIMESTAMP: epoch numbers outside years 0000-9999 are out-of-range, naming the unit they look like', () => {
    const t: Schema = [{ name: 'ts', type: T.timestamp(3) }];
    expect(createJsonDecoder(t).decodeText('{"ts":253402300799999}')).toEqual([253402300799999]);
    expect(createJsonDecoder(t).decodeText('{"ts":-62167219200000}')).toEqual([-62167219200000]);
    const past = decodeError(t, '{"ts":253402300800000}');
    expect(past.kind).toBe('out-of-range');
    expect(decodeError(t, '{"ts":-62167219200001}').kind).toBe('out-of-range');
    expect(decodeError(t, '{"ts":1733500000000000}').message).toContain('it looks like epoch microseconds');
    expect(decodeError(t, '{"ts":"10000-01-01 00:00:00"}').kind).toBe('out-of-range');
  });

  it('DATE and TIME numbers out of their range are out-of-range', () => {
    expect(decodeError([{ name: 'd', type: T.date() }], '{"d":2932897}').kind).toBe('out-of-range'); // 10000-01-01
    expect(createJsonDecoder([{ name: 'd', type: T.date() }]).decodeText('{"d":2932896}')).toEqual([2932896]); // 9999-12-31
    expect(decodeError([{ name: 't', type: T.time() }], '{"t":86400000}').kind).toBe('out-of-range');
  });
});
