// ksqlDB's DDL and persistent queries against the real broker (the topics of ksqlDB streams and tables when
// `kafka.bootstrap-servers` is set): topic existence as ksqlDB checks it, INSERT VALUES with ROWTIME, CREATE STREAM
// AS SELECT as a persistent query CSAS_<NAME>_<n> writing its rows' ROWTIME as the record timestamps, DROP refused
// while a query uses the stream, DROP .. DELETE TOPIC.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { Eddy } from '../../src/index.js';
import { EddyError } from '../../src/common/errors.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { readTopic } from './topic-io.js';
import { tempDir } from '../e2e/helpers.js';

let client: KafkaClient;
let admin: KafkaAdmin;
let eddy: Eddy;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-ksql-test' });
  admin = await client.admin();
  eddy = new Eddy();
  eddy.settings.set('kafka.bootstrap-servers', kafkaBootstrap());
  eddy.settings.set('auto.offset.reset', 'earliest');
});

afterAll(async () => {
  await eddy?.close();
  await admin?.close();
});

async function errorOf(sql: string): Promise<string> {
  try {
    await eddy.execute(sql);
  } catch (err) {
    if (err instanceof EddyError) return err.diagnostics[0]!.message + (err.diagnostics[0]!.hint ? ` (${err.diagnostics[0]!.hint})` : '');
    throw err;
  }
  throw new Error(`no error: ${sql}`);
}

describe('ksqlDB streams on Kafka topics', () => {
  const orders = uniqueTopic('ksql-orders');
  const big = uniqueTopic('ksql-big');

  it('a missing topic is an error naming it; PARTITIONS creates it', async () => {
    const create = `CREATE STREAM orders (id VARCHAR KEY, amount INT) WITH (KAFKA_TOPIC='${orders}', KEY_FORMAT='JSON', VALUE_FORMAT='JSON'`;
    expect(await errorOf(`${create})`)).toContain(`Kafka topic does not exist: ${orders}`);
    const r = await eddy.execute(`${create}, PARTITIONS=2)`);
    expect(r.kind).toBe('ok');
    const [meta] = await admin.describeTopics([orders]);
    expect(meta!.partitions.length).toBe(2);
    expect(await errorOf(`${create}, PARTITIONS=3)`)).toContain('already exists');
    const d = await eddy.execute('DESCRIBE orders');
    expect(d.kind === 'table' && d.table.rows).toEqual([
      ['ID', 'VARCHAR(STRING)  (key)'],
      ['AMOUNT', 'INTEGER'],
    ]);
  });

  it('INSERT VALUES writes records, ROWTIME as their timestamp', async () => {
    for (const sql of ["INSERT INTO orders (id, amount, ROWTIME) VALUES ('a', 5, 1000)", "INSERT INTO orders (id, amount, ROWTIME) VALUES ('b', 20, 2000)", "INSERT INTO orders (ROWTIME, id, amount) VALUES (3000, 'c', 30)"]) {
      const r = await eddy.execute(sql);
      if (r.kind !== 'job') throw new Error(r.kind);
      await r.job.done;
    }
    const records = await readTopic(client, orders, 3);
    const seen = records.map((rec) => [rec.key?.toString('utf8'), rec.value?.toString('utf8'), Number(rec.timestamp)]).sort((x, y) => x[2] as number - (y[2] as number));
    expect(seen).toEqual([
      ['{"ID":"a"}', '{"AMOUNT":5}', 1000],
      ['{"ID":"b"}', '{"AMOUNT":20}', 2000],
      ['{"ID":"c"}', '{"AMOUNT":30}', 3000],
    ]);
  });

  it('CREATE STREAM AS SELECT runs CSAS_<NAME>_<n>, keeps ROWTIME, and DROP waits for TERMINATE', async () => {
    const r = await eddy.execute(`CREATE STREAM big WITH (KAFKA_TOPIC='${big}') AS SELECT id, amount * 2 AS doubled FROM orders WHERE amount > 10 EMIT CHANGES`);
    if (r.kind !== 'job') throw new Error(r.kind);
    expect(r.job.id).toBe('CSAS_BIG_1');
    const records = await readTopic(client, big, 2);
    const seen = records.map((rec) => [rec.key?.toString('utf8'), rec.value?.toString('utf8'), Number(rec.timestamp)]).sort((x, y) => x[2] as number - (y[2] as number));
    // The source's formats and key column carry over; the timestamps are the input rows' ROWTIME.
    expect(seen).toEqual([
      ['{"ID":"b"}', '{"DOUBLED":40}', 2000],
      ['{"ID":"c"}', '{"DOUBLED":60}', 3000],
    ]);
    const [meta] = await admin.describeTopics([big]);
    expect(meta!.partitions.length).toBe(2); // the source's partition count
    const big2 = eddy.catalog.find('BIG');
    expect(big2?.kind === 'table' && big2.ksql).toMatchObject({ objectType: 'STREAM', topic: big, keyColumns: ['ID'], queryId: 'CSAS_BIG_1' });
    expect(await errorOf('DROP STREAM orders')).toBe('Cannot drop orders: the following queries read from or write to it: CSAS_BIG_1 (TERMINATE CSAS_BIG_1 first)');
    await r.job.cancel();
    await r.job.done.catch(() => {});
    expect((await eddy.execute('DROP STREAM big DELETE TOPIC')).kind).toBe('ok');
    expect(await admin.listTopics()).not.toContain(big);
    expect(eddy.catalog.find('BIG')).toBeUndefined();
    expect((await eddy.execute('DROP STREAM IF EXISTS big')).kind).toBe('ok');
    expect((await eddy.execute('DROP STREAM orders')).kind).toBe('ok');
    expect(await admin.listTopics()).toContain(orders);
  });
});

describe('ksqlDB CREATE TABLE AS SELECT', () => {
  const payments = uniqueTopic('ksql-payments');
  const totals = uniqueTopic('ksql-totals');

  it('writes the table to its topic, keyed by the GROUP BY columns, and answers pull queries', async () => {
    await eddy.execute(`CREATE STREAM payments (id VARCHAR KEY, amount INT) WITH (KAFKA_TOPIC='${payments}', KEY_FORMAT='JSON', VALUE_FORMAT='JSON', PARTITIONS=1)`);
    const rows: [string, number, number][] = [['a', 5, 1000], ['b', 7, 1500], ['a', 10, 2000], ['b', 1, 2500], ['a', 100, 3000]];
    for (const [id, amount, ts] of rows) {
      const r = await eddy.execute(`INSERT INTO payments (id, amount, ROWTIME) VALUES ('${id}', ${amount}, ${ts})`);
      if (r.kind === 'job') await r.job.done;
    }
    const r = await eddy.execute(`CREATE TABLE totals WITH (KAFKA_TOPIC='${totals}') AS SELECT id, SUM(amount) AS total, COUNT(*) AS n FROM payments GROUP BY id EMIT CHANGES`);
    if (r.kind !== 'job') throw new Error(r.kind);
    expect(r.job.id).toBe('CTAS_TOTALS_2');
    // The topic's last record per key holds the final sums (hand-computed: a 5+10+100, b 7+1).
    const deadline = Date.now() + 60_000;
    let last = new Map<string, string>();
    while (Date.now() < deadline) {
      const records = await readTopic(client, totals, 1);
      last = new Map(records.map((rec) => [rec.key!.toString('utf8'), rec.value!.toString('utf8')]));
      if (last.get('{"ID":"a"}') === '{"TOTAL":115,"N":3}' && last.get('{"ID":"b"}') === '{"TOTAL":8,"N":2}') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(Object.fromEntries(last)).toEqual({ '{"ID":"a"}': '{"TOTAL":115,"N":3}', '{"ID":"b"}': '{"TOTAL":8,"N":2}' });
    // Pull query by key, read from the table's materialized view (it may lag the topic a little).
    let pulled: unknown[] = [];
    while (Date.now() < deadline) {
      const p = await eddy.execute("SELECT * FROM totals WHERE id = 'a'");
      if (p.kind !== 'rows') throw new Error(p.kind);
      pulled = p.result.rows.map((row) => [...row]);
      if (JSON.stringify(pulled) === JSON.stringify([['a', 115, 3]])) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(pulled).toEqual([['a', 115, 3]]);
    const p = await eddy.execute("SELECT * FROM totals WHERE id = 'a'");
    expect(p.kind === 'rows' && p.result.schema.map((f) => f.name)).toEqual(['ID', 'TOTAL', 'N']);
    await r.job.cancel();
    await r.job.done.catch(() => {});
    expect((await eddy.execute('DROP TABLE totals DELETE TOPIC')).kind).toBe('ok');
    expect(eddy.catalog.find('TOTALS$VIEW')).toBeUndefined();
    expect(await admin.listTopics()).not.toContain(totals);
  });
});

describe('ksqlDB statements in the durable catalog, and INSERT INTO .. SELECT', () => {
  const events = uniqueTopic('ksql-events');
  const copies = uniqueTopic('ksql-copies');

  it('a restored catalog lowers the kept CREATE STREAM to the same table; INSERT INTO a stream runs INSERTQUERY_<n>', async () => {
    const dir = tempDir('eddy-ksql-catalog-');
    const first = new Eddy({ stateDir: dir });
    first.settings.set('kafka.bootstrap-servers', kafkaBootstrap());
    await first.restoreCatalog();
    await first.execute(`CREATE STREAM events (id INT KEY, name STRING, ts BIGINT) WITH (KAFKA_TOPIC='${events}', KEY_FORMAT='JSON', VALUE_FORMAT='JSON', PARTITIONS=1, TIMESTAMP='ts')`);
    const before = first.catalog.find('events');
    await first.close();
    const second = new Eddy({ stateDir: dir });
    second.settings.set('kafka.bootstrap-servers', kafkaBootstrap());
    second.settings.set('auto.offset.reset', 'earliest');
    try {
      const restored = await second.restoreCatalog();
      expect(restored.failed).toEqual([]);
      const after = second.catalog.find('events');
      expect(after).toEqual(before);
      await second.execute(`CREATE STREAM copies (id INT KEY, name STRING, ts BIGINT) WITH (KAFKA_TOPIC='${copies}', KEY_FORMAT='JSON', VALUE_FORMAT='JSON', PARTITIONS=1)`);
      const v = await second.execute("INSERT INTO events (id, name, ts) VALUES (1, 'x', 4242)");
      if (v.kind === 'job') await v.job.done;
      const q = await second.execute('INSERT INTO copies SELECT * FROM events');
      if (q.kind !== 'job') throw new Error(q.kind);
      expect(q.job.id).toBe('INSERTQUERY_1');
      const records = await readTopic(client, copies, 1);
      // ROWTIME of `events` is its TIMESTAMP column: the copy's record timestamp.
      expect(records.map((rec) => [rec.key!.toString('utf8'), rec.value!.toString('utf8'), Number(rec.timestamp)])).toEqual([['{"ID":1}', '{"NAME":"x","TS":4242}', 4242]]);
      await q.job.cancel();
    } finally {
      await second.close();
    }
  });
});

describe('ksqlDB persistent queries in a script, in the job thread', () => {
  const src = uniqueTopic('ksql-src');
  const out = uniqueTopic('ksql-out');

  it('consecutive INSERTs into a stream are persistent queries of their own; CSAS runs in the job thread', async () => {
    const threaded = new Eddy({ jobThread: true });
    threaded.settings.set('kafka.bootstrap-servers', kafkaBootstrap());
    threaded.settings.set('auto.offset.reset', 'earliest');
    try {
      const results = [];
      for await (const r of threaded.executeScript(`
        CREATE STREAM src (k VARCHAR KEY, v INT) WITH (KAFKA_TOPIC='${src}', KEY_FORMAT='JSON', VALUE_FORMAT='JSON', PARTITIONS=1);
        CREATE STREAM out (k VARCHAR KEY, v INT) WITH (KAFKA_TOPIC='${out}', KEY_FORMAT='JSON', VALUE_FORMAT='JSON', PARTITIONS=1);
        INSERT INTO src (k, v, ROWTIME) VALUES ('x', 1, 10);
        INSERT INTO out SELECT k, v FROM src WHERE v > 0;
        INSERT INTO out SELECT k, v + 100 AS v FROM src;
        CREATE STREAM doubled AS SELECT k, v * 2 AS v2 FROM src;
      `)) {
        results.push(r);
        if (r.kind === 'job' && r.job.id.startsWith('job-')) await r.job.done; // the INSERT VALUES
      }
      const ids = results.filter((r) => r.kind === 'job').map((r) => (r.kind === 'job' ? r.job.id : ''));
      expect(ids.slice(1)).toEqual(['INSERTQUERY_1', 'INSERTQUERY_2', 'CSAS_DOUBLED_3']);
      const records = await readTopic(client, out, 2);
      const written = records.map((rec) => [rec.value!.toString('utf8'), Number(rec.timestamp)]);
      expect(written).toHaveLength(2);
      expect(written).toContainEqual(['{"V":1}', 10]);
      expect(written).toContainEqual(['{"V":101}', 10]);
      const doubled = await readTopic(client, 'DOUBLED', 1);
      expect(doubled.map((rec) => [rec.key!.toString('utf8'), rec.value!.toString('utf8'), Number(rec.timestamp)])).toEqual([['{"K":"x"}', '{"V2":2}', 10]]);
    } finally {
      await threaded.close();
      await admin.deleteTopics(['DOUBLED']).catch(() => {});
    }
  });
});
