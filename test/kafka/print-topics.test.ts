// SHOW TOPICS and PRINT 'topic' through the engine, against the real broker. Expected rows come from what the
// test itself produced (keys, values, partitions, offsets, timestamps), never from Eddy's output.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { Kafka, logLevel } from 'kafkajs';
import { Eddy, EddyError } from '../../src/index.js';
import { resultQuery as query, resultTable as table } from '../e2e/helpers.js';
import { kafkaBootstrap, produceRecords, uniqueTopic } from './broker.js';

let client: KafkaClient;
let admin: KafkaAdmin;
const sessions: Eddy[] = [];

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-print-test' });
  admin = await client.admin();
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((e) => e.close()));
});

afterAll(async () => {
  await admin?.close();
});

/** A session whose SHOW TOPICS / PRINT talk to the test broker through the setting. */
async function session(withSetting = true): Promise<Eddy> {
  const eddy = new Eddy();
  sessions.push(eddy);
  if (withSetting) await eddy.execute(`SET 'kafka.bootstrap-servers' = '${kafkaBootstrap()}'`);
  return eddy;
}

const produce = (records: KafkaOutgoingRecord[]) => produceRecords(client, records);

/** A PRINT row: [rowtime, key, value, partition, offset, error]. */
type PrintRow = [number, string | null, string | null, number, number, string | null];

/** Runs a PRINT with a LIMIT to its end and returns its rows. */
async function printed(eddy: Eddy, sql: string): Promise<PrintRow[]> {
  const q = query(await eddy.execute(sql));
  const batches = await withTimeout(q.collect(), 60_000, sql);
  return batches.flatMap((b) => b.rows) as PrintRow[];
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no end after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Record timestamps a minute ago, whole seconds (plus 10 ms in the run test): the broker deletes records older
 * than its retention (7 days) by their timestamps, so fixed dates in the past would vanish under the test.
 */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const byPosition = (a: PrintRow, b: PrintRow) => a[3] - b[3] || a[4] - b[4];

describe('SHOW TOPICS', () => {
  it('lists the created topics sorted, with their partitions and replicas, and hides internal topics', async () => {
    const prefix = uniqueTopic('show');
    const topics = [
      { topic: `${prefix}-b`, partitions: 3 },
      { topic: `${prefix}-a`, partitions: 1 },
      { topic: `${prefix}-c`, partitions: 2 },
    ];
    for (const t of topics) await admin.createTopic(t);
    // A committed group offset makes sure __consumer_offsets exists.
    const consumer = await client.consumer({ isolationLevel: 'read_uncommitted', groupId: `${prefix}-group` });
    await consumer.assign([{ topic: `${prefix}-a`, partition: 0, offset: 0n }]);
    await consumer.commit([{ topic: `${prefix}-a`, partition: 0, offset: 0n }]);
    await consumer.close();

    const eddy = await session();
    const shown = table(await eddy.execute('SHOW TOPICS'));
    expect(shown.columns).toEqual(['kafka topic', 'partitions', 'replicas']);
    const names = shown.rows.map((r) => r[0]!);
    expect(names).toEqual([...names].sort());
    expect(shown.rows.filter((r) => r[0]!.startsWith(prefix))).toEqual([
      [`${prefix}-a`, '1', '1'],
      [`${prefix}-b`, '3', '1'],
      [`${prefix}-c`, '2', '1'],
    ]);
    expect(names.filter((n) => n.startsWith('__'))).toEqual([]);
    expect(shown.footer).toEqual([`Kafka at ${kafkaBootstrap()} (setting 'kafka.bootstrap-servers').`]);

    const all = table(await eddy.execute('SHOW ALL TOPICS'));
    const allNames = all.rows.map((r) => r[0]!);
    expect(allNames).toContain('__consumer_offsets');
    expect(allNames.filter((n) => !n.startsWith('__'))).toEqual(names.filter((n) => allNames.includes(n)));
    expect(all.rows.find((r) => r[0] === '__consumer_offsets')![1]).toMatch(/^[1-9]\d*$/);
  });

  it("uses the cluster of the session's kafka tables when the setting is not set", async () => {
    const topic = uniqueTopic('show-table');
    await admin.createTopic({ topic, partitions: 2 });
    const eddy = await session(false);
    // Without a table naming the cluster, SHOW TOPICS lists the session's embedded log (empty).
    const none = table(await eddy.execute('SHOW TOPICS'));
    expect(none.rows).toEqual([]);
    expect(none.footer![0]).toMatch(/^Embedded log .*topics\.db \(no Kafka cluster configured\)\.$/);
    await eddy.execute(`CREATE TABLE t (v STRING) WITH ('connector' = 'kafka', 'topic' = 'other', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json')`);
    const shown = table(await eddy.execute('SHOW TOPICS'));
    expect(shown.rows.find((r) => r[0] === topic)).toEqual([topic, '2', '1']);
    expect(shown.footer).toEqual([`Kafka at ${kafkaBootstrap()} (table t).`]);
  });

  it('EXTENDED counts the consumer groups reading each topic and their assigned members', async () => {
    const prefix = uniqueTopic('show-ext');
    const [read, committed, idle] = [`${prefix}-read`, `${prefix}-committed`, `${prefix}-idle`];
    for (const topic of [read, committed, idle]) await admin.createTopic({ topic, partitions: 2 });
    // A group with one member subscribed to `read` (kafkajs's own group consumer, not Eddy's adapter).
    const kafka = new Kafka({ brokers: [kafkaBootstrap()], logLevel: logLevel.NOTHING });
    const member = kafka.consumer({ groupId: `${prefix}-members` });
    let joined = false;
    member.on(member.events.GROUP_JOIN, () => (joined = true));
    await member.connect();
    await member.subscribe({ topics: [read] });
    await member.run({ eachMessage: async () => {} });
    try {
      const deadline = Date.now() + 60_000;
      while (!joined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(joined).toBe(true);
      // Two groups that only committed offsets (as Eddy's sources do): one on `read` too, one on `committed`.
      for (const [group, topic] of [[`${prefix}-c1`, read], [`${prefix}-c2`, committed]] as const) {
        const c = await client.consumer({ isolationLevel: 'read_uncommitted', groupId: group });
        await c.assign([{ topic, partition: 0, offset: 0n }]);
        await c.commit([{ topic, partition: 0, offset: 0n }]);
        await c.close();
      }
      const eddy = await session();
      const shown = table(await eddy.execute('SHOW TOPICS EXTENDED'));
      expect(shown.columns).toEqual(['kafka topic', 'partitions', 'replicas', 'consumers', 'consumer groups']);
      expect(shown.rows.filter((r) => r[0]!.startsWith(prefix))).toEqual([
        [committed, '2', '1', '0', '1'],
        [idle, '2', '1', '0', '0'],
        [read, '2', '1', '1', '2'],
      ]);
    } finally {
      await member.disconnect();
    }
  });

  it('reports a broker that is not there with its address', async () => {
    const eddy = await session(false);
    await eddy.execute("SET 'kafka.bootstrap-servers' = '127.0.0.1:1'");
    const err = await eddy.execute('SHOW TOPICS').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe('EDDY-R004');
    expect((err as EddyError).message).toContain("Kafka at 127.0.0.1:1 (setting 'kafka.bootstrap-servers')");
  });
});

describe('PRINT', () => {
  it('FROM BEGINNING LIMIT 5 prints exactly the 5 records of a 3-partition topic: keys and values as text, binary as hex', async () => {
    const topic = uniqueTopic('print-begin');
    await admin.createTopic({ topic, partitions: 3 });
    const records: KafkaOutgoingRecord[] = [
      { topic, partition: 0, key: 'k0', value: '{"a":1}', timestamp: BASE },
      { topic, partition: 1, key: 'k1', value: 'plain text', timestamp: BASE + 1 },
      { topic, partition: 2, key: null, value: Buffer.from([0, 1, 2, 0xff]), timestamp: BASE + 2 },
      { topic, partition: 0, key: Buffer.from([0xc3, 0x28]), value: 'ünïcödé', timestamp: BASE + 3 },
      { topic, partition: 1, key: 'k4', value: null, timestamp: BASE + 4 },
    ];
    await produce(records);
    const eddy = await session();
    const rows = await printed(eddy, `PRINT '${topic}' FROM BEGINNING LIMIT 5`);
    expect(rows.sort(byPosition)).toEqual([
      [BASE, 'k0', '{"a":1}', 0, 0, null],
      [BASE + 3, '0xc328', 'ünïcödé', 0, 1, null],
      [BASE + 1, 'k1', 'plain text', 1, 0, null],
      [BASE + 4, 'k4', null, 1, 1, null],
      [BASE + 2, null, '0x000102ff', 2, 0, null],
    ]);
  });

  it('decodes values with the format of a table that declares the topic, and says why one cannot be', async () => {
    const topic = uniqueTopic('print-declared');
    await admin.createTopic({ topic, partitions: 1 });
    await produce([
      { topic, partition: 0, key: 'a', value: '{"name":"ann","id":1,"extra":true}', timestamp: BASE },
      { topic, partition: 0, key: 'b', value: 'not json', timestamp: BASE + 1 },
      { topic, partition: 0, key: 'c', value: '{"id":3}', timestamp: BASE + 2 },
    ]);
    const eddy = await session(false);
    await eddy.execute(`CREATE TABLE people (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json')`);
    const result = await eddy.execute(`PRINT '${topic}' FROM BEGINNING LIMIT 3`);
    if (result.kind !== 'query') throw new Error('expected a query');
    expect(result.notes).toEqual([
      `Topic '${topic}' (1 partition) at ${kafkaBootstrap()} (table people), from the beginning, at most 3 records.`,
      'Key format: not decoded (shown as UTF-8 text, or as 0x-prefixed hex when it is not text)',
      'Value format: JSON (declared by table people; decoded to its columns, shown as JSON)',
    ]);
    const rows = (await withTimeout(result.query.collect(), 60_000, 'PRINT')).flatMap((b) => b.rows) as PrintRow[];
    expect(rows.map((r) => r.slice(1, 3))).toEqual([
      ['a', JSON.stringify({ id: 1, name: 'ann' })],
      ['b', 'not json'],
      ['c', JSON.stringify({ id: 3, name: null })],
    ]);
    expect(rows.map((r) => r[5] === null)).toEqual([true, false, true]);
    expect(rows[1]![5]).toMatch(/^not json for table people: /);
  });

  it('INTERVAL 3 prints every third record', async () => {
    const topic = uniqueTopic('print-interval');
    await admin.createTopic({ topic, partitions: 1 });
    await produce(Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, key: null, value: `v${i}`, timestamp: BASE + i })));
    const eddy = await session();
    const rows = await printed(eddy, `PRINT '${topic}' FROM BEGINNING INTERVAL 3 LIMIT 4`);
    expect(rows.map((r) => [r[2], r[4]])).toEqual([
      ['v0', 0],
      ['v3', 3],
      ['v6', 6],
      ['v9', 9],
    ]);
  });

  it('without FROM BEGINNING prints only records produced after it started', async () => {
    const topic = uniqueTopic('print-latest');
    await admin.createTopic({ topic, partitions: 2 });
    await produce([0, 1, 2].map((i) => ({ topic, partition: i % 2, key: null, value: `old${i}`, timestamp: BASE + i })));
    const eddy = await session();
    const q = query(await eddy.execute(`PRINT '${topic}' LIMIT 2`));
    const collected = q.collect();
    await produce([0, 1].map((i) => ({ topic, partition: i, key: null, value: `new${i}`, timestamp: BASE + 10 + i })));
    const rows = (await withTimeout(collected, 60_000, 'PRINT')).flatMap((b) => b.rows) as PrintRow[];
    expect(rows.map((r) => r[2]).sort()).toEqual(['new0', 'new1']);
  });

  it('runs until STOP JOB without LIMIT, listed by SHOW JOBS meanwhile, and ends cleanly', async () => {
    const topic = uniqueTopic('print-cancel');
    await admin.createTopic({ topic, partitions: 1 });
    await produce([{ topic, partition: 0, key: null, value: 'first', timestamp: BASE }]);
    const eddy = await session();
    const q = query(await eddy.execute(`PRINT '${topic}' FROM BEGINNING`));
    expect(q.bounded).toBe(false);
    const seen: unknown[][] = [];
    q.onChanges((b) => seen.push(...b.rows));
    const deadline = Date.now() + 30_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((r) => r[2])).toEqual(['first']);
    const jobs = table(await eddy.execute('SHOW JOBS'));
    expect(jobs.rows.some((r) => r[0] === q.id && r[2] === 'RUNNING')).toBe(true);
    expect(await eddy.execute(`STOP JOB '${q.id}'`)).toMatchObject({ kind: 'ok', message: `Query ${q.id} cancelled.` });
    await withTimeout(q.done, 10_000, 'cancel');
    expect(q.status).toBe('cancelled');
    expect(eddy.running()).toEqual([]);
  });

  it('refuses a topic that does not exist, at its name', async () => {
    const eddy = await session();
    const sql = `PRINT 'no-such-topic-${process.pid}' LIMIT 1`;
    const err = await eddy.execute(sql).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EddyError);
    const d = (err as EddyError).diagnostics[0]!;
    expect(d.message).toBe(`Kafka topic 'no-such-topic-${process.pid}' does not exist at ${kafkaBootstrap()} (setting 'kafka.bootstrap-servers')`);
    expect(sql.slice(d.span!.start, d.span!.end)).toBe(`'no-such-topic-${process.pid}'`);
    expect(eddy.running()).toEqual([]);
  });
});
