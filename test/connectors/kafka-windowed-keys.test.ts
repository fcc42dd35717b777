/**
 * Windowed record keys ('key.window.type', 'key.window.size') of kafka and upsert-kafka tables: the bytes written
 * against hand-built arrays laid out as Kafka Streams' TimeWindowedSerializer (key ++ start) and
 * SessionWindowedSerializer (key ++ end ++ start) write them, the rows read back, and the option checks.
 */
import { describe, expect, it } from 'vitest';
import { T, type Schema } from '../../src/common/types.js';
import { validateOptions } from '../../src/connectors/validate-options.js';
import { builtinFormats, findConnector } from '../../src/connectors/index.js';
import { recordLayout } from '../../src/connectors/kafka/record-layout.js';
import { RecordToRow } from '../../src/connectors/kafka/record-to-row.js';
import { RowToRecord } from '../../src/connectors/kafka/row-to-record.js';
import { DELETE, INSERT, UPDATE_AFTER } from '../../src/runtime/changelog.js';
import type { TableShape } from '../../src/runtime/connector.js';
import { Eddy, EddyError } from '../../src/index.js';

const schema: Schema = [
  { name: 'k', type: T.string() },
  { name: 'WINDOWSTART', type: T.bigint() },
  { name: 'WINDOWEND', type: T.bigint() },
  { name: 'cnt', type: T.bigint() },
];
const base = { connector: 'kafka', topic: 't', 'properties.bootstrap.servers': '127.0.0.1:9092', 'scan.startup.mode': 'earliest-offset' };
const kafkaKey = { ...base, 'key.format': 'kafka', 'key.fields': 'k', 'value.format': 'json' };

/** Big-endian bytes of a 64-bit integer. */
function be64(n: number): number[] {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return [...b];
}

const bytesOf = (b: Buffer | string | null) => (b === null ? null : [...(typeof b === 'string' ? Buffer.from(b) : b)]);

describe('windowed keys: bytes', () => {
  it('a TUMBLING key is the key format bytes, then the start as 8 bytes big-endian', () => {
    const layout = recordLayout('t', { ...kafkaKey, 'key.window.type': 'TUMBLING', 'key.window.size': '60000' }, schema, undefined, false);
    const out = new RowToRecord(layout, schema.length);
    // 'ab' is 0x61 0x62; 1000 is 0x03e8.
    expect(bytesOf(out.key(['ab', 1000, 61000, 3]))).toEqual([0x61, 0x62, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]);
    // The value holds neither window column (they are the key's).
    expect(out.value(['ab', 1000, 61000, 3])).toBe('{"k":"ab","cnt":3}');
    const back = new RecordToRow(layout, schema, false).map({ key: new Uint8Array([0x61, 0x62, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]), value: '{"k":"ab","cnt":3}' });
    expect(back).toEqual({ row: ['ab', 1000, 61000, 3], kind: INSERT });
  });

  it('a HOPPING key with a json key format, epoch-millisecond starts', () => {
    const layout = recordLayout('t', { ...base, 'key.format': 'json', 'key.fields': 'k', 'value.format': 'json', 'value.fields-include': 'EXCEPT_KEY', 'key.window.type': 'hopping', 'key.window.size': '300000' }, schema, undefined, false);
    const start = 1_700_000_100_000;
    const key = [...Buffer.from('{"k":"x"}'), ...be64(start)];
    // 1_700_000_000_000 is 0x18bcfe56800; + 100000 (0x186a0) is 0x18bcfe6eea0.
    expect(be64(start)).toEqual([0, 0, 0x01, 0x8b, 0xcf, 0xe6, 0xee, 0xa0]);
    const out = new RowToRecord(layout, schema.length);
    expect(bytesOf(out.key(['x', start, start + 300000, 9]))).toEqual(key);
    expect(out.value(['x', start, start + 300000, 9])).toBe('{"cnt":9}');
    expect(new RecordToRow(layout, schema, false).map({ key: new Uint8Array(key), value: '{"cnt":9}' })).toEqual({ row: ['x', start, start + 300000, 9], kind: INSERT });
  });

  it('a SESSION key is the key format bytes, then the end, then the start (8 bytes each)', () => {
    const layout = recordLayout('t', { ...kafkaKey, 'key.window.type': 'SESSION' }, schema, undefined, false);
    const key = [0x61, 0x62, ...be64(5000), ...be64(1000)];
    expect(key).toEqual([0x61, 0x62, 0, 0, 0, 0, 0, 0, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]);
    expect(bytesOf(new RowToRecord(layout, schema.length).key(['ab', 1000, 5000, 2]))).toEqual(key);
    expect(new RecordToRow(layout, schema, false).map({ key: new Uint8Array(key), value: '{"k":"ab","cnt":2}' })).toEqual({ row: ['ab', 1000, 5000, 2], kind: INSERT });
  });

  it('upsert-kafka keys on the key columns and the window: a tombstone deletes one window of a key', () => {
    const options = { ...base, connector: 'upsert-kafka', 'key.format': 'kafka', 'value.format': 'json', 'value.fields-include': 'EXCEPT_KEY', 'key.window.type': 'TUMBLING', 'key.window.size': '10' };
    const layout = recordLayout('t', options, schema, ['k', 'WINDOWSTART'], true);
    expect(layout.keyColumns).toEqual([0]);
    const key = new Uint8Array([0x7a, ...be64(20)]);
    const mapper = new RecordToRow(layout, schema, true);
    expect(mapper.map({ key, value: '{"cnt":4}' })).toEqual({ row: ['z', 20, 30, 4], kind: UPDATE_AFTER });
    expect(mapper.map({ key, value: null })).toEqual({ row: ['z', 20, 30, null], kind: DELETE });
    const out = new RowToRecord(layout, schema.length);
    expect(RowToRecord.sameKey(out.key(['z', 20, 30, 4]), out.key(['z', 20, 30, 5]))).toBe(true);
    expect(RowToRecord.sameKey(out.key(['z', 20, 30, 4]), out.key(['z', 30, 40, 4]))).toBe(false);
  });

  it('a key too short for its window is a bad key; a row without its window cannot be written', () => {
    const layout = recordLayout('t', { ...kafkaKey, 'key.window.type': 'SESSION' }, schema, undefined, false);
    const bad = new RecordToRow(layout, schema, false).map({ key: new Uint8Array([1, 2, 3]), value: '{}' });
    expect(bad).toMatchObject({ part: 'key', error: { kind: 'wrong-type', message: 'key: a SESSION windowed key ends with 16 bytes of window, but the key has 3' } });
    expect(() => new RowToRecord(layout, schema.length).key(['ab', 1000, null, 1])).toThrow('A windowed key needs its window: WINDOWSTART and WINDOWEND are NULL');
  });
});

describe('windowed keys: options', () => {
  const formats = builtinFormats();
  const table: TableShape = { columns: schema.map((f) => f.name), schema };
  const problems = (options: Record<string, string>, shape = table) =>
    validateOptions(findConnector(options['connector']!)!, formats, options, [], shape).map((p) => [p.key, p.message]);

  it('accepts time windows with a size and session windows without', () => {
    expect(problems({ ...kafkaKey, 'key.window.type': 'TUMBLING', 'key.window.size': '1000' })).toEqual([]);
    expect(problems({ ...kafkaKey, 'key.window.type': 'session' })).toEqual([]);
    const upsert = { ...base, connector: 'upsert-kafka', 'key.format': 'kafka', 'value.format': 'json', 'key.window.type': 'SESSION' };
    delete (upsert as Record<string, string>)['scan.startup.mode'];
    expect(problems(upsert, { ...table, primaryKey: ['k', 'WINDOWSTART', 'WINDOWEND'] })).toEqual([]);
    expect(problems(upsert, { ...table, primaryKey: ['k', 'WINDOWSTART'] })[0]![1]).toBe(
      "The PRIMARY KEY of a SESSION-windowed 'upsert-kafka' table must include WINDOWEND: a session key holds its start and its end",
    );
    expect(problems(upsert, { ...table, primaryKey: ['k'] })[0]![1]).toContain('must include WINDOWSTART');
  });

  it('refuses a missing or bad size, a size for sessions, an unknown type, window columns in key.fields', () => {
    expect(problems({ ...kafkaKey, 'key.window.type': 'HOPPING' })).toEqual([
      ['key.window.type', "A HOPPING windowed key needs 'key.window.size' (milliseconds): the key holds only the window's start"],
    ]);
    expect(problems({ ...kafkaKey, 'key.window.type': 'TUMBLING', 'key.window.size': '1 min' })).toEqual([
      ['key.window.size', "Invalid value '1 min' for option 'key.window.size'; expected a window size in milliseconds (a positive integer)"],
    ]);
    expect(problems({ ...kafkaKey, 'key.window.type': 'SESSION', 'key.window.size': '10' })[0]![0]).toBe('key.window.size');
    expect(problems({ ...kafkaKey, 'key.window.size': '10' })[0]![1]).toBe("'key.window.size' applies to windowed keys: it needs 'key.window.type'");
    expect(problems({ ...kafkaKey, 'key.window.type': 'SLIDING' })[0]![1]).toBe("Invalid value 'SLIDING' for option 'key.window.type'; expected one of: TUMBLING, HOPPING, SESSION");
    expect(problems({ ...kafkaKey, 'key.fields': 'k;WINDOWSTART', 'key.format': 'json', 'key.window.type': 'SESSION' })).toEqual([
      ['key.fields', "'key.fields' names WINDOWSTART, which a windowed key holds as its window, not in the key format"],
    ]);
    expect(problems({ ...base, 'value.format': 'json', 'key.window.type': 'SESSION' })[0]![1]).toContain("'key.window.type' needs 'key.format'");
  });

  it('needs BIGINT WINDOWSTART and WINDOWEND columns; CREATE TABLE positions the problem at the option', async () => {
    const noEnd: Schema = schema.filter((f) => f.name !== 'WINDOWEND');
    expect(problems({ ...kafkaKey, 'key.window.type': 'SESSION' }, { columns: noEnd.map((f) => f.name), schema: noEnd })).toEqual([
      ['key.window.type', 'A windowed key needs a BIGINT column WINDOWEND: the key\'s window fills it'],
    ]);
    const eddy = new Eddy();
    try {
      const sql =
        "CREATE TABLE w (k STRING, windowstart TIMESTAMP(3), windowend BIGINT, n BIGINT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'key.format' = 'kafka', 'key.fields' = 'k', 'value.format' = 'json', 'key.window.type' = 'SESSION')";
      const e = await eddy.execute(sql).then(() => undefined, (x: unknown) => x as EddyError);
      expect(e).toBeInstanceOf(EddyError);
      expect(e!.message).toBe('Column windowstart holds the key\'s window as epoch milliseconds: it must be BIGINT, not TIMESTAMP(3)');
      expect(e!.diagnostics[0]!.span?.start).toBe(sql.indexOf("'SESSION'"));
    } finally {
      await eddy.close();
    }
  });
});
