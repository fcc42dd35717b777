// The kafka connectors' `properties.*` (Kafka client properties as Flink passes them on): what is accepted, how it
// maps onto the client adapter's configuration, what is refused and how, and that secrets never show in messages.
// Also `topic-pattern` and `scan.topic-partition-discovery.interval` validation. No broker needed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../../src/connectors/validate-options.js';
import { builtinFormats, findConnector } from '../../src/connectors/index.js';
import { kafkaClientConfig, parseJaasConfig, reconnectBackoff } from '../../src/connectors/kafka/options.js';
import { discoveryIntervalMs, topicPattern } from '../../src/connectors/kafka/kafka-options.js';
import { Eddy } from '../../src/engine/eddy.js';

const formats = builtinFormats();
const kafka = findConnector('kafka')!;
const base = { connector: 'kafka', topic: 't', 'properties.bootstrap.servers': '127.0.0.1:9092', format: 'json', 'scan.startup.mode': 'earliest-offset' };
const problems = (options: Record<string, string>) => validateOptions(kafka, formats, options).map((p) => [p.key, p.message, p.hint ?? '']);

const SECRET = 's3cr3t-"pa\\"ss';
const plainJaas = `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr3t-\\"pa\\\\\\"ss";`;

describe('kafka properties.*', () => {
  it("parses Java's JAAS line for PLAIN and SCRAM", () => {
    expect(parseJaasConfig(plainJaas)).toEqual({ module: 'org.apache.kafka.common.security.plain.PlainLoginModule', options: { username: 'alice', password: SECRET } });
    expect(parseJaasConfig('org.apache.kafka.common.security.scram.ScramLoginModule required\n  username="bob"\n  password="pw";')).toEqual({
      module: 'org.apache.kafka.common.security.scram.ScramLoginModule',
      options: { username: 'bob', password: 'pw' },
    });
    expect(parseJaasConfig('PlainLoginModule username="a" password="b";')).toBeUndefined(); // no control flag
    expect(parseJaasConfig('org.x.Plain required username="a" password="b"')).toBeUndefined(); // no ';'
    expect(parseJaasConfig('org.x.Plain required username="a" password="b;')).toBeUndefined(); // unterminated quote
  });

  it('maps SASL_SSL with PLAIN, inline PEM, timeouts and the client id onto the client configuration', () => {
    const options = {
      ...base,
      'properties.security.protocol': 'sasl_ssl',
      'properties.sasl.mechanism': 'PLAIN',
      'properties.sasl.jaas.config': plainJaas,
      'properties.ssl.truststore.certificates': '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----',
      'properties.ssl.endpoint.identification.algorithm': '',
      'properties.request.timeout.ms': '15000',
      'properties.retry.backoff.ms': '250',
      'properties.socket.connection.setup.timeout.ms': '4000',
      'properties.transaction.timeout.ms': '900000',
      'properties.client.id': 'my-app',
    };
    expect(problems(options)).toEqual([]);
    expect(kafkaClientConfig(options, 'eddy-t')).toEqual({
      bootstrapServers: ['127.0.0.1:9092'],
      clientId: 'my-app',
      sasl: { mechanism: 'plain', username: 'alice', password: SECRET },
      tls: { ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----', verifyHostname: false },
      requestTimeoutMs: 15000,
      retryBackoffMs: 250,
      connectionTimeoutMs: 4000,
      transactionTimeoutMs: 900000,
    });
  });

  it('maps SCRAM over SASL_PLAINTEXT, and plain PLAINTEXT with the default client id', () => {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      const options = {
        ...base,
        'properties.security.protocol': 'SASL_PLAINTEXT',
        'properties.sasl.mechanism': mechanism,
        'properties.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="pw";',
      };
      expect(problems(options)).toEqual([]);
      const config = kafkaClientConfig(options);
      expect(config.sasl).toEqual({ mechanism: mechanism.toLowerCase(), username: 'bob', password: 'pw' });
      expect(config.tls).toBeUndefined();
    }
    expect(kafkaClientConfig(base, 'eddy-t')).toEqual({ bootstrapServers: ['127.0.0.1:9092'], clientId: 'eddy-t' });
  });

  it('reads PEM files named by ssl.*.location with type PEM (client key and chain in one file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-pem-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA-PEM');
    writeFileSync(join(dir, 'client.pem'), 'KEY-AND-CHAIN-PEM');
    const options = {
      ...base,
      'properties.security.protocol': 'SSL',
      'properties.ssl.truststore.type': 'PEM',
      'properties.ssl.truststore.location': join(dir, 'ca.pem'),
      'properties.ssl.keystore.type': 'pem',
      'properties.ssl.keystore.location': join(dir, 'client.pem'),
      'properties.ssl.key.password': 'kp',
    };
    expect(problems(options)).toEqual([]);
    expect(kafkaClientConfig(options).tls).toEqual({ ca: 'CA-PEM', cert: 'KEY-AND-CHAIN-PEM', key: 'KEY-AND-CHAIN-PEM', passphrase: 'kp', verifyHostname: true });
    const missing = { ...options, 'properties.ssl.truststore.location': join(dir, 'nope.pem') };
    expect(() => kafkaClientConfig(missing)).toThrow(`cannot read the PEM file of 'properties.ssl.truststore.location' (${join(dir, 'nope.pem')}): ENOENT`);
  });

  it('refuses JKS stores with a hint to PEM', () => {
    const ssl = { ...base, 'properties.security.protocol': 'SSL' };
    const [jks] = problems({ ...ssl, 'properties.ssl.truststore.location': '/etc/kafka/truststore.jks' });
    expect(jks![0]).toBe('properties.ssl.truststore.location');
    expect(jks![1]).toContain('is a JKS file');
    expect(jks![2]).toContain("'properties.ssl.truststore.type' = 'PEM'");
    expect(problems({ ...ssl, 'properties.ssl.keystore.type': 'PKCS12', 'properties.ssl.keystore.location': '/k.p12' })[0]!.slice(0, 2)).toEqual([
      'properties.ssl.keystore.type',
      "'properties.ssl.keystore.type' 'PKCS12' is a Java key store, which Eddy's client cannot read",
    ]);
    expect(problems({ ...ssl, 'properties.ssl.keystore.key': 'K' })[0]![1]).toContain("needs both 'properties.ssl.keystore.certificate.chain' and 'properties.ssl.keystore.key'");
  });

  it('refuses SASL and SSL options that the security protocol would ignore, and unsupported mechanisms', () => {
    expect(problems({ ...base, 'properties.sasl.mechanism': 'PLAIN' })[0]!.slice(0, 2)).toEqual([
      'properties.sasl.mechanism',
      "'properties.sasl.mechanism' needs a SASL 'properties.security.protocol' (it is PLAINTEXT)",
    ]);
    expect(problems({ ...base, 'properties.security.protocol': 'SASL_PLAINTEXT', 'properties.ssl.truststore.certificates': 'x', 'properties.sasl.mechanism': 'PLAIN', 'properties.sasl.jaas.config': plainJaas })[0]![1]).toBe(
      "'properties.ssl.truststore.certificates' needs an SSL 'properties.security.protocol' (it is SASL_PLAINTEXT)",
    );
    expect(problems({ ...base, 'properties.security.protocol': 'SASL_SSL' })[0]![1]).toContain("needs 'properties.sasl.mechanism' (Kafka's default, GSSAPI/Kerberos, is not supported)");
    expect(problems({ ...base, 'properties.security.protocol': 'SASL_SSL', 'properties.sasl.mechanism': 'OAUTHBEARER' })[0]![1]).toBe("'properties.sasl.mechanism' 'OAUTHBEARER' is not supported");
    expect(problems({ ...base, 'properties.security.protocol': 'TLS' })[0]![1]).toContain('must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL');
  });

  it('never shows the password of a bad sasl.jaas.config in its message', () => {
    const sasl = { ...base, 'properties.security.protocol': 'SASL_SSL', 'properties.sasl.mechanism': 'SCRAM-SHA-256' };
    for (const jaas of [plainJaas, `org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="${SECRET}"`]) {
      const found = problems({ ...sasl, 'properties.sasl.jaas.config': jaas });
      expect(found).toHaveLength(1);
      expect(found[0]![0]).toBe('properties.sasl.jaas.config');
      expect(JSON.stringify(found)).not.toContain('s3cr3t');
    }
    expect(problems({ ...sasl, 'properties.sasl.jaas.config': plainJaas })[0]![1]).toContain('needs org.apache.kafka.common.security.scram.ScramLoginModule');
  });

  it('refuses every other property, naming the supported ones or why it does not apply', () => {
    const [unknown] = problems({ ...base, 'properties.compression.type': 'gzip' });
    expect(unknown![1]).toBe("Kafka client property 'properties.compression.type' is not supported by Eddy's Kafka client");
    expect(unknown![2]).toContain('properties.security.protocol');
    expect(unknown![2]).toContain('properties.transaction.timeout.ms');
    const [session] = problems({ ...base, 'properties.session.timeout.ms': '45000' });
    expect(session![1]).toContain('never joins the consumer group');
    expect(problems({ ...base, 'properties.request.timeout.ms': '10s' })[0]![1]).toBe("'properties.request.timeout.ms' must be a whole number of milliseconds, not '10s'");
    expect(problems({ ...base, 'properties.commit.offsets.on.checkpoint': 'yes' })[0]![1]).toContain("must be 'true' or 'false'");
  });

  it('SHOW CREATE TABLE masks sasl.jaas.config, ssl.keystore.key and ssl.key.password, and nothing else', async () => {
    const eddy = new Eddy();
    try {
      const ddl = `CREATE TABLE k (id INT) WITH (
  'connector' = 'kafka', 'topic' = 'o''neil', 'properties.bootstrap.servers' = '127.0.0.1:9092', 'format' = 'json',
  'properties.security.protocol' = 'SASL_SSL', 'properties.sasl.mechanism' = 'PLAIN',
  'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="pw''s3cr3t";',
  'properties.ssl.keystore.certificate.chain' = 'CHAIN', 'properties.ssl.keystore.key' = 'PRIVATE-KEY-s3cr3t', 'properties.ssl.key.password' = 's3cr3t-2'
)`;
      await eddy.execute(ddl);
      const shown = await eddy.execute('SHOW CREATE TABLE k');
      if (shown.kind !== 'table') throw new Error(`expected a table, got ${shown.kind}`);
      const text = shown.table.rows[0]![0]!;
      expect(text).not.toContain('s3cr3t');
      expect(text).toBe(
        ddl
          .replace(/'properties.sasl.jaas.config' = '.*";'/, "'properties.sasl.jaas.config' = '******'")
          .replace("'PRIVATE-KEY-s3cr3t'", "'******'")
          .replace("'s3cr3t-2'", "'******'") + ';',
      );
      expect(text).toContain("'topic' = 'o''neil'");
      expect(text).toContain("'properties.ssl.keystore.certificate.chain' = 'CHAIN'");
    } finally {
      await eddy.close();
    }
  });

  it('reconnect backoff: defaults 1 s doubling to 30 s, or the properties', () => {
    expect(reconnectBackoff(base)).toEqual({ initialMs: 1000, maxMs: 30_000 });
    expect(reconnectBackoff({ ...base, 'properties.reconnect.backoff.ms': '200', 'properties.reconnect.backoff.max.ms': '800' })).toEqual({ initialMs: 200, maxMs: 800 });
  });
});

describe('kafka topic-pattern and partition discovery', () => {
  const { topic: _t, ...noTopic } = base;

  it('takes topic or topic-pattern, not both; the pattern matches whole names', () => {
    expect(problems({ ...noTopic, 'topic-pattern': 'rides-.*' })).toEqual([]);
    expect(problems({ ...base, 'topic-pattern': 'rides-.*' })[0]!.slice(0, 2)).toEqual(['topic-pattern', "Options 'topic' and 'topic-pattern' exclude each other, as in Flink"]);
    expect(problems({ ...noTopic, 'topic-pattern': 'rides-(' })[0]![1]).toBe("Option 'topic-pattern' is not a valid regular expression: 'rides-('");
    const pattern = topicPattern({ 'topic-pattern': 'rides-[0-9]+' })!;
    expect(['rides-1', 'rides-22', 'rides-1x', 'xrides-1', 'rides-'].filter((t) => pattern.test(t))).toEqual(['rides-1', 'rides-22']);
    expect(problems({ ...noTopic, 'topic-pattern': 'r.*', 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:1' })[0]![1]).toContain(
      "'topic-pattern' may match several",
    );
  });

  it("discovers every 5 min by default, as Flink; '0' disables; bounded reads do not discover", () => {
    expect(discoveryIntervalMs(base)).toBe(300_000);
    expect(discoveryIntervalMs({ ...base, 'scan.topic-partition-discovery.interval': '10 s' })).toBe(10_000);
    expect(discoveryIntervalMs({ ...base, 'scan.topic-partition-discovery.interval': '0' })).toBeUndefined();
    expect(discoveryIntervalMs({ ...base, 'scan.bounded.mode': 'latest-offset', 'scan.topic-partition-discovery.interval': '10 s' })).toBeUndefined();
    expect(problems({ ...base, 'scan.topic-partition-discovery.interval': 'often' })[0]![0]).toBe('scan.topic-partition-discovery.interval');
  });
});
