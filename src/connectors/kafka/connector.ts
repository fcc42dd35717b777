// Flink's `kafka` connector. So far a sink (./sink.ts); the source comes in ./source*.ts.

import type { ConnectorFactory } from '../../runtime/connector.js';
import { connectionOptionProblems, KAFKA_CONNECTION_OPTIONS } from './options.js';
import { KAFKA_SINK_OPTIONS, KafkaSinkWriter, sinkOptionProblems } from './sink.js';

/** The `kafka` connector factory. */
export const kafkaConnector: ConnectorFactory = {
  identifier: 'kafka',
  description: 'Writes records to an Apache Kafka topic (none, at-least-once or exactly-once delivery).',
  options: [
    ...KAFKA_CONNECTION_OPTIONS,
    ...KAFKA_SINK_OPTIONS.map((o) => (o.key === 'topic' || o.key === 'format' ? { ...o, required: true } : o)),
  ],
  usesFormat: true,
  sinkChangelogMode: 'append',
  createSink: (ctx) => new KafkaSinkWriter(ctx),
  checkOptions: (options) => [...connectionOptionProblems(options), ...sinkOptionProblems(options)],
};
