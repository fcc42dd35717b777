/** Flink's `kafka` connector: a source of one or more topics' records and a sink into one topic, decoded and encoded by the table's format. */
import type { ConnectorFactory } from '../../runtime/connector.js';
import { KAFKA_OPTIONS, kafkaOptionProblems } from './kafka-options.js';
import { KafkaSourceReader } from './kafka-source.js';
import { KAFKA_METADATA } from './metadata.js';
import { connectionOptionProblems, KAFKA_CONNECTION_OPTIONS, kafkaClientConfig, kafkaClientFactory } from './options.js';
import { KEY_VALUE_OPTIONS, recordLayoutProblems } from './record-layout.js';
import { KAFKA_SINK_OPTIONS, KafkaSinkWriter, sinkOptionProblems } from './sink.js';

export { KafkaSourceReader, type KafkaSourcePosition } from './kafka-source.js';

const declared = new Set(KAFKA_OPTIONS.map((o) => o.key));

export const kafkaConnector: ConnectorFactory = {
  identifier: 'kafka',
  description: 'Reads the records of Kafka topics (one row per record, decoded by the format) and writes rows to a topic (none, at-least-once or exactly-once delivery).',
  options: [...KAFKA_OPTIONS, ...[...KEY_VALUE_OPTIONS, ...KAFKA_CONNECTION_OPTIONS, ...KAFKA_SINK_OPTIONS].filter((o) => !declared.has(o.key))],
  usesFormat: true,
  metadata: KAFKA_METADATA,
  sinkChangelogMode: 'append',
  createSource: (ctx) => new KafkaSourceReader(ctx, kafkaClientFactory(ctx)),
  createSink: (ctx) => new KafkaSinkWriter(ctx, (options) => kafkaClientFactory(ctx)(kafkaClientConfig(options))),
  checkOptions: (options, table) => [
    ...kafkaOptionProblems(options),
    ...connectionOptionProblems(options),
    ...sinkOptionProblems(options),
    ...recordLayoutProblems(options, table, false),
  ],
};
