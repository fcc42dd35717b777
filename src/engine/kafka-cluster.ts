/**
 * Which Kafka cluster SHOW TOPICS and PRINT talk to, and which tables declare a topic. The rule, in order:
 * 1. the `kafka.bootstrap-servers` setting, when it is set;
 * 2. for PRINT, the cluster of the `kafka` / `upsert-kafka` tables that declare the topic, when they name one;
 * 3. the cluster of all the catalog's `kafka` / `upsert-kafka` tables, when they name one;
 * 4. else the session's embedded log (the topics of `'client.library' = 'embedded'` tables).
 * Tables in the embedded log name it as their cluster (in 2 and 3). A table's other `properties.*` (client id,
 * security) come along when its cluster is used, so a secured cluster works as its tables reach it.
 */
import { EddyError, ErrorCode, type Span } from '../common/errors.js';
import type { Catalog, TableDef } from '../planner/catalog.js';
import type { KafkaClient, KafkaClientConfig } from '../connectors/kafka/client.js';
import { createEmbeddedLogClient } from '../connectors/kafka/embedded-log.js';
import { createKafkajsClient } from '../connectors/kafka/kafkajs-client.js';
import { kafkaClientConfig, usesEmbeddedLog } from '../connectors/kafka/options.js';
import { topicsOf } from '../connectors/kafka/kafka-options.js';

/** The setting that names the cluster of SHOW TOPICS and PRINT. */
export const KAFKA_SERVERS_SETTING = 'kafka.bootstrap-servers';

/** The connectors whose tables live in a Kafka cluster. */
const KAFKA_CONNECTORS: ReadonlySet<string> = new Set(['kafka', 'upsert-kafka']);

/** A cluster to connect to, and where that choice came from (shown to the user). */
export interface KafkaCluster {
  /** The brokers (none for the embedded log). */
  readonly config: KafkaClientConfig;
  /** E.g. `setting 'kafka.bootstrap-servers'` or `table orders`. */
  readonly source: string;
  /** True for the session's embedded log instead of a Kafka cluster. */
  readonly embedded?: boolean;
}

/** The cluster as messages name it: `Kafka at host:port` or `the embedded log (path)`. */
export function clusterName(cluster: KafkaCluster, embeddedLogPath: string): string {
  return cluster.embedded ? `the embedded log (${embeddedLogPath})` : `Kafka at ${cluster.config.bootstrapServers.join(',')}`;
}

/**
 * A client of `cluster`: the embedded log's (on `embeddedLogPath`), or one `factory` creates for the brokers, with
 * `clientId` unless the cluster's tables give one.
 */
export function clusterClient(cluster: KafkaCluster, embeddedLogPath: string, factory: (config: KafkaClientConfig) => KafkaClient = createKafkajsClient, clientId?: string): KafkaClient {
  if (cluster.embedded) return createEmbeddedLogClient(embeddedLogPath);
  return factory({ ...cluster.config, ...(clientId !== undefined ? { clientId: cluster.config.clientId ?? clientId } : {}) });
}

/** The `source` of the embedded log chosen because nothing names a Kafka cluster. */
const NO_CLUSTER = 'no Kafka cluster configured';

/** The servers of a comma-separated `host:port` list, trimmed, empty entries dropped. */
export function serverList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Problems with a `kafka.bootstrap-servers` value (for the setting's check): undefined when it is fine. */
export function serverListProblem(text: string): string | undefined {
  const servers = serverList(text);
  if (servers.length === 0) return "a comma-separated list of brokers, e.g. '127.0.0.1:9092'";
  const bad = servers.find((s) => !/^[^\s:]+:\d{1,5}$/.test(s) && !/^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(s));
  return bad === undefined ? undefined : `'${bad}' is not host:port; give a comma-separated list of brokers, e.g. '127.0.0.1:9092'`;
}

/** The catalog's Kafka tables (connector `kafka` or `upsert-kafka`). */
function kafkaTables(catalog: Catalog): TableDef[] {
  return catalog.list('table').filter((t): t is TableDef => t.kind === 'table' && KAFKA_CONNECTORS.has(t.options['connector'] ?? ''));
}

/** Whether a Kafka table reads or writes `topic` (its `topic` list, or its `topic-pattern`). */
export function declaresTopic(table: TableDef, topic: string): boolean {
  if (topicsOf(table.options).includes(topic)) return true;
  const pattern = table.options['topic-pattern'];
  if (pattern === undefined) return false;
  try {
    return new RegExp(`^(?:${pattern})$`).test(topic);
  } catch {
    return false;
  }
}

/** The catalog's Kafka tables that declare `topic`, in catalog order. */
export function tablesOfTopic(catalog: Catalog, topic: string): TableDef[] {
  return kafkaTables(catalog).filter((t) => declaresTopic(t, topic));
}

/** Stands for the embedded log among clusters' keys. */
const EMBEDDED_KEY = '(embedded)';

/**
 * A cluster's identity: its sorted broker list (two tables naming the same brokers in another order agree), or
 * EMBEDDED_KEY for a table in the embedded log.
 */
function clusterKey(table: TableDef): string {
  if (usesEmbeddedLog(table.options)) return EMBEDDED_KEY;
  return [...new Set(serverList(table.options['properties.bootstrap.servers'] ?? '').map((s) => s.toLowerCase()))].sort().join(',');
}

/** The one cluster `tables` name, or undefined when they are none; an error when they name several. */
function oneCluster(tables: readonly TableDef[], what: string, span: Span | undefined): KafkaCluster | undefined {
  const byCluster = new Map<string, TableDef[]>();
  for (const t of tables) {
    const key = clusterKey(t);
    if (key === '') continue;
    byCluster.set(key, [...(byCluster.get(key) ?? []), t]);
  }
  if (byCluster.size === 0) return undefined;
  if (byCluster.size > 1) {
    const list = [...byCluster].map(([servers, ts]) => `${servers === EMBEDDED_KEY ? 'the embedded log' : `'${servers}'`} (${ts.map((t) => t.name).join(', ')})`).join('; ');
    throw new EddyError({
      code: ErrorCode.MISSING_OPTION,
      message: `${what} name more than one Kafka cluster: ${list}`,
      span,
      hint: `choose one: SET '${KAFKA_SERVERS_SETTING}' = '<host:port,...>'`,
    });
  }
  const [key, [first]] = [...byCluster][0]!;
  if (key === EMBEDDED_KEY) return { config: { bootstrapServers: [] }, source: `table ${first!.name}`, embedded: true };
  return { config: kafkaClientConfig(first!.options), source: `table ${first!.name}` };
}

/**
 * The cluster SHOW TOPICS (no topic) or PRINT (`topic`) talks to, by the rule at the top of this file.
 * `setting` is the value of `kafka.bootstrap-servers` ('' when unset).
 */
export function resolveKafkaCluster(catalog: Catalog, setting: string, span: Span | undefined, topic?: string): KafkaCluster {
  if (setting.trim() !== '') return { config: { bootstrapServers: serverList(setting) }, source: `setting '${KAFKA_SERVERS_SETTING}'` };
  if (topic !== undefined) {
    const declared = oneCluster(tablesOfTopic(catalog, topic), `The tables declaring topic '${topic}'`, span);
    if (declared) return declared;
  }
  const any = oneCluster(kafkaTables(catalog), 'The Kafka tables of this session', span);
  if (any) return any;
  return { config: { bootstrapServers: [] }, source: NO_CLUSTER, embedded: true };
}
