/**
 * The topics of ksqlDB streams and tables, as ksqlDB treats them: CREATE STREAM|TABLE on a missing topic is an
 * error unless PARTITIONS is given (then the topic is created); CREATE ... AS SELECT creates its sink's topic;
 * DROP ... DELETE TOPIC deletes it. Reached through the Kafka client the table's own options choose (the
 * embedded log or the brokers), so the topics are the ones its jobs read and write.
 */
import type { Span } from '../../common/errors.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { KafkaUnknownTopicError, type KafkaAdmin, type KafkaClient, type KafkaClientConfig } from '../../connectors/kafka/client.js';
import { kafkaClientConfig, kafkaClientFactory } from '../../connectors/kafka/options.js';

/** Makes the Kafka client of a ksqlDB table's connector options (replaceable, e.g. by tests). */
export type KsqlClientFactory = (options: Readonly<Record<string, string>>) => KafkaClient;

/**
 * The client the table's options choose with `'client.library'`: the embedded log at `embeddedLogPath` (the
 * session's), kafkajs or platformatic.
 */
export function ksqlClientFactory(embeddedLogPath: () => string): KsqlClientFactory {
  return (options) => {
    const config: KafkaClientConfig = kafkaClientConfig(options, 'eddy-ksql');
    return kafkaClientFactory({ options, tableName: options['topic'] ?? 'ksql', embeddedLogPath: embeddedLogPath() })(config);
  };
}

/** Runs `fn` with an admin of the table's cluster; broker failures become positioned EddyErrors. */
export async function withKsqlAdmin<T>(factory: KsqlClientFactory, options: Readonly<Record<string, string>>, span: Span, fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  let admin: KafkaAdmin | undefined;
  try {
    admin = await factory(options).admin();
    return await fn(admin);
  } catch (err) {
    if (err instanceof EddyError) throw err;
    throw new EddyError({ code: ErrorCode.IO_FAILED, message: `Topic '${options['topic']}': ${err instanceof Error ? err.message : String(err)}`, span });
  } finally {
    await admin?.close().catch(() => {});
  }
}

/** The partition count of `topic`, undefined when it does not exist. */
export async function topicPartitions(admin: KafkaAdmin, topic: string): Promise<number | undefined> {
  try {
    const [meta] = await admin.describeTopics([topic]);
    return meta?.partitions.length;
  } catch (err) {
    if (err instanceof KafkaUnknownTopicError) return undefined;
    throw err;
  }
}

/**
 * ksqlDB's rule for a CREATE STREAM|TABLE's topic: it must exist, unless PARTITIONS is given, which creates it
 * (an existing topic with another partition count is an error, as in ksqlDB). Returns the partition count.
 */
export async function ensureSourceTopic(admin: KafkaAdmin, topic: string, partitions: number | undefined, replicas: number | undefined, span: Span): Promise<number> {
  const existing = await topicPartitions(admin, topic);
  if (existing !== undefined) {
    if (partitions !== undefined && partitions !== existing) {
      throw new EddyError({
        code: ErrorCode.INVALID_OPTION,
        message: `A Kafka topic with the name '${topic}' already exists, with different partition count: it has ${existing}, PARTITIONS says ${partitions}`,
        span,
        hint: `PARTITIONS = ${existing}, or leave PARTITIONS out`,
      });
    }
    return existing;
  }
  if (partitions === undefined) {
    throw new EddyError({
      code: ErrorCode.INVALID_STATEMENT,
      message: `Kafka topic does not exist: ${topic}`,
      span,
      hint: 'create the topic first, or give PARTITIONS (and REPLICAS) to have it created',
    });
  }
  await admin.createTopic({ topic, partitions, ...(replicas === undefined ? {} : { replicationFactor: replicas }) });
  return partitions;
}
