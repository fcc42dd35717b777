/**
 * Topics of the session's cluster for code using the engine (the ksqlDB front end creating a stream's topic, the
 * ksqlDB test runner producing inputs and reading outputs): a thin facade over the Kafka client adapter of the
 * cluster SHOW TOPICS uses (kafka-cluster.ts) — a Kafka cluster, or the session's embedded log. Each call opens
 * what it needs and closes it again. Failures are EddyErrors naming the cluster.
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import { KafkaUnknownTopicError, type KafkaAdmin, type KafkaClient, type KafkaHeader, type KafkaRecord } from '../connectors/kafka/client.js';

/** A record to produce. Without `partition`, the producer's partitioner picks one (by the key's hash when it has one). */
export interface TopicRecordIn {
  readonly partition?: number;
  readonly key: Buffer | string | null;
  /** Null: a tombstone. */
  readonly value: Buffer | string | null;
  /** Milliseconds since the epoch; the clock's when absent. */
  readonly timestamp?: number;
  readonly headers?: readonly KafkaHeader[];
}

/** A record read back. */
export type TopicRecordOut = Pick<KafkaRecord, 'partition' | 'offset' | 'timestamp' | 'key' | 'value' | 'headers'>;

/** What `describe` tells of a topic. */
export interface TopicDescription {
  readonly topic: string;
  readonly partitions: number;
}

/** The topics of one cluster (see the top of this file). */
export class TopicAdmin {
  constructor(
    private readonly client: KafkaClient,
    /** The cluster, as messages name it: `Kafka at host:port (table t)`, `the embedded log (path) (...)`. */
    readonly where: string,
    /** True when the cluster is the session's embedded log. */
    readonly embedded: boolean,
  ) {}

  /** Creates `topic` with `partitions` partitions (and Kafka topic configs); fails when it exists. */
  createTopic(topic: string, partitions = 1, configs?: Readonly<Record<string, string>>): Promise<void> {
    return this.withAdmin(`create topic '${topic}'`, (admin) => admin.createTopic({ topic, partitions, ...(configs ? { configs } : {}) }));
  }

  /** Deletes `topic` and its records; fails when it does not exist. */
  deleteTopic(topic: string): Promise<void> {
    return this.withAdmin(`delete topic '${topic}'`, (admin) => admin.deleteTopics([topic]));
  }

  /** The topics' names, sorted (internal ones left out). */
  listTopics(): Promise<string[]> {
    return this.withAdmin('list topics', async (admin) => [...(await admin.listTopics())].sort());
  }

  /** The topic's partition count; undefined when there is no such topic. */
  describe(topic: string): Promise<TopicDescription | undefined> {
    return this.withAdmin(`describe topic '${topic}'`, async (admin) => {
      try {
        const [meta] = await admin.describeTopics([topic]);
        return { topic, partitions: meta!.partitions.length };
      } catch (err) {
        if (err instanceof KafkaUnknownTopicError) return undefined;
        throw err;
      }
    });
  }

  /** Each partition's end offset (the offset its next record gets), by partition. */
  endOffsets(topic: string): Promise<bigint[]> {
    return this.withAdmin(`read the offsets of '${topic}'`, async (admin) => (await admin.listOffsets(topic, 'latest')).map((p) => p.offset));
  }

  /** Writes `records` to `topic` in order, in one idempotent send. */
  async produce(topic: string, records: readonly TopicRecordIn[]): Promise<void> {
    await this.guard(`write to '${topic}'`, async () => {
      const producer = await this.client.producer({ idempotent: true });
      try {
        await producer.send(records.map((r) => ({ topic, ...r })));
      } finally {
        await producer.close();
      }
    });
  }

  /**
   * Every record of `topic` up to each partition's end when called, partition by partition in offset order, as a
   * consumer with `isolation` (default `read_committed`) sees them.
   */
  async readAll(topic: string, options: { readonly isolation?: 'read_committed' | 'read_uncommitted' } = {}): Promise<TopicRecordOut[]> {
    const ends = await this.withAdmin(`read the offsets of '${topic}'`, (admin) => admin.listOffsets(topic, 'latest'));
    const starts = await this.withAdmin(`read the offsets of '${topic}'`, (admin) => admin.listOffsets(topic, 'earliest'));
    return this.guard(`read '${topic}'`, async () => {
      const consumer = await this.client.consumer({ isolationLevel: options.isolation ?? 'read_committed' });
      try {
        const end = new Map(ends.map((p) => [p.partition, p.offset]));
        const open = new Set(starts.filter((p) => p.offset < end.get(p.partition)!).map((p) => p.partition));
        await consumer.assign(starts.filter((p) => open.has(p.partition)));
        const byPartition = new Map<number, TopicRecordOut[]>();
        while (open.size > 0) {
          for (const batch of await consumer.fetch({ maxWaitMs: 100 })) {
            const stop = end.get(batch.partition)!;
            const list = byPartition.get(batch.partition) ?? [];
            for (const r of batch.records) {
              if (r.offset < stop) list.push({ partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
            }
            byPartition.set(batch.partition, list);
            // Done at the end seen when called, or (read_committed on a Kafka cluster) at the last stable offset.
            if (batch.nextOffset >= stop || batch.nextOffset >= batch.endOffset) open.delete(batch.partition);
          }
        }
        return [...byPartition].sort(([a], [b]) => a - b).flatMap(([, list]) => list);
      } finally {
        await consumer.close();
      }
    });
  }

  private async withAdmin<T>(what: string, fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    return this.guard(what, async () => {
      const admin = await this.client.admin();
      try {
        return await fn(admin);
      } finally {
        await admin.close().catch(() => {});
      }
    });
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof EddyError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new EddyError({
        code: err instanceof KafkaUnknownTopicError ? ErrorCode.INVALID_STATEMENT : ErrorCode.IO_FAILED,
        message: `Cannot ${what}: ${this.where}: ${message}`,
        ...(err instanceof KafkaUnknownTopicError ? { hint: 'SHOW TOPICS lists the topics (names are case-sensitive)' } : {}),
      });
    }
  }
}
