/** Flink's `kafka` connector (a source so far): records of one or more topics, decoded by the table's format. */
import type { ConnectorFactory } from '../../runtime/connector.js';
import { KAFKA_OPTIONS, kafkaOptionProblems } from './kafka-options.js';
import { KafkaSourceReader } from './kafka-source.js';

export { KafkaSourceReader, type KafkaSourcePosition } from './kafka-source.js';

export const kafkaConnector: ConnectorFactory = {
  identifier: 'kafka',
  description: 'Reads the records of Kafka topics (one row per record, decoded by the format).',
  options: KAFKA_OPTIONS,
  usesFormat: true,
  createSource: (ctx) => new KafkaSourceReader(ctx),
  checkOptions: kafkaOptionProblems,
};
