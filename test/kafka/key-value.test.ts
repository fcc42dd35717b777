// The kafka connector's key and value formats against the real broker (Flink's key.format, key.fields,
// key.fields-prefix, value.fields-include, value.format): records the test produces are read as rows made of key
// and value; rows written by the sink (through SQL) have the key and value the options describe; bad keys are bad
// records positioned topic/partition@offset. Expected rows are computed from what the test produced.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { kafkaConnector } from '../../src/connectors/kafka/kafka.js';
import { Eddy } from '../../src/index.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { testContext, type TestContext } from '../connectors/context.js';
import { tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { produce as produceTo, readTopic } from './topic-io.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-key-value-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

const produce = (records: KafkaOutgoingRecord[]) => produceTo(client, records);

function context(schema: Schema, topic: string, options: Record<string, string>): TestContext {
  const base = { connector: 'kafka', topic, 'properties.bootstrap.servers': kafkaBootstrap(), 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset' };
  return testContext(schema, { ...base, ...options }, 'events');
}

/** Reads a bounded kafka source to its end: its rows, sorted by the first column. */
async function readRows(ctx: TestContext): Promise<unknown[][]> {
  const reader = kafkaConnector.createSource!(ctx);
  await reader.open();
  const rows: unknown[][] = [];
  try {
    for (let c = await reader.next(); c !== null; c = await reader.next()) {
      expect(c.kinds).toBeUndefined(); // a kafka source reads inserts
      rows.push(...c.rows);
    }
  } finally {
    await reader.close();
  }
  return rows.sort((a, b) => (a[0] as number) - (b[0] as number));
}

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
  { name: 'amount', type: T.double() },
];
const ids = Array.from({ length: 40 }, (_, i) => i);

describe('kafka source: key and value', () => {
  it("EXCEPT_KEY: the key's columns from the record key (csv), the others from the value (value.format json)", async () => {
    const topic = uniqueTopic('kv-except');
    await admin.createTopic({ topic, partitions: 2 });
    await produce(ids.map((id) => ({ topic, key: String(id), value: JSON.stringify({ name: `n${id}`, amount: id / 4 }) })));
    const rows = await readRows(context(schema, topic, { 'value.format': 'json', 'key.format': 'csv', 'key.fields': 'id', 'value.fields-include': 'EXCEPT_KEY' }));
    expect(rows).toEqual(ids.map((id) => [id, `n${id}`, id / 4]));
  });

  it("ALL: the value holds every column; a key column in both takes the value's (as in Flink)", async () => {
    const topic = uniqueTopic('kv-all');
    await admin.createTopic({ topic, partitions: 1 });
    // The key says name 'k<id>', the value 'n<id>': the value's wins. The key's id is the value's id.
    await produce(ids.map((id) => ({ topic, key: JSON.stringify({ name: `k${id}`, id }), value: JSON.stringify({ id, name: `n${id}`, amount: 1 }) })));
    const rows = await readRows(context(schema, topic, { format: 'json', 'key.format': 'json', 'key.fields': 'name;id' }));
    expect(rows).toEqual(ids.map((id) => [id, `n${id}`, 1]));
  });

  it("key.fields-prefix: 'k_id' in the table is 'id' in the key, and the value has its own 'id'", async () => {
    const topic = uniqueTopic('kv-prefix');
    await admin.createTopic({ topic, partitions: 1 });
    await produce(ids.map((id) => ({ topic, key: JSON.stringify({ id }), value: JSON.stringify({ id: `v${id}`, amount: id }) })));
    const prefixed: Schema = [
      { name: 'k_id', type: T.int() },
      { name: 'id', type: T.string() },
      { name: 'amount', type: T.double() },
    ];
    const rows = await readRows(
      context(prefixed, topic, { format: 'json', 'key.format': 'json', 'key.fields': 'k_id', 'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY' }),
    );
    expect(rows).toEqual(ids.map((id) => [id, `v${id}`, id]));
  });

  it('key format options are key.<format>.*: a csv key with another delimiter', async () => {
    const topic = uniqueTopic('kv-keyopts');
    await admin.createTopic({ topic, partitions: 1 });
    await produce(ids.map((id) => ({ topic, key: `${id}|n${id}`, value: JSON.stringify({ amount: id * 2 }) })));
    const rows = await readRows(
      context(schema, topic, { format: 'json', 'key.format': 'csv', 'key.csv.field-delimiter': '|', 'key.fields': 'id;name', 'value.fields-include': 'EXCEPT_KEY' }),
    );
    expect(rows).toEqual(ids.map((id) => [id, `n${id}`, id * 2]));
  });

  it('a bad key is a bad record positioned topic/partition@offset with the key as its text; a missing key reads NULL key columns unless NOT NULL', async () => {
    const topic = uniqueTopic('kv-badkey');
    await admin.createTopic({ topic, partitions: 1 });
    const options = { format: 'json', 'key.format': 'json', 'key.fields': 'id', 'value.fields-include': 'EXCEPT_KEY' };
    await produce([
      { topic, key: '{"id": 1}', value: '{"name": "a"}' }, // offset 0
      { topic, key: '{"id": oops', value: '{"name": "b"}' }, // offset 1: not JSON
      { topic, key: '{"id": "x"}', value: '{"name": "c"}' }, // offset 2: not an INT
      { topic, key: null, value: '{"name": "d"}' }, // offset 3: no key
      { topic, key: '{"id": 5}', value: '{"name": "e"}' }, // offset 4
    ]);
    const ctx = context(schema, topic, options);
    expect(await readRows(ctx)).toEqual([[null, 'd', null], [1, 'a', null], [5, 'e', null]].sort((a, b) => (a[0] as number) - (b[0] as number)));
    expect(ctx.badRecords.map((r) => [r.position, r.kind, r.raw])).toEqual([
      [`${topic}/0@1`, 'invalid-json', '{"id": oops'],
      [`${topic}/0@2`, 'wrong-type', '{"id": "x"}'],
    ]);
    expect(ctx.badRecords.every((r) => r.message.startsWith('key: '))).toBe(true);
    // With a NOT NULL key column, the record without a key is bad (missing-not-null) and the others are read.
    const strict = context([{ name: 'id', type: withNullable(T.int(), false) }, schema[1]!, schema[2]!], topic, options);
    expect((await readRows(strict)).map((r) => r[0])).toEqual([1, 5]);
    expect(strict.badRecords.map((r) => [r.position, r.kind])).toEqual([
      [`${topic}/0@1`, 'invalid-json'],
      [`${topic}/0@2`, 'wrong-type'],
      [`${topic}/0@3`, 'missing-not-null'],
    ]);
  });
});

describe('kafka sink: key and value', () => {
  it('INSERT INTO a table with value.format, key.fields-prefix and EXCEPT_KEY writes key and value so; the source reads them back', async () => {
    const topic = uniqueTopic('kv-sink');
    await admin.createTopic({ topic, partitions: 3 });
    const dir = tempDir();
    const input = join(dir, 'in.json');
    const events = ids.map((id) => ({ id, name: `n${id % 5}`, amount: id * 1.5 }));
    writeFileSync(input, events.map((e) => JSON.stringify(e) + '\n').join(''));
    const options =
      `'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'value.format' = 'json', ` +
      `'key.format' = 'csv', 'key.fields' = 'k_id;k_name', 'key.fields-prefix' = 'k_', 'value.fields-include' = 'EXCEPT_KEY'`;
    const eddy = new Eddy();
    try {
      await eddy.execute("SET 'table.dml-sync' = 'true'");
      await eddy.execute(`CREATE TABLE src (id INT, name STRING, amount DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
      await eddy.execute(`CREATE TABLE out (k_id INT, k_name STRING, amount DOUBLE) WITH (${options})`);
      await eddy.execute('INSERT INTO out SELECT id, name, amount FROM src');
    } finally {
      await eddy.close();
    }
    const records = await readTopic(client, topic, events.length);
    const written = records.map((r) => [r.key!.toString('utf8'), r.value!.toString('utf8')]).sort();
    expect(written).toEqual(events.map((e) => [`${e.id},${e.name}`, JSON.stringify({ amount: e.amount })]).sort());
    const prefixed: Schema = [
      { name: 'k_id', type: T.int() },
      { name: 'k_name', type: T.string() },
      { name: 'amount', type: T.double() },
    ];
    const back = await readRows(
      context(prefixed, topic, { 'value.format': 'json', 'key.format': 'csv', 'key.fields': 'k_id;k_name', 'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY' }),
    );
    expect(back).toEqual(events.map((e) => [e.id, e.name, e.amount]));
  });
});
