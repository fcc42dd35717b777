// ksqlDB's key layouts against the real broker: the `kafka` format and windowed keys written by an upsert-kafka
// sink (bytes checked against hand-built arrays), and hand-built windowed records read back through SQL.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { Eddy } from '../../src/index.js';
import { runQuery, tempDir, writeJsonLines } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { produce, readTopic } from './topic-io.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-ksql-keys-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

/** Big-endian bytes of a 64-bit integer. */
function be64(n: number): number[] {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return [...b];
}

const connection = (topic: string) => `'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}'`;

describe('ksqlDB keys on a real topic', () => {
  it('an upsert-kafka sink writes TUMBLING windowed KAFKA keys and KAFKA values', async () => {
    const topic = uniqueTopic('ksql-tumbling');
    await admin.createTopic({ topic, partitions: 1 });
    const dir = tempDir();
    writeJsonLines(dir, 'counts.json', [
      { user_id: 'alice', ws: 60000, n: 3 },
      { user_id: 'bob', ws: 0, n: 258 },
    ]);
    const eddy = new Eddy();
    try {
      await eddy.execute("SET 'table.dml-sync' = 'true'");
      await eddy.execute(`CREATE TABLE counts (user_id STRING, ws BIGINT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'counts.json')}', 'format' = 'json')`);
      await eddy.execute(`CREATE TABLE per_minute (user_id STRING, WINDOWSTART BIGINT, WINDOWEND BIGINT, n BIGINT, PRIMARY KEY (user_id, WINDOWSTART) NOT ENFORCED)
        WITH ('connector' = 'upsert-kafka', ${connection(topic)}, 'key.format' = 'kafka', 'value.format' = 'kafka', 'value.fields-include' = 'EXCEPT_KEY',
              'key.window.type' = 'TUMBLING', 'key.window.size' = '60000')`);
      await eddy.execute('INSERT INTO per_minute SELECT user_id, ws, ws + 60000, n FROM counts');
      const records = await readTopic(client, topic, 2);
      const seen = records.map((r) => [[...r.key!], r.value === null ? null : [...r.value]]);
      // 'alice' = 61 6c 69 63 65, then 60000 = 0xea60; 'bob' = 62 6f 62, then 0; values are BIGINT big-endian.
      expect(seen).toEqual([
        [[0x61, 0x6c, 0x69, 0x63, 0x65, 0, 0, 0, 0, 0, 0, 0xea, 0x60], [0, 0, 0, 0, 0, 0, 0, 3]],
        [[0x62, 0x6f, 0x62, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1, 2]],
      ]);
      // Read back with the kafka connector: WINDOWEND is WINDOWSTART + the size.
      await eddy.execute(`CREATE TABLE per_minute_log (user_id STRING, WINDOWSTART BIGINT, WINDOWEND BIGINT, n BIGINT)
        WITH ('connector' = 'kafka', ${connection(topic)}, 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
              'key.format' = 'kafka', 'key.fields' = 'user_id', 'value.format' = 'kafka', 'value.fields-include' = 'EXCEPT_KEY',
              'key.window.type' = 'TUMBLING', 'key.window.size' = '60000')`);
      const { changes } = await runQuery(eddy, 'SELECT user_id, WINDOWSTART, WINDOWEND, n FROM per_minute_log');
      expect(changes.map((c) => c.row)).toEqual([
        ['alice', 60000, 120000, 3],
        ['bob', 0, 60000, 258],
      ]);
    } finally {
      await eddy.close();
    }
  });

  it('reads SESSION windowed keys written as Kafka Streams writes them (key, end, start)', async () => {
    const topic = uniqueTopic('ksql-session');
    await admin.createTopic({ topic, partitions: 1 });
    await produce(client, [
      { topic, key: Buffer.from([0, 0, 0, 7, ...be64(5000), ...be64(1000)]), value: '{"N":2}' },
      { topic, key: Buffer.from([0, 0, 0, 8, ...be64(9000), ...be64(9000)]), value: '{"n":1}' },
      { topic, key: Buffer.from([0, 0, 0, 7, ...be64(5000), ...be64(1000)]), value: null },
    ]);
    const eddy = new Eddy();
    try {
      await eddy.execute(`CREATE TABLE sessions (ID INT, WINDOWSTART BIGINT, WINDOWEND BIGINT, N BIGINT)
        WITH ('connector' = 'kafka', ${connection(topic)}, 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
              'key.format' = 'kafka', 'key.fields' = 'ID', 'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY', 'key.window.type' = 'SESSION')`);
      const { changes } = await runQuery(eddy, 'SELECT ID, WINDOWSTART, WINDOWEND, N FROM sessions');
      // The tombstone is no row of a kafka (not upsert) table; JSON field names match case-insensitively.
      expect(changes.map((c) => c.row)).toEqual([
        [7, 1000, 5000, 2],
        [8, 9000, 9000, 1],
      ]);
    } finally {
      await eddy.close();
    }
  });
});
