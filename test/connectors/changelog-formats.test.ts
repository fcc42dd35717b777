import { describe, expect, it } from 'vitest';
import { createDebeziumJsonDecoder, createDebeziumJsonEncoder } from '../../src/connectors/formats/debezium-json-format.js';
import { createCanalJsonDecoder, createCanalJsonEncoder } from '../../src/connectors/formats/canal-json-format.js';
import { RecordError, type DecodedChanges } from '../../src/connectors/formats/record-codec.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE } from '../../src/runtime/changelog.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { parseTimestamp } from '../../src/common/time.js';

const schema: Schema = [
  { name: 'id', type: withNullable(T.int(), false) },
  { name: 'name', type: T.string() },
  { name: 'weight', type: T.double() },
];

function changes(r: DecodedChanges | RecordError | null): DecodedChanges {
  expect(r).not.toBeInstanceOf(RecordError);
  expect(r).not.toBeNull();
  return r as DecodedChanges;
}

function error(r: DecodedChanges | RecordError | null): RecordError {
  expect(r).toBeInstanceOf(RecordError);
  return r as RecordError;
}

describe('debezium-json decoder', () => {
  const decoder = createDebeziumJsonDecoder(schema);
  const decode = (text: string) => decoder.decodeChanges!({ value: text });

  it('reads c and r as +I of "after"', () => {
    expect(decode('{"before":null,"after":{"id":1,"name":"scooter","weight":3.14},"op":"c","ts_ms":1}')).toEqual({ rows: [[1, 'scooter', 3.14]], kinds: [INSERT] });
    expect(decode('{"before":null,"after":{"id":2,"name":"car","weight":null},"op":"r"}')).toEqual({ rows: [[2, 'car', null]], kinds: [INSERT] });
  });

  it('reads u as -U of "before" then +U of "after"', () => {
    const r = changes(decode('{"before":{"id":1,"name":"scooter","weight":3.14},"after":{"id":1,"name":"scooter","weight":5.1},"op":"u"}'));
    expect(r).toEqual({ rows: [[1, 'scooter', 3.14], [1, 'scooter', 5.1]], kinds: [UPDATE_BEFORE, UPDATE_AFTER] });
  });

  it('reads d as -D of "before"', () => {
    expect(decode('{"before":{"id":1,"name":"scooter","weight":5.1},"after":null,"op":"d"}')).toEqual({ rows: [[1, 'scooter', 5.1]], kinds: [DELETE] });
  });

  it('reads a tombstone (null value) as no record, and bytes as UTF-8', () => {
    expect(decoder.decodeChanges!({ value: null })).toBeNull();
    const bytes = new TextEncoder().encode('{"after":{"id":3,"name":"é"},"op":"c"}');
    expect(decoder.decodeChanges!({ value: bytes })).toEqual({ rows: [[3, 'é', null]], kinds: [INSERT] });
  });

  it('reads the "payload" with debezium-json.schema-include', () => {
    const d = createDebeziumJsonDecoder(schema, { 'debezium-json.schema-include': 'true' });
    const text = '{"schema":{"type":"struct"},"payload":{"before":null,"after":{"id":7,"name":"x","weight":1},"op":"c"}}';
    expect(d.decodeChanges!({ value: text })).toEqual({ rows: [[7, 'x', 1]], kinds: [INSERT] });
    expect(error(d.decodeChanges!({ value: '{"op":"c","after":{"id":1}}' })).message).toMatch(/no "payload"/);
    // Without the option, a message with a schema says which option is missing.
    const e = error(decode(text));
    expect(e.kind).toBe('invalid-change');
    expect(e.message).toContain("'debezium-json.schema-include' = 'true'");
  });

  it('reports a missing op, an unknown op and a missing before as invalid changes', () => {
    const missing = error(decode('{"before":null,"after":{"id":1}}'));
    expect(missing.kind).toBe('invalid-change');
    expect(missing.message).toMatch(/no "op"/);
    const unknown = error(decode('{"before":null,"after":{"id":1},"op":"x"}'));
    expect(unknown.kind).toBe('invalid-change');
    expect(unknown.message).toBe('unknown "op" "x"; a Debezium change is "c", "r", "u" or "d"');
    const noBefore = error(decode('{"before":null,"after":{"id":1},"op":"u"}'));
    expect(noBefore.kind).toBe('invalid-change');
    expect(noBefore.message).toMatch(/"before" of a change with "op" = "u" is missing.*REPLICA IDENTITY FULL/);
    expect(error(decode('{"before":null,"after":null,"op":"d"}')).message).toMatch(/"before" of a change with "op" = "d" is missing/);
    expect(error(decode('{"after":null,"op":"c"}')).message).toMatch(/"after" of a change with "op" = "c" is missing/);
  });

  it('reports bad JSON and bad column values with their kinds', () => {
    expect(error(decode('{"op":')).kind).toBe('invalid-json');
    const wrong = error(decode('{"after":{"id":"abc"},"op":"c"}'));
    expect(wrong.kind).toBe('wrong-type');
    expect(wrong.message).toMatch(/^"after": column `id` \(INT NOT NULL\)/);
    expect(error(decode('{"after":{"name":"a"},"op":"c"}')).kind).toBe('missing-not-null');
  });

  it('is read only through decodeChanges', () => {
    const e = decoder.decodeText('{"after":{"id":1},"op":"c"}');
    expect(e).toBeInstanceOf(RecordError);
    expect((e as RecordError).kind).toBe('invalid-change');
  });
});

describe('debezium-json encoder', () => {
  it('writes +I and +U as "c" events and -U and -D as "d" events (Flink)', () => {
    const e = createDebeziumJsonEncoder(schema);
    expect(e.encode([1, 'a', 1.5])).toBe('{"before":null,"after":{"id":1,"name":"a","weight":1.5},"op":"c"}');
    expect(e.encodeChange!(UPDATE_AFTER, [1, 'a', 2])).toBe('{"before":null,"after":{"id":1,"name":"a","weight":2},"op":"c"}');
    expect(e.encodeChange!(UPDATE_BEFORE, [1, 'a', 1.5])).toBe('{"before":{"id":1,"name":"a","weight":1.5},"after":null,"op":"d"}');
    expect(e.encodeChange!(DELETE, [1, null, null])).toBe('{"before":{"id":1,"name":null,"weight":null},"after":null,"op":"d"}');
  });

  it('writes timestamps per debezium-json.timestamp-format.standard, and reads them back', () => {
    const s: Schema = [{ name: 'ts', type: T.timestamp(3) }];
    const ts = parseTimestamp('2024-05-06 07:08:09.010')!;
    const iso = createDebeziumJsonEncoder(s, { 'debezium-json.timestamp-format.standard': 'ISO-8601' }).encode([ts]);
    expect(iso).toBe('{"before":null,"after":{"ts":"2024-05-06T07:08:09.010"},"op":"c"}');
    expect(createDebeziumJsonDecoder(s).decodeChanges!({ value: iso })).toEqual({ rows: [[ts]], kinds: [INSERT] });
  });

  it('round-trips every kind: encoded changes decode to the same rows (each -U/-D as a delete)', () => {
    const e = createDebeziumJsonEncoder(schema);
    const d = createDebeziumJsonDecoder(schema);
    expect(d.decodeChanges!({ value: e.encodeChange!(DELETE, [4, 'z', 0.5]) })).toEqual({ rows: [[4, 'z', 0.5]], kinds: [DELETE] });
    expect(d.decodeChanges!({ value: e.encode([4, 'z', 0.5]) })).toEqual({ rows: [[4, 'z', 0.5]], kinds: [INSERT] });
  });

  it('refuses to write debezium-json.schema-include', () => {
    expect(() => createDebeziumJsonEncoder(schema, { 'debezium-json.schema-include': 'true' })).toThrow(/only read/);
  });
});

describe('canal-json decoder', () => {
  const decoder = createCanalJsonDecoder(schema);
  const decode = (text: string) => decoder.decodeChanges!({ value: text });

  it('reads every row of an INSERT as +I', () => {
    const text = '{"data":[{"id":"1","name":"a","weight":"1.5"},{"id":"2","name":"b","weight":null}],"database":"inventory","table":"products","type":"INSERT","isDdl":false,"old":null}';
    expect(decode(text)).toEqual({ rows: [[1, 'a', 1.5], [2, 'b', null]], kinds: [INSERT, INSERT] });
  });

  it('reads an UPDATE as -U/+U per row, the old row being the new one with the fields of "old"', () => {
    const text = '{"data":[{"id":1,"name":"a","weight":2.5},{"id":2,"name":"bb","weight":1}],"old":[{"weight":1.5},{"name":"b"}],"type":"UPDATE"}';
    expect(decode(text)).toEqual({
      rows: [[1, 'a', 1.5], [1, 'a', 2.5], [2, 'b', 1], [2, 'bb', 1]],
      kinds: [UPDATE_BEFORE, UPDATE_AFTER, UPDATE_BEFORE, UPDATE_AFTER],
    });
    // A field that changed to NULL is in "old" with its old value; one that changed from NULL has null there.
    expect(decode('{"data":[{"id":1,"name":null,"weight":1}],"old":[{"name":null,"weight":null}],"type":"UPDATE"}')).toEqual({
      rows: [[1, null, null], [1, null, 1]],
      kinds: [UPDATE_BEFORE, UPDATE_AFTER],
    });
  });

  it('reads every row of a DELETE as -D, and skips DDL events', () => {
    expect(decode('{"data":[{"id":3,"name":"c","weight":1}],"type":"DELETE"}')).toEqual({ rows: [[3, 'c', 1]], kinds: [DELETE] });
    expect(decode('{"data":null,"type":"CREATE","isDdl":true,"sql":"CREATE TABLE t (id INT)"}')).toBeNull();
    expect(decode('{"data":null,"type":"ALTER","isDdl":true,"sql":"ALTER TABLE t ADD x INT"}')).toBeNull();
  });

  it('keeps only messages of the included databases and tables (whole-name regular expressions)', () => {
    const d = createCanalJsonDecoder(schema, { 'canal-json.database.include': 'inv.*', 'canal-json.table.include': 'products|orders' });
    const msg = (db: string, table: string) => `{"data":[{"id":1}],"database":"${db}","table":"${table}","type":"INSERT"}`;
    expect(d.decodeChanges!({ value: msg('inventory', 'products') })).toEqual({ rows: [[1, null, null]], kinds: [INSERT] });
    expect(d.decodeChanges!({ value: msg('inventory', 'orders') })).not.toBeNull();
    expect(d.decodeChanges!({ value: msg('sales', 'products') })).toBeNull();
    expect(d.decodeChanges!({ value: msg('inventory', 'products2') })).toBeNull();
    expect(d.decodeChanges!({ value: msg('myinventory', 'products') })).toBeNull();
  });

  it('reports a missing or unknown type, a missing "data" or "old", and mismatched sizes', () => {
    expect(error(decode('{"data":[{"id":1}]}')).message).toMatch(/no "type"/);
    const unknown = error(decode('{"data":[{"id":1}],"type":"MERGE"}'));
    expect(unknown.kind).toBe('invalid-change');
    expect(unknown.message).toBe('unknown "type" "MERGE"; a Canal change is "INSERT", "UPDATE" or "DELETE"');
    expect(error(decode('{"type":"INSERT"}')).message).toMatch(/"data" of a INSERT message must be an array/);
    expect(error(decode('{"data":[{"id":1}],"type":"UPDATE"}')).message).toMatch(/"old" of a UPDATE message/);
    expect(error(decode('{"data":[{"id":1},{"id":2}],"old":[{}],"type":"UPDATE"}')).message).toMatch(/2 rows in "data" but 1 in "old"/);
    expect(error(decode('{"data":[{"id":"x"}],"type":"INSERT"}')).message).toMatch(/^"data"\[0\]: column `id`/);
  });
});

describe('canal-json encoder', () => {
  it('writes +I/+U as INSERT and -U/-D as DELETE messages of one row (Flink), which read back', () => {
    const e = createCanalJsonEncoder(schema);
    expect(e.encode([1, 'a', 1.5])).toBe('{"data":[{"id":1,"name":"a","weight":1.5}],"type":"INSERT"}');
    expect(e.encodeChange!(UPDATE_AFTER, [1, 'a', 2])).toBe('{"data":[{"id":1,"name":"a","weight":2}],"type":"INSERT"}');
    expect(e.encodeChange!(UPDATE_BEFORE, [1, 'a', 1.5])).toBe('{"data":[{"id":1,"name":"a","weight":1.5}],"type":"DELETE"}');
    const d = createCanalJsonDecoder(schema);
    expect(d.decodeChanges!({ value: e.encodeChange!(DELETE, [1, 'a', 1.5]) })).toEqual({ rows: [[1, 'a', 1.5]], kinds: [DELETE] });
  });
});
