// The `kafka` connector's sink: Flink's option names, one encoded record per row (insert-only input), written with
// the delivery guarantee asked for. `exactly-once` writes each checkpoint's rows in one Kafka transaction, committed
// when Eddy's checkpoint commits; a restarted sink fences the previous producer (same transactional id), which
// aborts its open transaction, so rows after the last checkpoint never become visible to `read_committed` readers.
// The same writer is `upsert-kafka`'s sink: there every change is a record of its key (a delete a tombstone), and
// changes may be compacted per key before they are sent (./upsert-buffer.ts).

import type { ConnectorContext, OptionSpec, SinkWriter } from '../../runtime/connector.js';
import { DELETE, INSERT, ROW_KIND_NAMES, UPDATE_AFTER, UPDATE_BEFORE, type ChangeBatch } from '../../runtime/changelog.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { KafkaUnknownTopicError, type KafkaAdmin, type KafkaClient, type KafkaOutgoingRecord, type KafkaProducer, type KafkaProducerIdentity } from './client.js';
import { createKafkajsClient } from './kafkajs-client.js';
import { outgoingMetadata } from './metadata.js';
import { kafkaClientConfig, usesEmbeddedLog } from './options.js';
import { recordLayout } from './record-layout.js';
import { RowToRecord } from './row-to-record.js';
import { bufferFlushOf, UpsertBuffer } from './upsert-buffer.js';

/**
 * A row's record value: bytes from a binary format (avro, raw), the change's text from a changelog format
 * (debezium-json, canal-json), else the row's text.
 */
export type DeliveryGuarantee = 'none' | 'at-least-once' | 'exactly-once';
export type SinkPartitioner = 'default' | 'fixed' | 'round-robin';

/** The sink's own options (the connection options are in ./options.ts). */
export const KAFKA_SINK_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'sink.partitioner',
    description:
      "Which partition a record goes to: 'default' (Kafka's: by the key's murmur2 hash, keyless records spread by the client), " +
      "'fixed' (all records to partition 0, as Flink's one sink task does), 'round-robin' (partitions in turn).",
    defaultValue: 'default',
    values: ['default', 'fixed', 'round-robin'],
  },
  {
    key: 'sink.delivery-guarantee',
    description:
      "'none' (records may be lost or repeated on failures), 'at-least-once' (an idempotent producer; every checkpoint waits " +
      "for the broker's acknowledgement), 'exactly-once' (one Kafka transaction per checkpoint; needs checkpoints and " +
      "'sink.transactional-id-prefix').",
    defaultValue: 'at-least-once',
    values: ['none', 'at-least-once', 'exactly-once'],
  },
  { key: 'sink.transactional-id-prefix', description: "The prefix of the sink's transactional id (exactly-once); unique per job writing to the cluster." },
];

type Options = Readonly<Record<string, string>>;

/** Problems with the sink's options together (each alone was valid). */
export function sinkOptionProblems(options: Options): { key: string; message: string; hint?: string }[] {
  const problems: { key: string; message: string; hint?: string }[] = [];
  if (deliveryGuarantee(options) === 'exactly-once' && !options['sink.transactional-id-prefix']?.trim()) {
    problems.push({
      key: 'sink.delivery-guarantee',
      message: "'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'",
      hint: "add e.g. 'sink.transactional-id-prefix' = 'my-job', unique among the jobs writing to this Kafka cluster",
    });
  }
  return problems;
}

export function deliveryGuarantee(options: Options): DeliveryGuarantee {
  return (options['sink.delivery-guarantee']?.trim().toLowerCase() ?? 'at-least-once') as DeliveryGuarantee;
}

function partitioner(options: Options): SinkPartitioner {
  return (options['sink.partitioner']?.trim().toLowerCase() ?? 'default') as SinkPartitioner;
}

/** What an exactly-once sink's `preCommit` returns: the prepared transaction, enough for another process to commit it. */
export interface KafkaSinkCommit extends KafkaProducerIdentity {
  readonly checkpointId: number;
  /** The transaction's number: transaction `n` uses the transactional id `<prefix>-<n mod 2>`. */
  readonly sequence: number;
  /** How many records it holds: an empty one never began on the broker (kafkajs sends nothing), so is not committed. */
  readonly records: number;
}

/**
 * The Kafka sink writer. Rows are encoded as they arrive and sent in `flush`; sends are chained, so records keep
 * their order.
 *
 * Exactly-once uses two transactional ids, `<prefix>-0` and `<prefix>-1`, in turn (transaction `n` uses
 * `<prefix>-<n mod 2>`). `preCommit` sends what is buffered, leaves that transaction open (prepared) and returns its
 * producer id and epoch; it begins the next transaction on the other id, so rows written meanwhile go there. `commit`
 * (after Eddy's checkpoint committed) commits the prepared one. A restored sink commits the transaction of its
 * checkpoint by producer id and epoch (a no-op when that had happened already) and then creates producers on both ids,
 * which fences any producer left from before and aborts its open transactions (rows after the checkpoint, which the
 * job replays). A transaction's id is reused only after it committed, so committing by id and epoch never commits a
 * later transaction.
 */
export class KafkaSinkWriter implements SinkWriter {
  private readonly topic: string;
  private readonly guarantee: DeliveryGuarantee;
  private readonly partitioner: SinkPartitioner;
  private readonly records: RowToRecord;
  /** upsert-kafka with `sink.buffer-flush.*`: the last change of each key, until it is sent. */
  private readonly buffer: UpsertBuffer | undefined;
  private bufferTimer: ReturnType<typeof setInterval> | undefined;
  /** A send of the buffer by its timer failed: the next flush reports it. */
  private bufferError: unknown;
  private readonly transactionalIdPrefix: string | undefined;
  private client: KafkaClient | undefined;
  /** The producer rows are sent with; undefined while the next transaction is being set up (rows then wait). */
  private producer: KafkaProducer | undefined;
  /** Exactly-once: the number of the open transaction of `producer`, and how many records were sent in it. */
  private sequence = 0;
  private sentInTransaction = 0;
  private partitions = 0;
  private nextPartition = 0;
  private pending: KafkaOutgoingRecord[] = [];
  private sends: Promise<void> = Promise.resolve();
  /** Exactly-once: the prepared transaction (sent, not committed), and who waits for its commit. */
  private prepared: { readonly checkpointId: number; readonly producer: KafkaProducer; readonly resolve: () => void; readonly committed: Promise<void> } | undefined;
  /** The METADATA keys (`timestamp`, `headers`) whose values follow the physical columns of each row (./metadata.ts). */
  private readonly metadataKeys: readonly string[];

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly createClient: (options: Options) => KafkaClient = (options) => createKafkajsClient(kafkaClientConfig(options)),
    /** True for `upsert-kafka`: every change is written as a record of its PRIMARY KEY (a delete as a tombstone). */
    private readonly upsert = false,
  ) {
    const { options, schema } = ctx;
    this.metadataKeys = ctx.metadataKeys ?? [];
    this.topic = (options['topic'] ?? '').trim();
    // A source table may name several topics; only writing it needs one.
    if (this.topic.includes(';') || this.topic === '') {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${ctx.tableName}\`: a Kafka sink writes exactly one topic, got '${options['topic'] ?? ''}'`,
        hint: 'write to a table whose \'topic\' names one topic',
      });
    }
    this.guarantee = deliveryGuarantee(options);
    this.partitioner = partitioner(options);
    this.records = new RowToRecord(recordLayout(ctx.tableName, options, schema, ctx.primaryKey, upsert), schema.length);
    const flush = upsert ? bufferFlushOf(options) : undefined;
    if (flush) this.buffer = new UpsertBuffer(flush);
    if (this.guarantee === 'exactly-once') this.transactionalIdPrefix = options['sink.transactional-id-prefix']!.trim();
  }

  async open(): Promise<void> {
    if (this.guarantee === 'exactly-once' && !this.ctx.checkpointing) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: 'sink.delivery-guarantee' = 'exactly-once' commits at checkpoints, but this job takes none`,
        hint: "run the job with a state directory (checkpoints), or use 'at-least-once'",
      });
    }
    const restored = this.restoredCommit();
    this.client = this.createClient(this.ctx.options);
    try {
      const admin = await this.client.admin();
      try {
        this.partitions = await this.partitionCount(admin);
      } finally {
        await admin.close();
      }
      if (this.buffer) this.bufferTimer = setInterval(() => this.sendBuffer(), this.buffer.flush.intervalMs).unref();
      if (this.transactionalIdPrefix === undefined) {
        this.producer = await this.client.producer({ idempotent: this.guarantee === 'at-least-once' });
        return;
      }
      // Complete the checkpoint's transaction first (its id is not touched before), then fence both ids.
      if (restored && restored.records > 0) await this.client.commitPreparedTransaction(restored);
      this.sequence = restored ? restored.sequence + 1 : 1;
      await (await this.client.producer({ transactionalId: this.transactionalId(this.sequence + 1) })).close();
      this.producer = await this.beginTransaction(this.sequence);
    } catch (e) {
      throw this.kafkaError('open', e);
    }
  }

  /**
   * Encodes each change. The kafka sink takes inserts only. upsert-kafka: +I and +U are records of their key and
   * value; -D is a tombstone (a null value) of its key; -U is dropped when the next change is the +U of the same
   * key (an update in place), else it is a tombstone too (the row left that key, as Flink's serializer writes it).
   */
  write(batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    for (let i = 0; i < rows.length; i++) {
      const kind = kinds[i]!;
      if (kind !== INSERT && !this.upsert && !this.records.writesChanges) {
        throw new EddyError({
          code: ErrorCode.UPDATING_INTO_APPEND_ONLY,
          message: `Table \`${this.ctx.tableName}\`: the kafka sink only accepts inserts, got a ${ROW_KIND_NAMES[kind]} change`,
          hint: "write an updating query to an 'upsert-kafka' table (with a PRIMARY KEY)",
        });
      }
      const row = rows[i]!;
      const key = this.records.key(row);
      if (this.upsert && kind === UPDATE_BEFORE && kinds[i + 1] === UPDATE_AFTER && RowToRecord.sameKey(this.records.key(rows[i + 1]!), key)) continue;
      const value = this.upsert && (kind === DELETE || kind === UPDATE_BEFORE) ? null : this.records.value(row, kind);
      const partition = this.partitioner === 'default' ? undefined : this.partitioner === 'fixed' ? 0 : this.nextPartition;
      if (this.partitioner === 'round-robin') this.nextPartition = (this.nextPartition + 1) % this.partitions;
      // Without metadata columns, a record of the same shape every time (topic, key, value, partition).
      const record: KafkaOutgoingRecord =
        this.metadataKeys.length > 0
          ? { topic: this.topic, key, value, ...(partition !== undefined ? { partition } : {}), ...outgoingMetadata(row, this.ctx.schema.length, this.metadataKeys) }
          : { topic: this.topic, key, value, partition };
      if (this.buffer) {
        // Bytes keys (binary key formats, windowed keys) are buffered by their hex text.
        if (this.buffer.put(typeof key === 'string' ? key : key!.toString('hex'), record)) this.pending.push(...this.buffer.drain());
      } else {
        this.pending.push(record);
      }
    }
  }

  /** The buffer's interval passed: sends what it holds (a failure is reported by the next flush). */
  private sendBuffer(): void {
    if (!this.buffer || this.buffer.size === 0) return;
    this.pending.push(...this.buffer.drain());
    this.flush().catch((e: unknown) => (this.bufferError ??= e));
  }

  /** Sends what is buffered (rows wait while the next exactly-once transaction is being set up). */
  async flush(): Promise<void> {
    if (this.bufferError !== undefined) throw this.bufferError;
    if (this.pending.length > 0 && this.producer) {
      const records = this.pending;
      this.pending = [];
      const producer = this.producer;
      this.sentInTransaction += records.length;
      this.sends = this.sends.then(() => producer.send(records));
    }
    try {
      await this.sends;
    } catch (e) {
      throw this.kafkaError('write to', e);
    }
  }

  /**
   * Sends what is buffered and waits for the broker's acknowledgement. Exactly-once: that transaction is now
   * prepared (its commit information is returned) and the next one begins on the other transactional id; a
   * previous prepared transaction is first waited for, committed, since its id is the one the next takes.
   */
  async preCommit(checkpointId: number): Promise<KafkaSinkCommit | undefined> {
    if (this.prepared) await this.prepared.committed;
    if (this.buffer) this.pending.push(...this.buffer.drain());
    await this.flush();
    if (this.transactionalIdPrefix === undefined) return undefined;
    const producer = this.producer!;
    const identity = producer.identity();
    if (!identity) throw new Error(`kafka sink of ${this.ctx.tableName}: the transactional producer has no producer id`);
    let resolve!: () => void;
    const committed = new Promise<void>((r) => (resolve = r));
    this.prepared = { checkpointId, producer, resolve, committed };
    const info: KafkaSinkCommit = { ...identity, checkpointId, sequence: this.sequence, records: this.sentInTransaction };
    this.producer = undefined;
    this.sentInTransaction = 0;
    try {
      this.sequence++;
      this.producer = await this.beginTransaction(this.sequence);
    } catch (e) {
      throw this.kafkaError('open a transaction on', e);
    }
    return info;
  }

  /** Exactly-once: commits the prepared transaction (after Eddy's checkpoint committed), then sends what waited. */
  async commit(info: unknown): Promise<void> {
    const prepared = this.prepared;
    const commit = info as Partial<KafkaSinkCommit> | undefined;
    if (!prepared || commit?.checkpointId !== prepared.checkpointId) return;
    try {
      await prepared.producer.commitTransaction();
      await prepared.producer.close();
    } catch (e) {
      throw this.kafkaError('commit to', e);
    } finally {
      this.prepared = undefined;
      prepared.resolve();
    }
    await this.flush();
  }

  /**
   * Releases the producers. Exactly-once: the open transaction (rows after the last checkpoint) is aborted; a
   * prepared one whose commit did not come is left open, for the restored sink to commit. Otherwise what is buffered
   * is sent first.
   */
  async close(): Promise<void> {
    clearInterval(this.bufferTimer);
    const producer = this.producer;
    const prepared = this.prepared;
    this.prepared = undefined;
    prepared?.resolve();
    if (!producer) {
      await prepared?.producer.close();
      return;
    }
    try {
      if (this.transactionalIdPrefix === undefined) {
        if (this.buffer) this.pending.push(...this.buffer.drain());
        await this.flush();
      } else {
        await this.sends.catch(() => {});
        if (producer.inTransaction()) await producer.abortTransaction().catch(() => {});
      }
    } finally {
      this.producer = undefined;
      await producer.close();
      await prepared?.producer.close();
    }
  }

  /**
   * The topic's partition count. In the embedded log a missing topic is created, with one partition (as a broker
   * with `auto.create.topics.enable` would); a Kafka cluster's must exist.
   */
  private async partitionCount(admin: KafkaAdmin): Promise<number> {
    try {
      return (await admin.describeTopics([this.topic]))[0]!.partitions.length;
    } catch (e) {
      if (!(e instanceof KafkaUnknownTopicError) || !usesEmbeddedLog(this.ctx.options)) throw e;
      await admin.createTopic({ topic: this.topic, partitions: 1 }).catch(async (created: unknown) => {
        // Another job created it meanwhile: fine.
        if (!(await admin.listTopics()).includes(this.topic)) throw created;
      });
      return (await admin.describeTopics([this.topic]))[0]!.partitions.length;
    }
  }

  private transactionalId(sequence: number): string {
    return `${this.transactionalIdPrefix}-${sequence % 2}`;
  }

  /** A producer on transaction `sequence`'s id (creating it fences an older one), its transaction begun. */
  private async beginTransaction(sequence: number): Promise<KafkaProducer> {
    const producer = await this.client!.producer({ transactionalId: this.transactionalId(sequence) });
    await producer.beginTransaction();
    return producer;
  }

  private restoredCommit(): KafkaSinkCommit | undefined {
    const r = this.ctx.restored as Partial<KafkaSinkCommit> | undefined | null;
    if (r === undefined || r === null || this.transactionalIdPrefix === undefined) return undefined;
    if (
      typeof r !== 'object' ||
      typeof r.transactionalId !== 'string' ||
      typeof r.producerId !== 'string' ||
      !Number.isInteger(r.producerEpoch) ||
      !Number.isInteger(r.sequence) ||
      !Number.isInteger(r.records) ||
      !Number.isInteger(r.checkpointId)
    ) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: the checkpointed transaction of the kafka sink is not readable: ${JSON.stringify(r).slice(0, 100)}`,
        hint: 'start the job without restoring its state',
      });
    }
    if (r.transactionalId !== this.transactionalId(r.sequence!)) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: the checkpoint's Kafka transaction is '${r.transactionalId}', but the sink's 'sink.transactional-id-prefix' is now '${this.transactionalIdPrefix}'`,
        hint: "restore with the original 'sink.transactional-id-prefix', or start the job without restoring its state",
      });
    }
    return r as KafkaSinkCommit;
  }

  private kafkaError(action: string, e: unknown): EddyError {
    if (e instanceof EddyError) return e;
    const err = new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `Cannot ${action} Kafka topic '${this.topic}' (sink \`${this.ctx.tableName}\`): ${(e as Error)?.message ?? String(e)}`,
      hint:
        this.guarantee === 'exactly-once'
          ? 'fix the cause and run the job again: it resumes from its last checkpoint, and transactions after it are aborted'
          : 'fix the cause and run the job again',
    });
    (err as { cause?: unknown }).cause = e;
    return err;
  }
}
