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
 * Bad records are reported with `ctx.badRecord`, positioned `<topic>/<partition>@<offset>`.
 */
import type { ConnectorContext, SourceChunk, SourceReader } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { createDecoder, type RecordDecoder } from '../formats/index.js';
import { maxRecordBytes } from '../option-values.js';
import type { KafkaClient, KafkaClientConfig, KafkaConsumer, KafkaPartitionOffset, KafkaAdmin, KafkaRecord } from './client.js';
import { createKafkajsClient } from './kafkajs-client.js';
import { boundedMode, bootstrapServers, parseSpecificOffsets, startupMode, topicsOf } from './kafka-options.js';

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
  readonly splitEnded?: boolean;
  readonly #offsets: readonly bigint[];
  readonly #values: readonly (Buffer | null)[];
  readonly #next: bigint;

  constructor(split: string, rows: Row[], offsets: bigint[], values: (Buffer | null)[], next: bigint, ended: boolean) {
    this.split = split;
    this.rows = rows;
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
  private readonly decoder: RecordDecoder;
  private readonly maxRecordBytes: number;
  private readonly topics: readonly string[];
  private readonly restored: KafkaSourcePosition[] | undefined;
  private client: KafkaClient | undefined;
  private consumer: KafkaConsumer | undefined;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly queue: { chunk: KafkaChunk; state: PartitionState }[] = [];
  private closed = false;
  private inflight: Promise<unknown> | undefined;

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly clientFactory: KafkaClientFactory = createKafkajsClient,
  ) {
    this.topics = topicsOf(ctx.options);
    this.bounded = boundedMode(ctx.options) !== 'unbounded';
    this.decoder = createDecoder(ctx.options['format'] ?? 'json', ctx.schema, ctx.options);
    this.maxRecordBytes = maxRecordBytes(ctx.options);
    this.restored = restoredPositions(ctx.tableName, ctx.restored);
  }

  async open(): Promise<void> {
    const o = this.ctx.options;
    this.client = this.clientFactory({ bootstrapServers: bootstrapServers(o), clientId: `eddy-${this.ctx.tableName}` });
    const admin = await this.client.admin();
    try {
      for (const topic of this.topics) await this.openTopic(admin, topic);
    } catch (e) {
      throw this.brokerError(e);
    } finally {
      await admin.close();
    }
    const isolation = o['properties.isolation.level']?.trim().toLowerCase() === 'read_committed' ? 'read_committed' : 'read_uncommitted';
    const groupId = o['properties.group.id'];
    this.consumer = await this.client.consumer({ isolationLevel: isolation, ...(groupId !== undefined ? { groupId } : {}) });
    await this.assignRemaining();
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
      const mode = startupMode(o);
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
        this.queue.push({ chunk: new KafkaChunk(split, [], [], [], offset, true), state });
      } else {
        // An empty chunk first, so the scan knows every partition before any rows: the watermark is the minimum over
        // all of them, and a partition whose records come in a later fetch holds it back until they do.
        this.queue.push({ chunk: new KafkaChunk(split, [], [], [], offset, false), state });
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
    const fetchFrom = new Map((this.consumer!.positions()).map((p) => [splitOf(p.topic, p.partition), p.offset]));
    const positions = [...this.partitions.values()]
      .filter((s) => !s.ended)
      .map((s) => ({ topic: s.topic, partition: s.partition, offset: fetchFrom.get(s.split) ?? s.offset }));
    await this.consumer!.assign(positions);
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
        queued.state.offset = queued.chunk.nextOffset;
        return queued.chunk;
      }
      if (this.bounded && [...this.partitions.values()].every((s) => s.ended)) return null;
      await this.fetchMore();
    }
    return null;
  }

  /** One fetch: decodes each partition's records into a queued chunk. */
  private async fetchMore(): Promise<void> {
    let batches;
    try {
      batches = await this.consumer!.fetch({ maxWaitMs: 500 });
    } catch (e) {
      throw this.brokerError(e);
    }
    let endedSome = false;
    for (const batch of batches) {
      const state = this.partitions.get(splitOf(batch.topic, batch.partition));
      if (!state || state.ended) continue;
      const rows: Row[] = [];
      const offsets: bigint[] = [];
      const values: (Buffer | null)[] = [];
      let next = batch.nextOffset;
      for (const record of batch.records) {
        if (state.stop !== undefined && record.offset >= state.stop) break;
        this.decodeRecord(state, record, rows, offsets, values);
      }
      if (state.stop !== undefined && next >= state.stop) {
        next = state.stop;
        state.ended = true;
        endedSome = true;
      }
      const last = this.queue.findLast((q) => q.state === state)?.chunk.nextOffset ?? state.offset;
      if (rows.length > 0 || state.ended || next > last) {
        this.queue.push({ chunk: new KafkaChunk(state.split, rows, offsets, values, next, state.ended), state });
      }
    }
    if (endedSome) await this.assignRemaining();
  }

  private decodeRecord(state: PartitionState, record: KafkaRecord, rows: Row[], offsets: bigint[], values: (Buffer | null)[]): void {
    const position = `${state.split}@${record.offset}`;
    const value = record.value;
    if (value !== null && value.length > this.maxRecordBytes) {
      this.ctx.badRecord({
        kind: 'too-large',
        message: `the record is ${value.length} bytes, more than errors.max-record-bytes (${this.maxRecordBytes})`,
        position,
        raw: valueText(value.subarray(0, 1024)),
      });
      return;
    }
    const result = this.decoder.decode({
      value,
      key: record.key,
      headers: record.headers,
      timestamp: record.timestamp,
      partition: record.partition,
      offset: record.offset.toString(),
    });
    if (result === null) return;
    if (Array.isArray(result)) {
      rows.push(result);
      offsets.push(record.offset);
      values.push(value); // decoded again only if the runtime finds the row bad (describe)
      return;
    }
    this.ctx.badRecord({ kind: result.kind, message: result.message, position, raw: valueText(value) });
  }

  private brokerError(e: unknown): unknown {
    if (e instanceof EddyError) return e;
    const servers = this.ctx.options['properties.bootstrap.servers'];
    return new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `Table \`${this.ctx.tableName}\`: Kafka at '${servers}': ${(e as Error)?.message ?? String(e)}`,
      hint: "check 'properties.bootstrap.servers' and 'topic'",
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inflight;
    await this.consumer?.close();
    this.consumer = undefined;
  }
}
