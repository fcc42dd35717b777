// The small Kafka client interface Eddy's Kafka connector is written against, so the client library can be swapped.
//
// It is shaped after what a Flink-style source and an exactly-once sink need, not after any one library:
// - the consumer is *assigned* partitions and positioned by Eddy (offsets live in Eddy's checkpoint); the consumer
//   group is only told the offsets, for monitoring, and never decides who reads what;
// - fetches return per-partition batches with the high watermark, so a bounded scan knows when a partition is done
//   and per-partition watermarks know which partition a record came from;
// - the producer is idempotent or transactional (begin / send / commit / abort), and a second producer with the
//   same transactional id fences the first, whose next operation fails with a `KafkaFencedError`.
// Offsets are bigints: Kafka's are 64-bit.

/** One header of a record. A record may carry the same key more than once, so headers are a list. */
export interface KafkaHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** A record read from Kafka. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Milliseconds since the epoch (create time or log-append time, as the topic says). */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly KafkaHeader[];
  /** The leader epoch of the batch the record came in, when the broker reports one. */
  readonly leaderEpoch: number | undefined;
  /** What `timestamp` is (the record batch's attribute); absent when the client does not say. */
  readonly timestampType?: 'CreateTime' | 'LogAppendTime';
}

/** A record to write. Without `partition` the producer's partitioner picks one (by key hash when there is a key). */
export interface KafkaOutgoingRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: readonly KafkaHeader[];
  /** Milliseconds since the epoch; the producer's clock when absent. */
  readonly timestamp?: number;
}

export interface KafkaTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface KafkaPartitionOffset extends KafkaTopicPartition {
  readonly offset: bigint;
}

export interface KafkaPartitionMetadata {
  readonly partition: number;
  /** Node id of the leader, -1 when there is none. */
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface KafkaTopicMetadata {
  readonly topic: string;
  readonly partitions: readonly KafkaPartitionMetadata[];
}

export interface KafkaNewTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * Where to look up per-partition offsets: the first offset (`earliest`), the end (`latest`: the offset the next
 * record will get), or the first offset whose timestamp is at or after `timestamp` (the end when there is none).
 */
export type KafkaOffsetSpec = 'earliest' | 'latest' | { readonly timestamp: number };

export interface KafkaAdmin {
  /** Creates a topic and waits for its partitions' leaders; fails when it exists already. */
  createTopic(topic: KafkaNewTopic): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Grows `topic` to `partitions` partitions in all (Kafka never shrinks a topic). */
  addPartitions(topic: string, partitions: number): Promise<void>;
  /** Names of all topics, internal ones (`__consumer_offsets`, ...) left out. */
  listTopics(): Promise<string[]>;
  /**
   * Names of all topics, internal ones included, sorted (SHOW ALL TOPICS). Optional: without it, only
   * `listTopics`' names can be shown.
   */
  listAllTopics?(): Promise<string[]>;
  /**
   * The cluster's consumer groups and the topics each reads (SHOW TOPICS EXTENDED). Optional: without it,
   * SHOW TOPICS EXTENDED is not available.
   */
  consumerGroups?(): Promise<KafkaConsumerGroup[]>;
  /** Partition metadata, partitions in order; fails with `KafkaUnknownTopicError` for a topic that does not exist. */
  describeTopics(topics: readonly string[]): Promise<KafkaTopicMetadata[]>;
  /** Per-partition offsets of `topic`, partitions in order. */
  listOffsets(topic: string, spec: KafkaOffsetSpec): Promise<KafkaPartitionOffset[]>;
  /** The offsets `groupId` committed for `topic`'s partitions; partitions without one are left out. */
  committedOffsets(groupId: string, topic: string): Promise<KafkaPartitionOffset[]>;
  close(): Promise<void>;
}

/** A consumer group and the topics it reads. */
export interface KafkaConsumerGroup {
  readonly groupId: string;
  /**
   * Per topic the group reads (members assigned partitions of it, or offsets committed for it): how many of its
   * members are assigned partitions of it (0 for a group that only commits offsets, as Eddy's sources do).
   */
  readonly topics: Readonly<Record<string, number>>;
}

/** What one fetch returned for one partition. */
export interface KafkaPartitionBatch extends KafkaTopicPartition {
  /** Records in offset order; aborted transactional records and control records are not included. */
  readonly records: readonly KafkaRecord[];
  /** The offset the next fetch of this partition starts from (already past skipped control/aborted records). */
  readonly nextOffset: bigint;
  /**
   * The end of what this consumer may read: the high watermark, or under `read_committed` the last stable offset.
   * A partition is caught up when `nextOffset >= endOffset`.
   */
  readonly endOffset: bigint;
}

export interface KafkaConsumerOptions {
  /** `read_committed` hides records of open and aborted transactions (what an exactly-once pipeline reads). */
  readonly isolationLevel: 'read_committed' | 'read_uncommitted';
  /** The group `commit` reports offsets to. The consumer never joins the group. */
  readonly groupId?: string;
  /** Most bytes one fetch returns per partition (default 1 MiB). */
  readonly maxBytesPerPartition?: number;
}

export interface KafkaConsumer {
  /** Reads exactly these partitions from these offsets, replacing any earlier assignment. */
  assign(positions: readonly KafkaPartitionOffset[]): Promise<void>;
  /** Moves one assigned partition to `offset`; the next fetch reads from there. */
  seek(position: KafkaPartitionOffset): void;
  /** The offsets the next fetch starts from, one per assigned partition. */
  positions(): KafkaPartitionOffset[];
  /**
   * Fetches the next records of the assigned partitions, waiting up to `maxWaitMs` when there are none.
   * Returns one batch per partition that answered (possibly with no records); positions move past what it returned.
   */
  fetch(options?: { readonly maxWaitMs?: number }): Promise<KafkaPartitionBatch[]>;
  /** Commits `offsets` (each the next offset to read) to the consumer group given in the options. */
  commit(offsets: readonly KafkaPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaProducerOptions {
  /** Idempotent delivery (no duplicates from the producer's own retries). Implied by `transactionalId`. */
  readonly idempotent?: boolean;
  /** Makes the producer transactional; a new producer with the same id fences the old one. */
  readonly transactionalId?: string;
  /** How long the broker lets a transaction stay open before aborting it (default 60 s). */
  readonly transactionTimeoutMs?: number;
}

export interface KafkaProducer {
  /**
   * Writes the records and resolves when the broker has acknowledged them (acks=all). Inside a transaction the
   * records become visible to `read_committed` readers only when the transaction commits.
   */
  send(records: readonly KafkaOutgoingRecord[]): Promise<void>;
  /** Starts a transaction (transactional producers only); fails when one is open already. */
  beginTransaction(): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  /** Whether a transaction is open. */
  inTransaction(): boolean;
  /**
   * A transactional producer's id and epoch (known once it is created), which a later process needs to commit the
   * producer's open transaction with {@link KafkaClient.commitPreparedTransaction}.
   */
  identity(): KafkaProducerIdentity | undefined;
  close(): Promise<void>;
}

/** Who a transaction belongs to: the transactional id and the producer id and epoch the broker gave it. */
export interface KafkaProducerIdentity {
  readonly transactionalId: string;
  /** Kafka's 64-bit producer id, as decimal text. */
  readonly producerId: string;
  readonly producerEpoch: number;
}

/** SASL authentication (the connector's `properties.sasl.*`). */
export interface KafkaSasl {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** TLS (the connector's `properties.ssl.*`), PEM text; absent CA: the system's trusted CAs. */
export interface KafkaTls {
  readonly ca?: string;
  /** The client certificate chain and its private key (mutual TLS). */
  readonly cert?: string;
  readonly key?: string;
  /** The password of an encrypted `key`. */
  readonly passphrase?: string;
  /** Whether the broker's certificate must name the host connected to (Kafka's default: yes). */
  readonly verifyHostname: boolean;
}

/** Connection settings (from the connector's `properties.*` options: see options.ts). */
export interface KafkaClientConfig {
  readonly bootstrapServers: readonly string[];
  readonly clientId?: string;
  /** TLS when present (`security.protocol` SSL or SASL_SSL). */
  readonly tls?: KafkaTls;
  readonly sasl?: KafkaSasl;
  /** How long a request may wait for the broker's answer. */
  readonly requestTimeoutMs?: number;
  /** The first wait before the client retries a failed request (it grows on each retry). */
  readonly retryBackoffMs?: number;
  /** How long connecting to a broker may take. */
  readonly connectionTimeoutMs?: number;
  /** The transaction timeout of transactional producers that do not give their own. */
  readonly transactionTimeoutMs?: number;
}

/** A connection to one Kafka cluster, the factory of admins, consumers and producers. */
export interface KafkaClient {
  admin(): Promise<KafkaAdmin>;
  consumer(options: KafkaConsumerOptions): Promise<KafkaConsumer>;
  producer(options?: KafkaProducerOptions): Promise<KafkaProducer>;
  /**
   * Commits the open transaction of the producer `identity` names, from another process (the producer may be dead):
   * what a restored exactly-once sink does with the transaction its last checkpoint prepared (Flink's
   * resumeTransaction + commit). Resolves when it is committed, or when it had been completed already (the
   * producer's epoch has moved on); fails when the broker aborted it.
   */
  commitPreparedTransaction(identity: KafkaProducerIdentity): Promise<void>;
  /**
   * When `error` (thrown by this client) is trouble that may pass, so retrying later makes sense, what it is, e.g.
   * `Kafka broker 127.0.0.1:9 unreachable`; undefined for errors retrying does not cure (a missing topic, failed
   * authentication, a fenced producer).
   */
  transient(error: unknown): string | undefined;
}

/** A transactional producer was fenced by a newer producer with the same transactional id; it can do nothing more. */
export class KafkaFencedError extends Error {
  override readonly name = 'KafkaFencedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A topic that does not exist. */
export class KafkaUnknownTopicError extends Error {
  override readonly name = 'KafkaUnknownTopicError';
  constructor(readonly topic: string, options?: { cause?: unknown }) {
    super(`Kafka topic '${topic}' does not exist`, options);
  }
}

/** Node's TLS options (what both client libraries take) from the adapter's: PEM text. */
export function tlsConnectionOptions(tls: KafkaTls): import('node:tls').ConnectionOptions {
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}

/** The error of a prepared transaction the broker aborted before the restored sink could commit it. */
export function preparedTransactionAborted(identity: KafkaProducerIdentity, cause: unknown): Error {
  return new Error(
    `the Kafka transaction of '${identity.transactionalId}' (producer ${identity.producerId}, epoch ${identity.producerEpoch}) ` +
      'was aborted before it could be committed (a transaction timeout shorter than the time to restart?)',
    { cause },
  );
}
