/**
 * How `eddy test` reaches the topics of the engine under test: create a topic, produce records in order, read a
 * whole topic back as a read_committed consumer sees it. {@link KafkaTopicIO} does it over the Kafka client adapter
 * (src/connectors/kafka/client.ts), so it works against any client implementing it: a real broker (kafkajs,
 * platformatic) or the embedded log's client.
 */
import type { KafkaClient, KafkaProducer, KafkaRecord } from '../connectors/kafka/client.js';

/** A record to write to a topic. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Epoch ms. */
  readonly timestamp: number;
}

/** A record read back from a topic. */
export interface StoredRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface TopicIO {
  /** Creates the topic unless it exists. */
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Writes the records in order (each acknowledged before the call resolves). */
  produce(records: readonly OutgoingRecord[]): Promise<void>;
  /** Every committed record of the topic, by partition then offset ([] for a topic that does not exist). */
  readAll(topic: string): Promise<StoredRecord[]>;
  close(): Promise<void>;
}

/** {@link TopicIO} over a Kafka client adapter. */
export class KafkaTopicIO implements TopicIO {
  private producer: Promise<KafkaProducer> | undefined;

  constructor(
    private readonly client: KafkaClient,
    /** Closes what the client holds, when this does (the runner's own client); absent: the owner closes it. */
    private readonly release?: () => Promise<void>,
  ) {}

  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = await this.client.admin();
    try {
      if ((await admin.listTopics()).includes(topic)) return;
      await admin.createTopic({ topic, partitions });
    } finally {
      await admin.close();
    }
  }

  async produce(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One producer for the whole test (it produces one record at a time), closed with this.
    const producer = await (this.producer ??= this.client.producer({ idempotent: true }));
    // One record per send: the order the test gives is the order written, whatever the client batches.
    for (const r of records) await producer.send([{ topic: r.topic, partition: 0, key: r.key, value: r.value, timestamp: r.timestamp }]);
  }

  async readAll(topic: string): Promise<StoredRecord[]> {
    const admin = await this.client.admin();
    let partitions: number[];
    try {
      if (!(await admin.listTopics()).includes(topic)) return [];
      const [meta] = await admin.describeTopics([topic]);
      partitions = (meta?.partitions ?? []).map((p) => p.partition);
    } finally {
      await admin.close();
    }
    const consumer = await this.client.consumer({ isolationLevel: 'read_committed' });
    const records: KafkaRecord[] = [];
    try {
      await consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0n })));
      const caughtUp = new Map(partitions.map((p) => [p, false]));
      const deadline = Date.now() + 30_000;
      while ([...caughtUp.values()].includes(false)) {
        if (Date.now() > deadline) throw new Error(`topic '${topic}': could not read to its end within 30 s`);
        for (const batch of await consumer.fetch({ maxWaitMs: 100 })) {
          records.push(...batch.records);
          caughtUp.set(batch.partition, batch.nextOffset >= batch.endOffset);
        }
      }
    } finally {
      await consumer.close();
    }
    return records
      .sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))
      .map((r) => ({ partition: r.partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp }));
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.then((p) => p.close()).catch(() => {});
    await this.release?.();
  }
}
