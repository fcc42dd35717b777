// A small in-memory client of the Kafka adapter interface (src/connectors/kafka/client.ts), for tests of code written
// against it: admin (create, list, describe, offsets), an ordered producer, and a consumer that fetches two records
// per partition at a time with each partition's end offset.

import type { KafkaClient, KafkaConsumerOptions, KafkaOffsetSpec, KafkaOutgoingRecord, KafkaPartitionOffset, KafkaRecord } from '../../src/connectors/kafka/client.js';

/** Topics as arrays of records per partition; no transactions (every record is committed at once). */
export class MemoryClient {
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
        listOffsets: async (topic: string, spec: KafkaOffsetSpec) =>
          self.logs.get(topic)!.map((log, partition) => ({ topic, partition, offset: spec === 'earliest' ? 0n : BigInt(log.length) })),
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
