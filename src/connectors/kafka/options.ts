// What the Kafka source and sink share of their options: the connection (`properties.*`). Kept minimal on purpose:
// the source's and the sink's own options live next to them (kafka-options.ts, sink.ts).

import type { OptionSpec } from '../../runtime/connector.js';
import type { KafkaClient, KafkaClientConfig } from './client.js';
import { createKafkajsClient } from './kafkajs-client.js';
import { createPlatformaticClient, platformaticLocation, platformaticMissingMessage } from './platformatic-client.js';

/** The `properties.*` keys Eddy's Kafka client understands so far; any other one is refused, never ignored. */
export const KAFKA_CLIENT_PROPERTIES: readonly string[] = [
  'properties.bootstrap.servers',
  'properties.client.id',
  'properties.group.id',
  'properties.auto.offset.reset',
  'properties.isolation.level',
];

/** The connection options, as the Kafka connectors declare them (Flink's names). */
export const KAFKA_CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { key: 'properties.bootstrap.servers', description: "The brokers to connect to, comma-separated 'host:port' list.", required: true },
  { key: 'properties.#', description: "A Kafka client property (Flink's 'properties.*'); so far 'properties.client.id' besides the source's own." },
  {
    key: 'client.library',
    description: "The Kafka client library Eddy talks to the brokers with: 'kafkajs' (a dependency of Eddy) or 'platformatic' (@platformatic/kafka 1.x, installed separately).",
    defaultValue: 'kafkajs',
    values: ['kafkajs', 'platformatic'],
  },
];

/** The client libraries `'client.library'` chooses from. */
const CLIENT_LIBRARIES: Readonly<Record<string, (config: KafkaClientConfig) => KafkaClient>> = {
  kafkajs: createKafkajsClient,
  platformatic: createPlatformaticClient,
};

/** The client factory a table's (validated) options choose with `'client.library'`. */
export function kafkaClientFactory(options: Readonly<Record<string, string>>): (config: KafkaClientConfig) => KafkaClient {
  return CLIENT_LIBRARIES[(options['client.library'] ?? 'kafkajs').toLowerCase()] ?? createKafkajsClient;
}

/** Problems with the `properties.*` options: keys the client does not understand (yet), an empty server list. */
export function connectionOptionProblems(options: Readonly<Record<string, string>>): { key: string; message: string; hint?: string }[] {
  const problems: { key: string; message: string; hint?: string }[] = [];
  for (const key of Object.keys(options)) {
    if (key.startsWith('properties.') && !KAFKA_CLIENT_PROPERTIES.includes(key)) {
      problems.push({
        key,
        message: `Kafka client property '${key}' is not supported by Eddy's Kafka client yet`,
        hint: `supported: ${KAFKA_CLIENT_PROPERTIES.join(', ')}`,
      });
    }
  }
  if (options['client.library']?.toLowerCase() === 'platformatic' && platformaticLocation() === undefined) {
    problems.push({ key: 'client.library', message: platformaticMissingMessage(), hint: "or leave 'client.library' out to use kafkajs" });
  }
  const servers = options['properties.bootstrap.servers'];
  if (servers !== undefined && bootstrapServers(servers).length === 0) {
    problems.push({ key: 'properties.bootstrap.servers', message: "'properties.bootstrap.servers' names no broker", hint: "e.g. '127.0.0.1:9092'" });
  }
  return problems;
}

function bootstrapServers(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The client configuration of a table's (validated) options. */
export function kafkaClientConfig(options: Readonly<Record<string, string>>): KafkaClientConfig {
  const clientId = options['properties.client.id'];
  return {
    bootstrapServers: bootstrapServers(options['properties.bootstrap.servers'] ?? ''),
    ...(clientId !== undefined ? { clientId } : {}),
  };
}
