// The `kafka` sink against a real broker: rows written are read back by a read_committed consumer and compared with
// the input (as a multiset); the options are checked; exactly-once transactions commit with the checkpoint, and a
// sink that stops before a checkpoint commits leaves nothing visible; after a restart there are no duplicates or gaps.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { KafkaAdmin, KafkaClient, KafkaRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { kafkaConnector } from '../../src/connectors/kafka/connector.js';
import { insertBatch, type Row } from '../../src/runtime/changelog.js';
import type { ConnectorContext, SinkWriter } from '../../src/runtime/connector.js';
import { T, type Schema } from '../../src/common/types.js';
import { testContext } from '../connectors/context.js';
import { tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-sink-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

/** Every record of `topic` a read_committed consumer sees, from the start to the last stable offset. */
async function readCommitted(topic: string, timeoutMs = 60_000): Promise<KafkaRecord[]> {
  const [meta] = await admin.describeTopics([topic]);
  const consumer = await client.consumer({ isolationLevel: 'read_committed' });
  try {
    await consumer.assign(meta!.partitions.map((p) => ({ topic, partition: p.partition, offset: 0n })));
    const records: KafkaRecord[] = [];
    const caughtUp = new Map(meta!.partitions.map((p) => [p.partition, false]));
    const deadline = Date.now() + timeoutMs;
    while ([...caughtUp.values()].includes(false)) {
      if (Date.now() > deadline) throw new Error(`not caught up after ${timeoutMs} ms`);
      for (const batch of await consumer.fetch({ maxWaitMs: 200 })) {
        records.push(...batch.records);
        caughtUp.set(batch.partition, batch.nextOffset >= batch.endOffset);
      }
    }
    return records;
  } finally {
    await consumer.close();
  }
}

const values = (records: readonly KafkaRecord[]) => records.map((r) => JSON.parse(r.value!.toString('utf8')) as unknown);
/** A multiset as a sorted list of JSON texts, to compare with toEqual. */
const multiset = (items: readonly unknown[]) => items.map((i) => JSON.stringify(i)).sort();

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
];

function sinkContext(topic: string, options: Record<string, string>, extra: Partial<ConnectorContext> = {}): ConnectorContext {
  return {
    ...testContext(schema, { connector: 'kafka', topic, 'properties.bootstrap.servers': kafkaBootstrap(), format: 'json', ...options }, 'out'),
    ...extra,
  };
}

const rowsOf = (from: number, to: number): Row[] => Array.from({ length: to - from }, (_, k) => [from + k, `n${from + k}`]);
const asObjects = (rows: readonly Row[]) => rows.map(([id, name]) => ({ id, name }));

describe('a bounded job into a kafka sink', () => {
  for (const guarantee of ['none', 'at-least-once']) {
    it(`writes every row once (${guarantee}), read back equal to the input`, async () => {
      const topic = uniqueTopic(`sink-${guarantee}`);
      await admin.createTopic({ topic, partitions: 3 });
      const dir = tempDir();
      const input = join(dir, 'in.json');
      // 500 rows, some names repeated, so the multiset comparison counts duplicates.
      const expected = Array.from({ length: 500 }, (_, i) => ({ id: i % 450, name: `n${i % 7}`, amount: i * 0.5 }));
      writeFileSync(input, expected.map((r) => JSON.stringify(r) + '\n').join(''));
      const eddy = new Eddy();
      try {
        await eddy.execute("SET 'table.dml-sync' = 'true'");
        await eddy.execute(`CREATE TABLE src (id INT, name STRING, amount DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
        await eddy.execute(
          `CREATE TABLE out (id INT, name STRING, amount DOUBLE) WITH ('connector' = 'kafka', 'topic' = '${topic}', ` +
            `'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json', 'sink.delivery-guarantee' = '${guarantee}')`,
        );
        await eddy.execute('INSERT INTO out SELECT * FROM src');
      } finally {
        await eddy.close();
      }
      const records = await readCommitted(topic);
      expect(multiset(values(records))).toEqual(multiset(expected));
      expect(records.every((r) => r.key === null)).toBe(true);
      // Keyless records are spread by the client's default partitioner, not all on one partition.
      expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
    });
  }
});

describe('options', () => {
  async function createError(withOptions: string, columns = 'id INT'): Promise<EddyError> {
    const eddy = new Eddy();
    try {
      const e = await eddy
        .execute(`CREATE TABLE out (${columns}) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json'${withOptions})`)
        .then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(EddyError);
      return e as EddyError;
    } finally {
      await eddy.close();
    }
  }

  it('exactly-once needs a transactional id prefix, as in Flink', async () => {
    const e = await createError(", 'sink.delivery-guarantee' = 'exactly-once'");
    expect(e.message).toContain("'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'");
    expect(e.diagnostics[0]!.span).toBeDefined();
  });

  it('refuses client properties it does not pass on, bad enumerations, key.fields without key.format', async () => {
    expect((await createError(", 'properties.sasl.mechanism' = 'PLAIN'")).message).toContain("Kafka client property 'properties.sasl.mechanism' is not supported");
    expect((await createError(", 'sink.partitioner' = 'sticky'")).message).toContain("Invalid value 'sticky' for option 'sink.partitioner'");
    expect((await createError(", 'key.fields' = 'id'")).message).toContain("'key.fields' needs 'key.format'");
    expect((await createError(", 'sink.delivery-guarantee' = 'twice'")).message).toContain("expected one of: none, at-least-once, exactly-once");
  });

  it('refuses an updating query with a positioned error', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.json');
    writeFileSync(input, '{"id": 1}\n');
    const eddy = new Eddy();
    try {
      await eddy.execute(`CREATE TABLE src (id INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
      await eddy.execute(`CREATE TABLE out (id INT, c BIGINT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json')`);
      const e = await eddy.execute('INSERT INTO out SELECT id, COUNT(*) FROM src GROUP BY id').then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(EddyError);
      expect((e as EddyError).code).toBe('EDDY-L001');
      expect((e as EddyError).message).toContain("connector 'kafka') only accepts inserts");
      expect((e as EddyError).diagnostics[0]!.span).toBeDefined();
    } finally {
      await eddy.close();
    }
  });

  it('the writer itself refuses a change other than an insert, naming upsert-kafka', async () => {
    const writer = kafkaConnector.createSink!(sinkContext('t', {}));
    let error: unknown;
    try {
      writer.write({ rows: [[1, 'a']], kinds: [3] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EddyError);
    expect((error as EddyError).message).toMatch(/only accepts inserts, got a -D change/);
    expect((error as EddyError).diagnostics[0]!.hint).toContain('upsert-kafka');
  });
});
