// The changelog and binary formats against a real broker: debezium-json change events produced to a topic (keyed by
// the row id, over 2 partitions) aggregate, through the kafka source, to the answer of the table the changes leave,
// computed here; an updating query written to a topic as debezium-json reads back to the same answer; rows written
// with the avro format to a topic read back equal (and a record's bytes are checked against a hand encoding).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/index.js';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord, KafkaRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { tempDir } from '../e2e/helpers.js';
import { produce as produceTo, readTopic } from './topic-io.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { mulberry32 } from '../runtime/operators/stream-gen.js';

let client: KafkaClient;
let admin: KafkaAdmin;
const sessions: Eddy[] = [];

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-changelog-formats-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
});

const produce = (records: KafkaOutgoingRecord[]): Promise<void> => produceTo(client, records);
/** Every record of a topic, from the start to its end (read_committed). */
const readAll = (topic: string): Promise<KafkaRecord[]> => readTopic(client, topic);

interface Product {
  id: number;
  region: string;
  qty: number;
}

/** A random product table's change events (Debezium's shape), and the table they leave. */
function changelog(seed: number, n: number): { events: { id: number; event: object }[]; table: Map<number, Product> } {
  const rng = mulberry32(seed);
  const table = new Map<number, Product>();
  const events: { id: number; event: object }[] = [];
  const source = { connector: 'mysql', db: 'shop', table: 'products' };
  for (let i = 0; i < n; i++) {
    const id = Math.floor(rng() * 40);
    const before = table.get(id);
    const after: Product = { id, region: ['north', 'south', 'east'][Math.floor(rng() * 3)]!, qty: Math.floor(rng() * 100) };
    if (!before) {
      table.set(id, after);
      events.push({ id, event: { before: null, after, op: i < 10 ? 'r' : 'c', source, ts_ms: i } });
    } else if (rng() < 0.3) {
      table.delete(id);
      events.push({ id, event: { before, after: null, op: 'd', source, ts_ms: i } });
    } else {
      table.set(id, after);
      events.push({ id, event: { before, after, op: 'u', source, ts_ms: i } });
    }
  }
  return { events, table };
}

/** SUM(qty) and COUNT(*) per region of a table, sorted by region. */
function perRegion(table: Map<number, Product>): [string, number, number][] {
  const sums = new Map<string, [number, number]>();
  for (const p of table.values()) {
    const s = sums.get(p.region) ?? [0, 0];
    sums.set(p.region, [s[0] + p.qty, s[1] + 1]);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([r, [sum, n]]) => [r, sum, n]);
}

async function session(): Promise<Eddy> {
  const eddy = new Eddy();
  sessions.push(eddy);
  await eddy.execute("SET 'table.dml-sync' = 'true'");
  return eddy;
}

function kafkaTable(name: string, columns: string, topic: string, format: string, extra = ''): string {
  return `CREATE TABLE ${name} (${columns}) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
    'format' = '${format}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'${extra})`;
}

async function pull(eddy: Eddy, sql: string): Promise<readonly unknown[][]> {
  const r = await eddy.execute(sql);
  if (r.kind !== 'rows') throw new Error(`expected rows, got ${r.kind}`);
  return r.result.rows;
}

describe('changelog formats through Kafka', () => {
  it('aggregates debezium-json change events from a topic into the answer of the table they leave', async () => {
    const topic = uniqueTopic('debezium-in');
    await admin.createTopic({ topic, partitions: 2 });
    const { events, table } = changelog(17, 400);
    // Keyed by id: the changes of a row stay in order in one partition, as Debezium's are. A delete is followed by a tombstone.
    await produce(
      events.flatMap(({ id, event }) => {
        const key = JSON.stringify({ id });
        const record = { topic, key, value: JSON.stringify(event) };
        return (event as { op: string }).op === 'd' ? [record, { topic, key, value: null }] : [record];
      }),
    );
    const eddy = await session();
    const dir = tempDir();
    await eddy.execute(kafkaTable('products', 'id INT, region STRING, qty INT', topic, 'debezium-json'));
    await eddy.execute(`CREATE TABLE per_region (region STRING, total BIGINT, n BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'out.db')}', 'table-name' = 'per_region')`);
    await eddy.execute('INSERT INTO per_region SELECT region, SUM(qty), COUNT(*) FROM products GROUP BY region');
    const expected = perRegion(table);
    expect(expected.length).toBe(3);
    expect(await pull(eddy, 'SELECT region, total, n FROM per_region ORDER BY region')).toEqual(expected);
  }, 120_000);

  it('writes an updating query to a topic as debezium-json, which reads back to the same answer', async () => {
    const source = uniqueTopic('debezium-src');
    const sink = uniqueTopic('debezium-out');
    await admin.createTopic({ topic: source, partitions: 1 });
    await admin.createTopic({ topic: sink, partitions: 1 });
    const { events, table } = changelog(5, 150);
    await produce(events.map(({ event }) => ({ topic: source, key: null, value: JSON.stringify(event) })));
    const eddy = await session();
    const dir = tempDir();
    await eddy.execute(kafkaTable('products', 'id INT, region STRING, qty INT', source, 'debezium-json'));
    await eddy.execute(kafkaTable('totals', 'region STRING, total BIGINT, n BIGINT', sink, 'debezium-json'));
    await eddy.execute('INSERT INTO totals SELECT region, SUM(qty), COUNT(*) FROM products GROUP BY region');
    const written = (await readAll(sink)).map((r) => JSON.parse(r.value!.toString('utf8')) as { op: string });
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((e) => e.op === 'c' || e.op === 'd')).toBe(true);
    await eddy.execute(kafkaTable('totals_in', 'region STRING, total BIGINT, n BIGINT', sink, 'debezium-json'));
    await eddy.execute(`CREATE TABLE again (region STRING, total BIGINT, n BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'again.db')}', 'table-name' = 'again')`);
    await eddy.execute('INSERT INTO again SELECT region, SUM(total), SUM(n) FROM totals_in GROUP BY region');
    expect(await pull(eddy, 'SELECT region, total, n FROM again ORDER BY region')).toEqual(perRegion(table));
  }, 120_000);

  it('round-trips rows through a topic in avro: written by the avro sink, read by the avro source', async () => {
    const topic = uniqueTopic('avro');
    await admin.createTopic({ topic, partitions: 1 });
    const dir = tempDir();
    const input = join(dir, 'in.json');
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: i + 1,
      name: i % 7 === 0 ? null : `name-${i}-é`,
      price: i % 5 === 0 ? null : ((i * 37) % 10000) / 100,
      ts: i === 0 ? '1970-01-01 00:00:01.000' : `2024-03-${String(1 + (i % 28)).padStart(2, '0')} 12:34:56.${String(i % 1000).padStart(3, '0')}`,
      tags: i % 3 === 0 ? [] : [`t${i % 4}`, null],
    }));
    writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const columns = 'id BIGINT NOT NULL, name STRING, price DECIMAL(10, 2), ts TIMESTAMP(3), tags ARRAY<STRING>';
    const eddy = await session();
    await eddy.execute(`CREATE TABLE src (${columns}) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
    await eddy.execute(kafkaTable('avro_out', columns, topic, 'avro'));
    await eddy.execute('INSERT INTO avro_out SELECT * FROM src');

    // The first record by hand: id 1 = zig-zag 02; name null = union branch 0; price null = 00;
    // ts 1000 ms = branch 1 (02), zig-zag 2000 = d0 0f; tags [] = branch 1 (02), an empty array (00).
    const records = await readAll(topic);
    expect(records.length).toBe(rows.length);
    expect(records[0]!.value!.toString('hex')).toBe('02' + '00' + '00' + '02d00f' + '0200');

    await eddy.execute(kafkaTable('avro_in', columns, topic, 'avro'));
    await eddy.execute(`CREATE TABLE back (${columns}) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'back.json')}', 'format' = 'json')`);
    await eddy.execute('INSERT INTO back SELECT * FROM avro_in');
    const back = readFileSync(join(dir, 'back.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(back).toEqual(rows);
  }, 120_000);

  it('reports a message that is not a Debezium change as a bad record at its offset', async () => {
    const topic = uniqueTopic('debezium-bad');
    await admin.createTopic({ topic, partitions: 1 });
    await produce([
      { topic, key: null, value: JSON.stringify({ before: null, after: { id: 1, region: 'north', qty: 1 }, op: 'c' }) },
      { topic, key: null, value: JSON.stringify({ before: null, after: { id: 2, region: 'north', qty: 1 } }) },
    ]);
    const eddy = await session();
    await eddy.execute(kafkaTable('products', 'id INT, region STRING, qty INT', topic, 'debezium-json'));
    const r = await eddy.execute('SELECT id FROM products');
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    const e = await r.query.collect().then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(e?.message).toMatch(new RegExp(`${topic}/0@1`));
    expect(e?.message).toMatch(/invalid-change/);
    expect(e?.message).toMatch(/no "op"/);
  }, 120_000);
});
