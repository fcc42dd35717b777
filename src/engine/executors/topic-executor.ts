/**
 * Executes ksqlDB's Kafka statements: `SHOW [ALL] TOPICS [EXTENDED]` (the cluster's topics with their
 * partition and replica counts, and their consumers) and `PRINT 'topic'` (a running query over the topic's
 * records, see topic-print.ts). The cluster is chosen by kafka-cluster.ts: a Kafka cluster, or the session's
 * embedded log.
 */
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import { INSERT_ONLY } from '../../planner/physical-plan.js';
import type { KafkaAdmin, KafkaClient, KafkaClientConfig, KafkaConsumerGroup } from '../../connectors/kafka/client.js';
import { KafkaUnknownTopicError } from '../../connectors/kafka/client.js';
import { createKafkajsClient } from '../../connectors/kafka/kafkajs-client.js';
import { clusterClient, clusterName, KAFKA_SERVERS_SETTING, resolveKafkaCluster, tablesOfTopic, type KafkaCluster } from '../kafka-cluster.js';
import { CollectWriter, QueryHandle, queryLimits } from '../query-handle.js';
import { PRINT_SCHEMA, RecordPrinter, TopicPrintRunner } from '../topic-print.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult, TextTable } from '../statement-result.js';

/** The statements that read a Kafka cluster directly. */
export type TopicStatement = ast.ShowTopicsStatement | ast.PrintStatement;

/** Creates the client SHOW TOPICS and PRINT connect with (tests may pass another). */
export type TopicClientFactory = (config: KafkaClientConfig) => KafkaClient;

/** SHOW TOPICS and PRINT. */
export class TopicExecutor implements StatementExecutor<TopicStatement> {
  constructor(
    private readonly session: SessionContext,
    private readonly clientFactory: TopicClientFactory = createKafkajsClient,
  ) {}

  execute(stmt: TopicStatement): Promise<StatementResult> {
    switch (stmt.kind) {
      case 'ShowTopicsStatement':
        return this.showTopics(stmt);
      case 'PrintStatement':
        return this.print(stmt);
    }
  }

  private cluster(span: Span, topic?: string): KafkaCluster {
    return resolveKafkaCluster(this.session.catalog, this.session.settings.get(KAFKA_SERVERS_SETTING), span, topic);
  }

  /** A client of `cluster`: the embedded log's, or one of the Kafka client factory. */
  private client(cluster: KafkaCluster, clientId?: string): KafkaClient {
    return clusterClient(cluster, this.session.embeddedLogPath(), this.clientFactory, clientId);
  }

  /** `cluster` as messages name it. */
  private where(cluster: KafkaCluster): string {
    return clusterName(cluster, this.session.embeddedLogPath());
  }

  /**
   * `SHOW [ALL] TOPICS [EXTENDED]`: topics sorted by name, internal ones (`__...`) only with ALL; EXTENDED adds
   * per topic the members of consumer groups assigned to it and the groups that read it (ksqlDB's
   * `Consumers`, `ConsumerGroups`).
   */
  private async showTopics(stmt: ast.ShowTopicsStatement): Promise<StatementResult> {
    const cluster = this.cluster(stmt.span);
    const unavailable = (what: string, instead: string) =>
      new EddyError({ code: ErrorCode.UNSUPPORTED, message: `This Kafka client cannot ${what}: ${stmt.text.trim().replace(/\s+/g, ' ')} is not available`, span: stmt.span, hint: instead });
    const table = await this.withAdmin(cluster, stmt.span, async (admin): Promise<TextTable> => {
      let names: string[];
      if (!stmt.all) names = await admin.listTopics();
      else if (admin.listAllTopics) names = await admin.listAllTopics();
      else throw unavailable('list internal topics', 'SHOW TOPICS lists the other topics');
      names = [...names].sort();
      const described = names.length ? await admin.describeTopics(names) : [];
      const byName = new Map(described.map((t) => [t.topic, t]));
      let groups: KafkaConsumerGroup[] = [];
      if (stmt.extended) {
        if (!admin.consumerGroups) throw unavailable('list consumer groups', 'SHOW TOPICS lists the topics without them');
        groups = await admin.consumerGroups();
      }
      return {
        columns: ['kafka topic', 'partitions', 'replicas', ...(stmt.extended ? ['consumers', 'consumer groups'] : [])],
        rows: names.map((name) => {
          const partitions = byName.get(name)?.partitions ?? [];
          const readers = groups.filter((g) => name in g.topics);
          const extended = stmt.extended ? [String(readers.reduce((n, g) => n + g.topics[name]!, 0)), String(readers.length)] : [];
          return [name, String(partitions.length), String(Math.max(0, ...partitions.map((p) => p.replicas.length))), ...extended];
        }),
        footer: [
          cluster.embedded ? `Embedded log ${this.session.embeddedLogPath()} (${cluster.source}).` : `Kafka at ${cluster.config.bootstrapServers.join(',')} (${cluster.source}).`,
        ],
      };
    });
    return { kind: 'table', table, statement: stmt };
  }

  /** `PRINT 'topic' ...`: a running query over the topic's records, from its end or its beginning. */
  private async print(stmt: ast.PrintStatement): Promise<StatementResult> {
    const session = this.session;
    const cluster = this.cluster(stmt.topicSpan, stmt.topic);
    const at = cluster.embedded ? `in the embedded log ${this.session.embeddedLogPath()}` : `at ${cluster.config.bootstrapServers.join(',')}`;
    const client = this.client(cluster, 'eddy-print');
    const positions = await this.withAdmin(cluster, stmt.topicSpan, async (admin) => {
      try {
        await admin.describeTopics([stmt.topic]);
      } catch (err) {
        if (!(err instanceof KafkaUnknownTopicError)) throw err;
        throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Kafka topic '${stmt.topic}' does not exist ${at} (${cluster.source})`, span: stmt.topicSpan, hint: 'SHOW TOPICS lists the topics (names are case-sensitive)' });
      }
      return admin.listOffsets(stmt.topic, stmt.fromBeginning ? 'earliest' : 'latest');
    }, client);
    const declaring = tablesOfTopic(session.catalog, stmt.topic);
    const isolation = declaring.some((t) => t.options['properties.isolation.level']?.trim().toLowerCase() === 'read_committed') ? 'read_committed' : 'read_uncommitted';
    let consumer;
    try {
      consumer = await client.consumer({ isolationLevel: isolation });
      await consumer.assign(positions);
    } catch (err) {
      await consumer?.close().catch(() => {});
      throw this.kafkaError(err, cluster, stmt.topicSpan);
    }
    const printer = new RecordPrinter(declaring);
    const writer = new CollectWriter();
    const runner = new TopicPrintRunner(stmt.text, writer, { topic: stmt.topic, consumer, printer, interval: stmt.interval, limit: stmt.limit, cluster: this.where(cluster) });
    const handle = new QueryHandle(runner, writer, PRINT_SCHEMA, INSERT_ONLY, stmt.text, queryLimits(session.settings));
    handle.id = session.nextHandleId();
    session.track(handle, 'query');
    handle.start();
    const every = stmt.interval === 1 ? '' : `, every ${ordinal(stmt.interval)} record`;
    const most = stmt.limit === undefined ? '' : `, at most ${stmt.limit} record${stmt.limit === 1 ? '' : 's'}`;
    const notes = [
      `Topic '${stmt.topic}' (${positions.length} partition${positions.length === 1 ? '' : 's'}) ${at} (${cluster.source}), ${stmt.fromBeginning ? 'from the beginning' : 'from now on'}${every}${most}.`,
      ...printer.header(),
    ];
    return { kind: 'query', query: handle, statement: stmt, notes };
  }

  /** Runs `fn` with an admin of `cluster` (of `client` when given), closing it after; broker failures become EddyErrors. */
  private async withAdmin<T>(cluster: KafkaCluster, span: Span, fn: (admin: KafkaAdmin) => Promise<T>, client = this.client(cluster)): Promise<T> {
    let admin: KafkaAdmin | undefined;
    try {
      admin = await client.admin();
      return await fn(admin);
    } catch (err) {
      throw this.kafkaError(err, cluster, span);
    } finally {
      await admin?.close().catch(() => {});
    }
  }

  /** A broker failure as an EddyError naming the cluster (EddyErrors pass through). */
  private kafkaError(err: unknown, cluster: KafkaCluster, span: Span): EddyError {
    if (err instanceof EddyError) return err;
    return new EddyError({
      code: ErrorCode.IO_FAILED,
      message: `${this.where(cluster)} (${cluster.source}): ${err instanceof Error ? err.message : String(err)}`,
      span,
      hint: cluster.embedded
        ? `the embedded log is a file of the state directory; SET '${KAFKA_SERVERS_SETTING}' to talk to a Kafka cluster instead`
        : `is the broker running? The cluster is chosen by SET '${KAFKA_SERVERS_SETTING}', else by the Kafka tables' 'properties.bootstrap.servers'`,
    });
  }
}


/** 2nd, 3rd, 11th, 21st, ... */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
