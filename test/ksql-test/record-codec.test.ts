// Record bytes as ksqlDB's formats write them; the expected bytes are written out by hand from Kafka's
// serializers (big-endian primitives) and Kafka Streams' windowed keys.

import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import { decodeRecord, encodeKey, encodeValue, RecordMismatch, UnsupportedRecord, type TopicFormat } from '../../src/ksql-test/record-codec.js';

const hex = (b: Buffer | null) => b?.toString('hex') ?? null;

function kafka(keyType = T.int(), valueFormat = 'JSON', window?: TopicFormat['window']): TopicFormat {
  return { topic: 't', source: 'TABLE T', keyFormat: 'KAFKA', valueFormat, keyColumns: [{ name: 'ID', type: keyType }], valueColumns: [{ name: 'V', type: T.bigint() }], ...(window ? { window } : {}) };
}

describe('keys', () => {
  it('KAFKA primitives: INT 4 bytes, BIGINT 8 bytes, DOUBLE IEEE 754, STRING UTF-8, all big-endian', () => {
    expect(hex(encodeKey(kafka(T.int()), { topic: 't', key: 10, value: null }))).toBe('0000000a');
    expect(hex(encodeKey(kafka(T.int()), { topic: 't', key: -1, value: null }))).toBe('ffffffff');
    expect(hex(encodeKey(kafka(T.bigint()), { topic: 't', key: 86412022, value: null }))).toBe('0000000005268af6');
    expect(hex(encodeKey(kafka(T.double()), { topic: 't', key: 1.5, value: null }))).toBe('3ff8000000000000');
    expect(hex(encodeKey(kafka(T.string()), { topic: 't', key: 'é1', value: null }))).toBe('c3a931');
    expect(encodeKey(kafka(T.string()), { topic: 't', key: null, value: null })).toBeNull();
  });

  it('time-windowed keys are key ++ start; session keys key ++ end ++ start', () => {
    const hopping = kafka(T.int(), 'JSON', { type: 'HOPPING', sizeMs: 30_000 });
    const time = encodeKey(hopping, { topic: 't', key: 1, value: null, window: { start: 15_000, end: 45_000, type: 'time' } });
    expect(hex(time)).toBe('00000001' + '0000000000003a98');
    const session = kafka(T.string(), 'JSON', { type: 'SESSION' });
    const s = encodeKey(session, { topic: 't', key: 'a', value: null, window: { start: 1000, end: 2500, type: 'session' } });
    expect(hex(s)).toBe('61' + '00000000000009c4' + '00000000000003e8');
    // And back: a time window's end is its start plus the size.
    expect(decodeRecord(hopping, time, null)).toEqual({ key: 1, value: null, window: { start: 15_000, end: 45_000, type: 'time' } });
    expect(decodeRecord(session, s, Buffer.from('{"V":1}'))).toEqual({ key: 'a', value: { V: 1 }, window: { start: 1000, end: 2500, type: 'session' } });
  });

  it('a record that does not fit its topic is a mismatch', () => {
    const windowed = kafka(T.int(), 'JSON', { type: 'TUMBLING', sizeMs: 1000 });
    expect(() => encodeKey(windowed, { topic: 't', key: 1, value: null })).toThrow(RecordMismatch);
    expect(() => encodeKey(kafka(), { topic: 't', key: 1, value: null, window: { start: 0, end: 1, type: 'time' } })).toThrow('is not windowed');
    expect(() => encodeKey(windowed, { topic: 't', key: 1, value: null, window: { start: 0, end: 1, type: 'session' } })).toThrow('TUMBLING windows, the record a session window');
    expect(() => encodeKey(kafka(T.int()), { topic: 't', key: 'x', value: null })).toThrow('"x" is not a INT');
    expect(() => decodeRecord(kafka(T.int()), Buffer.from([1, 2]), null)).toThrow('a KAFKA INT key has 4 bytes, got 2');
    expect(() => decodeRecord(windowed, Buffer.from([1]), null)).toThrow('at least 8 bytes');
  });

  it('what the runner cannot encode is unsupported (not a failure)', () => {
    expect(() => encodeKey(kafka(T.boolean()), { topic: 't', key: true, value: null })).toThrow(UnsupportedRecord);
    expect(() => encodeKey({ ...kafka(), keyFormat: 'AVRO' }, { topic: 't', key: 1, value: null })).toThrow('the key format AVRO is not supported by eddy test');
    const twoKeys: TopicFormat = { ...kafka(), keyColumns: [{ name: 'A', type: T.int() }, { name: 'B', type: T.int() }] };
    expect(() => encodeKey(twoKeys, { topic: 't', key: 1, value: null })).toThrow('the KAFKA key format holds one column, the key has 2');
    expect(() => decodeRecord({ ...kafka(T.int(), 'JSON', { type: 'TUMBLING' }) }, Buffer.alloc(12), null)).toThrow('the window size is unknown');
  });

  it('JSON keys are the JSON value; DELIMITED keys the text (numbers read back as numbers)', () => {
    const json: TopicFormat = { ...kafka(), keyFormat: 'JSON' };
    expect(encodeKey(json, { topic: 't', key: { A: 1 }, value: null })!.toString()).toBe('{"A":1}');
    expect(decodeRecord(json, Buffer.from('"k"'), null).key).toBe('k');
    const delimited: TopicFormat = { ...kafka(T.bigint()), keyFormat: 'DELIMITED' };
    expect(encodeKey(delimited, { topic: 't', key: 12, value: null })!.toString()).toBe('12');
    expect(decodeRecord(delimited, Buffer.from('12'), null).key).toBe(12);
  });
});

describe('values', () => {
  it('JSON text, DELIMITED text as given, KAFKA primitives; null is a tombstone', () => {
    expect(encodeValue(kafka(), { topic: 't', key: 1, value: { V: 1, S: 'x' } })!.toString()).toBe('{"V":1,"S":"x"}');
    expect(encodeValue(kafka(), { topic: 't', key: 1, value: null })).toBeNull();
    const delimited = kafka(T.int(), 'DELIMITED');
    expect(encodeValue(delimited, { topic: 't', key: 1, value: 'zero,0' })!.toString()).toBe('zero,0');
    expect(() => encodeValue(delimited, { topic: 't', key: 1, value: { V: 1 } })).toThrow('a DELIMITED value is text');
    expect(decodeRecord(delimited, null, Buffer.from('a,1')).value).toBe('a,1');
    const primitive = kafka(T.int(), 'KAFKA');
    expect(hex(encodeValue(primitive, { topic: 't', key: 1, value: 7 }))).toBe('0000000000000007');
    expect(decodeRecord(primitive, null, Buffer.from('0000000000000007', 'hex')).value).toBe(7);
    expect(() => decodeRecord(kafka(), null, Buffer.from('{nope'))).toThrow('the value is not JSON');
  });
});
