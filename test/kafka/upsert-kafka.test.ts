// The `upsert-kafka` connector against the real broker. The source is tested at the reader level (the planner does
// not consume upsert sources yet): records are +U of their key, tombstones -D. The sink is tested through SQL: an
// updating query written to an upsert-kafka table, the topic compacted by key equals a batch computation of the
// query, deletes are tombstones, and with sink.buffer-flush there are fewer records than changes.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord, KafkaRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { upsertKafkaConnector } from '../../src/connectors/kafka/upsert-kafka.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../../src/runtime/changelog.js';
import type { ConnectorContext } from '../../src/runtime/connector.js';
import { Eddy } from '../../src/index.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { testContext, type TestContext } from '../connectors/context.js';
import { tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { compact, produce, readTopic } from './topic-io.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-upsert-kafka-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

const schema: Schema = [
  { name: 'id', type: withNullable(T.int(), false) },
  { name: 'name', type: T.string() },
  { name: 'n', type: T.int() },
];

function context(topic: string, options: Record<string, string> = {}, extra: Partial<ConnectorContext> = {}): TestContext {
  const ctx = testContext(
    schema,
    { connector: 'upsert-kafka', topic, 'properties.bootstrap.servers': kafkaBootstrap(), 'key.format': 'json', 'value.format': 'json', ...options },
    'users',
  );
  return Object.assign(ctx, { primaryKey: ['id'] }, extra);
}

describe('upsert-kafka source (reader)', () => {
  it('reads every record from the earliest offset: a value is +U of its key, a tombstone -D with only the key', async () => {
    const topic = uniqueTopic('upsert-src');
    await admin.createTopic({ topic, partitions: 3 });
    // Keys 0..9; each key gets updates, some keys deletes (and a key deleted then written again). With
    // 'value.fields-include' = 'ALL' (the default) the value holds the key column too.
    const produced: { id: number; value: { id: number; name: string; n: number } | null }[] = [];
    for (let round = 0; round < 4; round++) {
      for (let id = 0; id < 10; id++) {
        const del = (id % 3 === 0 && round === 2) || (id === 4 && round === 3);
        produced.push({ id, value: del ? null : { id, name: `u${id}-${round}`, n: round } });
      }
    }
    // No partition given: the client puts each key in one partition by its hash, so a key's records stay in order.
    await produce(client, produced.map((p): KafkaOutgoingRecord => ({ topic, key: JSON.stringify({ id: p.id }), value: p.value && JSON.stringify(p.value) })));

    const ctx = context(topic, { 'scan.bounded.mode': 'latest-offset' });
    const reader = upsertKafkaConnector.createSource!(ctx);
    expect(reader.bounded).toBe(true);
    await reader.open();
    const read: { kind: RowKind; row: Row }[] = [];
    try {
      for (let c = await reader.next(); c !== null; c = await reader.next()) {
        if (c.rows.length === 0) continue; // a partition announced before its records
        expect(c.kinds?.length).toBe(c.rows.length);
        c.rows.forEach((row, i) => read.push({ kind: c.kinds![i]!, row }));
      }
    } finally {
      await reader.close();
    }
    expect(ctx.badRecords).toEqual([]);
    // Per key, the changes in the order produced.
    const byKey = (items: { kind: RowKind; row: Row }[]) => {
      const m = new Map<number, { kind: RowKind; row: Row }[]>();
      for (const item of items) m.set(item.row[0] as number, [...(m.get(item.row[0] as number) ?? []), item]);
      return [...m].sort((a, b) => a[0] - b[0]);
    };
    const expected = produced.map((p) => (p.value === null ? { kind: DELETE, row: [p.id, null, null] } : { kind: UPDATE_AFTER, row: [p.id, p.value.name, p.value.n] }));
    expect(byKey(read)).toEqual(byKey(expected));
    expect(read.filter((r) => r.kind === DELETE)).toHaveLength(5);
  });

  it('EXCEPT_KEY with a prefix; a record without a key is a bad record (the key column is NOT NULL), positioned', async () => {
    const topic = uniqueTopic('upsert-src-prefix');
    await admin.createTopic({ topic, partitions: 1 });
    await produce(client, [
      { topic, key: '{"id": 1}', value: '{"id": "value-id", "n": 5}' },
      { topic, key: null, value: '{"n": 6}' },
      { topic, key: '{"id": 1}', value: null },
    ]);
    const prefixed: Schema = [{ name: 'k_id', type: withNullable(T.int(), false) }, { name: 'id', type: T.string() }, schema[2]!];
    const ctx = testContext(
      prefixed,
      {
        connector: 'upsert-kafka', topic, 'properties.bootstrap.servers': kafkaBootstrap(), 'key.format': 'json', 'value.format': 'json',
        'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY', 'scan.bounded.mode': 'latest-offset',
      },
      'users',
    );
    const reader = upsertKafkaConnector.createSource!(Object.assign(ctx, { primaryKey: ['k_id'] }));
    await reader.open();
    const read: [RowKind, Row][] = [];
    for (let c = await reader.next(); c !== null; c = await reader.next()) c.rows.forEach((row, i) => read.push([c.kinds![i]!, row]));
    await reader.close();
    expect(read).toEqual([
      [UPDATE_AFTER, [1, 'value-id', 5]],
      [DELETE, [1, null, null]],
    ]);
    expect(ctx.badRecords.map((r) => [r.position, r.kind, r.message])).toEqual([
      [`${topic}/0@1`, 'missing-not-null', 'the record has no key, and key column `k_id` is NOT NULL'],
    ]);
  });
});

describe('upsert-kafka sink (writer)', () => {
  it('-D is a tombstone; -U before the +U of the same key is dropped, before another key a tombstone', async () => {
    const topic = uniqueTopic('upsert-sink-kinds');
    await admin.createTopic({ topic, partitions: 1 });
    const sink = upsertKafkaConnector.createSink!(context(topic));
    await sink.open();
    sink.write({
      rows: [[1, 'a', 1], [2, 'b', 1], [1, 'a', 1], [1, 'a2', 2], [2, 'b', 1], [3, 'b', 2], [3, 'b', 2]],
      kinds: [INSERT, INSERT, UPDATE_BEFORE, UPDATE_AFTER, UPDATE_BEFORE, UPDATE_AFTER, DELETE],
    });
    await sink.close();
    const records = await readTopic(client, topic, 6);
    expect(records.map((r) => [r.key!.toString('utf8'), r.value?.toString('utf8') ?? null])).toEqual([
      ['{"id":1}', '{"id":1,"name":"a","n":1}'],
      ['{"id":2}', '{"id":2,"name":"b","n":1}'],
      ['{"id":1}', '{"id":1,"name":"a2","n":2}'],
      ['{"id":2}', null],
      ['{"id":3}', '{"id":3,"name":"b","n":2}'],
      ['{"id":3}', null],
    ]);
  });

  it('sink.buffer-flush.interval: buffered changes are sent when the interval passes, without a flush or checkpoint', async () => {
    const topic = uniqueTopic('upsert-sink-interval');
    await admin.createTopic({ topic, partitions: 1 });
    const sink = upsertKafkaConnector.createSink!(context(topic, { 'sink.buffer-flush.max-rows': '1000', 'sink.buffer-flush.interval': '200 ms' }));
    await sink.open();
    try {
      sink.write({ rows: [[1, 'a', 1], [1, 'a', 1], [1, 'a', 2], [2, 'b', 1]], kinds: [INSERT, UPDATE_BEFORE, UPDATE_AFTER, INSERT] });
      const records = await readTopic(client, topic, 2);
      expect(records.map((r) => [r.key!.toString('utf8'), r.value!.toString('utf8')])).toEqual([
        ['{"id":1}', '{"id":1,"name":"a","n":2}'],
        ['{"id":2}', '{"id":2,"name":"b","n":1}'],
      ]);
    } finally {
      await sink.close();
    }
  });

  it('exactly-once: the changes of a checkpoint, tombstones included, become visible when it commits', async () => {
    const topic = uniqueTopic('upsert-sink-eos');
    await admin.createTopic({ topic, partitions: 2 });
    const options = { 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': uniqueTopic('upsert-eos'), 'sink.buffer-flush.max-rows': '100', 'sink.buffer-flush.interval': '1 h' };
    const sink = upsertKafkaConnector.createSink!(context(topic, options, { checkpointing: true }));
    await sink.open();
    sink.write({ rows: [[1, 'a', 1], [2, 'b', 1], [1, 'a', 1], [1, 'a', 2], [2, 'b', 1]], kinds: [INSERT, INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE] });
    await sink.flush();
    const info = await sink.preCommit!(1);
    expect(await readTopic(client, topic)).toEqual([]);
    await sink.commit!(info);
    await sink.close();
    // Buffered per key: one record for key 1 (its last change) and key 2's tombstone.
    const records = await readTopic(client, topic, 2);
    expect(records).toHaveLength(2);
    expect(compact(records)).toEqual(new Map([['{"id":1}', '{"id":1,"name":"a","n":2}']]));
    expect(records.find((r) => r.key!.toString('utf8') === '{"id":2}')!.value).toBeNull();
  });
});

describe('an updating query INSERT INTO an upsert-kafka table', () => {
  // Events (k, v): key k occurs 2 + k % 3 times. The query counts the keys per event count:
  //   SELECT c, COUNT(*) AS keys, SUM(total) AS total FROM (SELECT k, COUNT(*) AS c, SUM(v) AS total FROM events GROUP BY k) GROUP BY c
  // Every key passes through c = 1 on its way up, and none ends there: group 1 is created, updated and deleted.
  const KEYS = 30;
  const events: { k: number; v: number }[] = [];
  for (let round = 0; round < 4; round++) {
    for (let k = 0; k < KEYS; k++) if (round < 2 + (k % 3)) events.push({ k, v: k * 10 + round });
  }

  /** The batch computation: per final count c, the number of keys with that count and the sum of their values. */
  function batch(): Map<string, string> {
    const perKey = new Map<number, { c: number; total: number }>();
    for (const e of events) {
      const s = perKey.get(e.k) ?? { c: 0, total: 0 };
      perKey.set(e.k, { c: s.c + 1, total: s.total + e.v });
    }
    const perCount = new Map<number, { keys: number; total: number }>();
    for (const { c, total } of perKey.values()) {
      const s = perCount.get(c) ?? { keys: 0, total: 0 };
      perCount.set(c, { keys: s.keys + 1, total: s.total + total });
    }
    return new Map([...perCount].map(([c, s]) => [JSON.stringify({ c }), JSON.stringify({ c, keys: s.keys, total: s.total })]));
  }

  async function run(topic: string, extra: string): Promise<KafkaRecord[]> {
    await admin.createTopic({ topic, partitions: 2 });
    // One file per event, each read as its own chunk: the query sees every change (not one batch's net change).
    const input = tempDir();
    events.forEach((e, i) => writeFileSync(join(input, `${String(i).padStart(4, '0')}.json`), JSON.stringify(e) + '\n'));
    const eddy = new Eddy();
    try {
      await eddy.execute("SET 'table.dml-sync' = 'true'");
      await eddy.execute(`CREATE TABLE events (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
      await eddy.execute(
        `CREATE TABLE per_count (c BIGINT, keys BIGINT, total BIGINT, PRIMARY KEY (c) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', ` +
          `'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'key.format' = 'json', 'value.format' = 'json'${extra})`,
      );
      await eddy.execute(
        'INSERT INTO per_count SELECT c, COUNT(*) AS keys, SUM(total) AS total FROM (SELECT k, COUNT(*) AS c, CAST(SUM(v) AS BIGINT) AS total FROM events GROUP BY k) GROUP BY c',
      );
    } finally {
      await eddy.close();
    }
    return readTopic(client, topic, 1);
  }

  it('the topic compacted by key equals the batch computation; the emptied group is a tombstone', async () => {
    const records = await run(uniqueTopic('upsert-query'), '');
    expect(compact(records)).toEqual(batch());
    const lastOfGroup1 = records.filter((r) => r.key!.toString('utf8') === '{"c":1}').at(-1)!;
    expect(lastOfGroup1.value).toBeNull();
    // Every record is keyed, and a key's records are all in one partition (Kafka's default partitioner by key).
    const partitionsOf = new Map<string, Set<number>>();
    for (const r of records) partitionsOf.set(r.key!.toString('utf8'), (partitionsOf.get(r.key!.toString('utf8')) ?? new Set()).add(r.partition));
    expect([...partitionsOf.values()].every((p) => p.size === 1)).toBe(true);
    // Many changes: the unbuffered sink writes one record per change (the -U of an update in place dropped).
    expect(records.length).toBeGreaterThan(events.length);
  });

  it('round trip: an upsert-kafka source reads the topic back as a table, and a query over it (through ChangelogNormalize) equals the batch computation', async () => {
    const topic = uniqueTopic('upsert-round-trip');
    await run(topic, '');
    const eddy = new Eddy();
    try {
      await eddy.execute(
        `CREATE TABLE per_count_in (c BIGINT, keys BIGINT, total BIGINT, PRIMARY KEY (c) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', ` +
          `'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'key.format' = 'json', 'value.format' = 'json', 'scan.bounded.mode' = 'latest-offset')`,
      );
      /** The final rows of a bounded updating query: its changes applied to a multiset. */
      const finalRows = async (sql: string): Promise<string[]> => {
        const r = await eddy.execute(sql);
        if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
        const rows = new Map<string, number>();
        for (const b of await r.query.collect()) {
          b.rows.forEach((row, i) => {
            const text = JSON.stringify(row);
            const add = b.kinds[i] === INSERT || b.kinds[i] === UPDATE_AFTER ? 1 : -1;
            rows.set(text, (rows.get(text) ?? 0) + add);
          });
        }
        expect([...rows.values()].every((n) => n === 0 || n === 1)).toBe(true);
        return [...rows].filter(([, n]) => n === 1).map(([t]) => t).sort();
      };
      const expected = [...batch().values()].map((v) => JSON.parse(v) as { c: number; keys: number; total: number });
      // The table: one row per key, its last value; the emptied group 1 is deleted by its tombstone.
      expect(await finalRows('SELECT c, keys, total FROM per_count_in')).toEqual(expected.map((e) => JSON.stringify([e.c, e.keys, e.total])).sort());
      // An aggregate over it sees every update retracted first: the totals of the final rows only.
      const sumKeys = expected.reduce((a, e) => a + e.keys, 0);
      const sumTotal = expected.reduce((a, e) => a + e.total, 0);
      expect(await finalRows('SELECT COUNT(*), SUM(keys), SUM(total) FROM per_count_in')).toEqual([JSON.stringify([expected.length, sumKeys, sumTotal])]);
    } finally {
      await eddy.close();
    }
  });

  it('with sink.buffer-flush.*, fewer records than changes and the same compacted result', async () => {
    const plain = await run(uniqueTopic('upsert-query-plain'), '');
    const buffered = await run(uniqueTopic('upsert-query-buffered'), ", 'sink.buffer-flush.max-rows' = '1000', 'sink.buffer-flush.interval' = '1 h'");
    expect(compact(buffered)).toEqual(batch());
    // The whole (bounded) job fits in the buffer: one record per key, sent when the sink closes.
    expect(buffered).toHaveLength(new Set(buffered.map((r) => r.key!.toString('utf8'))).size);
    expect(buffered.length).toBeLessThan(plain.length);
    // A small buffer is sent whenever it holds 2 keys: more records, the same result.
    const small = await run(uniqueTopic('upsert-query-small'), ", 'sink.buffer-flush.max-rows' = '2', 'sink.buffer-flush.interval' = '1 h'");
    expect(compact(small)).toEqual(batch());
    expect(small.length).toBeGreaterThan(buffered.length);
    expect(small.length).toBeLessThanOrEqual(plain.length);
  });
});
