// What the Kafka source and sink share of their options: the connection (`properties.*`, the Kafka client's own
// property names, as Flink passes them on). Each supported property is mapped onto the client adapter's
// configuration (./client.ts); any other one is refused, never ignored. The source's and the sink's own options
// live next to them (kafka-options.ts, sink.ts).
//
// Security (Kafka's names): `security.protocol` PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL; `sasl.mechanism` PLAIN |
// SCRAM-SHA-256 | SCRAM-SHA-512 with the credentials in `sasl.jaas.config` (Java's PlainLoginModule / ScramLoginModule
// line); TLS material as PEM (the client is not Java, so JKS and PKCS12 stores are refused with a hint): inline with
// `ssl.truststore.certificates`, `ssl.keystore.certificate.chain` and `ssl.keystore.key`, or in files with
// `ssl.truststore.type` / `ssl.keystore.type` = 'PEM' and the `*.location` options. Secrets never appear in messages.

import { readFileSync } from 'node:fs';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { ConnectorContext, OptionSpec } from '../../runtime/connector.js';
import type { KafkaClient, KafkaClientConfig, KafkaSasl, KafkaTls } from './client.js';
import { createEmbeddedLogClient } from './embedded-log.js';
import { createKafkajsClient } from './kafkajs-client.js';
import { createPlatformaticClient, platformaticLocation, platformaticMissingMessage } from './platformatic-client.js';

type Options = Readonly<Record<string, string>>;
type Problem = { key: string; message: string; hint?: string };

/** The Kafka client properties Eddy understands, without the `properties.` prefix, and what each does. */
const CLIENT_PROPERTIES: Readonly<Record<string, string>> = {
  'bootstrap.servers': "The brokers to connect to, comma-separated 'host:port' list.",
  'client.id': 'The client id the brokers see (default: eddy-<table>).',
  'group.id': "The consumer group: where 'group-offsets' starts and where offsets are committed after each checkpoint.",
  'auto.offset.reset': "With 'group-offsets': where a partition without a committed offset starts.",
  'isolation.level': "'read_committed' or 'read_uncommitted'.",
  'commit.offsets.on.checkpoint': "'true' (default with a group id): the source commits its offsets to the group after each checkpoint, for monitoring.",
  'security.protocol': 'PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL.',
  'sasl.mechanism': 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with a SASL security.protocol).',
  'sasl.jaas.config': 'The SASL credentials, as Java writes them: org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";',
  'ssl.truststore.type': "'PEM' (JKS and PKCS12 are Java stores: convert them to PEM).",
  'ssl.truststore.location': "A PEM file of the CA certificates to trust (with 'ssl.truststore.type' = 'PEM').",
  'ssl.truststore.certificates': 'The CA certificates to trust, PEM text.',
  'ssl.keystore.type': "'PEM' (for client certificates).",
  'ssl.keystore.location': "A PEM file with the client's private key and certificate chain (with 'ssl.keystore.type' = 'PEM').",
  'ssl.keystore.certificate.chain': "The client's certificate chain, PEM text.",
  'ssl.keystore.key': "The client's private key, PEM text.",
  'ssl.key.password': "The password of an encrypted 'ssl.keystore.key'.",
  'ssl.endpoint.identification.algorithm': "'https' (default: the broker's certificate must name its host) or '' (no host name check).",
  'request.timeout.ms': 'How long the client waits for a broker to answer a request (default 30000).',
  'retry.backoff.ms': "The client's first wait before retrying a failed request (default 100; it doubles on each retry).",
  'reconnect.backoff.ms': "The source's first wait before retrying when the brokers cannot be reached (default 1000; it doubles on each retry).",
  'reconnect.backoff.max.ms': "The longest wait between the source's retries when the brokers cannot be reached (default 30000).",
  'socket.connection.setup.timeout.ms': 'How long connecting to a broker may take (default 3000).',
  'transaction.timeout.ms': "How long the broker lets the sink's transaction stay open before aborting it (exactly-once; default 60000, at most the broker's transaction.max.timeout.ms).",
};

/** The `properties.*` keys Eddy's Kafka client understands; any other one is refused, never ignored. */
export const KAFKA_CLIENT_PROPERTIES: readonly string[] = Object.keys(CLIENT_PROPERTIES).map((k) => `properties.${k}`);

/** Properties Flink users write that make no sense here, with why (refused with that reason). */
const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  'session.timeout.ms': "Eddy's source is assigned its partitions (as Flink's KafkaSource) and never joins the consumer group, so there is no session to time out",
  'heartbeat.interval.ms': "Eddy's source never joins the consumer group, so it sends no heartbeats",
  'enable.auto.commit': "offsets are committed after each checkpoint ('properties.commit.offsets.on.checkpoint'), never automatically",
  'key.deserializer': "records are decoded by the table's format ('format', 'key.format')",
  'value.deserializer': "records are decoded by the table's format ('format')",
  'key.serializer': "records are encoded by the table's format ('format', 'key.format')",
  'value.serializer': "records are encoded by the table's format ('format')",
};

/** `properties.bootstrap.servers` is not required with the embedded log. */
const EMBEDDED_CHOSEN = { key: 'client.library', value: 'embedded' } as const;

/** Options holding secrets: displays (SHOW CREATE TABLE, DESCRIBE) show them masked. */
export const KAFKA_SECRET_OPTIONS: readonly string[] = ['properties.sasl.jaas.config', 'properties.ssl.keystore.key', 'properties.ssl.key.password'];

/** The connection options, as the Kafka connectors declare them (Flink's names). */
export const KAFKA_CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { key: 'properties.bootstrap.servers', description: CLIENT_PROPERTIES['bootstrap.servers']!, required: true, requiredUnless: EMBEDDED_CHOSEN },
  ...Object.entries(CLIENT_PROPERTIES)
    .filter(([k]) => k !== 'bootstrap.servers')
    .map(([k, description]) => ({ key: `properties.${k}`, description, ...(KAFKA_SECRET_OPTIONS.includes(`properties.${k}`) ? { secret: true } : {}) })),
  // Matches any other `properties.*`, so that connectionOptionProblems refuses it naming the supported ones.
  { key: 'properties.#', description: 'Any other Kafka client property is refused (the error names the supported ones).' },
  {
    key: 'client.library',
    description:
      "The Kafka client library Eddy talks to the brokers with: 'kafkajs' (the default) or 'platformatic' (@platformatic/kafka 1.x, the faster one); " +
      "or 'embedded': no brokers, the topic lives in Eddy's embedded log (a file in the state directory).",
    defaultValue: 'kafkajs',
    values: ['kafkajs', 'platformatic', 'embedded'],
  },
];

/** The client libraries `'client.library'` chooses from (besides the embedded log). */
const CLIENT_LIBRARIES: Readonly<Record<string, (config: KafkaClientConfig) => KafkaClient>> = {
  kafkajs: createKafkajsClient,
  platformatic: createPlatformaticClient,
};

/** Whether a table's options put its topic in the embedded log (`'client.library' = 'embedded'`). */
export function usesEmbeddedLog(options: Options): boolean {
  return options['client.library']?.trim().toLowerCase() === 'embedded';
}

/**
 * The client factory a table's (validated) options choose with `'client.library'`. The embedded log's client is
 * on the file the engine gives the job (`ctx.embeddedLogPath`); without one, creating it fails clearly.
 */
export function kafkaClientFactory(ctx: Pick<ConnectorContext, 'options' | 'tableName' | 'embeddedLogPath'>): (config: KafkaClientConfig) => KafkaClient {
  const library = (ctx.options['client.library'] ?? 'kafkajs').trim().toLowerCase();
  if (library !== 'embedded') return CLIENT_LIBRARIES[library] ?? createKafkajsClient;
  const path = ctx.embeddedLogPath;
  return () => {
    if (path === undefined) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${ctx.tableName}\`: 'client.library' = 'embedded' keeps the topic in the session's embedded log, but this job was built without one`,
        hint: "run the job through an Eddy session (it provides the embedded log), or give the table 'properties.bootstrap.servers' and a Kafka client library",
      });
    }
    return createEmbeddedLogClient(path);
  };
}

/** What the embedded log does with the `properties.*` options: these apply, every other one is refused. */
const EMBEDDED_PROPERTIES: ReadonlySet<string> = new Set([
  'group.id',
  'auto.offset.reset',
  'isolation.level',
  'commit.offsets.on.checkpoint',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
]);

/** With `'client.library' = 'embedded'`: the `properties.*` options that concern brokers, refused. */
function embeddedProblems(options: Options): Problem[] {
  return Object.keys(options)
    .filter((key) => key.startsWith('properties.') && !EMBEDDED_PROPERTIES.has(key.slice('properties.'.length)))
    .map((key) => ({
      key,
      message: `'${key}' does not apply to the embedded log ('client.library' = 'embedded'): its topics live in a file of Eddy's state directory, not in a Kafka cluster`,
      hint: key === 'properties.bootstrap.servers' ? "remove it to use the embedded log, or remove 'client.library' = 'embedded' to use the Kafka cluster" : 'remove it',
    }));
}

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const SASL_MECHANISMS = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;
const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};
const MILLIS_PROPERTIES = [
  'request.timeout.ms',
  'retry.backoff.ms',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
  'socket.connection.setup.timeout.ms',
  'transaction.timeout.ms',
];

const prop = (options: Options, key: string): string | undefined => options[`properties.${key}`];
const upper = (v: string | undefined): string | undefined => v?.trim().toUpperCase();

/**
 * Parses Java's JAAS line for PLAIN or SCRAM, `<LoginModule> required username="u" password="p";`: the module and
 * its options; undefined when it is not such a line. Values are double-quoted (backslash escapes a quote).
 */
export function parseJaasConfig(text: string): { module: string; options: Record<string, string> } | undefined {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s+([^]*?)\s*;\s*$/.exec(text);
  if (!m) return undefined;
  const options: Record<string, string> = {};
  const rest = m[3]!;
  const pair = /\s*([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/y;
  let at = 0;
  while (at < rest.length) {
    pair.lastIndex = at;
    const p = pair.exec(rest);
    if (!p) return rest.slice(at).trim() === '' ? { module: m[1]!, options } : undefined;
    options[p[1]!] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    at = pair.lastIndex;
  }
  return { module: m[1]!, options };
}

/** Problems with the `properties.*` options: keys the client does not understand, bad values, bad combinations. */
export function connectionOptionProblems(options: Options): Problem[] {
  if (usesEmbeddedLog(options)) {
    const problems = embeddedProblems(options);
    if (problems.length > 0) return problems;
  }
  const problems: Problem[] = [];
  for (const key of Object.keys(options)) {
    if (!key.startsWith('properties.') || KAFKA_CLIENT_PROPERTIES.includes(key)) continue;
    const why = NOT_APPLICABLE[key.slice('properties.'.length)];
    problems.push(
      why
        ? { key, message: `Kafka client property '${key}' does not apply: ${why}`, hint: 'remove it' }
        : { key, message: `Kafka client property '${key}' is not supported by Eddy's Kafka client`, hint: `supported: ${KAFKA_CLIENT_PROPERTIES.join(', ')}` },
    );
  }
  if (options['client.library']?.toLowerCase() === 'platformatic' && platformaticLocation() === undefined) {
    problems.push({ key: 'client.library', message: platformaticMissingMessage(), hint: "or leave 'client.library' out to use kafkajs" });
  }
  const servers = options['properties.bootstrap.servers'];
  if (servers !== undefined && splitServers(servers).length === 0) {
    problems.push({ key: 'properties.bootstrap.servers', message: "'properties.bootstrap.servers' names no broker", hint: "e.g. '127.0.0.1:9092'" });
  }
  for (const name of MILLIS_PROPERTIES) {
    const v = prop(options, name);
    if (v !== undefined && !/^\s*\d+\s*$/.test(v)) problems.push({ key: `properties.${name}`, message: `'properties.${name}' must be a whole number of milliseconds, not '${v}'` });
  }
  const commit = prop(options, 'commit.offsets.on.checkpoint');
  if (commit !== undefined && !['true', 'false'].includes(commit.trim().toLowerCase())) {
    problems.push({ key: 'properties.commit.offsets.on.checkpoint', message: `'properties.commit.offsets.on.checkpoint' must be 'true' or 'false', not '${commit}'` });
  }
  const identification = prop(options, 'ssl.endpoint.identification.algorithm');
  if (identification !== undefined && !['', 'https'].includes(identification.trim().toLowerCase())) {
    problems.push({ key: 'properties.ssl.endpoint.identification.algorithm', message: `'properties.ssl.endpoint.identification.algorithm' must be 'https' or '', not '${identification}'` });
  }
  problems.push(...securityProblems(options));
  return problems;
}

function securityProblems(options: Options): Problem[] {
  const problems: Problem[] = [];
  const protocol = upper(prop(options, 'security.protocol')) ?? 'PLAINTEXT';
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
    return [{ key: 'properties.security.protocol', message: `'properties.security.protocol' must be one of ${SECURITY_PROTOCOLS.join(', ')}, not '${prop(options, 'security.protocol')}'` }];
  }
  const sasl = protocol.startsWith('SASL_');
  const ssl = protocol.endsWith('SSL');
  const mechanism = upper(prop(options, 'sasl.mechanism'));
  const jaas = prop(options, 'sasl.jaas.config');
  if (!sasl) {
    for (const key of ['sasl.mechanism', 'sasl.jaas.config']) {
      if (prop(options, key) !== undefined) {
        problems.push({ key: `properties.${key}`, message: `'properties.${key}' needs a SASL 'properties.security.protocol' (it is ${protocol})`, hint: "set 'properties.security.protocol' = 'SASL_SSL' or 'SASL_PLAINTEXT'" });
      }
    }
  } else {
    if (mechanism === undefined || !(mechanism in SASL_MECHANISMS)) {
      problems.push({
        key: 'properties.sasl.mechanism',
        message:
          mechanism === undefined
            ? `'properties.security.protocol' = '${protocol}' needs 'properties.sasl.mechanism' (Kafka's default, GSSAPI/Kerberos, is not supported)`
            : `'properties.sasl.mechanism' '${prop(options, 'sasl.mechanism')}' is not supported`,
        hint: `use one of ${Object.keys(SASL_MECHANISMS).join(', ')}`,
      });
    } else if (jaas === undefined) {
      problems.push({ key: 'properties.sasl.jaas.config', message: `SASL ${mechanism} needs 'properties.sasl.jaas.config' with the user name and password`, hint: jaasHint(mechanism) });
    } else {
      // Never echo the value: it holds the password.
      const parsed = parseJaasConfig(jaas);
      if (!parsed || parsed.options['username'] === undefined || parsed.options['password'] === undefined) {
        problems.push({ key: 'properties.sasl.jaas.config', message: "'properties.sasl.jaas.config' is not a login module line with a username and a password", hint: jaasHint(mechanism) });
      } else if (parsed.module !== LOGIN_MODULES[mechanism]) {
        problems.push({ key: 'properties.sasl.jaas.config', message: `'properties.sasl.jaas.config' names ${parsed.module}, but SASL ${mechanism} needs ${LOGIN_MODULES[mechanism]}`, hint: jaasHint(mechanism) });
      }
    }
  }
  const sslKeys = Object.keys(options).filter((k) => k.startsWith('properties.ssl.'));
  if (!ssl) {
    for (const key of sslKeys) {
      problems.push({ key, message: `'${key}' needs an SSL 'properties.security.protocol' (it is ${protocol})`, hint: "set 'properties.security.protocol' = 'SSL' or 'SASL_SSL'" });
    }
    return problems;
  }
  for (const store of ['truststore', 'keystore'] as const) {
    const type = upper(prop(options, `ssl.${store}.type`));
    const location = prop(options, `ssl.${store}.location`);
    if (type !== undefined && type !== 'PEM') {
      problems.push({ key: `properties.ssl.${store}.type`, message: `'properties.ssl.${store}.type' '${prop(options, `ssl.${store}.type`)}' is a Java key store, which Eddy's client cannot read`, hint: pemHint(store) });
    } else if (location !== undefined && type === undefined) {
      problems.push({
        key: `properties.ssl.${store}.location`,
        message: `'properties.ssl.${store}.location' without 'properties.ssl.${store}.type' is a JKS file (Kafka's default), which Eddy's client cannot read`,
        hint: pemHint(store),
      });
    } else if (type === 'PEM' && location === undefined && (store === 'truststore' ? prop(options, 'ssl.truststore.certificates') : prop(options, 'ssl.keystore.key')) === undefined) {
      problems.push({ key: `properties.ssl.${store}.type`, message: `'properties.ssl.${store}.type' = 'PEM' needs 'properties.ssl.${store}.location' (a PEM file)` });
    }
  }
  if (prop(options, 'ssl.truststore.location') !== undefined && prop(options, 'ssl.truststore.certificates') !== undefined) {
    problems.push({ key: 'properties.ssl.truststore.certificates', message: "give the trusted certificates once: 'properties.ssl.truststore.location' or 'properties.ssl.truststore.certificates', not both" });
  }
  const chain = prop(options, 'ssl.keystore.certificate.chain');
  const key = prop(options, 'ssl.keystore.key');
  if ((chain === undefined) !== (key === undefined)) {
    problems.push({ key: chain === undefined ? 'properties.ssl.keystore.key' : 'properties.ssl.keystore.certificate.chain', message: "a client certificate needs both 'properties.ssl.keystore.certificate.chain' and 'properties.ssl.keystore.key'" });
  }
  if (prop(options, 'ssl.keystore.location') !== undefined && key !== undefined) {
    problems.push({ key: 'properties.ssl.keystore.key', message: "give the client key once: 'properties.ssl.keystore.location' or 'properties.ssl.keystore.key', not both" });
  }
  return problems;
}

function jaasHint(mechanism: string): string {
  return `e.g. '${LOGIN_MODULES[mechanism]} required username="alice" password="...";'`;
}

function pemHint(store: 'truststore' | 'keystore'): string {
  return store === 'truststore'
    ? "export the CA certificates as PEM (keytool -exportcert -rfc -keystore truststore.jks -alias <ca>) and set 'properties.ssl.truststore.type' = 'PEM' with 'properties.ssl.truststore.location', or put them in 'properties.ssl.truststore.certificates'"
    : "export the key and certificate chain as PEM (e.g. with openssl pkcs12 -nodes) and set 'properties.ssl.keystore.type' = 'PEM' with 'properties.ssl.keystore.location', or use 'properties.ssl.keystore.certificate.chain' and 'properties.ssl.keystore.key'";
}

function splitServers(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

const millis = (options: Options, key: string): number | undefined => {
  const v = prop(options, key);
  return v === undefined ? undefined : Number(v.trim());
};

/** How long the source waits between retries while the brokers cannot be reached: first wait and longest wait (ms). */
export function reconnectBackoff(options: Options): { readonly initialMs: number; readonly maxMs: number } {
  const initialMs = millis(options, 'reconnect.backoff.ms') ?? 1000;
  return { initialMs, maxMs: Math.max(initialMs, millis(options, 'reconnect.backoff.max.ms') ?? 30_000) };
}

/**
 * The client configuration of a table's (validated) options. PEM files named by `*.location` are read here; a file
 * that cannot be read is an error naming the option and the file (never its content).
 */
export function kafkaClientConfig(options: Options, defaultClientId?: string): KafkaClientConfig {
  const clientId = prop(options, 'client.id') ?? defaultClientId;
  const protocol = upper(prop(options, 'security.protocol')) ?? 'PLAINTEXT';
  const requestTimeoutMs = millis(options, 'request.timeout.ms');
  const retryBackoffMs = millis(options, 'retry.backoff.ms');
  const connectionTimeoutMs = millis(options, 'socket.connection.setup.timeout.ms');
  const transactionTimeoutMs = millis(options, 'transaction.timeout.ms');
  const sasl = protocol.startsWith('SASL_') ? saslOf(options) : undefined;
  const tls = protocol.endsWith('SSL') ? tlsOf(options) : undefined;
  return {
    bootstrapServers: splitServers(options['properties.bootstrap.servers'] ?? ''),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(sasl ? { sasl } : {}),
    ...(tls ? { tls } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(retryBackoffMs !== undefined ? { retryBackoffMs } : {}),
    ...(connectionTimeoutMs !== undefined ? { connectionTimeoutMs } : {}),
    ...(transactionTimeoutMs !== undefined ? { transactionTimeoutMs } : {}),
  };
}

function saslOf(options: Options): KafkaSasl {
  const mechanism = upper(prop(options, 'sasl.mechanism')) as keyof typeof SASL_MECHANISMS;
  const jaas = parseJaasConfig(prop(options, 'sasl.jaas.config') ?? '');
  return { mechanism: SASL_MECHANISMS[mechanism], username: jaas?.options['username'] ?? '', password: jaas?.options['password'] ?? '' };
}

function tlsOf(options: Options): KafkaTls {
  const read = (key: string): string => {
    const path = prop(options, key)!;
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the PEM file of 'properties.${key}' (${path}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const ca = prop(options, 'ssl.truststore.certificates') ?? (prop(options, 'ssl.truststore.location') !== undefined ? read('ssl.truststore.location') : undefined);
  const keystore = prop(options, 'ssl.keystore.location') !== undefined ? read('ssl.keystore.location') : undefined;
  const cert = prop(options, 'ssl.keystore.certificate.chain') ?? keystore;
  const key = prop(options, 'ssl.keystore.key') ?? keystore;
  const passphrase = prop(options, 'ssl.key.password');
  const verifyHost = (prop(options, 'ssl.endpoint.identification.algorithm') ?? 'https').trim().toLowerCase() === 'https';
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
    verifyHostname: verifyHost,
  };
}
