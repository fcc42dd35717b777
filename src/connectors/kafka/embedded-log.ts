// The `KafkaClient` interface over Eddy's embedded log: topics kept in a SQLite file (./embedded-log-store.ts)
// instead of a Kafka cluster, so `kafka` and `upsert-kafka` tables, PRINT and SHOW TOPICS work without a broker
// (`'client.library' = 'embedded'`). It behaves as the Kafka adapters do where the connector relies on it:
// - topics of N partitions, records at consecutive offsets from 0 with their timestamp, key, value and headers;
//   `listOffsets` earliest / latest / by timestamp; consumer groups' committed offsets;
// - the producer picks a keyed record's partition as Kafka's default partitioner does (murmur2 of the key), keyless
//   records go round robin; every `send` is one SQLite transaction, so it is all-or-nothing and never duplicated
//   (idempotent without retries);
// - transactional producers: records sent in a transaction get their offsets when it commits; registering a
//   transactional id again fences the older producer and aborts its open transaction; `commitPreparedTransaction`
//   commits a dead producer's open transaction by its id and epoch (a restored exactly-once sink's);
// - `fetch` waits up to `maxWaitMs` for records, woken as soon as a writer of this process commits (and within
//   about 50 ms for a writer in another process).
// What it does not do: replication, retention and compaction (records are kept until their topic is deleted; topic
// configs are kept but not applied), transaction timeouts (an open transaction stays open until it is committed,
// aborted or fenced: it holds no reader back, since its records have no offsets yet).

import {
  KafkaFencedError,
  KafkaUnknownTopicError,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaConsumer,
  type KafkaConsumerGroup,
  type KafkaConsumerOptions,
  type KafkaNewTopic,
  type KafkaOffsetSpec,
  type KafkaOutgoingRecord,
  type KafkaPartitionBatch,
  type KafkaPartitionOffset,
  type KafkaProducer,
  type KafkaProducerIdentity,
  type KafkaProducerOptions,
  type KafkaRecord,
  type KafkaTopicMetadata,
} from './client.js';
import { LogFile, MissingTopic, StaleEpoch, type AppendRecord, type StoredRecord } from './embedded-log-store.js';

/** Most records one fetch returns per partition (besides the byte limit). */
const MAX_RECORDS_PER_FETCH = 10_000;
/** Kafka's legal topic names. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Kafka's murmur2 hash (the Java client's `Utils.murmur2`), as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The last 1 to 3 bytes (Java's switch falls through from the highest).
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner gives a keyed record. */
export function keyPartition(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

const bytes = (v: Buffer | string | null): Buffer | null => (v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

/** Store errors as the adapter interface's errors. */
function translated(error: unknown, transactionalId?: string): unknown {
  if (error instanceof MissingTopic) return new KafkaUnknownTopicError(error.topic, { cause: error });
  if (error instanceof StaleEpoch) {
    return new KafkaFencedError(`Kafka producer was fenced: a newer producer took the transactional id '${transactionalId ?? error.transactionalId}'`, { cause: error });
  }
  return error;
}

function guard<T>(fn: () => T, transactionalId?: string): T {
  try {
    return fn();
  } catch (e) {
    throw translated(e, transactionalId);
  }
}

/** The error of a prepared transaction the restored sink cannot commit. */
function preparedTransactionLost(identity: KafkaProducerIdentity, why: string): Error {
  return new Error(`the transaction of '${identity.transactionalId}' (producer ${identity.producerId}, epoch ${identity.producerEpoch}) cannot be committed: ${why}`);
}

/** Something holding the file open until closed (closing twice is fine). */
abstract class Handle {
  protected readonly file: LogFile;
  private closed = false;

  constructor(path: string) {
    this.file = LogFile.acquire(path);
  }

  protected get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.file.release();
  }
}

/** Creates the embedded log's `KafkaClient` on the file at `path` (created with its directory when missing). */
export function createEmbeddedLogClient(path: string): KafkaClient {
  return {
    admin: async () => new EmbeddedAdmin(path),
    consumer: async (options) => new EmbeddedConsumer(path, options),
    producer: async (options = {}) => new EmbeddedProducer(path, options),
    async commitPreparedTransaction(identity) {
      const file = LogFile.acquire(path);
      try {
        file.write(() => {
          const row = file.producer(identity.transactionalId);
          if (!row) throw preparedTransactionLost(identity, `the embedded log at ${path} does not know transactional id '${identity.transactionalId}' (another log file?)`);
          // The id's producer moved on: a producer created since completed this transaction (as Kafka's, taken as done).
          if (row.producerId !== Number(identity.producerId) || row.epoch > identity.producerEpoch) return;
          if (row.epoch < identity.producerEpoch) {
            throw preparedTransactionLost(identity, `the embedded log at ${path} knows epoch ${row.epoch} of it only (another log file?)`);
          }
          if (row.state === 'open') file.endTransaction(identity.transactionalId, row.producerId, true);
          else if (row.state !== 'committed') throw preparedTransactionLost(identity, 'it was aborted before it could be committed');
        });
      } finally {
        file.release();
      }
    },
    transient(error) {
      const code = (error as { code?: unknown } | null)?.code;
      return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' ? `the embedded log ${path} is busy (another writer holds it)` : undefined;
    },
  };
}

class EmbeddedAdmin extends Handle implements KafkaAdmin {
  async createTopic(topic: KafkaNewTopic): Promise<void> {
    const { topic: name, partitions, replicationFactor } = topic;
    if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
      throw new Error(`'${name}' is not a legal Kafka topic name (letters, digits, '.', '_' and '-', at most 249)`);
    }
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`a topic needs at least one partition, not ${partitions}`);
    if (replicationFactor !== undefined && replicationFactor !== -1 && replicationFactor !== 1) {
      throw new Error(`the embedded log keeps one copy of each topic: replication factor ${replicationFactor} is not possible`);
    }
    const created = this.file.write(() => this.file.createTopic(name, partitions, topic.configs ?? {}));
    if (!created) throw new Error(`Kafka topic '${name}' exists already`);
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    guard(() => this.file.write(() => topics.forEach((t) => this.file.deleteTopic(t))));
  }

  async addPartitions(topic: string, partitions: number): Promise<void> {
    guard(() => this.file.write(() => this.file.addPartitions(topic, partitions)));
  }

  async listTopics(): Promise<string[]> {
    return this.file.topics().map((t) => t.name);
  }

  /** The embedded log has no internal topics: the same as listTopics. */
  async listAllTopics(): Promise<string[]> {
    return this.listTopics();
  }

  /** The groups that committed offsets (no group has members: consumers are assigned their partitions). */
  async consumerGroups(): Promise<KafkaConsumerGroup[]> {
    const groups = new Map<string, Record<string, number>>();
    for (const { groupId, topic } of this.file.groups()) {
      const topics = groups.get(groupId) ?? {};
      topics[topic] = 0;
      groups.set(groupId, topics);
    }
    return [...groups].map(([groupId, topics]) => ({ groupId, topics }));
  }

  async describeTopics(topics: readonly string[]): Promise<KafkaTopicMetadata[]> {
    return guard(() =>
      this.file.read(() =>
        topics.map((topic) => ({
          topic,
          partitions: Array.from({ length: this.file.topic(topic).partitions }, (_, partition) => ({ partition, leader: 0, replicas: [0], isr: [0] })),
        })),
      ),
    );
  }

  async listOffsets(topic: string, spec: KafkaOffsetSpec): Promise<KafkaPartitionOffset[]> {
    return guard(() =>
      this.file.read(() =>
        this.file.ends(topic).map(({ partition, offset: end }) => {
          const offset = spec === 'latest' ? end : spec === 'earliest' ? this.file.first(topic, partition, end) : this.file.firstAt(topic, partition, spec.timestamp, end);
          return { topic, partition, offset: BigInt(offset) };
        }),
      ),
    );
  }

  async committedOffsets(groupId: string, topic: string): Promise<KafkaPartitionOffset[]> {
    return this.file.committedOffsets(groupId, topic).map(({ partition, offset }) => ({ topic, partition, offset: BigInt(offset) }));
  }
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

class EmbeddedConsumer extends Handle implements KafkaConsumer {
  private readonly offsets = new Map<string, KafkaPartitionOffset>();

  constructor(
    path: string,
    private readonly options: KafkaConsumerOptions,
  ) {
    super(path);
  }

  async assign(positions: readonly KafkaPartitionOffset[]): Promise<void> {
    this.offsets.clear();
    for (const p of positions) this.offsets.set(partitionKey(p.topic, p.partition), p);
  }

  seek(position: KafkaPartitionOffset): void {
    const key = partitionKey(position.topic, position.partition);
    if (!this.offsets.has(key)) throw new Error(`Kafka partition ${position.topic}-${position.partition} is not assigned to this consumer`);
    this.offsets.set(key, position);
  }

  positions(): KafkaPartitionOffset[] {
    return [...this.offsets.values()];
  }

  /**
   * One batch per assigned partition (possibly empty), read in one snapshot. When none has records, waits for a
   * writer (up to `maxWaitMs`) and reads again.
   */
  async fetch(options: { readonly maxWaitMs?: number } = {}): Promise<KafkaPartitionBatch[]> {
    const deadline = Date.now() + (options.maxWaitMs ?? 500);
    for (;;) {
      if (this.isClosed || this.offsets.size === 0) return [];
      const batches = guard(() => this.file.read(() => [...this.offsets.values()].map((p) => this.readPartition(p))));
      const remaining = deadline - Date.now();
      if (batches.some((b) => b.records.length > 0) || remaining <= 0) {
        for (const b of batches) this.offsets.set(partitionKey(b.topic, b.partition), { topic: b.topic, partition: b.partition, offset: b.nextOffset });
        return batches;
      }
      await this.file.waitForWrites(remaining);
    }
  }

  private readPartition({ topic, partition, offset }: KafkaPartitionOffset): KafkaPartitionBatch {
    const end = this.file.end(topic, partition);
    if (end === undefined) {
      this.file.topic(topic); // MissingTopic when the topic is gone
      throw new Error(`Kafka topic '${topic}' has no partition ${partition}`);
    }
    const stored = this.file.records(topic, partition, Number(offset), MAX_RECORDS_PER_FETCH, this.options.maxBytesPerPartition ?? 1 << 20);
    const records = stored.map((r) => toRecord(topic, r));
    const nextOffset = stored.length > 0 ? BigInt(stored[stored.length - 1]!.offset + 1) : offset;
    return { topic, partition, records, nextOffset, endOffset: BigInt(end) };
  }

  async commit(offsets: readonly KafkaPartitionOffset[]): Promise<void> {
    const groupId = this.options.groupId;
    if (groupId === undefined) throw new Error('Kafka consumer has no group id to commit offsets to');
    this.file.write(() => this.file.commitOffsets(groupId, offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) }))));
  }
}

function toRecord(topic: string, r: StoredRecord): KafkaRecord {
  return { topic, partition: r.partition, offset: BigInt(r.offset), timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers, leaderEpoch: undefined, timestampType: 'CreateTime' };
}

class EmbeddedProducer extends Handle implements KafkaProducer {
  private readonly transactionalId: string | undefined;
  private readonly registration: { readonly producerId: number; readonly epoch: number } | undefined;
  private transaction = false;
  private roundRobin = 0;

  constructor(path: string, options: KafkaProducerOptions) {
    super(path);
    this.transactionalId = options.transactionalId;
    if (this.transactionalId !== undefined) {
      const id = this.transactionalId;
      try {
        // Fences an older producer of the id and aborts its open transaction, as the Java client's initTransactions().
        this.registration = this.file.write(() => this.file.registerProducer(id));
      } catch (e) {
        this.file.release();
        throw e;
      }
    }
  }

  identity(): KafkaProducerIdentity | undefined {
    const r = this.registration;
    return r && { transactionalId: this.transactionalId!, producerId: String(r.producerId), producerEpoch: r.epoch };
  }

  async send(records: readonly KafkaOutgoingRecord[]): Promise<void> {
    this.checkOpen();
    if (this.registration && !this.transaction) throw new Error('a transactional Kafka producer sends only inside a transaction (beginTransaction first)');
    const now = Date.now();
    this.write(() => {
      const partitions = new Map<string, number>();
      const resolved = records.map((r): AppendRecord => {
        let n = partitions.get(r.topic);
        if (n === undefined) partitions.set(r.topic, (n = this.file.topic(r.topic).partitions));
        const key = bytes(r.key);
        let partition = r.partition;
        if (partition === undefined) partition = key !== null ? keyPartition(key, n) : this.roundRobin++ % n;
        else if (!Number.isInteger(partition) || partition < 0 || partition >= n) throw new Error(`Kafka topic '${r.topic}' has no partition ${partition} (it has ${n})`);
        return { topic: r.topic, partition, timestamp: r.timestamp ?? now, key, value: bytes(r.value), headers: r.headers ?? [] };
      });
      if (this.registration) this.file.stage(this.transactionalId!, this.registration.producerId, resolved);
      else this.file.append(resolved);
    });
  }

  async beginTransaction(): Promise<void> {
    this.checkOpen();
    if (!this.registration) throw new Error('this Kafka producer has no transactional id');
    if (this.transaction) throw new Error('a Kafka transaction is open already');
    guard(() => this.file.checkEpoch(this.transactionalId!, this.registration!.producerId, this.registration!.epoch), this.transactionalId);
    this.transaction = true;
  }

  async commitTransaction(): Promise<void> {
    this.endTransaction(true);
  }

  async abortTransaction(): Promise<void> {
    this.endTransaction(false);
  }

  inTransaction(): boolean {
    return this.transaction;
  }

  private endTransaction(commit: boolean): void {
    this.checkOpen();
    if (!this.transaction) throw new Error('no Kafka transaction is open');
    this.transaction = false;
    this.write(() => this.file.endTransaction(this.transactionalId!, this.registration!.producerId, commit));
  }

  /** A write transaction, after checking (transactional producers) that this producer was not fenced. */
  private write(fn: () => void): void {
    guard(
      () =>
        this.file.write(() => {
          if (this.registration) this.file.checkEpoch(this.transactionalId!, this.registration.producerId, this.registration.epoch);
          fn();
        }),
      this.transactionalId,
    );
  }

  private checkOpen(): void {
    if (this.isClosed) throw new Error('this Kafka producer is closed');
  }

  override async close(): Promise<void> {
    this.transaction = false;
    await super.close();
  }
}
