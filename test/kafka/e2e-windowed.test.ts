// End to end through a real `eddy run` process and the real broker: JSON events with event-time timestamps (several
// keys, out of order within the watermark delay, spread over 3 partitions so each key's events interleave across
// partitions) -> TUMBLE, HOP and SESSION window aggregates over a bounded kafka source -> kafka sink topics -> read
// back by a read_committed consumer and compared, as multisets, with the same windows computed here in plain loops.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { runEddy, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { batchSessions, batchWindows, createEventTopic, DELAY, eventRecords, generateEvents, type Ev } from './events.js';
import { jsonValues, multiset, produceAll, readCommitted } from './run-helpers.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-e2e-windowed' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

const KEYS = ['ann', 'bob', 'cy', 'dee', 'eve'];

describe('a windowed eddy run job from Kafka to Kafka', () => {
  it('writes the TUMBLE, HOP and SESSION windows of the batch computation, once each', async () => {
    const input = uniqueTopic('e2e-win-in');
    const outputs = { tumble: uniqueTopic('e2e-win-tumble'), hop: uniqueTopic('e2e-win-hop'), session: uniqueTopic('e2e-win-session') };
    await createEventTopic(admin, input, 3);
    for (const topic of Object.values(outputs)) await admin.createTopic({ topic, partitions: 3 });

    const events = generateEvents(2024, 6000, KEYS);
    await produceAll(client, eventRecords(input, events, 3));

    const dir = tempDir('eddy-kafka-e2e-win-');
    const connection = `'connector' = 'kafka', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json'`;
    const sink = (topic: string) => `(k STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), c BIGINT, s BIGINT, mx INT) WITH (
         ${connection}, 'topic' = '${topic}', 'key.format' = 'json', 'key.fields' = 'k')`;
    const ddl = join(dir, 'tables.sql');
    writeFileSync(
      ddl,
      `CREATE TABLE events (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '${DELAY / 1000}' SECOND) WITH (
         ${connection}, 'topic' = '${input}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
       CREATE TABLE per_minute ${sink(outputs.tumble)};
       CREATE TABLE sliding ${sink(outputs.hop)};
       CREATE TABLE sessions ${sink(outputs.session)};`,
    );
    const script = join(dir, 'job.sql');
    const aggs = 'COUNT(*), SUM(v), MAX(v)';
    writeFileSync(
      script,
      `INSERT INTO per_minute SELECT k, window_start, window_end, ${aggs}
         FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, k;
       INSERT INTO sliding SELECT k, window_start, window_end, ${aggs}
         FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '2' MINUTE)) GROUP BY window_start, window_end, k;
       INSERT INTO sessions SELECT k, window_start, window_end, ${aggs}
         FROM TABLE(SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k;`,
    );

    const r = await runEddy(['run', script, '-i', ddl]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    // Each of the three jobs read every event and dropped none as late.
    const expected = { tumble: batchWindows(events, 60_000, 60_000), hop: batchWindows(events, 30_000, 120_000), session: batchSessions(events, 10_000) };
    // The data really has several windows per key, and sessions that the pauses ended.
    expect(expected.tumble.length).toBeGreaterThan(KEYS.length * 20);
    expect(expected.session.length).toBeGreaterThan(KEYS.length * 5);
    // The three INSERTs run as one job (a statement set) that read every event once, and dropped none as late.
    const written = expected.tumble.length + expected.hop.length + expected.session.length;
    expect(r.stderr).toMatch(new RegExp(`Job finished \\(INSERT INTO per_minute .*\\): 6,000 rows in, ${written.toLocaleString('en-US')} rows out, 0 late rows dropped, 0 bad rows skipped\\.`));
    for (const kind of ['tumble', 'hop', 'session'] as const) {
      const records = await readCommitted(client, admin, outputs[kind], expected[kind].length);
      expect(multiset(jsonValues(records)), kind).toEqual(multiset(expected[kind]));
      // The message key is the key field, as key.fields says.
      for (const rec of records) expect(JSON.parse(rec.key!.toString('utf8'))).toEqual({ k: (JSON.parse(rec.value!.toString('utf8')) as Ev).k });
    }
  }, 120_000);
});
