// Broker trouble and SASL against a second, real broker this file starts (scripts/kafka.mjs start --sasl) on a port
// chosen up front: a job whose source points at that port before anything listens there shows
// `retrying: Kafka broker 127.0.0.1:<port> unreachable (attempt n, next in s)` in SHOW JOBS and DESCRIBE JOB, and reads
// every record, once, when the broker appears. Then the source logs in over the broker's SASL_PLAINTEXT listener with
// PLAIN and SCRAM (Java's sasl.jaas.config), and a wrong password fails at once, without the password in the error.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { Eddy } from '../../src/engine/eddy.js';
import type { StatementResult } from '../../src/engine/eddy.js';
import { KafkaFencedError } from '../../src/connectors/kafka/client.js';
import { kafkaClientConfig } from '../../src/connectors/kafka/options.js';
import { executeAll, failureOf, runQuery } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';

const run = promisify(execFile);
const script = resolve(import.meta.dirname, '../../scripts/kafka.mjs');
const dir = mkdtempSync(join(tmpdir(), 'eddy-kafka-trouble-'));
let port = 0;
let started = false;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => done(p));
    });
  });
}

async function startBroker(): Promise<{ bootstrap: string; sasl: string }> {
  const { stdout } = await run(process.execPath, [script, 'start', '--dir', dir, '--port', String(port), '--sasl', '--timeout', '150'], { maxBuffer: 1 << 20 });
  started = true;
  return { bootstrap: stdout.trim(), sasl: readFileSync(join(dir, 'sasl-bootstrap.txt'), 'utf8').trim() };
}

beforeAll(async () => {
  port = await freePort();
});

afterAll(async () => {
  if (started) await run(process.execPath, [script, 'stop', '--dir', dir]).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return condition();
}

function tableOf(result: StatementResult): { columns: readonly string[]; rows: readonly (readonly string[])[] } {
  if (result.kind !== 'table') throw new Error(`expected a table, got ${result.kind}`);
  return result.table;
}

describe('a broker that is not there yet', () => {
  let broker: { bootstrap: string; sasl: string };
  let client: KafkaClient | undefined;
  let admin: KafkaAdmin | undefined;

  afterAll(async () => {
    await admin?.close();
  });

  it('shows the retrying status, then reads every record once the broker appears on that port', async () => {
    const eddy = new Eddy();
    try {
      await executeAll(
        eddy,
        `CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic-pattern' = 'trouble-.*', 'properties.bootstrap.servers' = '127.0.0.1:${port}',
           'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.topic-partition-discovery.interval' = '1 s',
           'properties.reconnect.backoff.ms' = '500', 'properties.reconnect.backoff.max.ms' = '2000');
         CREATE TABLE o (id INT) WITH ('connector' = 'blackhole');`,
      );
      const result = await eddy.execute('INSERT INTO o SELECT id FROM t');
      if (result.kind !== 'job') throw new Error(`expected a job, got ${result.kind}`);
      const job = result.job;
      const health = async (): Promise<string | undefined> => {
        const shown = tableOf(await eddy.execute('SHOW JOBS'));
        return shown.rows.find((r) => r[0] === job.id)?.[shown.columns.indexOf('health')];
      };
      const retrying = new RegExp(`^retrying: Kafka broker 127\\.0\\.0\\.1:${port} unreachable \\(attempt (\\d+), next in [0-2] s\\)$`);
      // A few attempts, with the waits growing (0.5 s, 1 s, 2 s, 2 s...): the attempt number climbs.
      expect(await waitFor(async () => Number(retrying.exec((await health()) ?? '')?.[1] ?? 0) >= 3, 90_000), `health: ${await health()}`).toBe(true);
      expect(job.status).toBe('running');
      const described = tableOf(await eddy.execute(`DESCRIBE JOB '${job.id}'`));
      expect(described.rows.find((r) => r[0] === 'health')?.[1]).toMatch(retrying);

      broker = await startBroker();
      expect(broker.bootstrap).toBe(`127.0.0.1:${port}`);
      client = createKafkajsClient({ bootstrapServers: [broker.bootstrap], clientId: 'eddy-trouble-test' });
      admin = await client.admin();
      await admin.createTopic({ topic: 'trouble-1', partitions: 2 });
      const producer = await client.producer({ idempotent: true });
      await producer.send(Array.from({ length: 50 }, (_, id) => ({ topic: 'trouble-1', partition: id % 2, key: null, value: JSON.stringify({ id }) })));
      await producer.close();
      expect(await waitFor(() => job.summary().rowsIn === 50, 60_000), `rows in: ${job.summary().rowsIn}, health: ${await health()}`).toBe(true);
      expect(await health()).toBe('');
      await new Promise((r) => setTimeout(r, 1000));
      expect(job.summary().rowsIn).toBe(50); // nothing twice
      await job.cancel();
    } finally {
      await eddy.close();
    }
  }, 240_000);

  describe('SASL over the SASL_PLAINTEXT listener', () => {
    const table = (mechanism: string, module: string, password: string) =>
      `CREATE TABLE s (id INT) WITH ('connector' = 'kafka', 'topic' = 'trouble-1', 'properties.bootstrap.servers' = '${broker.sasl}',
         'properties.security.protocol' = 'SASL_PLAINTEXT', 'properties.sasl.mechanism' = '${mechanism}',
         'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.${module} required username="eddy" password="${password}";',
         'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`;

    for (const [mechanism, module] of [
      ['PLAIN', 'plain.PlainLoginModule'],
      ['SCRAM-SHA-256', 'scram.ScramLoginModule'],
      ['SCRAM-SHA-512', 'scram.ScramLoginModule'],
    ] as const) {
      it(`reads the topic logged in with ${mechanism}`, async () => {
        expect(broker, 'the broker of the test before').toBeDefined();
        const eddy = new Eddy();
        try {
          await executeAll(eddy, `${table(mechanism, module, 'eddy-secret')};`);
          const { changes } = await runQuery(eddy, 'SELECT id FROM s');
          expect(changes.map((c) => c.row[0] as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        } finally {
          await eddy.close();
        }
      }, 60_000);
    }

    it('a wrong password fails at once (no retries), and the error does not show it', async () => {
      expect(broker, 'the broker of the test before').toBeDefined();
      const eddy = new Eddy();
      try {
        await executeAll(eddy, `${table('PLAIN', 'plain.PlainLoginModule', 'not-the-pw-123')};`);
        const started = Date.now();
        const error = await failureOf(eddy, 'SELECT id FROM s');
        expect(Date.now() - started).toBeLessThan(20_000);
        expect(error.message).toContain('SASL PLAIN authentication failed');
        expect(error.render()).not.toContain('not-the-pw-123');
      } finally {
        await eddy.close();
      }
    }, 60_000);
  });
});

describe('a transaction that outlives transaction.timeout.ms', () => {
  it("is aborted by the broker; the producer's next step fails saying so, and nothing of it is visible", async () => {
    // The property as a table gives it, through the connector's mapping to the client configuration.
    const config = kafkaClientConfig({ 'properties.bootstrap.servers': kafkaBootstrap(), 'properties.transaction.timeout.ms': '1000' });
    expect(config.transactionTimeoutMs).toBe(1000);
    const client = createKafkajsClient(config);
    const admin = await client.admin();
    const topic = uniqueTopic('txn-timeout');
    try {
      await admin.createTopic({ topic, partitions: 1 });
      const producer = await client.producer({ transactionalId: uniqueTopic('txn-timeout-id') });
      await producer.beginTransaction();
      await producer.send([{ topic, key: null, value: 'never committed' }]);
      // The broker looks for timed-out transactions every 10 s (transaction.abort.timed.out.transaction.cleanup.interval.ms).
      await new Promise((r) => setTimeout(r, 13_000));
      const failure = await producer.commitTransaction().then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(KafkaFencedError);
      expect((failure as Error).message).toMatch(/^Kafka producer was fenced \((INVALID_PRODUCER_EPOCH|PRODUCER_FENCED)\): .*stayed open longer than transaction\.timeout\.ms and the broker aborted it$/);
      await producer.close().catch(() => {});
      const reader = await client.consumer({ isolationLevel: 'read_committed' });
      await reader.assign([{ topic, partition: 0, offset: 0n }]);
      const batches = await reader.fetch({ maxWaitMs: 1000 });
      expect(batches.flatMap((b) => b.records)).toEqual([]);
      await reader.close();
    } finally {
      await admin.close();
    }
  }, 60_000);
});
