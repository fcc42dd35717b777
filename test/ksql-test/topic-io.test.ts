// KafkaTopicIO over the client adapter interface, against a small in-memory client: topics are created once,
// records are written in the order given, and a topic is read to its end by a read_committed consumer, a few
// records per fetch, ordered by partition and offset.

import { describe, expect, it } from 'vitest';
import type { KafkaClient, KafkaConsumerOptions, KafkaOutgoingRecord, KafkaPartitionOffset, KafkaRecord } from '../../src/connectors/kafka/client.js';
import { KafkaTopicIO } from '../../src/ksql-test/topic-io.js';

class MemoryClient {
  readonly logs = new Map<string, KafkaRecord[][]>();
  readonly isolation: string[] = [];
  creates = 0;

  client(): KafkaClient {
    const self = this;
    const unused = () => Promise.reject(new Error('not used'));
    return {
      admin: async () => ({
        createTopic: async ({ topic, partitions }) => {
          self.creates++;
          self.logs.set(topic, Array.from({ length: partitions }, () => []));
        },
        listTopics: async () => [...self.logs.keys()],
        describeTopics: async ([topic]) => [{ topic: topic!, partitions: self.logs.get(topic!)!.map((_l, partition) => ({ partition, leader: 0, replicas: [0], isr: [0] })) }],
        deleteTopics: unused,
        addPartitions: unused,
        listOffsets: unused,
        committedOffsets: unused,
        close: async () => {},
      }),
      producer: async () => ({
        send: async (records: readonly KafkaOutgoingRecord[]) => {
          for (const r of records) {
            const log = self.logs.get(r.topic)![r.partition ?? 0]!;
            const bytes = (v: Buffer | string | null) => (v === null ? null : Buffer.from(v));
            log.push({ topic: r.topic, partition: r.partition ?? 0, offset: BigInt(log.length), timestamp: r.timestamp ?? 0, key: bytes(r.key), value: bytes(r.value), headers: [], leaderEpoch: undefined });
          }
        },
        beginTransaction: unused,
        commitTransaction: unused,
        abortTransaction: unused,
        inTransaction: () => false,
        identity: () => undefined,
        close: async () => {},
      }),
      consumer: async (options: KafkaConsumerOptions) => {
        self.isolation.push(options.isolationLevel);
        let positions: KafkaPartitionOffset[] = [];
        return {
          assign: async (p: readonly KafkaPartitionOffset[]) => void (positions = [...p]),
          seek: () => {},
          positions: () => positions,
          fetch: async () =>
            positions.map((p, i) => {
              const log = self.logs.get(p.topic)![p.partition]!;
              const records = log.slice(Number(p.offset), Number(p.offset) + 2);
              positions[i] = { ...p, offset: p.offset + BigInt(records.length) };
              return { topic: p.topic, partition: p.partition, records, nextOffset: positions[i]!.offset, endOffset: BigInt(log.length) };
            }),
          commit: unused,
          close: async () => {},
        };
      },
      commitPreparedTransaction: unused,
      transient: () => undefined,
    };
  }
}

describe('KafkaTopicIO', () => {
  it('creates topics once, writes in order, reads every record back by partition and offset', async () => {
    const memory = new MemoryClient();
    const io = new KafkaTopicIO(memory.client());
    await io.createTopic('t', 2);
    await io.createTopic('t', 2);
    expect(memory.creates).toBe(1);
    await io.produce([1, 2, 3, 4, 5].map((n) => ({ topic: 't', key: Buffer.from(`k${n}`), value: n === 3 ? null : Buffer.from(`{"n":${n}}`), timestamp: n * 10 })));
    // A record on partition 1, written by someone else: read after partition 0's.
    await (await memory.client().producer()).send([{ topic: 't', partition: 1, key: null, value: 'p1', timestamp: 1 }]);
    const read = await io.readAll('t');
    expect(read.map((r) => [r.partition, Number(r.offset), r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp])).toEqual([
      [0, 0, 'k1', '{"n":1}', 10],
      [0, 1, 'k2', '{"n":2}', 20],
      [0, 2, 'k3', null, 30],
      [0, 3, 'k4', '{"n":4}', 40],
      [0, 4, 'k5', '{"n":5}', 50],
      [1, 0, null, 'p1', 1],
    ]);
    expect(memory.isolation).toEqual(['read_committed']);
  });

  it('reads a topic that does not exist as empty', async () => {
    expect(await new KafkaTopicIO(new MemoryClient().client()).readAll('nope')).toEqual([]);
  });
});
