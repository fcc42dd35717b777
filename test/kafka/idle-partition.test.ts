// `scan.watermark.idle-timeout` on the kafka source against the real broker: one of three partitions stops
// receiving records; a TUMBLE window job over the unbounded topic closes its windows with the idle timeout, and
// without it they wait for the quiet partition. Expected windows are counted from what the test produced.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord, KafkaProducer } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';

let client: KafkaClient;
let admin: KafkaAdmin;
let producer: KafkaProducer;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-idle-test' });
  admin = await client.admin();
  producer = await client.producer({ idempotent: true });
});

afterAll(async () => {
  await producer?.close();
  await admin?.close();
});

const BASE = Date.UTC(2024, 0, 1);
const SECOND = 1000;

/** An event at `BASE + at` ms on `partition`. */
function event(topic: string, partition: number, id: number, at: number): KafkaOutgoingRecord {
  return { topic, partition, key: null, value: JSON.stringify({ id, ts: new Date(BASE + at).toISOString().replace('T', ' ').slice(0, 23) }) };
}

interface Window {
  readonly start: string;
  readonly n: number;
}

/**
 * Runs `SELECT window_start, COUNT(*)` over 1-second tumbling windows of an unbounded kafka source and returns
 * the windows emitted so far (the query keeps running until `stop`).
 */
async function startWindows(topic: string, idleTimeout: string | undefined): Promise<{ windows: Window[]; stop: () => Promise<void>; eddy: Eddy }> {
  const eddy = new Eddy();
  await executeAll(
    eddy,
    `CREATE TABLE events (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
       'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
       'format' = 'json', 'scan.startup.mode' = 'earliest-offset'
       ${idleTimeout !== undefined ? `, 'scan.watermark.idle-timeout' = '${idleTimeout}'` : ''});`,
  );
  const result = await eddy.execute(
    `SELECT CAST(window_start AS STRING) AS ws, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end`,
  );
  if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
  const windows: Window[] = [];
  result.query.onChanges((batch) => {
    for (const row of batch.rows) windows.push({ start: String(row[0]), n: Number(row[1]) });
  });
  return {
    windows,
    eddy,
    stop: async () => {
      await result.query.cancel();
      await eddy.close();
    },
  };
}

const windowStart = (second: number) => new Date(BASE + second * SECOND).toISOString().replace('T', ' ').slice(0, 23);

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

/**
 * Keeps partitions 0 and 1 busy: event k (ts = k * 100 ms) goes to partition k % 2, one every 100 ms of wall
 * time, so their event time runs at about real time. Returns the event times sent, and how to stop.
 */
function pump(topic: string): { sent: number[]; stop: () => Promise<void> } {
  const sent: number[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let k = 0; !stopped; k++) {
      await producer.send([event(topic, k % 2, k, k * 100)]);
      sent.push(k * 100);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    sent,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Events per 1-second window among `times` (ms after BASE), plus partition 2's two events of second 0. */
function countOf(times: readonly number[], second: number): number {
  return times.filter((t) => Math.floor(t / SECOND) === second).length + (second === 0 ? 2 : 0);
}

describe('kafka source: scan.watermark.idle-timeout', () => {
  // Partition 2 gets two events of second 0, then nothing; partitions 0 and 1 keep getting events (pump).
  async function quietPartitionTopic(prefix: string): Promise<string> {
    const topic = uniqueTopic(prefix);
    await admin.createTopic({ topic, partitions: 3 });
    await producer.send([event(topic, 2, -1, 100), event(topic, 2, -2, 200)]);
    return topic;
  }

  it('with the idle timeout, windows close and are emitted while the source stays unbounded', async () => {
    const topic = await quietPartitionTopic('idle-on');
    const job = await startWindows(topic, '2 s');
    const events = pump(topic);
    try {
      const closed = [0, 1, 2].map(windowStart);
      const done = await waitFor(() => closed.every((w) => job.windows.some((x) => x.start === w)), 60_000);
      expect(done, `windows so far: ${JSON.stringify(job.windows)}`).toBe(true);
      // Each window has every event of its second: partition 0's and 1's (sent in event-time order, so none is
      // late), and in the first one partition 2's two.
      for (const [i, w] of closed.entries()) expect(job.windows.find((x) => x.start === w)?.n, w).toBe(countOf(events.sent, i));
      expect(countOf(events.sent, 0)).toBe(12);
    } finally {
      await events.stop();
      await job.stop();
    }
  }, 120_000);

  it('without it, the windows wait for the quiet partition', async () => {
    const topic = await quietPartitionTopic('idle-off');
    const job = await startWindows(topic, undefined);
    const events = pump(topic);
    try {
      // Partition 2's watermark (second 0 + 200 ms) holds everything back: no window closes while the others
      // go on for many seconds of event time.
      expect(await waitFor(() => job.windows.length > 0, 10_000), `windows: ${JSON.stringify(job.windows)}`).toBe(false);
      expect(events.sent.length).toBeGreaterThan(40); // partitions 0 and 1 moved well past second 2 meanwhile
      // Once partition 2 moves on too, they close, with every event counted.
      await events.stop();
      const last = Math.floor(Math.max(...events.sent) / SECOND);
      const later = (last + 1) * SECOND + 500;
      await producer.send([0, 1, 2].map((partition) => event(topic, partition, -3 - partition, later)));
      const closed = Array.from({ length: last + 1 }, (_, i) => windowStart(i));
      expect(await waitFor(() => closed.every((w) => job.windows.some((x) => x.start === w)), 30_000)).toBe(true);
      expect(job.windows.map((w) => [w.start, w.n]).sort()).toEqual(closed.map((w, i) => [w, countOf(events.sent, i)]));
    } finally {
      await events.stop();
      await job.stop();
    }
  }, 120_000);
});
