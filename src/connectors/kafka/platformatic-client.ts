// The `KafkaClient` interface implemented with @platformatic/kafka (1.x; 2.x needs Node 22), an optional client.
//
// Eddy does not depend on @platformatic/kafka: a table picks it with `'client.library' = 'platformatic'`, and the
// package is loaded on first use (from the project's node_modules, or from the node_modules directory named by
// EDDY_KAFKA_CLIENT_MODULES), with a clear error when it is not installed. The types below name the few members of its
// public API this module uses, so Eddy compiles without it.
//
// What the library's own consumer does not do, this adapter does on top of its public `Consumer.fetch` (one Fetch
// request to one broker): partitions assigned and positioned by Eddy; aborted transactions filtered the Java client's
// way (the library's read_committed filter keeps one aborted range per producer and lets records through when the
// abort marker is beyond the fetched bytes, so the filter here runs again over what it kept); positions moved past
// control batches. The producer's default partitioner is not Java's (`murmur2 >>> 0` instead of `& 0x7fffffff`), so
// Java's rule is passed in. The transaction timeout is the client's `timeout` (the library sends its request timeout
// in InitProducerId), so a transactional producer's requests wait as long as its transactions may stay open.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  KafkaFencedError,
  preparedTransactionAborted,
  tlsConnectionOptions,
  KafkaUnknownTopicError,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaClientConfig,
  type KafkaConsumer,
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

export const PLATFORMATIC_PACKAGE = '@platformatic/kafka';
/** A node_modules directory to load an optional Kafka client from when the project does not have it. */
export const CLIENT_MODULES_ENV = 'EDDY_KAFKA_CLIENT_MODULES';

type Callback<T> = (error: Error | null, result?: T) => void;

interface PltError extends Error {
  findBy?(property: string, value: unknown): PltError | null;
}

interface PltBroker {
  host: string;
  port: number;
}

interface PltMetadata {
  brokers: Map<number, PltBroker>;
  topics: Map<string, { id: string; partitionsCount: number; partitions: { leader: number; leaderEpoch: number; replicas: number[]; isr: number[] }[] }>;
}

interface PltBase {
  close(): Promise<void>;
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<PltMetadata>;
  clearMetadata(): void;
}

interface PltAdmin extends PltBase {
  listTopics(options?: { includeInternals?: boolean }): Promise<string[]>;
  createPartitions(options: { topics: { name: string; count: number; assignments: never[] }[] }): Promise<void>;
  createTopics(options: { topics: string[]; partitions?: number; replicas?: number; configs?: { name: string; value: string }[] }): Promise<unknown>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
  listOffsets(options: {
    topics: { name: string; partitions: { partitionIndex: number; timestamp: bigint }[] }[];
  }): Promise<{ name: string; partitions: { partitionIndex: number; offset: bigint }[] }[]>;
  listConsumerGroupOffsets(options: { groups: string[] }): Promise<
    { groupId: string; topics: { name: string; partitions: { partitionIndex: number; committedOffset: bigint }[] }[] }[]
  >;
  alterConsumerGroupOffsets(options: { groupId: string; topics: { name: string; partitionOffsets: { partition: number; offset: bigint }[] }[] }): Promise<void>;
  findCoordinator(options: { keyType: number; keys: string[] }): Promise<{ key: string; nodeId: number; host: string; port: number }[]>;
}

interface PltRecordsBatch {
  firstOffset: bigint;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  producerId: bigint;
  partitionLeaderEpoch: number;
  attributes: number;
  records: { offsetDelta: number; timestampDelta: bigint; key: Buffer | null; value: Buffer | null; headers: [Buffer | null, Buffer | null][] }[];
}

interface PltFetchPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[];
  records?: PltRecordsBatch[];
}

interface PltConsumer extends PltBase {
  fetch(options: {
    node: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topicId: string; partitions: { partition: number; currentLeaderEpoch: number; fetchOffset: bigint; lastFetchedEpoch: number; partitionMaxBytes: number }[] }[];
  }): Promise<{ responses: { topicId: string; partitions: PltFetchPartition[] }[] }>;
}

interface PltTransaction {
  send(options: { messages: PltMessage[]; acks: number }): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** Forgets the transaction without telling the broker (nothing was added to it). */
  cancel(): Promise<void>;
}

interface PltProducer extends PltBase {
  readonly producerId: bigint | undefined;
  readonly producerEpoch: number | undefined;
  send(options: { messages: PltMessage[]; acks: number }): Promise<unknown>;
  beginTransaction(): Promise<PltTransaction>;
  initIdempotentProducer(options: object): Promise<{ producerId: bigint; producerEpoch: number }>;
}

interface PltMessage {
  topic: string;
  partition?: number;
  key?: Buffer;
  value?: Buffer;
  headers?: Map<Buffer, Buffer>;
  timestamp?: bigint;
}

type Ctor<T> = new (options: Record<string, unknown>) => T;

/** The part of @platformatic/kafka's module this adapter uses. */
interface PlatformaticModule {
  Admin: Ctor<PltAdmin>;
  Consumer: Ctor<PltConsumer>;
  Producer: Ctor<PltProducer>;
  murmur2(key: Buffer): number;
  kGetApi: symbol;
  kGetConnection: symbol;
}

let loaded: Promise<PlatformaticModule> | undefined;

/** Where @platformatic/kafka would be loaded from, or undefined when it is not installed. */
export function platformaticLocation(): string | undefined {
  const candidates = [createRequire(import.meta.url)];
  const extra = process.env[CLIENT_MODULES_ENV];
  if (extra) candidates.push(createRequire(join(resolve(extra), 'noop.js')));
  for (const require of candidates) {
    // The package is ESM only (no `require` condition): find its package.json through the resolver's paths.
    for (const dir of require.resolve.paths(PLATFORMATIC_PACKAGE) ?? []) {
      const pkg = join(dir, PLATFORMATIC_PACKAGE, 'package.json');
      if (existsSync(pkg)) return join(dir, PLATFORMATIC_PACKAGE);
    }
  }
  return undefined;
}

/** The message for a table that picks @platformatic/kafka when it is not installed. */
export function platformaticMissingMessage(): string {
  return (
    `the Kafka client '${PLATFORMATIC_PACKAGE}' is not installed: install it next to Eddy ` +
    `(npm install ${PLATFORMATIC_PACKAGE}@1 — the 1.x line runs on Node 20, 2.x needs Node 22), ` +
    `or set ${CLIENT_MODULES_ENV} to a node_modules directory that has it`
  );
}

function loadPlatformatic(): Promise<PlatformaticModule> {
  loaded ??= (async () => {
    const dir = platformaticLocation();
    if (dir === undefined) throw new Error(platformaticMissingMessage());
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string; main?: string; exports?: unknown };
    const major = Number(String(pkg.version).split('.')[0]);
    if (major !== 1) throw new Error(`Eddy's Kafka adapter supports ${PLATFORMATIC_PACKAGE} 1.x; found ${pkg.version} in ${dir}`);
    const entry = pkg.main ?? 'dist/index.js';
    return (await import(pathToFileURL(join(dir, entry)).href)) as PlatformaticModule;
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

const ISOLATION = { read_uncommitted: 0, read_committed: 1 } as const;
const ACKS_ALL = -1;
const TRANSACTION_COORDINATOR = 1;
const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;
const FENCED_IDS = ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'];
/** Fetch errors after which the leader may have moved: refresh metadata and fetch again. */
const STALE_METADATA_IDS = ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR'];

function findApiId(error: unknown, ids: readonly string[]): string | undefined {
  const e = error as PltError | null;
  for (const id of ids) if (e?.findBy?.('apiId', id)) return id;
  return undefined;
}

function toBuffer(value: Buffer | string | null): Buffer | undefined {
  if (value === null) return undefined;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The library's client options from the adapter's configuration (connection, TLS, SASL, timeouts). */
function common(config: KafkaClientConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { tls, sasl } = config;
  return {
    clientId: config.clientId ?? 'eddy',
    bootstrapBrokers: [...config.bootstrapServers],
    retries: 3,
    ...(config.retryBackoffMs !== undefined ? { retryDelay: config.retryBackoffMs } : {}),
    ...(config.requestTimeoutMs !== undefined ? { timeout: config.requestTimeoutMs } : {}),
    connectTimeout: config.connectionTimeoutMs ?? 3000,
    ...(tls ? { tls: tlsConnectionOptions(tls) } : {}),
    ...(sasl ? { sasl: { mechanism: sasl.mechanism.toUpperCase(), username: sasl.username, password: sasl.password } } : {}),
    ...extra,
  };
}

/** The library's errors that retrying may cure: the network, timeouts, retriable protocol errors (see KafkaClient.transient). */
function transientProblem(error: unknown, servers: readonly string[]): string | undefined {
  for (let e = error as { code?: string; canRetry?: boolean; message?: string; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 8; depth++) {
    if (e instanceof KafkaUnknownTopicError || e instanceof KafkaFencedError) return undefined;
    if (e.code === 'PLT_KFK_AUTHENTICATION') return undefined;
    if (e.code === 'PLT_KFK_NETWORK' || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') return `Kafka broker ${servers.join(',')} unreachable`;
    if (e.code === 'PLT_KFK_TIMEOUT') return `Kafka broker ${servers.join(',')} did not answer in time`;
    if (e.code === 'PLT_KFK_PROTOCOL' && e.canRetry === true) return `Kafka: ${e.message ?? e.code}`;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  return undefined;
}

/** Creates the @platformatic/kafka implementation of `KafkaClient` (the package is loaded on first use). */
export function createPlatformaticClient(config: KafkaClientConfig): KafkaClient {
  return {
    transient: (error) => transientProblem(error, config.bootstrapServers),
    async admin() {
      const lib = await loadPlatformatic();
      return new PlatformaticAdmin(new lib.Admin(common(config)));
    },
    async consumer(options) {
      const lib = await loadPlatformatic();
      // The consumer never joins its group: only Fetch goes through it (commits go through an admin).
      const consumer = new lib.Consumer(common(config, { groupId: options.groupId ?? `eddy-${process.pid}`, autocommit: false }));
      const admin = options.groupId !== undefined ? new lib.Admin(common(config)) : undefined;
      return new PlatformaticAssignedConsumer(consumer, admin, options);
    },
    async producer(options = {}) {
      const lib = await loadPlatformatic();
      const transactional = options.transactionalId !== undefined;
      let roundRobin = 0;
      const producer = new lib.Producer(
        common(config, {
          idempotent: transactional || options.idempotent === true,
          // Producer id and epoch -1: a fresh InitProducerId, which takes the transactional id over (bumps the epoch,
          // fences the older producer). The library's default (0, 0) asks to bump producer 0's epoch instead, which the
          // coordinator of an id already in use refuses with PRODUCER_FENCED.
          ...(transactional
            ? { transactionalId: options.transactionalId, timeout: options.transactionTimeoutMs ?? config.transactionTimeoutMs ?? 60_000, producerId: -1n, producerEpoch: -1 }
            : {}),
          acks: ACKS_ALL,
          autocreateTopics: false,
          // Java's default partitioner for keyed records (murmur2, made positive with & 0x7fffffff); round robin without a key.
          partitioner: (_message: unknown, key: Buffer | undefined) => (Buffer.isBuffer(key) ? lib.murmur2(key) & 0x7fffffff : roundRobin++),
        }),
      );
      const adapter = new PlatformaticProducer(producer, options.transactionalId);
      if (transactional) {
        // InitProducerId now, so creating the producer fences an older one with the same id and aborts its open
        // transaction (the Java client's initTransactions()); an abort with nothing sent sends no EndTxn.
        await adapter.beginTransaction();
        await adapter.abortTransaction();
      }
      return adapter;
    },
    async commitPreparedTransaction(identity) {
      const lib = await loadPlatformatic();
      const admin = new lib.Admin(common(config));
      try {
        const [coordinator] = await admin.findCoordinator({ keyType: TRANSACTION_COORDINATOR, keys: [identity.transactionalId] });
        if (!coordinator) throw new Error(`no transaction coordinator for '${identity.transactionalId}'`);
        const internals = admin as unknown as Record<symbol, (...args: unknown[]) => void>;
        const connection = await new Promise<unknown>((resolve, reject) =>
          internals[lib.kGetConnection]!.call(admin, { host: coordinator.host, port: coordinator.port }, ((e, c) => (e ? reject(e) : resolve(c))) as Callback<unknown>),
        );
        const endTxn = await new Promise<(...args: unknown[]) => void>((resolve, reject) =>
          internals[lib.kGetApi]!.call(admin, 'EndTxn', ((e, api) => (e ? reject(e) : resolve(api as never))) as Callback<unknown>),
        );
        await new Promise<void>((resolve, reject) =>
          endTxn(connection, identity.transactionalId, BigInt(identity.producerId), identity.producerEpoch, true, ((e) => (e ? reject(e) : resolve())) as Callback<unknown>),
        );
      } catch (error) {
        // A newer epoch: a producer with this id was created since, which completed (or, past the transaction
        // timeout, the broker aborted) this transaction; as Flink, taken as committed.
        if (findApiId(error, FENCED_IDS)) return;
        if (findApiId(error, ['INVALID_TXN_STATE'])) {
          throw preparedTransactionAborted(identity, error);
        }
        throw error;
      } finally {
        await admin.close();
      }
    },
  };
}

class PlatformaticAdmin implements KafkaAdmin {
  constructor(private readonly admin: PltAdmin) {}

  async createTopic(topic: KafkaNewTopic): Promise<void> {
    try {
      await this.admin.createTopics({
        topics: [topic.topic],
        partitions: topic.partitions,
        replicas: topic.replicationFactor ?? -1,
        configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
      });
    } catch (error) {
      if (findApiId(error, ['TOPIC_ALREADY_EXISTS'])) throw new Error(`Kafka topic '${topic.topic}' exists already`, { cause: error });
      throw error;
    }
    // Wait for every partition's leader, as kafkajs's waitForLeaders.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const metadata = await this.admin.metadata({ topics: [topic.topic], forceUpdate: true }).catch(() => undefined);
      const partitions = metadata?.topics.get(topic.topic)?.partitions ?? [];
      if (partitions.length === topic.partitions && partitions.every((p) => p.leader >= 0)) return;
      if (Date.now() > deadline) throw new Error(`Kafka topic '${topic.topic}' has no leaders after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.admin.deleteTopics({ topics: [...topics] });
  }

  async addPartitions(topic: string, partitions: number): Promise<void> {
    await this.admin.createPartitions({ topics: [{ name: topic, count: partitions, assignments: [] }] });
  }

  async listTopics(): Promise<string[]> {
    return (await this.admin.listTopics({ includeInternals: false })).filter((topic) => !topic.startsWith('__')).sort();
  }

  async describeTopics(topics: readonly string[]): Promise<KafkaTopicMetadata[]> {
    const known = new Set(await this.admin.listTopics({ includeInternals: true }));
    const missing = topics.find((topic) => !known.has(topic));
    if (missing !== undefined) throw new KafkaUnknownTopicError(missing);
    const metadata = await this.admin.metadata({ topics: [...topics], forceUpdate: true });
    return topics.map((topic) => ({
      topic,
      partitions: metadata.topics.get(topic)!.partitions.map((p, partition) => ({ partition, leader: p.leader, replicas: p.replicas, isr: p.isr })),
    }));
  }

  async listOffsets(topic: string, spec: KafkaOffsetSpec): Promise<KafkaPartitionOffset[]> {
    const [described] = await this.describeTopics([topic]); // a clear error for a missing topic
    const wanted = spec === 'earliest' ? -2n : spec === 'latest' ? -1n : BigInt(spec.timestamp);
    const ask = async (timestamp: bigint) => {
      const [listed] = await this.admin.listOffsets({
        topics: [{ name: topic, partitions: described!.partitions.map((p) => ({ partitionIndex: p.partition, timestamp })) }],
      });
      return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
    };
    const offsets = await ask(wanted);
    // By timestamp, a partition without a record at or after it answers -1: its end.
    const ends = [...offsets.values()].some((o) => o < 0n) ? await ask(-1n) : offsets;
    return described!.partitions.map(({ partition }) => {
      const offset = offsets.get(partition) ?? -1n;
      return { topic, partition, offset: offset < 0n ? ends.get(partition)! : offset };
    });
  }

  async committedOffsets(groupId: string, topic: string): Promise<KafkaPartitionOffset[]> {
    // All of the group's topics (asking for one topic needs its partition numbers), then this one.
    const [group] = await this.admin.listConsumerGroupOffsets({ groups: [groupId] });
    const partitions = group?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return partitions
      .filter((p) => p.committedOffset >= 0n)
      .map((p) => ({ topic, partition: p.partitionIndex, offset: p.committedOffset }))
      .sort((a, b) => a.partition - b.partition);
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}

class PlatformaticAssignedConsumer implements KafkaConsumer {
  private readonly offsets = new Map<string, KafkaPartitionOffset>();

  constructor(
    private readonly consumer: PltConsumer,
    private readonly admin: PltAdmin | undefined,
    private readonly options: KafkaConsumerOptions,
  ) {}

  async assign(positions: readonly KafkaPartitionOffset[]): Promise<void> {
    this.offsets.clear();
    for (const position of positions) this.offsets.set(partitionKey(position.topic, position.partition), position);
    const topics = [...new Set(positions.map((p) => p.topic))];
    if (topics.length > 0) await this.consumer.metadata({ topics, forceUpdate: true });
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
    const topics = [...new Set([...this.offsets.values()].map((p) => p.topic))];
    const metadata = await this.consumer.metadata({ topics });
    // One Fetch request per leader, all sent together.
    const byLeader = new Map<number, Map<string, { topic: string; partitions: KafkaPartitionOffset[] }>>();
    for (const position of this.offsets.values()) {
      const topic = metadata.topics.get(position.topic);
      const leader = topic?.partitions[position.partition]?.leader;
      if (topic === undefined || leader === undefined || leader < 0) continue;
      const topicsOfLeader = byLeader.get(leader) ?? new Map<string, { topic: string; partitions: KafkaPartitionOffset[] }>();
      const entry = topicsOfLeader.get(topic.id) ?? { topic: position.topic, partitions: [] };
      entry.partitions.push(position);
      topicsOfLeader.set(topic.id, entry);
      byLeader.set(leader, topicsOfLeader);
    }
    const perPartitionBytes = this.options.maxBytesPerPartition ?? 1 << 20;
    try {
      const answers = await Promise.all(
        [...byLeader].map(async ([node, topicsOfLeader]) => {
          const response = await this.consumer.fetch({
            node,
            isolationLevel: ISOLATION[this.options.isolationLevel],
            maxWaitTime: options.maxWaitMs ?? 500,
            minBytes: 1,
            maxBytes: perPartitionBytes * 8,
            topics: [...topicsOfLeader].map(([topicId, { topic, partitions }]) => ({
              topicId,
              partitions: partitions.map(({ partition, offset }) => ({
                partition,
                currentLeaderEpoch: metadata.topics.get(topic)!.partitions[partition]!.leaderEpoch,
                fetchOffset: offset,
                lastFetchedEpoch: -1,
                partitionMaxBytes: perPartitionBytes,
              })),
            })),
          });
          return { response, names: new Map([...topicsOfLeader].map(([id, { topic }]) => [id, topic])) };
        }),
      );
      const batches: KafkaPartitionBatch[] = [];
      for (const { response, names } of answers) {
        for (const { topicId, partitions } of response.responses) {
          const topic = names.get(topicId);
          if (topic === undefined) continue;
          for (const data of partitions) batches.push(this.toBatch(topic, data));
        }
      }
      return batches;
    } catch (error) {
      // A leader moved or a topic is being recreated: refresh and let the next fetch try again.
      if (findApiId(error, STALE_METADATA_IDS)) {
        this.consumer.clearMetadata();
        return [];
      }
      throw error;
    }
  }

  private toBatch(topic: string, data: PltFetchPartition): KafkaPartitionBatch {
    const key = partitionKey(topic, data.partitionIndex);
    const fetched = this.offsets.get(key)!.offset;
    const readCommitted = this.options.isolationLevel === 'read_committed';
    const endOffset = readCommitted && data.lastStableOffset >= 0n ? data.lastStableOffset : data.highWatermark;
    // Aborted transactions by first offset; a producer's records are skipped from its aborted transaction's first
    // offset to its abort marker (the Java consumer's rule).
    const aborted = readCommitted ? [...(data.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)) : [];
    const abortedProducers = new Set<bigint>();
    let nextAborted = 0;
    let nextOffset = fetched;
    const records: KafkaRecord[] = [];
    for (const batch of data.records ?? []) {
      const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
      if (end > nextOffset) nextOffset = end;
      while (nextAborted < aborted.length && aborted[nextAborted]!.firstOffset <= batch.firstOffset + BigInt(batch.lastOffsetDelta)) {
        abortedProducers.add(aborted[nextAborted++]!.producerId);
      }
      if (batch.attributes & IS_CONTROL) {
        // An abort marker (control type 0) ends that producer's aborted range.
        const marker = batch.records[0]?.key;
        if (marker && marker.length >= 4 && marker.readInt16BE(2) === 0) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (batch.attributes & IS_TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue;
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        if (offset < fetched) continue;
        records.push({
          topic,
          partition: data.partitionIndex,
          offset,
          timestamp: Number(batch.firstTimestamp + record.timestampDelta),
          key: record.key,
          value: record.value,
          headers: record.headers.map(([k, v]): KafkaHeader => ({ key: k?.toString() ?? '', value: v })),
          leaderEpoch: batch.partitionLeaderEpoch >= 0 ? batch.partitionLeaderEpoch : undefined,
        });
      }
    }
    this.offsets.set(key, { topic, partition: data.partitionIndex, offset: nextOffset });
    return { topic, partition: data.partitionIndex, records, nextOffset, endOffset };
  }

  async commit(offsets: readonly KafkaPartitionOffset[]): Promise<void> {
    const groupId = this.options.groupId;
    if (groupId === undefined || this.admin === undefined) throw new Error('Kafka consumer has no group id to commit offsets to');
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const { topic, partition, offset } of offsets) {
      const list = byTopic.get(topic) ?? [];
      list.push({ partition, offset });
      byTopic.set(topic, list);
    }
    // A standalone commit (no generation, no member), as the Java consumer makes after assign().
    await this.admin.alterConsumerGroupOffsets({ groupId, topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })) });
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.admin?.close();
  }
}

class PlatformaticProducer implements KafkaProducer {
  private transaction: PltTransaction | undefined;
  /** Whether the open transaction has records: the broker knows of it only then, so only then does it end it. */
  private transactionSent = false;
  private fenced: KafkaFencedError | undefined;

  constructor(
    private readonly producer: PltProducer,
    private readonly transactionalId: string | undefined,
  ) {}

  identity(): KafkaProducerIdentity | undefined {
    const { producerId, producerEpoch } = this.producer;
    if (this.transactionalId === undefined || producerId === undefined || producerEpoch === undefined) return undefined;
    return { transactionalId: this.transactionalId, producerId: String(producerId), producerEpoch };
  }

  async send(records: readonly KafkaOutgoingRecord[]): Promise<void> {
    if (this.transactionalId !== undefined && !this.transaction) {
      throw new Error('a transactional Kafka producer sends only inside a transaction (beginTransaction first)');
    }
    const messages = records.map((record): PltMessage => {
      const message: PltMessage = { topic: record.topic };
      if (record.partition !== undefined) message.partition = record.partition;
      const key = toBuffer(record.key);
      if (key !== undefined) message.key = key;
      const value = toBuffer(record.value);
      if (value !== undefined) message.value = value;
      if (record.headers && record.headers.length > 0) {
        // Distinct Buffer objects are distinct Map keys, so a header key may repeat.
        message.headers = new Map(record.headers.map((h) => [Buffer.from(h.key), h.value ?? Buffer.alloc(0)]));
      }
      if (record.timestamp !== undefined) message.timestamp = BigInt(record.timestamp);
      return message;
    });
    if (messages.length === 0) return;
    if (this.transaction) this.transactionSent = true;
    await this.guard(() => (this.transaction ?? this.producer).send({ messages, acks: ACKS_ALL }));
  }

  async beginTransaction(): Promise<void> {
    if (this.transactionalId === undefined) throw new Error('this Kafka producer has no transactional id');
    if (this.transaction) throw new Error('a Kafka transaction is open already');
    this.transaction = await this.guard(() => this.producer.beginTransaction());
    this.transactionSent = false;
  }

  async commitTransaction(): Promise<void> {
    await this.endTransaction(true);
  }

  async abortTransaction(): Promise<void> {
    await this.endTransaction(false);
  }

  private async endTransaction(commit: boolean): Promise<void> {
    const transaction = this.openTransaction();
    this.transaction = undefined;
    // An empty transaction was never added to on the broker, which refuses to end it (INVALID_TXN_STATE).
    if (!this.transactionSent) return transaction.cancel();
    await this.guard(() => (commit ? transaction.commit() : transaction.abort()));
  }

  inTransaction(): boolean {
    return this.transaction !== undefined;
  }

  async close(): Promise<void> {
    this.transaction = undefined;
    await this.producer.close();
  }

  private openTransaction(): PltTransaction {
    if (!this.transaction) throw new Error('no Kafka transaction is open');
    return this.transaction;
  }

  /**
   * Runs a producer call, turning fencing errors into `KafkaFencedError`. A fenced producer stays fenced: the library
   * would otherwise ask for a new producer id on its next send, and so fence the producer that fenced it.
   */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.fenced) throw this.fenced;
    try {
      return await call();
    } catch (error) {
      const id = findApiId(error, FENCED_IDS);
      if (id !== undefined) {
        this.fenced = new KafkaFencedError(`Kafka producer was fenced by a newer producer with the same transactional id (${id})`, { cause: error });
        throw this.fenced;
      }
      throw error;
    }
  }
}
