/**
 * The `kafka` connector's source: reads the partitions of one or more topics through the client adapter
 * (./client.ts), each partition a split (`<topic>/<partition>`), decoding each record's value with the table's
 * format. Where each partition starts is `scan.startup.mode`'s (or the restored checkpoint's); with a
 * `scan.bounded.mode` other than `unbounded`, each partition ends at an offset fixed when the source opens.
 *
 * Position (checkpoints): per partition, the offset of the next record to read, right after the last record
 * `next()` handed out (bad records skipped count as read). A restore reads each partition of the position from
 * its saved offset exactly; partitions not in it (added to the topic since) start at their earliest offset.
 *
 * Each record becomes a row by the table's key and value formats (./record-to-row.ts). An upsert source
 * (`upsert-kafka`) always starts at the earliest offsets, and its chunks carry each row's kind (+U, or -D for a
 * tombstone).
 *
 * Bad records (value or key) are reported with `ctx.badRecord`, positioned `<topic>/<partition>@<offset>`.
 */
import type { ConnectorContext, SourceChunk, SourceReader } from '../../runtime/connector.js';
import { INSERT, type Row, type RowKind } from '../../runtime/changelog.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { maxRecordBytes } from '../option-values.js';
import { KafkaUnknownTopicError, type KafkaClient, type KafkaClientConfig, type KafkaConsumer, type KafkaHeader, type KafkaPartitionBatch, type KafkaPartitionOffset, type KafkaAdmin, type KafkaRecord } from './client.js';
import type { SourceMessage } from '../formats/index.js';
import { createKafkajsClient } from './kafkajs-client.js';
import { appendMetadata } from './metadata.js';
import { boundedMode, discoveryIntervalMs, parseSpecificOffsets, startupMode, topicPattern, topicsOf } from './kafka-options.js';
import { kafkaClientConfig, reconnectBackoff, usesEmbeddedLog } from './options.js';
import { InterruptibleSleep } from '../interruptible-sleep.js';
import { recordLayout } from './record-layout.js';
import { RecordToRow } from './record-to-row.js';

/** One partition's place in a checkpoint: the offset of the next record to read (decimal text: 64-bit). */
export interface KafkaSourcePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Creates the client a source reads with (tests may pass another). */
export type KafkaClientFactory = (config: KafkaClientConfig) => KafkaClient;

const splitOf = (topic: string, partition: number): string => `${topic}/${partition}`;

/** A restored position, checked. */
function restoredPositions(tableName: string, restored: unknown): KafkaSourcePosition[] | undefined {
  if (restored === undefined || restored === null) return undefined;
  const ok =
    Array.isArray(restored) &&
    restored.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as KafkaSourcePosition).topic === 'string' &&
        Number.isInteger((p as KafkaSourcePosition).partition) &&
        typeof (p as KafkaSourcePosition).offset === 'string' &&
        /^\d+$/.test((p as KafkaSourcePosition).offset),
    );
  if (!ok) {
    throw new EddyError({
      code: ErrorCode.INVALID_STATEMENT,
      message: `Table \`${tableName}\`: the checkpointed position of the kafka source is not readable: ${JSON.stringify(restored).slice(0, 100)}`,
      hint: 'start the job without restoring its state',
    });
  }
  return restored as KafkaSourcePosition[];
}

/** An entry of the source's queue: a fetched batch not decoded yet, or a chunk. */
type QueueEntry =
  | { readonly state: PartitionState; readonly next: bigint; readonly chunk: KafkaChunk; readonly batch?: undefined; readonly ended?: undefined }
  | { readonly state: PartitionState; readonly next: bigint; readonly chunk?: undefined; readonly batch: KafkaPartitionBatch; readonly ended: boolean };

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly split: string;
  /** The offset after the last record handed out by `next()`. */
  offset: bigint;
  /** Bounded reads: the offset the partition ends at (exclusive). */
  stop: bigint | undefined;
  /** Bounded reads: the end was reached by what was fetched (and queued). */
  ended: boolean;
}

/** A chunk with where its partition stands once it is handed out, and per row its offset and text. */
class KafkaChunk implements SourceChunk {
  readonly split: string;
  readonly rows: Row[];
  readonly kinds?: readonly RowKind[];
  readonly splitEnded?: boolean;
  readonly #offsets: readonly bigint[];
  readonly #values: readonly (Buffer | null)[];
  readonly #next: bigint;

  constructor(split: string, rows: Row[], offsets: bigint[], values: (Buffer | null)[], next: bigint, ended: boolean, kinds?: RowKind[]) {
    this.split = split;
    this.rows = rows;
    if (kinds) this.kinds = kinds;
    if (ended) this.splitEnded = true;
    this.#offsets = offsets;
    this.#values = values;
    this.#next = next;
  }

  get nextOffset(): bigint {
    return this.#next;
  }

  describe(i: number): { readonly position: string; readonly raw: string } {
    const raw = valueText(this.#values[i] ?? null);
    return { position: `${this.split}@${this.#offsets[i]}`, raw: typeof raw === 'string' ? raw : '' };
  }
}

/** A record as the formats' decoders read it; `offset` (decimal text) is made when asked for. */
class RecordMessage implements SourceMessage {
  record: KafkaRecord | undefined;
  value: Buffer | null = null;
  key: Buffer | null = null;
  headers: readonly KafkaHeader[] = [];
  timestamp = 0;
  partition = 0;

  get offset(): string | undefined {
    return this.record?.offset.toString();
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function valueText(value: Buffer | null): string | Uint8Array {
  if (value === null) return '';
  try {
    return strictUtf8.decode(value);
  } catch {
    return value;
  }
}

export class KafkaSourceReader implements SourceReader {
  readonly bounded: boolean;
  private readonly mapper: RecordToRow;
  private readonly maxRecordBytes: number;
  private readonly topics: readonly string[];
  /** `topic-pattern`: every topic whose whole name matches is read (instead of `topics`). */
  private readonly pattern: RegExp | undefined;
  /** `scan.topic-partition-discovery.interval` (unbounded reads only), and when the next discovery is due. */
  private readonly discoveryMs: number | undefined;
  private nextDiscovery = Infinity;
  private readonly restored: KafkaSourcePosition[] | undefined;
  private client: KafkaClient | undefined;
  private consumer: KafkaConsumer | undefined;
  private readonly partitions = new Map<string, PartitionState>();
  /**
   * What was fetched and not handed out yet, in order: per partition a fetched batch (decoded into a chunk when it is
   * handed out, so its bad records are reported with the chunk they belong to), or an empty chunk (a partition's
   * start or end). `next`: where the partition stands once the entry is handed out.
   */
  private readonly queue: QueueEntry[] = [];
  /** The fetch under way (at most one): started when the queue runs low, so the next records arrive while the job processes the last ones. */
  private fetching: Promise<void> | undefined;
  private closed = false;
  private inflight: Promise<unknown> | undefined;
  /** The METADATA keys whose values each row gets after its physical columns (./metadata.ts). */
  private readonly metadataKeys: readonly string[];
  /** While the brokers cannot be reached: what is wrong, the attempt that failed, and when the next one starts. */
  private retry: { problem: string; attempt: number; next: number } | undefined;
  private readonly backoff = new InterruptibleSleep();
  /** `properties.commit.offsets.on.checkpoint` with a group: offsets of each completed checkpoint go to the group. */
  private readonly commitGroup: string | undefined;
  /** The newest checkpoint's offsets not yet committed to the group, and the commit under way. */
  private offsetsToCommit: KafkaPartitionOffset[] | undefined;
  private committing: Promise<void> | undefined;
  /** The consumer that commits (not the one that fetches: commits go on after the source is closed). */
  private committer: KafkaConsumer | undefined;
  /** Why the last commit of offsets to the group failed (cleared by the next one that succeeds). */
  private commitProblem: string | undefined;
  /** Set once `open` has found the partitions and connected: before, `caughtUp` cannot know what is left. */
  private opened = false;
  /** The admin `caughtUp` asks for end offsets (created on first use). */
  private offsetsAdmin: Promise<KafkaAdmin> | undefined;
  /** Where the consumer's fetches stood when it was dropped after a broker problem (the next one resumes there). */
  private resumeFrom: KafkaPartitionOffset[] | undefined;
  /** The message the decoders read, refilled for each record. */
  private readonly message = new RecordMessage();

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly clientFactory: KafkaClientFactory = createKafkajsClient,
    /** True for `upsert-kafka`: records are upserts and deletes of the PRIMARY KEY's values. */
    private readonly upsert = false,
  ) {
    this.metadataKeys = ctx.metadataKeys ?? [];
    this.topics = topicsOf(ctx.options);
    this.pattern = topicPattern(ctx.options);
    this.discoveryMs = discoveryIntervalMs(ctx.options);
    this.bounded = boundedMode(ctx.options) !== 'unbounded';
    this.mapper = new RecordToRow(recordLayout(ctx.tableName, ctx.options, ctx.schema, ctx.primaryKey, upsert), ctx.schema, upsert);
    this.maxRecordBytes = maxRecordBytes(ctx.options);
    this.restored = restoredPositions(ctx.tableName, ctx.restored);
    const groupId = ctx.options['properties.group.id'];
    this.commitGroup = groupId !== undefined && ctx.options['properties.commit.offsets.on.checkpoint']?.trim().toLowerCase() !== 'false' ? groupId : undefined;
  }

  /**
   * Finds the partitions and where each starts, then connects the consumer. While the brokers cannot be reached it
   * retries with backoff (see {@link retrying}); a missing topic or a refused login fails at once.
   */
  async open(): Promise<void> {
    try {
      this.client = this.clientFactory(kafkaClientConfig(this.ctx.options, `eddy-${this.ctx.tableName}`));
    } catch (e) {
      throw this.brokerError(e);
    }
    await this.retrying(async () => {
      // Each attempt starts over: nothing of a failed one is kept.
      this.partitions.clear();
      this.queue.length = 0;
      const admin = await this.client!.admin();
      try {
        for (const topic of await this.subscribedTopics(admin)) await this.openTopic(admin, topic);
      } finally {
        await admin.close().catch(() => {});
      }
    });
    if (this.closed) return;
    await this.retrying(() => this.connectConsumer());
    if (this.discoveryMs !== undefined) this.nextDiscovery = Date.now() + this.discoveryMs;
    this.opened = true;
  }

  /** The topics read: those of `topic`, or those `topic-pattern` matches now. */
  private async subscribedTopics(admin: KafkaAdmin): Promise<readonly string[]> {
    const pattern = this.pattern;
    return pattern ? (await admin.listTopics()).filter((topic) => pattern.test(topic)) : this.topics;
  }

  /**
   * Partition discovery (`scan.topic-partition-discovery.interval`, as Flink's): new partitions of the topics read
   * and, with `topic-pattern`, new matching topics are read from their earliest offset. A failed look (brokers
   * unreachable, a topic deleted meanwhile) is counted (`kafkaDiscoveryFailures`) and tried again next time.
   */
  private async discover(): Promise<void> {
    this.nextDiscovery = Date.now() + this.discoveryMs!;
    let added = false;
    try {
      const admin = await this.client!.admin();
      try {
        for (const topic of await this.subscribedTopics(admin)) {
          const [meta] = await admin.describeTopics([topic]);
          const fresh = (meta?.partitions ?? []).filter((p) => !this.partitions.has(splitOf(topic, p.partition)));
          if (fresh.length === 0) continue;
          const earliest = new Map((await admin.listOffsets(topic, 'earliest')).map((p) => [p.partition, p.offset]));
          for (const { partition } of fresh) {
            const split = splitOf(topic, partition);
            this.partitions.set(split, { topic, partition, split, offset: earliest.get(partition) ?? 0n, stop: undefined, ended: false });
            added = true;
          }
        }
      } finally {
        await admin.close().catch(() => {});
      }
    } catch {
      this.ctx.counter('kafkaDiscoveryFailures').inc();
    }
    // A consumer that cannot take the new assignment is dropped: the next fetch connects a new one (retrying).
    if (added && this.consumer) await this.assignRemaining().catch(() => this.dropConsumer());
  }

  /** A new consumer, assigned the partitions that are not ended, where fetching goes on from. */
  private async connectConsumer(): Promise<void> {
    const o = this.ctx.options;
    const isolation = o['properties.isolation.level']?.trim().toLowerCase() === 'read_committed' ? 'read_committed' : 'read_uncommitted';
    const groupId = o['properties.group.id'];
    const consumer = await this.client!.consumer({ isolationLevel: isolation, ...(groupId !== undefined ? { groupId } : {}) });
    this.consumer = consumer;
    await this.assignRemaining();
    this.resumeFrom = undefined;
  }

  /** Drops the consumer after a broker problem, remembering where its fetches stood. */
  private async dropConsumer(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.consumer = undefined;
    this.resumeFrom = consumer.positions();
    await consumer.close().catch(() => {});
  }

  /**
   * Runs `work` until it succeeds. When it fails with trouble that may pass (the client says which: unreachable
   * brokers, timeouts, a leader election), waits and tries again, the waits growing from
   * `properties.reconnect.backoff.ms` (1 s) by doubling up to `properties.reconnect.backoff.max.ms` (30 s), for as
   * long as it takes; {@link health} says so meanwhile. Nothing is read twice or skipped: every attempt resumes at the
   * same offsets. Other errors fail the job at once, as clear errors. Returns without `work` done once closed.
   */
  private async retrying(work: () => Promise<void>): Promise<void> {
    const { initialMs, maxMs } = reconnectBackoff(this.ctx.options);
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await work();
        this.retry = undefined;
        return;
      } catch (e) {
        if (this.closed) return; // closing cut it short (the job is stopping): not a failure
        const problem = e instanceof EddyError ? undefined : this.client?.transient(e);
        if (problem === undefined) throw this.brokerError(e);
        await this.dropConsumer();
        const delay = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
        this.retry = { problem, attempt, next: Date.now() + delay };
        this.ctx.counter('kafkaRetries').inc();
        await this.backoff.sleep(delay);
      }
    }
  }

  health(): string | undefined {
    if (this.retry) {
      const { problem, attempt, next } = this.retry;
      return `retrying: ${problem} (attempt ${attempt}, next in ${Math.max(0, Math.ceil((next - Date.now()) / 1000))} s)`;
    }
    if (this.pattern && this.partitions.size === 0) {
      return `waiting: no Kafka topic matches '${this.ctx.options['topic-pattern']}'${this.discoveryMs !== undefined ? '' : ' (partition discovery is off)'}`;
    }
    return this.commitProblem;
  }

  /** Finds a topic's partitions, where each starts and (bounded) ends. */
  private async openTopic(admin: KafkaAdmin, topic: string): Promise<void> {
    const o = this.ctx.options;
    const [meta] = await admin.describeTopics([topic]);
    const numbers = (meta?.partitions ?? []).map((p) => p.partition);
    const byPartition = (list: readonly KafkaPartitionOffset[]) => new Map(list.map((p) => [p.partition, p.offset]));
    const earliest = byPartition(await admin.listOffsets(topic, 'earliest'));
    let start: Map<number, bigint>;
    if (this.restored) {
      start = new Map(this.restored.filter((p) => p.topic === topic).map((p) => [p.partition, BigInt(p.offset)]));
    } else {
      // upsert-kafka reads every record (as Flink's): a key's latest value may be anywhere in the topic.
      const mode = this.upsert ? 'earliest-offset' : startupMode(o);
      if (mode === 'earliest-offset') start = earliest;
      else if (mode === 'latest-offset') start = byPartition(await admin.listOffsets(topic, 'latest'));
      else if (mode === 'timestamp') start = byPartition(await admin.listOffsets(topic, { timestamp: Number(o['scan.startup.timestamp-millis']) }));
      else if (mode === 'specific-offsets') start = parseSpecificOffsets(o['scan.startup.specific-offsets'] ?? '');
      else start = await this.groupOffsets(admin, topic, numbers);
    }
    const stopMode = boundedMode(o);
    let stop: Map<number, bigint> | undefined;
    if (stopMode === 'latest-offset') stop = byPartition(await admin.listOffsets(topic, 'latest'));
    else if (stopMode === 'timestamp') stop = byPartition(await admin.listOffsets(topic, { timestamp: Number(o['scan.bounded.timestamp-millis']) }));
    else if (stopMode === 'specific-offsets') {
      const given = parseSpecificOffsets(o['scan.bounded.specific-offsets'] ?? '');
      const latest = byPartition(await admin.listOffsets(topic, 'latest'));
      stop = new Map(numbers.map((n) => [n, given.get(n) ?? latest.get(n) ?? 0n]));
    }
    for (const partition of numbers) {
      const offset = start.get(partition) ?? earliest.get(partition) ?? 0n;
      const end = stop?.get(partition);
      const split = splitOf(topic, partition);
      const state: PartitionState = { topic, partition, split, offset, stop: end, ended: false };
      this.partitions.set(split, state);
      if (end !== undefined && offset >= end) {
        state.ended = true;
        this.queue.push({ chunk: new KafkaChunk(split, [], [], [], offset, true), state, next: offset });
      } else {
        // An empty chunk makes the split known to the job at once: until its first records arrive (or it is idle for
        // 'scan.watermark.idle-timeout'), it holds the watermark back, so a partition read later than the others
        // does not find its first records late (as Flink's per-partition watermarks).
        this.queue.push({ chunk: new KafkaChunk(split, [], [], [], offset, false), state, next: offset });
      }
    }
  }

  /** `group-offsets`: the group's committed offsets; `properties.auto.offset.reset` for partitions without one. */
  private async groupOffsets(admin: KafkaAdmin, topic: string, numbers: readonly number[]): Promise<Map<number, bigint>> {
    const o = this.ctx.options;
    const groupId = o['properties.group.id'];
    if (groupId === undefined) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: 'scan.startup.mode' = 'group-offsets' (the default) needs 'properties.group.id'`,
        hint: "set 'properties.group.id', or 'scan.startup.mode' = 'earliest-offset'",
      });
    }
    const committed = new Map((await admin.committedOffsets(groupId, topic)).map((p) => [p.partition, p.offset]));
    const missing = numbers.filter((n) => !committed.has(n));
    if (missing.length === 0) return committed;
    const reset = o['properties.auto.offset.reset']?.trim().toLowerCase() ?? 'none';
    if (reset === 'none') {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: consumer group '${groupId}' has no committed offset for topic '${topic}' partition${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        hint: "set 'properties.auto.offset.reset' = 'earliest' or 'latest' to start such partitions there, or use another 'scan.startup.mode'",
      });
    }
    for (const p of await admin.listOffsets(topic, reset === 'latest' ? 'latest' : 'earliest')) {
      if (!committed.has(p.partition)) committed.set(p.partition, p.offset);
    }
    return committed;
  }

  /** Assigns the partitions that are not ended, at the offsets fetching goes on from. */
  private async assignRemaining(): Promise<void> {
    const fetched = this.consumer!.positions();
    const fetchFrom = new Map((fetched.length > 0 ? fetched : (this.resumeFrom ?? [])).map((p) => [splitOf(p.topic, p.partition), p.offset]));
    const positions = [...this.partitions.values()]
      .filter((s) => !s.ended)
      .map((s) => ({ topic: s.topic, partition: s.partition, offset: fetchFrom.get(s.split) ?? s.offset }));
    await this.consumer!.assign(positions);
  }

  /**
   * Whether every partition's records up to its end offset now (the brokers' latest offsets) have been handed out;
   * a partition behind a transaction still open stays behind until it commits (read_committed), and an ended
   * partition of a bounded read is caught up. False while the partitions are not known yet or chunks wait.
   */
  async caughtUp(): Promise<boolean> {
    if (this.closed) return true;
    if (!this.client || !this.opened || this.queue.length > 0) return false;
    // One admin for all the questions (settle asks often); dropped after a failure, closed with the source.
    const admin = await (this.offsetsAdmin ??= this.client.admin());
    try {
      for (const topic of new Set([...this.partitions.values()].filter((s) => !s.ended).map((s) => s.topic))) {
        for (const end of await admin.listOffsets(topic, 'latest')) {
          const state = this.partitions.get(splitOf(topic, end.partition));
          if (state && !state.ended && state.offset < end.offset) return false;
        }
      }
    } catch (e) {
      this.offsetsAdmin = undefined;
      await admin.close().catch(() => {});
      throw this.brokerError(e);
    }
    return this.queue.length === 0;
  }

  position(): KafkaSourcePosition[] {
    return [...this.partitions.values()].map((s) => ({ topic: s.topic, partition: s.partition, offset: s.offset.toString() }));
  }

  next(): Promise<SourceChunk | null> {
    const p = this.nextChunk();
    this.inflight = p.catch(() => undefined);
    return p;
  }

  private async nextChunk(): Promise<SourceChunk | null> {
    while (!this.closed) {
      const queued = this.queue.shift();
      if (queued) {
        const chunk = queued.chunk ?? this.decodeBatch(queued.state, queued.batch, queued.next, queued.ended);
        queued.state.offset = chunk.nextOffset;
        // The next fetch goes out while the job processes what is left.
        if (this.queue.length <= 1 && !this.closed) this.prefetch();
        return chunk;
      }
      if (this.bounded && [...this.partitions.values()].every((s) => s.ended)) return null;
      await (this.fetching ?? this.startFetch());
    }
    return null;
  }

  /** Starts a fetch unless one is under way or nothing is left to fetch. */
  private prefetch(): void {
    if (this.fetching || (this.bounded && [...this.partitions.values()].every((s) => s.ended))) return;
    void this.startFetch().catch(() => {}); // a failure is met by the next `next()`, which waits for this fetch
  }

  private startFetch(): Promise<void> {
    const fetch: Promise<void> = this.fetchMore().finally(() => {
      if (this.fetching === fetch) this.fetching = undefined;
    });
    this.fetching = fetch;
    return fetch;
  }

  /** One fetch: queues each partition's batch (decoded when handed out). */
  private async fetchMore(): Promise<void> {
    if (Date.now() >= this.nextDiscovery) await this.discover();
    if (![...this.partitions.values()].some((s) => !s.ended)) {
      // Nothing to read (yet): a pattern that matches no topic. Wait for the next discovery instead of spinning.
      await this.backoff.sleep(Math.min(500, Math.max(0, this.nextDiscovery - Date.now())));
      return;
    }
    let batches: KafkaPartitionBatch[] = [];
    await this.retrying(async () => {
      if (!this.consumer) await this.connectConsumer();
      batches = await this.consumer!.fetch({ maxWaitMs: 500 });
    });
    if (this.closed) return;
    let endedSome = false;
    for (const batch of batches) {
      const state = this.partitions.get(splitOf(batch.topic, batch.partition));
      if (!state || state.ended) continue;
      let next = batch.nextOffset;
      if (state.stop !== undefined && next >= state.stop) {
        next = state.stop;
        state.ended = true;
        endedSome = true;
      }
      const last = this.queue.findLast((q) => q.state === state)?.next ?? state.offset;
      if (batch.records.length > 0 || state.ended || next > last) this.queue.push({ state, batch, next, ended: state.ended });
    }
    if (endedSome) await this.assignRemaining();
  }

  /** A fetched batch's records as a chunk: rows of those before the partition's end (bounded reads), bad ones reported. */
  private decodeBatch(state: PartitionState, batch: KafkaPartitionBatch, next: bigint, ended: boolean): KafkaChunk {
    const rows: Row[] = [];
    const offsets: bigint[] = [];
    const values: (Buffer | null)[] = [];
    const kinds: RowKind[] | undefined = this.upsert || this.mapper.changelog ? [] : undefined;
    for (const record of batch.records) {
      if (state.stop !== undefined && record.offset >= state.stop) break;
      this.decodeRecord(state, record, rows, offsets, values, kinds);
    }
    return new KafkaChunk(state.split, rows, offsets, values, next, ended, kinds);
  }

  /** Reports a record whose value or key is larger than `errors.max-record-bytes`; false when neither is. */
  private tooLarge(state: PartitionState, record: KafkaRecord): boolean {
    const value = record.value;
    const key = record.key;
    const part = value !== null && value.length > this.maxRecordBytes ? 'value' : key !== null && key.length > this.maxRecordBytes ? 'key' : undefined;
    if (part === undefined) return false;
    const bytes = part === 'value' ? value! : key!;
    this.ctx.badRecord({
      kind: 'too-large',
      message: `the record's ${part} is ${bytes.length} bytes, more than errors.max-record-bytes (${this.maxRecordBytes})`,
      position: `${state.split}@${record.offset}`,
      raw: valueText(bytes.subarray(0, 1024)),
    });
    return true;
  }

  private decodeRecord(state: PartitionState, record: KafkaRecord, rows: Row[], offsets: bigint[], values: (Buffer | null)[], kinds: RowKind[] | undefined): void {
    if (this.tooLarge(state, record)) return;
    const value = record.value;
    // One message object for every record (the decoders read it during the call only); its offset's text is made
    // only when a decoder asks for it.
    const message = this.message;
    message.record = record;
    message.value = value;
    message.key = record.key;
    message.headers = record.headers;
    message.timestamp = record.timestamp;
    message.partition = record.partition;
    if (this.mapper.changelog) {
      // A changelog format: a record holds one or more changes (all at the record's offset).
      const changes = this.mapper.mapChanges(message);
      if (changes === null) return;
      if ('rows' in changes) {
        for (let i = 0; i < changes.rows.length; i++) {
          if (this.metadataKeys.length > 0) appendMetadata(changes.rows[i]!, record, this.metadataKeys);
          rows.push(changes.rows[i]!);
          kinds!.push(changes.kinds[i]!);
          offsets.push(record.offset);
          values.push(value);
        }
      } else this.ctx.badRecord({ kind: changes.kind, message: changes.message, position: `${state.split}@${record.offset}`, raw: valueText(value) });
      return;
    }
    if (this.mapper.valueOnly) {
      // Every column from the value, an insert (the common case: no key, no upsert).
      const row = this.mapper.mapValue(message);
      if (row === null) return;
      if (Array.isArray(row)) {
        if (this.metadataKeys.length > 0) appendMetadata(row, record, this.metadataKeys);
        rows.push(row);
        kinds?.push(INSERT);
        offsets.push(record.offset);
        values.push(value); // decoded again only if the runtime finds the row bad (describe)
      } else this.ctx.badRecord({ kind: row.kind, message: row.message, position: `${state.split}@${record.offset}`, raw: valueText(value) });
      return;
    }
    const result = this.mapper.map(message);
    if (result === null) return;
    if ('row' in result) {
      if (this.metadataKeys.length > 0) appendMetadata(result.row, record, this.metadataKeys);
      rows.push(result.row);
      kinds?.push(result.kind);
      offsets.push(record.offset);
      values.push(value); // decoded again only if the runtime finds the row bad (describe)
      return;
    }
    const { error, part } = result;
    this.ctx.badRecord({ kind: error.kind, message: error.message, position: `${state.split}@${record.offset}`, raw: valueText(part === 'key' ? record.key : value) });
  }

  private brokerError(e: unknown): unknown {
    if (e instanceof EddyError) return e;
    if (usesEmbeddedLog(this.ctx.options)) {
      return new EddyError({
        code: ErrorCode.IO_FAILED,
        message: `Table \`${this.ctx.tableName}\`: the embedded log (${this.ctx.embeddedLogPath}): ${(e as Error)?.message ?? String(e)}`,
        hint: e instanceof KafkaUnknownTopicError ? 'SHOW TOPICS lists the embedded log\'s topics; an INSERT into a table of the topic creates it' : "check 'topic'",
      });
    }
    const servers = this.ctx.options['properties.bootstrap.servers'];
    return new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `Table \`${this.ctx.tableName}\`: Kafka at '${servers}': ${(e as Error)?.message ?? String(e)}`,
      hint: "check 'properties.bootstrap.servers' and 'topic'",
    });
  }

  /**
   * Commits the offsets of a completed checkpoint to the consumer group (`properties.commit.offsets.on.checkpoint`,
   * on by default with a `properties.group.id`, as in Flink), for monitoring; Eddy's checkpoint stays where the
   * source resumes from. One commit at a time; a newer checkpoint's offsets replace ones still waiting. A failure is
   * counted (`kafkaOffsetCommitsFailed`) and shown as the source's health, never fails the job.
   */
  checkpointCompleted(position: unknown): void {
    // Also once closed: a bounded job's sources are closed when they end, before its last checkpoint completes.
    if (this.commitGroup === undefined || !this.client || !Array.isArray(position)) return;
    this.offsetsToCommit = (position as KafkaSourcePosition[]).map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.offset) }));
    this.committing ??= this.commitOffsets().finally(() => {
      this.committing = undefined;
    });
  }

  private async commitOffsets(): Promise<void> {
    for (let offsets = this.offsetsToCommit; offsets !== undefined; offsets = this.offsetsToCommit) {
      this.offsetsToCommit = undefined;
      if (offsets.length === 0) continue;
      try {
        this.committer ??= await this.client!.consumer({ isolationLevel: 'read_uncommitted', groupId: this.commitGroup });
        await this.committer.commit(offsets);
        this.ctx.counter('kafkaOffsetCommits').inc();
        this.commitProblem = undefined;
      } catch (e) {
        this.ctx.counter('kafkaOffsetCommitsFailed').inc();
        await this.committer?.close().catch(() => {});
        this.committer = undefined;
        this.commitProblem = `offsets not committed to consumer group '${this.commitGroup}': ${(e as Error)?.message ?? String(e)}`;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.backoff.interrupt();
    await this.inflight;
    await this.fetching?.catch(() => {});
    this.retry = undefined;
    await this.consumer?.close();
    this.consumer = undefined;
    const offsetsAdmin = this.offsetsAdmin;
    this.offsetsAdmin = undefined;
    await offsetsAdmin?.then((a) => a.close()).catch(() => {});
    // A commit under way finishes first. close() may be called again after a later checkpoint (a bounded job's
    // last one completes after its ended sources were closed): that one's offsets are committed by then.
    await this.committing;
    const committer = this.committer;
    this.committer = undefined;
    await committer?.close().catch(() => {});
  }
}
