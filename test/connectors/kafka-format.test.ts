/**
 * The `kafka` format (ksqlDB's KAFKA: Kafka's primitive serializers): each type's bytes against hand-built byte
 * arrays, round trips, null records, bad records, and the refusal of other types and shapes at CREATE TABLE (as a
 * key or a value format of kafka and upsert-kafka tables).
 */
import { describe, expect, it } from 'vitest';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { createKafkaDecoder, createKafkaEncoder } from '../../src/connectors/formats/kafka-format.js';
import { RecordError } from '../../src/connectors/formats/record-codec.js';
import { Eddy, EddyError } from '../../src/index.js';

const one = (type = T.int()): Schema => [{ name: 'v', type }];
const bytes = (...b: number[]) => new Uint8Array(b);

function encode(schema: Schema, v: unknown): Uint8Array | null {
  const r = createKafkaEncoder(schema).encodeBytes!([v]);
  return r === null ? null : new Uint8Array(r);
}

function decode(schema: Schema, value: Uint8Array | string | null): unknown {
  const r = createKafkaDecoder(schema).decode({ value });
  return r instanceof RecordError ? r : (r as unknown[])[0];
}

describe('kafka format bytes', () => {
  it('INT is 4 bytes big-endian, two-complement', () => {
    expect(encode(one(T.int()), 1)).toEqual(bytes(0, 0, 0, 1));
    expect(encode(one(T.int()), -2)).toEqual(bytes(0xff, 0xff, 0xff, 0xfe));
    expect(encode(one(T.int()), 0x01020304)).toEqual(bytes(1, 2, 3, 4));
    expect(decode(one(T.int()), bytes(0x80, 0, 0, 0))).toBe(-2147483648);
  });

  it('BIGINT is 8 bytes big-endian, exact beyond 2^53', () => {
    expect(encode(one(T.bigint()), 258)).toEqual(bytes(0, 0, 0, 0, 0, 0, 1, 2));
    expect(encode(one(T.bigint()), -1)).toEqual(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(encode(one(T.bigint()), 2n ** 62n + 1n)).toEqual(bytes(0x40, 0, 0, 0, 0, 0, 0, 1));
    expect(decode(one(T.bigint()), bytes(0x40, 0, 0, 0, 0, 0, 0, 1))).toBe(2n ** 62n + 1n);
    expect(decode(one(T.bigint()), bytes(0, 0, 1, 0x8b, 0xcf, 0xe5, 0x68, 0x00))).toBe(1_700_000_000_000);
  });

  it('DOUBLE is 8 bytes IEEE 754 big-endian', () => {
    // 1.5 = sign 0, exponent 0x3ff, mantissa 0x8000000000000.
    expect(encode(one(T.double()), 1.5)).toEqual(bytes(0x3f, 0xf8, 0, 0, 0, 0, 0, 0));
    expect(encode(one(T.double()), -2)).toEqual(bytes(0xc0, 0, 0, 0, 0, 0, 0, 0));
    expect(decode(one(T.double()), bytes(0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18))).toBe(Math.PI);
  });

  it('STRING is UTF-8, BYTES as they are', () => {
    expect(encode(one(T.string()), 'hé')).toEqual(bytes(0x68, 0xc3, 0xa9));
    expect(decode(one(T.string()), bytes(0x68, 0xc3, 0xa9))).toBe('hé');
    expect(decode(one(T.string()), 'line')).toBe('line');
    expect(encode(one(T.bytes()), bytes(0, 255, 7))).toEqual(bytes(0, 255, 7));
    expect(decode(one(T.bytes()), bytes(0, 255, 7))).toEqual(bytes(0, 255, 7));
  });

  it('NULL is a null record and back; NOT NULL columns refuse null records', () => {
    expect(encode(one(T.int()), null)).toBe(null);
    expect(decode(one(T.int()), null)).toBe(null);
    const required = decode(one(withNullable(T.int(), false)), null) as RecordError;
    expect(required.kind).toBe('missing-not-null');
  });

  it('round-trips every type', () => {
    const cases: [Schema, unknown][] = [
      [one(T.int()), 2147483647],
      [one(T.bigint()), -(2n ** 63n)],
      [one(T.double()), -0.1],
      [one(T.string()), 'a😀b'],
      [one(T.bytes()), bytes(1, 2)],
    ];
    for (const [schema, v] of cases) expect(decode(schema, encode(schema, v))).toEqual(v);
  });

  it('a record of the wrong length or bad UTF-8 is a bad record', () => {
    const short = decode(one(T.int()), bytes(1, 2, 3)) as RecordError;
    expect([short.kind, short.message]).toEqual(['wrong-type', 'a INT record has 4 bytes, got 3']);
    expect((decode(one(T.double()), bytes(1)) as RecordError).message).toBe('a DOUBLE record has 8 bytes, got 1');
    expect((decode(one(T.string()), bytes(0xff)) as RecordError).kind).toBe('invalid-utf8');
  });

  it('files hold STRING records only', () => {
    expect(createKafkaDecoder(one(T.string())).binary).toBe(false);
    expect(createKafkaDecoder(one(T.int())).binary).toBe(true);
    expect(createKafkaEncoder(one(T.string())).encode(['x'])).toBe('x');
  });
});

describe('kafka format at CREATE TABLE', () => {
  const kafka = "'connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1'";
  const upsert = "'connector' = 'upsert-kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1'";

  async function failure(sql: string): Promise<EddyError | undefined> {
    const eddy = new Eddy();
    try {
      await eddy.execute(sql);
      return undefined;
    } catch (e) {
      return e as EddyError;
    } finally {
      await eddy.close();
    }
  }

  it('accepts one supported column in the key and in the value', async () => {
    expect(await failure(`CREATE TABLE s (k STRING, v BIGINT) WITH (${kafka}, 'key.format' = 'kafka', 'key.fields' = 'k', 'value.format' = 'kafka', 'value.fields-include' = 'EXCEPT_KEY')`)).toBeUndefined();
    expect(await failure(`CREATE TABLE u (id INT, total DOUBLE, PRIMARY KEY (id) NOT ENFORCED) WITH (${upsert}, 'key.format' = 'kafka', 'value.format' = 'kafka', 'value.fields-include' = 'EXCEPT_KEY')`)).toBeUndefined();
  });

  it('refuses other types and several columns, positioned at the format option', async () => {
    const sql = `CREATE TABLE s (k BOOLEAN, v BIGINT) WITH (${kafka}, 'key.format' = 'kafka', 'key.fields' = 'k', 'value.format' = 'json')`;
    const e = await failure(sql);
    expect(e).toBeInstanceOf(EddyError);
    expect(e!.message).toBe("The 'kafka' format cannot hold `k` BOOLEAN: it reads and writes a STRING, INT, BIGINT, DOUBLE or BYTES column (Kafka's primitive serializers, as ksqlDB's KAFKA format)");
    expect(e!.diagnostics[0]!.span?.start).toBe(sql.indexOf("'kafka', 'key.fields'"));
    const two = await failure(`CREATE TABLE s (k STRING, v BIGINT, w INT) WITH (${kafka}, 'key.format' = 'kafka', 'key.fields' = 'k', 'value.format' = 'kafka', 'value.fields-include' = 'EXCEPT_KEY')`);
    expect(two!.message).toBe("The 'kafka' format holds one column in a record value, but the value has 2: v, w");
    const all = await failure(`CREATE TABLE s (k STRING, v BIGINT) WITH (${kafka}, 'key.format' = 'kafka', 'key.fields' = 'k', 'format' = 'kafka')`);
    expect(all!.message).toBe("The 'kafka' format holds one column in a record value, but the value has 2: k, v");
    expect(all!.diagnostics[0]!.hint).toContain("'value.fields-include' = 'EXCEPT_KEY'");
    const decimal = await failure(`CREATE TABLE f (v DECIMAL(10, 2)) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'kafka')`);
    expect(decimal!.message).toContain('cannot hold `v` DECIMAL(10, 2)');
  });
});
