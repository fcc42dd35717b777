// The `KafkaClient` interface implemented with kafkajs (2.2.x).
//
// Admin and producer use kafkajs's public API. kafkajs's consumer, though, only reads through a consumer group
// (subscribe + run, partitions handed out by rebalances), while Eddy assigns partitions itself and keeps offsets in
// its checkpoint. So the consumer here sends Fetch and OffsetCommit requests through kafkajs's own cluster and
// broker objects (metadata, leader lookup, connections, protocol versions, decoding) and filters aborted and control
// records with kafkajs's `Batch`, exactly as kafkajs's consumer does. Those objects are internal to kafkajs; the
// `InternalCluster` type below names the few members used, and kafkajs 2.2 is in maintenance, so they do not move.

import { createRequire } from 'node:module';
// Before kafkajs: it replaces one of kafkajs's modules (see there).
import './kafkajs-patches.js';
import {
  AssignerProtocol,
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type IHeaders,
  type Message,
  type Producer,
  type SASLOptions,
  type Transaction,
} from 'kafkajs';
import {
  KafkaFencedError,
  preparedTransactionAborted,
  tlsConnectionOptions,
  KafkaUnknownTopicError,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaClientConfig,
  type KafkaConsumer,
  type KafkaConsumerGroup,
  type KafkaConsumerOptions,
  type KafkaHeader,
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

const require = createRequire(import.meta.url);

/** A record as kafkajs's protocol decoder returns it. */
interface DecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
  /** The record batch the record came in (absent for the old message-set format). */
  batchContext?: { partitionLeaderEpoch?: number; firstOffset?: string; lastOffsetDelta?: number; timestampType?: number };
}

interface DecodedPartition {
  partition: number;
  highWatermark: string;
  lastStableOffset: string;
  abortedTransactions: { producerId: string; firstOffset: string }[];
  messages: DecodedRecord[];
}

interface InternalBroker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: DecodedPartition[] }[] }>;
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}

/** The members of kafkajs's internal `Cluster` this module uses. */
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(query: { nodeId: string }): Promise<InternalBroker>;
  findGroupCoordinator(query: { groupId: string; coordinatorType?: number }): Promise<InternalBroker>;
}

/** kafkajs's `Batch`: drops records before the fetch offset, records of aborted transactions and control records. */
interface InternalBatch {
  messages: DecodedRecord[];
}
const Batch = require('kafkajs/src/consumer/batch.js') as new (
  topic: string,
  fetchedOffset: string,
  partition: DecodedPartition,
) => InternalBatch;

const ISOLATION = { read_uncommitted: 0, read_committed: 1 } as const;
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);
/** Errors after which the leader may have moved: refresh metadata and fetch again. */
const STALE_METADATA_TYPES = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
]);

/** Group-coordinator errors that go away once the coordinator has loaded or been found again. */
const COORDINATOR_RETRY_TYPES = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS']);
/** About 30 s of backoff (100 ms doubling, capped at 2 s) before a commit gives up. */
const COMMIT_ATTEMPTS = 20;

function errorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The headers of a record without any (most records): one shared empty list. */
const NO_HEADERS: readonly KafkaHeader[] = Object.freeze([]);

function toHeaders(headers: DecodedRecord['headers']): readonly KafkaHeader[] {
  let any = false;
  for (const _ in headers) {
    any = true;
    break;
  }
  if (!any) return NO_HEADERS;
  const out: KafkaHeader[] = [];
  for (const [key, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) out.push({ key, value: one ?? null });
  }
  return out;
}

/** kafkajs's timestamp type of a record batch (0 create time, 1 log-append time; undefined for old message sets). */
function timestampTypeOf(type: number | undefined): KafkaRecord['timestampType'] {
  return type === 1 ? 'LogAppendTime' : type === 0 ? 'CreateTime' : undefined;
}

function fromHeaders(headers: readonly KafkaHeader[] | undefined): IHeaders | undefined {
  if (!headers || headers.length === 0) return undefined;
  const out: Record<string, Buffer[]> = {};
  for (const { key, value } of headers) (out[key] ??= []).push(value ?? Buffer.alloc(0));
  return out;
}

/** Creates the kafkajs implementation of `KafkaClient`. */
export function createKafkajsClient(config: KafkaClientConfig): KafkaClient {
  const kafka = new Kafka({
    clientId: config.clientId ?? 'eddy',
    brokers: [...config.bootstrapServers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    ...(config.requestTimeoutMs !== undefined ? { requestTimeout: config.requestTimeoutMs } : {}),
    ...(config.retryBackoffMs !== undefined ? { retry: { initialRetryTime: config.retryBackoffMs } } : {}),
    ...(config.tls ? { ssl: tlsConnectionOptions(config.tls) } : {}),
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
  });
  return {
    transient: (error) => transientProblem(error, config.bootstrapServers),
    async admin() {
      const admin = kafka.admin();
      await admin.connect();
      return new KafkajsAdmin(admin);
    },
    async consumer(options) {
      const consumer = new KafkajsAssignedConsumer(createInternalCluster(kafka, options), options);
      await consumer.connect();
      return consumer;
    },
    async producer(options = {}) {
      const transactional = options.transactionalId !== undefined;
      const identity = { current: undefined as KafkaProducerIdentity | undefined };
      const producer = withProducerCluster(kafka, (cluster) => transactional && watchProducerId(cluster, options.transactionalId!, identity), () =>
        kafka.producer({
          createPartitioner: Partitioners.DefaultPartitioner, // murmur2 of the key, as the Java client
          idempotent: transactional || options.idempotent === true,
          transactionalId: options.transactionalId,
          transactionTimeout: options.transactionTimeoutMs ?? config.transactionTimeoutMs,
          // kafkajs keeps ordering (and so idempotence) only with one request in flight.
          maxInFlightRequests: transactional || options.idempotent ? 1 : undefined,
          allowAutoTopicCreation: false,
        }),
      );
      await producer.connect();
      if (transactional) {
        // kafkajs sends the transactional InitProducerId only at the first transaction(); send it now, so creating
        // the producer fences an older one with the same id and aborts its open transaction, as the Java client's
        // initTransactions() does. An abort with nothing sent sends no EndTxn.
        const initial = await producer.transaction();
        await initial.abort();
      }
      return new KafkajsProducer(producer, transactional, () => identity.current);
    },
    async commitPreparedTransaction(identity) {
      const cluster = createInternalCluster(kafka, { isolationLevel: 'read_committed' });
      await cluster.connect();
      try {
        const coordinator = (await cluster.findGroupCoordinator({
          groupId: identity.transactionalId,
          coordinatorType: TRANSACTION_COORDINATOR,
        })) as InternalBroker & InternalTransactionBroker;
        await coordinator.endTxn({
          transactionalId: identity.transactionalId,
          producerId: identity.producerId,
          producerEpoch: identity.producerEpoch,
          transactionResult: true,
        });
      } catch (error) {
        const type = errorType(error);
        // A newer epoch: a producer with this id was created since, which completed (or, past the transaction
        // timeout, the broker aborted) this transaction; as Flink, taken as committed.
        if (type !== undefined && FENCED_TYPES.has(type)) return;
        if (type === 'INVALID_TXN_STATE') {
          throw preparedTransactionAborted(identity, error);
        }
        throw error;
      } finally {
        await cluster.disconnect();
      }
    },
  };
}

const TRANSACTION_COORDINATOR = 1;

/** kafkajs errors about reaching brokers: retrying later may succeed. */
const UNREACHABLE_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound', 'KafkaJSRequestTimeoutError']);
/** kafkajs errors about the cluster's state that pass (a leader election, metadata being loaded). */
const PASSING_ERRORS = new Set(['KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded', 'KafkaJSLockTimeout', 'KafkaJSStaleTopicMetadataAssignment']);

/**
 * What an error of this client is when retrying may cure it (see KafkaClient.transient): unreachable brokers,
 * timeouts, and retriable protocol errors, also when kafkajs gave up its own retries on them
 * (KafkaJSNumberOfRetriesExceeded wraps the last one). Authentication failures, missing topics and fencing are not.
 */
function transientProblem(error: unknown, servers: readonly string[]): string | undefined {
  for (let e = error as { name?: string; cause?: unknown; retriable?: boolean; broker?: string; type?: string; message?: string } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e instanceof KafkaUnknownTopicError || e instanceof KafkaFencedError) return undefined;
    const name = e.name ?? '';
    if (name === 'KafkaJSSASLAuthenticationError' || (name === 'KafkaJSNonRetriableError' && !e.cause)) return undefined;
    if (UNREACHABLE_ERRORS.has(name)) {
      return name === 'KafkaJSRequestTimeoutError'
        ? `Kafka broker ${e.broker ?? servers.join(',')} did not answer in time`
        : `Kafka broker ${e.broker ?? servers.join(',')} unreachable`;
    }
    if (PASSING_ERRORS.has(name) || (name === 'KafkaJSProtocolError' && e.retriable === true)) return `Kafka: ${e.message ?? name}`;
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED' || (e as NodeJS.ErrnoException).code === 'ECONNRESET') return `Kafka broker ${servers.join(',')} unreachable`;
  }
  return undefined;
}

interface InternalTransactionBroker {
  initProducerId(request: object): Promise<{ producerId: string; producerEpoch: number }>;
  endTxn(request: { transactionalId: string; producerId: string; producerEpoch: number; transactionResult: boolean }): Promise<unknown>;
}

/**
 * Runs `create` (a `kafka.producer(...)` call) with kafkajs's cluster factory wrapped, so `onCluster` sees the
 * cluster the producer is built on (kafkajs keeps it private).
 */
function withProducerCluster<T>(kafka: Kafka, onCluster: (cluster: InternalCluster) => unknown, create: () => T): T {
  const symbol = clusterFactorySymbol(kafka);
  const holder = kafka as unknown as Record<symbol, (o: object) => InternalCluster>;
  const original = holder[symbol]!;
  holder[symbol] = (o: object) => {
    const cluster = original(o);
    onCluster(cluster);
    return cluster;
  };
  try {
    return create();
  } finally {
    holder[symbol] = original;
  }
}

/**
 * Records the producer id and epoch the transaction coordinator gives `transactionalId` (kafkajs's transactional
 * producer asks its cluster for the coordinator, then sends InitProducerId to it; neither is public).
 */
function watchProducerId(cluster: InternalCluster, transactionalId: string, identity: { current: KafkaProducerIdentity | undefined }): void {
  const find = cluster.findGroupCoordinator.bind(cluster);
  const watched = new WeakSet<object>();
  cluster.findGroupCoordinator = async (query) => {
    const broker = (await find(query)) as InternalBroker & InternalTransactionBroker;
    if (query.coordinatorType !== TRANSACTION_COORDINATOR || watched.has(broker)) return broker;
    // This cluster (and so its broker objects) belongs to this one producer, so patching the broker is local to it.
    watched.add(broker);
    const init = broker.initProducerId.bind(broker);
    broker.initProducerId = async (request: object) => {
      const result = await init(request);
      identity.current = { transactionalId, producerId: String(result.producerId), producerEpoch: Number(result.producerEpoch) };
      return result;
    };
    return broker;
  };
}

function clusterFactorySymbol(kafka: Kafka): symbol {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!symbol) throw new Error('kafkajs: this version does not have the cluster factory Eddy reads with');
  return symbol;
}

function createInternalCluster(kafka: Kafka, options: Pick<KafkaConsumerOptions, 'isolationLevel'>): InternalCluster {
  const symbol = clusterFactorySymbol(kafka);
  const create = (kafka as unknown as Record<symbol, (o: object) => InternalCluster>)[symbol]!;
  return create({ allowAutoTopicCreation: false, isolationLevel: ISOLATION[options.isolationLevel] });
}

class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  async createTopic(topic: KafkaNewTopic): Promise<void> {
    const created = await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topic.topic,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor ?? -1,
          configEntries: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    if (!created) throw new Error(`Kafka topic '${topic.topic}' exists already`);
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.admin.deleteTopics({ topics: [...topics] });
  }

  async addPartitions(topic: string, partitions: number): Promise<void> {
    await this.admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
  }

  async listTopics(): Promise<string[]> {
    return (await this.admin.listTopics()).filter((topic) => !topic.startsWith('__')).sort();
  }

  async listAllTopics(): Promise<string[]> {
    return (await this.admin.listTopics()).sort();
  }

  async consumerGroups(): Promise<KafkaConsumerGroup[]> {
    const { groups } = await this.admin.listGroups();
    const ids = groups.map((g) => g.groupId).sort();
    if (ids.length === 0) return [];
    const described = new Map((await this.admin.describeGroups(ids)).groups.map((g) => [g.groupId, g]));
    return Promise.all(
      ids.map(async (groupId) => {
        const topics: Record<string, number> = {};
        const group = described.get(groupId);
        // Members of a consumer group: the topics of the partitions they were assigned.
        if (group?.protocolType === 'consumer') {
          for (const member of group.members) {
            const assigned = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
            for (const [topic, partitions] of Object.entries(assigned?.assignment ?? {})) {
              if (partitions.length > 0) topics[topic] = (topics[topic] ?? 0) + 1;
            }
          }
        }
        // Committed offsets (without topics: every topic the group committed for).
        for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId })) {
          if (partitions.some((p) => Number(p.offset) >= 0)) topics[topic] ??= 0;
        }
        return { groupId, topics };
      }),
    );
  }

  async describeTopics(topics: readonly string[]): Promise<KafkaTopicMetadata[]> {
    const known = new Set(await this.admin.listTopics());
    const missing = topics.find((topic) => !known.has(topic));
    if (missing !== undefined) throw new KafkaUnknownTopicError(missing);
    const metadata = await this.admin.fetchTopicMetadata({ topics: [...topics] });
    return metadata.topics.map((topic) => ({
      topic: topic.name,
      partitions: topic.partitions
        .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
        .sort((a, b) => a.partition - b.partition),
    }));
  }

  async listOffsets(topic: string, spec: KafkaOffsetSpec): Promise<KafkaPartitionOffset[]> {
    await this.describeTopics([topic]); // a clear error for a missing topic instead of kafkajs's retries
    const offsets =
      spec === 'earliest'
        ? (await this.admin.fetchTopicOffsets(topic)).map(({ partition, low }) => ({ partition, offset: low }))
        : spec === 'latest'
          ? (await this.admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high }))
          : await this.admin.fetchTopicOffsetsByTimestamp(topic, spec.timestamp);
    return offsets
      .map(({ partition, offset }) => ({ topic, partition, offset: BigInt(offset) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async committedOffsets(groupId: string, topic: string): Promise<KafkaPartitionOffset[]> {
    const [fetched] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (fetched?.partitions ?? [])
      .filter(({ offset }) => Number(offset) >= 0)
      .map(({ partition, offset }) => ({ topic, partition, offset: BigInt(offset) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}

class KafkajsAssignedConsumer implements KafkaConsumer {
  private readonly offsets = new Map<string, KafkaPartitionOffset>();

  constructor(
    private readonly cluster: InternalCluster,
    private readonly options: KafkaConsumerOptions,
  ) {}

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  async assign(positions: readonly KafkaPartitionOffset[]): Promise<void> {
    this.offsets.clear();
    for (const position of positions) this.offsets.set(partitionKey(position.topic, position.partition), position);
    const topics = [...new Set(positions.map((p) => p.topic))];
    if (topics.length === 0) return;
    await this.cluster.addMultipleTargetTopics(topics);
    // Partitions added to a topic since its metadata was loaded have no known leader yet.
    await this.cluster.refreshMetadata();
  }

  seek(position: KafkaPartitionOffset): void {
    const key = partitionKey(position.topic, position.partition);
    if (!this.offsets.has(key)) {
      throw new Error(`Kafka partition ${position.topic}-${position.partition} is not assigned to this consumer`);
    }
    this.offsets.set(key, position);
  }

  positions(): KafkaPartitionOffset[] {
    return [...this.offsets.values()];
  }

  async fetch(options: { readonly maxWaitMs?: number } = {}): Promise<KafkaPartitionBatch[]> {
    if (this.offsets.size === 0) return [];
    // Group the assigned partitions by leader: one Fetch request per broker, all sent together.
    const byLeader = new Map<string, Map<string, number[]>>();
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of this.offsets.values()) {
      const list = byTopic.get(topic) ?? [];
      list.push(partition);
      byTopic.set(topic, list);
    }
    for (const [topic, partitions] of byTopic) {
      for (const [leader, led] of Object.entries(this.cluster.findLeaderForPartitions(topic, partitions))) {
        const topicsOfLeader = byLeader.get(leader) ?? new Map<string, number[]>();
        topicsOfLeader.set(topic, led);
        byLeader.set(leader, topicsOfLeader);
      }
    }
    const maxWaitTime = options.maxWaitMs ?? 500;
    const perPartitionBytes = this.options.maxBytesPerPartition ?? 1 << 20;
    try {
      const answers = await Promise.all(
        [...byLeader].map(async ([nodeId, topics]) => {
          const broker = await this.cluster.findBroker({ nodeId });
          const requested = [...topics].map(([topic, partitions]) => ({
            topic,
            partitions: partitions.map((partition) => ({
              partition,
              fetchOffset: this.offsets.get(partitionKey(topic, partition))!.offset.toString(),
              maxBytes: perPartitionBytes,
            })),
          }));
          return broker.fetch({
            replicaId: -1,
            isolationLevel: ISOLATION[this.options.isolationLevel],
            maxWaitTime,
            minBytes: 1,
            maxBytes: perPartitionBytes * 8,
            topics: requested,
          });
        }),
      );
      const batches: KafkaPartitionBatch[] = [];
      for (const answer of answers) {
        for (const { topicName: topic, partitions } of answer.responses) {
          for (const data of partitions) batches.push(this.toBatch(topic, data));
        }
      }
      return batches;
    } catch (error) {
      // A leader moved or a topic is being recreated: refresh and let the next fetch try again.
      if (STALE_METADATA_TYPES.has(errorType(error) ?? '')) {
        await this.cluster.refreshMetadata();
        return [];
      }
      throw error;
    }
  }

  private toBatch(topic: string, data: DecodedPartition): KafkaPartitionBatch {
    const key = partitionKey(topic, data.partition);
    const fetched = this.offsets.get(key)!;
    // kafkajs's filter of aborted records walks the aborted transactions in the order given, assuming it is by first
    // offset; the broker lists them by where they ended, so interleaved transactions (one aborted after another that
    // began later) would let aborted records through. Sorted by first offset, as the Java consumer's queue does.
    const abortedTransactions = [...(data.abortedTransactions ?? [])].sort((a, b) => {
      const d = BigInt(a.firstOffset) - BigInt(b.firstOffset);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    });
    const batch = new Batch(topic, fetched.offset.toString(), { ...data, abortedTransactions });
    const endOffset = BigInt(this.options.isolationLevel === 'read_committed' && Number(data.lastStableOffset) >= 0
      ? data.lastStableOffset
      : data.highWatermark);
    // Move past every record batch the broker returned, filtered records included (control batches, aborted
    // records, and offsets compacted away at a batch's end), as the Java consumer does. The records of one record
    // batch share their context: its end is computed once.
    let nextOffset = fetched.offset;
    let lastContext: DecodedRecord['batchContext'] | null = null;
    for (const message of data.messages) {
      const context = message.batchContext;
      if (context !== undefined && context === lastContext) continue;
      lastContext = context ?? null;
      const end =
        context?.firstOffset !== undefined && context.lastOffsetDelta !== undefined
          ? BigInt(context.firstOffset) + BigInt(context.lastOffsetDelta) + 1n
          : BigInt(message.offset) + 1n;
      if (end > nextOffset) nextOffset = end;
    }
    this.offsets.set(key, { topic, partition: data.partition, offset: nextOffset });
    const messages = batch.messages;
    const records = new Array<KafkaRecord>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const context = message.batchContext;
      records[i] = {
        topic,
        partition: data.partition,
        offset: BigInt(message.offset),
        timestamp: Number(message.timestamp),
        key: message.key,
        value: message.value,
        headers: toHeaders(message.headers),
        leaderEpoch: context?.partitionLeaderEpoch,
        timestampType: timestampTypeOf(context?.timestampType),
      };
    }
    return { topic, partition: data.partition, records, nextOffset, endOffset };
  }

  async commit(offsets: readonly KafkaPartitionOffset[]): Promise<void> {
    const groupId = this.options.groupId;
    if (groupId === undefined) throw new Error('Kafka consumer has no group id to commit offsets to');
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of offsets) {
      const list = byTopic.get(topic) ?? [];
      list.push({ partition, offset: offset.toString() });
      byTopic.set(topic, list);
    }
    const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    // The coordinator may be loading or may have moved (on a fresh broker, __consumer_offsets is created by the first
    // group request): look it up again and retry with backoff, as kafkajs's own consumer does.
    for (let attempt = 0; ; attempt++) {
      try {
        const coordinator = await this.cluster.findGroupCoordinator({ groupId });
        // Generation -1 and no member id: a standalone commit, as the Java consumer makes after assign().
        await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics });
        return;
      } catch (error) {
        if (!COORDINATOR_RETRY_TYPES.has(errorType(error) ?? '') || attempt >= COMMIT_ATTEMPTS) throw error;
        await this.cluster.refreshMetadata();
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
      }
    }
  }

  async close(): Promise<void> {
    await this.cluster.disconnect();
  }
}

class KafkajsProducer implements KafkaProducer {
  private transaction: Transaction | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly transactional: boolean,
    private readonly currentIdentity: () => KafkaProducerIdentity | undefined,
  ) {}

  identity(): KafkaProducerIdentity | undefined {
    return this.currentIdentity();
  }

  async send(records: readonly KafkaOutgoingRecord[]): Promise<void> {
    if (this.transactional && !this.transaction) {
      throw new Error('a transactional Kafka producer sends only inside a transaction (beginTransaction first)');
    }
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      let messages = byTopic.get(record.topic);
      if (messages === undefined) byTopic.set(record.topic, (messages = []));
      // A record without headers and timestamp is already a kafkajs message (key, value, partition): no copy.
      messages.push(
        record.headers === undefined && record.timestamp === undefined
          ? (record as Message)
          : {
              key: record.key,
              value: record.value,
              partition: record.partition,
              headers: fromHeaders(record.headers),
              timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
            },
      );
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    await this.guard(() => (this.transaction ?? this.producer).sendBatch({ topicMessages, acks: -1 }));
  }

  async beginTransaction(): Promise<void> {
    if (!this.transactional) throw new Error('this Kafka producer has no transactional id');
    if (this.transaction) throw new Error('a Kafka transaction is open already');
    this.transaction = await this.guard(() => this.producer.transaction());
  }

  async commitTransaction(): Promise<void> {
    const transaction = this.openTransaction();
    this.transaction = undefined;
    await this.guard(() => transaction.commit());
  }

  async abortTransaction(): Promise<void> {
    const transaction = this.openTransaction();
    this.transaction = undefined;
    await this.guard(() => transaction.abort());
  }

  inTransaction(): boolean {
    return this.transaction !== undefined;
  }

  async close(): Promise<void> {
    this.transaction = undefined;
    await this.producer.disconnect();
  }

  private openTransaction(): Transaction {
    if (!this.transaction) throw new Error('no Kafka transaction is open');
    return this.transaction;
  }

  /** Runs a producer call, turning kafkajs's fencing errors into `KafkaFencedError`. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const type = errorType(error) ?? errorType((error as { cause?: unknown }).cause);
      if (type !== undefined && FENCED_TYPES.has(type)) {
        throw new KafkaFencedError(
          `Kafka producer was fenced (${type}): a newer producer took the same transactional id, or its transaction ` +
            'stayed open longer than transaction.timeout.ms and the broker aborted it',
          {
          cause: error,
        });
      }
      throw error;
    }
  }
}
