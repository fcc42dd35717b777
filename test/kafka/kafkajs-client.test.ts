// Eddy's Kafka client interface (src/connectors/kafka/client.ts) against a real broker (test/kafka/broker.ts), run
// once per implementation: kafkajs (the default) and @platformatic/kafka (optional: skipped, with the reason in the
// test name, when the package cannot be loaded; EDDY_KAFKA_CLIENT_MODULES may name a node_modules directory with it).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KafkaFencedError,
  KafkaUnknownTopicError,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaClientConfig,
  type KafkaConsumer,
  type KafkaPartitionOffset,
  type KafkaRecord,
} from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { createPlatformaticClient, platformaticLocation } from '../../src/connectors/kafka/platformatic-client.js';
import { javaDefaultPartition, kafkaBootstrap, uniqueTopic } from './broker.js';

const platformaticMissing = platformaticLocation() === undefined;
const implementations: { name: string; create: (config: KafkaClientConfig) => KafkaClient; skip: boolean }[] = [
  { name: 'kafkajs', create: createKafkajsClient, skip: false },
  {
    name: platformaticMissing ? '@platformatic/kafka (not installed)' : '@platformatic/kafka',
    create: createPlatformaticClient,
    skip: platformaticMissing,
  },
];

/** Fetches until every assigned partition has reached its end offset. */
async function readToEnd(consumer: KafkaConsumer, timeoutMs = 60_000): Promise<KafkaRecord[]> {
  const records: KafkaRecord[] = [];
  const caughtUp = new Map<string, boolean>(consumer.positions().map((p) => [`${p.topic}-${p.partition}`, false]));
  const deadline = Date.now() + timeoutMs;
  while ([...caughtUp.values()].includes(false)) {
    if (Date.now() > deadline) throw new Error(`not caught up after ${timeoutMs} ms: ${JSON.stringify([...caughtUp])}`);
    for (const batch of await consumer.fetch({ maxWaitMs: 200 })) {
      records.push(...batch.records);
      caughtUp.set(`${batch.topic}-${batch.partition}`, batch.nextOffset >= batch.endOffset);
    }
  }
  return records;
}

function fromEarliest(topic: string, partitions: number): KafkaPartitionOffset[] {
  return Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0n }));
}

describe.each(implementations)('$name', ({ create, skip }) => {
  let client: KafkaClient;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    if (skip) return;
    client = create({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-test' });
    admin = await client.admin();
  });

  afterAll(async () => {
    await admin?.close();
  });

  describe.skipIf(skip)('admin', () => {
    it('creates, lists, describes and deletes topics', async () => {
      const topic = uniqueTopic('admin');
      await admin.createTopic({ topic, partitions: 3, configs: { 'cleanup.policy': 'compact' } });
      expect(await admin.listTopics()).toContain(topic);
      const [described] = await admin.describeTopics([topic]);
      expect(described!.topic).toBe(topic);
      expect(described!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      expect(described!.partitions.every((p) => p.leader === 1 && p.isr.includes(1))).toBe(true);
      await expect(admin.createTopic({ topic, partitions: 1 })).rejects.toThrow(/exists already/);
      await admin.deleteTopics([topic]);
      const deadline = Date.now() + 30_000;
      while ((await admin.listTopics()).includes(topic) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await admin.listTopics()).not.toContain(topic);
    });

    it('names a missing topic', async () => {
      const missing = uniqueTopic('missing');
      await expect(admin.describeTopics([missing])).rejects.toThrow(KafkaUnknownTopicError);
      await expect(admin.listOffsets(missing, 'latest')).rejects.toThrow(`Kafka topic '${missing}' does not exist`);
    });
  });

  describe.skipIf(skip)('10,000 keyed messages on 3 partitions', () => {
    const topic = uniqueTopic('keyed');
    const count = 10_000;
    const base = Date.UTC(2024, 0, 1);
    const keyOf = (i: number) => `user-${i % 257}`;
    const expectedPartition = (i: number) => javaDefaultPartition(Buffer.from(keyOf(i)), 3);

    beforeAll(async () => {
      await admin.createTopic({ topic, partitions: 3 });
      const producer = await client.producer({ idempotent: true });
      try {
        for (let start = 0; start < count; start += 1000) {
          await producer.send(
            Array.from({ length: 1000 }, (_, j) => {
              const i = start + j;
              return {
                topic,
                key: keyOf(i),
                value: JSON.stringify({ i, pad: 'x'.repeat(i % 50) }),
                timestamp: base + i,
                headers: i % 1000 === 0 ? [{ key: 'h', value: Buffer.from(`a${i}`) }, { key: 'h', value: Buffer.from(`b${i}`) }] : [],
              };
            }),
          );
        }
      } finally {
        await producer.close();
      }
    });

    it('reads every message back, once, by partition and offset', async () => {
      const consumer = await client.consumer({ isolationLevel: 'read_uncommitted' });
      try {
        await consumer.assign(fromEarliest(topic, 3));
        const records = await readToEnd(consumer);
        expect(records).toHaveLength(count);
        const seen = new Set<number>();
        const perPartition = new Map<number, KafkaRecord[]>();
        for (const record of records) {
          const { i } = JSON.parse(record.value!.toString()) as { i: number };
          seen.add(i);
          expect(record.key!.toString()).toBe(keyOf(i));
          expect(record.partition).toBe(expectedPartition(i));
          expect(record.timestamp).toBe(base + i);
          if (i % 1000 === 0) {
            expect(record.headers.map((h) => `${h.key}=${h.value}`)).toEqual([`h=a${i}`, `h=b${i}`]);
          } else {
            expect(record.headers).toEqual([]);
          }
          const list = perPartition.get(record.partition) ?? [];
          list.push(record);
          perPartition.set(record.partition, list);
        }
        expect(seen.size).toBe(count);
        for (let partition = 0; partition < 3; partition++) {
          const list = perPartition.get(partition) ?? [];
          const expectedIs = Array.from({ length: count }, (_, i) => i).filter((i) => expectedPartition(i) === partition);
          // Offsets 0..n-1 without a gap, in the order the messages were sent.
          expect(list.map((r) => r.offset)).toEqual(list.map((_, n) => BigInt(n)));
          expect(list.map((r) => (JSON.parse(r.value!.toString()) as { i: number }).i)).toEqual(expectedIs);
        }
      } finally {
        await consumer.close();
      }
    });

    it('lists offsets: earliest, latest and by timestamp', async () => {
      const counts = [0, 1, 2].map((p) => Array.from({ length: count }, (_, i) => i).filter((i) => expectedPartition(i) === p));
      expect((await admin.listOffsets(topic, 'earliest')).map((o) => o.offset)).toEqual([0n, 0n, 0n]);
      expect((await admin.listOffsets(topic, 'latest')).map((o) => o.offset)).toEqual(counts.map((c) => BigInt(c.length)));
      // The first offset at or after base + 5000 is the number of the partition's messages sent before message 5000.
      expect((await admin.listOffsets(topic, { timestamp: base + 5000 })).map((o) => o.offset)).toEqual(
        counts.map((c) => BigInt(c.filter((i) => i < 5000).length)),
      );
      // After the last message: the end.
      expect((await admin.listOffsets(topic, { timestamp: base + count + 1 })).map((o) => o.offset)).toEqual(
        counts.map((c) => BigInt(c.length)),
      );
    });

    it('seeks a partition and commits offsets to a group without joining it', async () => {
      const groupId = uniqueTopic('group');
      const consumer = await client.consumer({ isolationLevel: 'read_uncommitted', groupId });
      try {
        await consumer.assign([{ topic, partition: 1, offset: 0n }]);
        consumer.seek({ topic, partition: 1, offset: 100n });
        const [batch] = await consumer.fetch({ maxWaitMs: 1000 });
        expect(batch!.records[0]!.offset).toBe(100n);
        expect(() => consumer.seek({ topic, partition: 2, offset: 0n })).toThrow(/not assigned/);
        await consumer.commit([
          { topic, partition: 1, offset: batch!.nextOffset },
          { topic, partition: 2, offset: 7n },
        ]);
        expect(await admin.committedOffsets(groupId, topic)).toEqual([
          { topic, partition: 1, offset: batch!.nextOffset },
          { topic, partition: 2, offset: 7n },
        ]);
      } finally {
        await consumer.close();
      }
    });
  });

  describe.skipIf(skip)('transactions', () => {
    async function values(topic: string, isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
      const consumer = await client.consumer({ isolationLevel });
      try {
        await consumer.assign(fromEarliest(topic, 1));
        return (await readToEnd(consumer)).map((r) => r.value!.toString());
      } finally {
        await consumer.close();
      }
    }

    const records = (topic: string, ...vs: string[]) => vs.map((value) => ({ topic, key: 'k', value }));

    it('shows committed transactions to read_committed readers, never aborted ones', async () => {
      const topic = uniqueTopic('tx');
      await admin.createTopic({ topic, partitions: 1 });
      const producer = await client.producer({ transactionalId: uniqueTopic('tx-id') });
      try {
        await expect(producer.send(records(topic, 'outside'))).rejects.toThrow(/only inside a transaction/);
        await producer.beginTransaction();
        await producer.send(records(topic, 'c1', 'c2'));
        await producer.commitTransaction();
        await producer.beginTransaction();
        await producer.send(records(topic, 'a1', 'a2', 'a3'));
        await producer.abortTransaction();
        await producer.beginTransaction();
        await producer.send(records(topic, 'open1'));
        expect(producer.inTransaction()).toBe(true);
        // Still open: a read_committed reader stops before it (the last stable offset), an uncommitted one sees it.
        expect(await values(topic, 'read_committed')).toEqual(['c1', 'c2']);
        expect(await values(topic, 'read_uncommitted')).toEqual(['c1', 'c2', 'a1', 'a2', 'a3', 'open1']);
        await producer.commitTransaction();
        expect(producer.inTransaction()).toBe(false);
        expect(await values(topic, 'read_committed')).toEqual(['c1', 'c2', 'open1']);
      } finally {
        await producer.close();
      }
    });

    it('fences the older producer when a new one takes the same transactional id', async () => {
      const topic = uniqueTopic('fence');
      const transactionalId = uniqueTopic('fence-id');
      await admin.createTopic({ topic, partitions: 1 });
      const first = await client.producer({ transactionalId });
      const second = await (async () => {
        await first.beginTransaction();
        await first.send(records(topic, 'first-open'));
        // The new producer's InitProducerId bumps the epoch and aborts the first one's open transaction.
        return client.producer({ transactionalId });
      })();
      try {
        const fenced = await (async () => {
          try {
            await first.send(records(topic, 'first-late'));
            await first.commitTransaction();
            return undefined;
          } catch (error) {
            return error;
          }
        })();
        expect(fenced).toBeInstanceOf(KafkaFencedError);
        // The first producer's open transaction was aborted when the second one was created.
        expect(await values(topic, 'read_committed')).toEqual([]);
        expect(await values(topic, 'read_uncommitted')).toEqual(['first-open']);
        await second.beginTransaction();
        await second.send(records(topic, 'second'));
        await second.commitTransaction();
        expect(await values(topic, 'read_committed')).toEqual(['second']);
      } finally {
        await first.close();
        await second.close();
      }
    });
    it('commits a prepared transaction from another client by producer id and epoch, once', async () => {
      const topic = uniqueTopic('tx-prepared');
      const transactionalId = uniqueTopic('tx-prepared-id');
      await admin.createTopic({ topic, partitions: 1 });
      const producer = await client.producer({ transactionalId });
      try {
        await producer.beginTransaction();
        await producer.send(records(topic, 'p1', 'p2'));
        const identity = producer.identity()!;
        expect(identity.transactionalId).toBe(transactionalId);
        expect(identity.producerId).toMatch(/^\d+$/);
        expect(await values(topic, 'read_committed')).toEqual([]);
        // A second client (as a restarted job would) commits it; the producer never does.
        const other = create({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-test-restored' });
        await other.commitPreparedTransaction(identity);
        expect(await values(topic, 'read_committed')).toEqual(['p1', 'p2']);
        // Completed already: resolves, commits nothing twice.
        await other.commitPreparedTransaction(identity);
        // A newer producer with the id bumps the epoch: the old identity is taken as done.
        const newer = await client.producer({ transactionalId });
        await newer.close();
        await other.commitPreparedTransaction(identity);
        expect(await values(topic, 'read_committed')).toEqual(['p1', 'p2']);
      } finally {
        await producer.close();
      }
    });

    it('hides interleaved aborted transactions (one aborted after another that began later)', async () => {
      // Offsets: b1 (B's, 0), a1 (A's, 1), A's abort marker (2), B's abort marker (3): the broker lists A's aborted
      // transaction before B's, though B's began first.
      const topic = uniqueTopic('tx-interleaved');
      await admin.createTopic({ topic, partitions: 1 });
      const [idA, idB] = [uniqueTopic('tx-a'), uniqueTopic('tx-b')];
      const b = await client.producer({ transactionalId: idB });
      const a = await client.producer({ transactionalId: idA });
      const fencers = [];
      try {
        await b.beginTransaction();
        await b.send(records(topic, 'b1'));
        await a.beginTransaction();
        await a.send(records(topic, 'a1'));
        fencers.push(await client.producer({ transactionalId: idA }));
        fencers.push(await client.producer({ transactionalId: idB }));
        expect(await values(topic, 'read_uncommitted')).toEqual(['b1', 'a1']);
        expect(await values(topic, 'read_committed')).toEqual([]);
        await fencers[1]!.beginTransaction();
        await fencers[1]!.send(records(topic, 'b2'));
        await fencers[1]!.commitTransaction();
        expect(await values(topic, 'read_committed')).toEqual(['b2']);
      } finally {
        for (const p of [a, b, ...fencers]) await p.close();
      }
    });
  });
});
