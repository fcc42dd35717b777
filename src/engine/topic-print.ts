/**
 * PRINT 'topic' as a running query: reads every partition of a Kafka topic from its end (or its beginning)
 * and hands each `interval`-th record, as a row, to the query's writer until `limit` rows were printed or
 * the query is cancelled. A record's value is decoded with the format of a `kafka` table that declares the
 * topic, and shown as that format's text; otherwise (and for keys) it is shown as UTF-8 text, or as
 * `0x`-prefixed hex when it is not text.
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import { T, type Field } from '../common/types.js';
import { formatValue } from '../common/values.js';
import type { ChangeBatch, Row } from '../runtime/changelog.js';
import { INSERT } from '../runtime/changelog.js';
import type { SinkWriter } from '../runtime/connector.js';
import type { CheckpointStats, JobStatus } from '../runtime/job.js';
import { CounterNames, MetricsRegistry } from '../runtime/metrics.js';
import { createDecoder, createEncoder, RecordError, type RecordDecoder, type RecordEncoder } from '../connectors/formats/index.js';
import { physicalColumns, type TableDef } from '../planner/catalog.js';
import type { KafkaConsumer, KafkaRecord } from '../connectors/kafka/client.js';
import type { QueryRunner } from './query-handle.js';

/** The columns of PRINT's rows (ksqlDB's `rowtime, key, value, partition`, with the offset and a decoding problem). */
export const PRINT_SCHEMA: readonly Field[] = [
  { name: 'rowtime', type: T.timestampLtz(3) },
  { name: 'key', type: T.string() },
  { name: 'value', type: T.string() },
  { name: 'partition', type: T.int() },
  { name: 'offset', type: T.bigint() },
  { name: 'error', type: T.string() },
];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Control characters other than tab, line feed and carriage return: text holding them is shown as hex. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Bytes as PRINT shows undeclared keys and values: UTF-8 text when they are, else `0x` and hex; null stays null. */
export function bytesText(bytes: Buffer | null): string | null {
  if (bytes === null) return null;
  try {
    const text = strictUtf8.decode(bytes);
    if (!CONTROL.test(text)) return text;
  } catch {
    // not UTF-8: hex below
  }
  return `0x${bytes.toString('hex')}`;
}

/** How a value is decoded: a table's format over its columns, re-encoded as that format's text. */
interface ValueCodec {
  readonly table: TableDef;
  readonly format: string;
  readonly decoder: RecordDecoder;
  readonly encoder: RecordEncoder;
}

/**
 * Turns a topic's records into PRINT's rows, with the value decoded by the first declaring table's format
 * when a table declares the topic with one.
 */
export class RecordPrinter {
  private readonly codec?: ValueCodec;
  /** Tables declaring the topic whose format is not used (a second table, or a format Eddy cannot read). */
  private readonly unused: string[] = [];

  constructor(declaring: readonly TableDef[]) {
    for (const table of declaring) {
      const format = table.options['value.format'] ?? table.options['format'];
      if (this.codec || format === undefined) continue;
      try {
        const schema = physicalColumns(table).map((c) => ({ name: c.name, type: c.type }));
        const decoder = createDecoder(format, schema, table.options);
        let encoder: RecordEncoder;
        try {
          encoder = createEncoder(format, schema, table.options);
        } catch {
          encoder = createEncoder('json', schema, {}); // a format that only reads: shown as JSON
        }
        this.codec = { table, format, decoder, encoder };
      } catch (err) {
        this.unused.push(`${table.name} (${err instanceof Error ? err.message : String(err)})`);
      }
    }
  }

  /** The lines shown before the records: the key and value formats, as ksqlDB shows what it detected. */
  header(): string[] {
    const undeclared = 'shown as UTF-8 text, or as 0x-prefixed hex when it is not text';
    const c = this.codec;
    return [
      `Key format: not decoded (${undeclared})`,
      c
        ? `Value format: ${c.format.toUpperCase()} (declared by table ${c.table.name}; decoded to its columns, shown as ${c.format.toUpperCase()})`
        : `Value format: no table declares this topic with a format (${undeclared})`,
      ...(this.unused.length ? [`Not used: the format of ${this.unused.join('; ')}`] : []),
    ];
  }

  /** One record as PRINT's row (see PRINT_SCHEMA). */
  row(record: KafkaRecord): Row {
    const offset = record.offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(record.offset) : record.offset;
    const [value, error] = this.value(record);
    return [record.timestamp, bytesText(record.key), value, record.partition, offset, error];
  }

  private value(record: KafkaRecord): [string | null, string | null] {
    const c = this.codec;
    if (!c || record.value === null) return [bytesText(record.value), null];
    const decoded = c.decoder.decode({ value: record.value, key: record.key, timestamp: record.timestamp, partition: record.partition, offset: String(record.offset) });
    if (decoded instanceof RecordError) return [bytesText(record.value), `not ${c.format} for table ${c.table.name}: ${decoded.message}`];
    if (decoded === null) return [bytesText(record.value), null];
    try {
      return [c.encoder.encode(decoded), null];
    } catch (err) {
      return [bytesText(record.value), `cannot be shown as ${c.format}: ${err instanceof Error ? err.message : String(err)}`];
    }
  }
}

/** A PRINT row as the shell and `eddy run` print it: ksqlDB's `rowtime: ..., key: ..., value: ..., partition: ...`. */
export function printLine(row: Row, timeZone: string): string {
  const text = (v: unknown) => (v === null || v === undefined ? '<null>' : String(v));
  const [rowtime, key, value, partition, offset, error] = row;
  const time = formatValue(rowtime, T.timestampLtz(3), timeZone);
  return `rowtime: ${time}, key: ${text(key)}, value: ${text(value)}, partition: ${text(partition)}, offset: ${text(offset)}${error ? `, error: ${text(error)}` : ''}`;
}

/** What a TopicPrintRunner reads and prints. */
export interface TopicPrintSpec {
  readonly topic: string;
  /** Where it reads: the consumer, assigned to every partition of the topic. */
  readonly consumer: KafkaConsumer;
  readonly printer: RecordPrinter;
  readonly interval: number;
  readonly limit?: number;
  /** The cluster, for errors: `Kafka at 'host:port'`, `the embedded log (path)`. */
  readonly cluster: string;
}

/** Longest a fetch waits for records: also how long a cancelled PRINT may take to end. */
const FETCH_WAIT_MS = 250;

/** Runs a PRINT: fetches, keeps every `interval`-th record, writes rows until the limit or a cancel. */
export class TopicPrintRunner implements QueryRunner {
  readonly bounded: boolean;
  readonly metrics = new MetricsRegistry();
  private status: JobStatus = 'created';
  private read = 0;
  private printed = 0;
  private readonly recordsIn = this.metrics.counter('Source: print', CounterNames.recordsIn);
  private readonly recordsOut = this.metrics.counter('Sink: collect', CounterNames.recordsOut);

  constructor(
    readonly name: string,
    private readonly writer: SinkWriter,
    private readonly spec: TopicPrintSpec,
  ) {
    this.bounded = spec.limit !== undefined;
  }

  async run(): Promise<void> {
    if (this.status !== 'created') return;
    this.status = 'running';
    try {
      while (this.status === 'running') {
        const batches = await this.spec.consumer.fetch({ maxWaitMs: FETCH_WAIT_MS });
        const out: ChangeBatch = { rows: [], kinds: [] };
        for (const batch of batches) {
          for (const record of batch.records) {
            if (this.status !== 'running') break;
            this.recordsIn.inc(1);
            if (this.read++ % this.spec.interval !== 0) continue;
            out.rows.push(this.spec.printer.row(record));
            out.kinds.push(INSERT);
            if (this.spec.limit !== undefined && ++this.printed >= this.spec.limit) this.status = 'finished';
          }
        }
        if (out.rows.length > 0) {
          this.recordsOut.inc(out.rows.length);
          this.writer.write(out);
        }
      }
    } catch (err) {
      if (this.status === 'running') {
        this.status = 'failed';
        throw new EddyError({ code: ErrorCode.IO_FAILED, message: `PRINT '${this.spec.topic}': ${this.spec.cluster}: ${err instanceof Error ? err.message : String(err)}` });
      }
    } finally {
      await this.spec.consumer.close().catch(() => {});
    }
  }

  async cancel(): Promise<void> {
    if (this.status === 'created') {
      this.status = 'cancelled';
      await this.spec.consumer.close().catch(() => {});
    } else if (this.status === 'running') this.status = 'cancelled';
  }

  get state(): JobStatus {
    return this.status;
  }

  /** PRINT has no event time. */
  readonly watermark = Number.NEGATIVE_INFINITY;
  /** PRINT keeps no state. */
  readonly stateEntries = 0;

  get checkpointStats(): CheckpointStats {
    return { completed: 0, durations: [], lastId: 0 };
  }
}
