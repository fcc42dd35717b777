// The `kafka` connector's sink: Flink's option names, one encoded record per row (insert-only input), written with
// the delivery guarantee asked for. `exactly-once` writes each checkpoint's rows in one Kafka transaction, committed
// when Eddy's checkpoint commits; a restarted sink fences the previous producer (same transactional id), which
// aborts its open transaction, so rows after the last checkpoint never become visible to `read_committed` readers.

import type { ConnectorContext, OptionSpec, SinkWriter } from '../../runtime/connector.js';
import { INSERT, ROW_KIND_NAMES, type ChangeBatch, type Row, type RowKind } from '../../runtime/changelog.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { createEncoder, type RecordEncoder } from '../formats/index.js';
import type { KafkaClient, KafkaOutgoingRecord, KafkaProducer, KafkaProducerIdentity } from './client.js';
import { createKafkajsClient } from './kafkajs-client.js';
import { kafkaClientConfig } from './options.js';

/**
 * A row's record value: bytes from a binary format (avro, raw), the change's text from a changelog format
 * (debezium-json, canal-json), else the row's text.
 */
function encodeValue(encoder: RecordEncoder, kind: RowKind, row: Row): string | Buffer | null {
  if (encoder.encodeBytes) {
    const bytes = encoder.encodeBytes(row);
    return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return kind === INSERT || !encoder.encodeChange ? encoder.encode(row) : encoder.encodeChange(kind, row);
}

export type DeliveryGuarantee = 'none' | 'at-least-once' | 'exactly-once';
export type SinkPartitioner = 'default' | 'fixed' | 'round-robin';

/** The sink's own options (the connection options are in ./options.ts). */
export const KAFKA_SINK_OPTIONS: readonly OptionSpec[] = [
  { key: 'key.format', description: "The format of the record keys ('json' or 'csv'); needs 'key.fields'.", values: ['json', 'csv'] },
  { key: 'key.fields', description: "The columns (';'-separated) the record key is made of, in this order; needs 'key.format'." },
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
  if (options['key.fields'] !== undefined && options['key.format'] === undefined) {
    problems.push({ key: 'key.fields', message: "'key.fields' needs 'key.format' (the format of the record key)", hint: "add 'key.format' = 'json'" });
  }
  if (options['key.format'] !== undefined && options['key.fields'] === undefined) {
    problems.push({ key: 'key.format', message: "'key.format' needs 'key.fields' (the columns of the record key)", hint: "add e.g. 'key.fields' = 'id'" });
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
  private readonly encoder: RecordEncoder;
  private readonly key: { readonly encoder: RecordEncoder; readonly columns: readonly number[] } | undefined;
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

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly createClient: (options: Options) => KafkaClient = (options) => createKafkajsClient(kafkaClientConfig(options)),
  ) {
    const { options, schema } = ctx;
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
    this.encoder = createEncoder(options['format'] ?? '', schema, options);
    const keyFields = options['key.fields'];
    if (keyFields !== undefined) {
      const names = keyFields.split(';').map((n) => n.trim());
      const columns = names.map((name) => {
        const i = schema.findIndex((f) => f.name === name);
        if (i < 0) {
          throw new EddyError({
            code: ErrorCode.INVALID_STATEMENT,
            message: `Table \`${ctx.tableName}\`: 'key.fields' names column '${name}', which the table does not have`,
            hint: `columns: ${schema.map((f) => f.name).join(', ')}`,
          });
        }
        return i;
      });
      this.key = { encoder: createEncoder(options['key.format'] ?? '', columns.map((i) => schema[i]!), {}), columns };
    }
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
        const [meta] = await admin.describeTopics([this.topic]);
        this.partitions = meta!.partitions.length;
      } finally {
        await admin.close();
      }
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

  write(batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT && !this.encoder.encodeChange) {
        throw new EddyError({
          code: ErrorCode.UPDATING_INTO_APPEND_ONLY,
          message: `Table \`${this.ctx.tableName}\`: the kafka sink only accepts inserts, got a ${ROW_KIND_NAMES[kinds[i]!]} change`,
          hint: "an updating query needs the 'upsert-kafka' connector (with a PRIMARY KEY), which is not available yet",
        });
      }
      const row = rows[i]!;
      const record: { topic: string; key: string | null; value: string | Buffer | null; partition?: number } = {
        topic: this.topic,
        key: this.key ? this.key.encoder.encode(this.key.columns.map((c) => row[c])) : null,
        value: encodeValue(this.encoder, kinds[i]!, row),
      };
      if (this.partitioner === 'fixed') record.partition = 0;
      else if (this.partitioner === 'round-robin') {
        record.partition = this.nextPartition;
        this.nextPartition = (this.nextPartition + 1) % this.partitions;
      }
      this.pending.push(record);
    }
  }

  /** Sends what is buffered (rows wait while the next exactly-once transaction is being set up). */
  async flush(): Promise<void> {
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
