// `'client.library'` on a kafka table: which client library Eddy talks to the brokers with. The option is checked
// when the table is created; a job whose source and exactly-once sink both use @platformatic/kafka (skipped, with the
// reason in its name, when that optional package cannot be loaded) writes exactly its filtered input.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { KafkaAdmin, KafkaClient, KafkaRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { platformaticLocation } from '../../src/connectors/kafka/platformatic-client.js';
import { tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';

const platformaticInstalled = platformaticLocation() !== undefined;

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-client-library-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

async function createTable(eddy: Eddy, library: string): Promise<unknown> {
  return eddy
    .execute(
      `CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', ` +
        `'format' = 'json', 'client.library' = '${library}')`,
    )
    .then(() => undefined, (err: unknown) => err);
}

describe("'client.library'", () => {
  it('refuses an unknown library, naming the choices', async () => {
    const eddy = new Eddy();
    try {
      const e = await createTable(eddy, 'librdkafka');
      expect(e).toBeInstanceOf(EddyError);
      expect((e as EddyError).message).toContain("Invalid value 'librdkafka' for option 'client.library'; expected one of: kafkajs, platformatic");
      expect(await createTable(eddy, 'KafkaJS')).toBeUndefined();
    } finally {
      await eddy.close();
    }
  });

  it(`'platformatic' is ${platformaticInstalled ? 'accepted (the package is installed)' : 'refused with how to install it (the package is not installed)'}`, async () => {
    const eddy = new Eddy();
    try {
      const e = await createTable(eddy, 'platformatic');
      if (platformaticInstalled) {
        expect(e).toBeUndefined();
      } else {
        expect(e).toBeInstanceOf(EddyError);
        expect((e as EddyError).message).toContain("the Kafka client '@platformatic/kafka' is not installed");
        expect((e as EddyError).message).toContain('npm install @platformatic/kafka@1');
      }
    } finally {
      await eddy.close();
    }
  });
});

describe.skipIf(!platformaticInstalled)(`a job on @platformatic/kafka${platformaticInstalled ? '' : ' (not installed)'}`, () => {
  async function readCommitted(topic: string, partitions: number): Promise<KafkaRecord[]> {
    const consumer = await client.consumer({ isolationLevel: 'read_committed' });
    try {
      await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0n })));
      const records: KafkaRecord[] = [];
      const caughtUp = new Map(Array.from({ length: partitions }, (_, p) => [p, false]));
      const deadline = Date.now() + 60_000;
      while ([...caughtUp.values()].includes(false) && Date.now() < deadline) {
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

  it('reads a 3-partition topic and writes the filtered rows exactly once, in transactions per checkpoint', async () => {
    const input = uniqueTopic('plt-in');
    const output = uniqueTopic('plt-out');
    await admin.createTopic({ topic: input, partitions: 3 });
    await admin.createTopic({ topic: output, partitions: 2 });
    const events = Array.from({ length: 3000 }, (_, i) => ({ id: i, k: i % 17, v: (i * 7) % 100 }));
    const producer = await client.producer({ idempotent: true });
    try {
      for (let start = 0; start < events.length; start += 500) {
        await producer.send(events.slice(start, start + 500).map((e) => ({ topic: input, key: `k${e.k}`, value: JSON.stringify(e) })));
      }
    } finally {
      await producer.close();
    }
    const eddy = new Eddy({ stateDir: join(tempDir(), 'state') });
    try {
      await eddy.execute("SET 'execution.checkpointing.interval' = '200 ms'");
      await eddy.execute(
        `CREATE TABLE src (id INT, k INT, v INT) WITH ('connector' = 'kafka', 'topic' = '${input}', 'client.library' = 'platformatic', ` +
          `'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`,
      );
      await eddy.execute(
        `CREATE TABLE out (id INT, k INT, w INT) WITH ('connector' = 'kafka', 'topic' = '${output}', 'client.library' = 'platformatic', ` +
          `'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json', 'key.format' = 'json', 'key.fields' = 'k', ` +
          `'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = '${uniqueTopic('plt-tx')}')`,
      );
      const result = await eddy.execute('INSERT INTO out SELECT id, k, v * 2 FROM src WHERE v >= 30');
      if (result.kind !== 'job') throw new Error(`expected a job, got ${result.kind}`);
      await result.job.done;
    } finally {
      await eddy.close();
    }
    const expected = events.filter((e) => e.v >= 30).map((e) => JSON.stringify({ id: e.id, k: e.k, w: e.v * 2 }));
    const records = await readCommitted(output, 2);
    expect(records.map((r) => r.value!.toString()).sort()).toEqual(expected.sort());
    // Keyed by k: every record's key is its k, and one k always lands on the same partition.
    const partitionOfK = new Map<number, number>();
    for (const r of records) {
      const { k } = JSON.parse(r.value!.toString()) as { k: number };
      expect(JSON.parse(r.key!.toString())).toEqual({ k });
      expect(partitionOfK.get(k) ?? r.partition).toBe(r.partition);
      partitionOfK.set(k, r.partition);
    }
  });
});
