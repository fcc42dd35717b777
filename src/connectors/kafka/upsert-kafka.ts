/**
 * Flink's `upsert-kafka` connector: a topic as a table keyed by its PRIMARY KEY. The record key holds the key
 * columns (`key.format`), the value the row (`value.format`, `value.fields-include`); a null value (a tombstone)
 * deletes its key.
 *
 * - Source: reads every record from the earliest offsets (bounded by `scan.bounded.*` if asked), each a +U of its
 *   key, or a -D for a tombstone (an 'upsert' changelog).
 * - Sink: takes every change; +I/+U are written as the key's record, -D as its tombstone (-U: see
 *   {@link KafkaSinkWriter.write}); `sink.buffer-flush.*` compacts changes per key before sending; delivery as
 *   the kafka sink's (`none`, `at-least-once`, `exactly-once` with one transaction per checkpoint).
 */
import type { ConnectorFactory, OptionSpec } from '../../runtime/connector.js';
import { KAFKA_OPTIONS, kafkaOptionProblems } from './kafka-options.js';
import { KafkaSourceReader } from './kafka-source.js';
import { KAFKA_METADATA } from './metadata.js';
import { connectionOptionProblems, KAFKA_CONNECTION_OPTIONS, kafkaClientConfig, kafkaClientFactory } from './options.js';
import { KEY_VALUE_OPTIONS, recordLayoutProblems } from './record-layout.js';
import { KAFKA_SINK_OPTIONS, KafkaSinkWriter, sinkOptionProblems } from './sink.js';
import { BUFFER_FLUSH_OPTIONS, bufferFlushProblems } from './upsert-buffer.js';

/** Options of the kafka connector that upsert-kafka takes as they are. */
const SHARED = new Set([
  'topic',
  'properties.bootstrap.servers',
  'properties.group.id',
  'properties.isolation.level',
  'format',
  'scan.bounded.mode',
  'scan.bounded.timestamp-millis',
  'scan.bounded.specific-offsets',
  'value.format',
  'key.fields-prefix',
  'value.fields-include',
  'key.window.type',
  'key.window.size',
  'sink.delivery-guarantee',
  'sink.transactional-id-prefix',
]);

const OPTIONS: readonly OptionSpec[] = [
  ...[...KAFKA_OPTIONS, ...KEY_VALUE_OPTIONS, ...KAFKA_SINK_OPTIONS].filter((o) => SHARED.has(o.key)),
  { key: 'key.format', description: 'The format of the record keys, which hold the PRIMARY KEY columns.', required: true },
  ...KAFKA_CONNECTION_OPTIONS.filter((o) => o.key !== 'properties.bootstrap.servers'),
  ...BUFFER_FLUSH_OPTIONS,
  { key: 'sink.parallelism', description: "Flink's sink parallelism: refused (Eddy writes a table with one sink, which keeps each key's changes in order)." },
];

export const upsertKafkaConnector: ConnectorFactory = {
  identifier: 'upsert-kafka',
  description: "A Kafka topic as a table keyed by its PRIMARY KEY: each record upserts its key's row, a null value deletes it; the sink writes changes so (deletes as tombstones).",
  options: OPTIONS,
  usesFormat: true,
  sinkChangelogMode: 'all',
  sourceChangelogMode: () => 'upsert',
  metadata: KAFKA_METADATA,
  createSource: (ctx) => new KafkaSourceReader(ctx, kafkaClientFactory(ctx), true),
  createSink: (ctx) => new KafkaSinkWriter(ctx, (options) => kafkaClientFactory(ctx)(kafkaClientConfig(options)), true),
  checkOptions: (options, table) => [
    ...kafkaOptionProblems(options),
    ...connectionOptionProblems(options),
    ...sinkOptionProblems(options),
    ...recordLayoutProblems(options, table, true),
    ...bufferFlushProblems(options),
    ...(options['sink.parallelism'] !== undefined
      ? [{ key: 'sink.parallelism', message: "'sink.parallelism' is not supported: Eddy writes a table with one sink, which keeps each key's changes in order", hint: "remove 'sink.parallelism'" }]
      : []),
    ...(options['properties.auto.offset.reset'] !== undefined
      ? [{ key: 'properties.auto.offset.reset', message: "'properties.auto.offset.reset' does not apply: an 'upsert-kafka' source always reads from the earliest offsets", hint: 'remove it' }]
      : []),
  ],
};
