// METADATA columns of the `kafka` connector against the real broker: records produced with headers and timestamps to a
// 2-partition topic are read by a bounded SQL query selecting their offset, partition, timestamp, headers, topic,
// leader epoch and timestamp type, compared with what the test produced (and the offsets the broker acknowledged, read
// back by the client); a sink writes `timestamp` and `headers` from SQL, read back with the client.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { runQuery, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { produce, readTopic } from './topic-io.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-metadata-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

const BASE = Date.UTC(2024, 5, 1, 12, 0, 0);

const text = (b: Uint8Array | null | undefined) => (b === null || b === undefined ? null : Buffer.from(b).toString('utf8'));

describe('kafka METADATA columns', () => {
  it('a bounded source reads offset, partition, timestamp, headers, topic, leader-epoch and timestamp-type of each record', async () => {
    const topic = uniqueTopic('meta-src');
    await admin.createTopic({ topic, partitions: 2 });
    // 10 records: id k goes to partition k % 2, timestamp BASE + 1000 k, headers naming it (k % 3 == 0: none; k == 4: a
    // key given twice, the later value wins as in Flink).
    const produced = Array.from({ length: 10 }, (_, k) => ({
      id: k,
      partition: k % 2,
      timestamp: BASE + 1000 * k,
      headers: k % 3 === 0 ? [] : k === 4 ? [{ key: 'h', value: Buffer.from('first') }, { key: 'h', value: Buffer.from('second') }] : [{ key: 'h', value: Buffer.from(`v${k}`) }, { key: 'k', value: Buffer.from(String(k)) }],
    }));
    await produce(client, produced.map((p) => ({ topic, partition: p.partition, key: null, value: JSON.stringify({ id: p.id }), timestamp: p.timestamp, headers: p.headers })));
    // Offsets within each partition follow the order of production (one producer, one send).
    const expected = produced.map((p) => {
      const headers: Record<string, string> = {};
      for (const h of p.headers) headers[h.key] = h.value.toString('utf8');
      return { id: p.id, partition: p.partition, offset: produced.filter((q) => q.partition === p.partition && q.id < p.id).length, timestamp: p.timestamp, headers, topic };
    });

    const eddy = new Eddy();
    try {
      await eddy.execute(`CREATE TABLE events (
          id INT,
          \`offset\` BIGINT METADATA VIRTUAL,
          part INT METADATA FROM 'partition' VIRTUAL,
          kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
          headers MAP<STRING, BYTES> METADATA,
          tpc STRING METADATA FROM 'topic' VIRTUAL,
          epoch INT METADATA FROM 'leader-epoch' VIRTUAL,
          ts_type STRING METADATA FROM 'timestamp-type' VIRTUAL,
          ts AS CAST(kafka_ts AS TIMESTAMP(3)),
          WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
        ) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json',
                'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`);
      const { changes } = await runQuery(eddy, 'SELECT id, part, `offset`, kafka_ts, headers, tpc, epoch, ts_type, ts FROM events');
      const rows = changes.map((c) => c.row);
      expect(rows).toHaveLength(10);
      const got = rows
        .map(([id, part, offset, kafkaTs, headers, tpc, epoch, tsType, ts]) => {
          // A fresh topic on one broker has had one leader per partition: epoch 0. Every record is CreateTime (the topic's default).
          expect(epoch).toBe(0);
          expect(tsType).toBe('CreateTime');
          expect(ts).toBe(kafkaTs); // TIMESTAMP(3) from TIMESTAMP_LTZ(3) in the session zone UTC: the same instant
          expect(headers).toBeInstanceOf(Map);
          const h: Record<string, string> = {};
          for (const [k, v] of headers as Map<string, Uint8Array | null>) h[k] = text(v)!;
          return { id, partition: part, offset, timestamp: kafkaTs, headers: h, topic: tpc };
        })
        .sort((a, b) => (a.id as number) - (b.id as number));
      expect(got).toEqual(expected);

      // The offsets are the broker's: the client reads the same (partition, offset) for each id.
      const byId = new Map((await readTopic(client, topic, 0, 'read_uncommitted')).map((r) => [JSON.parse(r.value!.toString('utf8')).id as number, r]));
      for (const g of got) {
        const r = byId.get(g.id as number)!;
        expect([r.partition, Number(r.offset)]).toEqual([g.partition, g.offset]);
      }

      // A query that needs no metadata reads none; one that needs a key reads only it.
      const plain = await eddy.execute('EXPLAIN SELECT id FROM events');
      if (plain.kind !== 'explain') throw new Error('expected a plan');
      // kafka_ts is still read: the computed column ts (and the watermark on it) need it.
      expect(plain.text).toContain('fields=[id], metadata=[timestamp], watermark=');
      const one = await eddy.execute('EXPLAIN SELECT id, part FROM events');
      if (one.kind !== 'explain') throw new Error('expected a plan');
      expect(one.text).toContain('fields=[id, part], metadata=[partition, timestamp], watermark=');
    } finally {
      await eddy.close();
    }
  });

  it('a sink writes the record timestamp and headers from persisted METADATA columns; VIRTUAL ones are not written', async () => {
    const topic = uniqueTopic('meta-sink');
    await admin.createTopic({ topic, partitions: 2 });
    const dir = tempDir();
    const input = join(dir, 'in.json');
    // Headers come from a MAP<STRING, BYTES> column of the input (JSON: BYTES as base64): odd ids have none (NULL), id 3
    // a header with a NULL value (written as empty bytes: kafkajs cannot send a NULL header value).
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const inputRows = Array.from({ length: 6 }, (_, k) => ({
      id: k,
      at: `2024-03-0${k + 1} 10:00:00.25${k}`,
      h: k === 3 ? { z: null } : k % 2 === 0 ? { tag: b64(`even-${k}`), n: b64('y') } : null,
    }));
    writeFileSync(input, inputRows.map((r) => JSON.stringify(r) + '\n').join(''));
    const eddy = new Eddy();
    try {
      await eddy.execute("SET 'table.dml-sync' = 'true'");
      await eddy.execute(`CREATE TABLE src (id INT, at TIMESTAMP(3), h MAP<STRING, BYTES>) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
      // The columns are declared in an order other than the sink's (physical, then metadata keys): the INSERT lists
      // them in declared order, and `part` (VIRTUAL) is not among them.
      await eddy.execute(`CREATE TABLE out (
          ts TIMESTAMP(3) METADATA FROM 'timestamp',
          id INT,
          part INT METADATA FROM 'partition' VIRTUAL,
          headers MAP<STRING, BYTES> METADATA
        ) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json')`);
      await eddy.execute('INSERT INTO out SELECT at, id, h FROM src');
    } finally {
      await eddy.close();
    }
    const records = await readTopic(client, topic, 0, 'read_uncommitted');
    expect(records).toHaveLength(6);
    const got = records
      .map((r) => ({
        value: JSON.parse(r.value!.toString('utf8')) as unknown,
        timestamp: r.timestamp,
        headers: Object.fromEntries(r.headers.map((h) => [h.key, text(h.value)])),
      }))
      .sort((a, b) => (a.value as { id: number }).id - (b.value as { id: number }).id);
    // The timestamp column is TIMESTAMP(3): in the session zone (UTC) its wall-clock time is the instant written.
    const expected = inputRows.map((r) => ({
      value: { id: r.id },
      timestamp: Date.parse(`${r.at.replace(' ', 'T')}Z`),
      headers: r.id === 3 ? { z: '' } : r.id % 2 === 0 ? { tag: `even-${r.id}`, n: 'y' } : {},
    }));
    expect(got).toEqual(expected);
  });

  it('refuses to write a persisted read-only key, naming VIRTUAL; an unknown key lists the keys with a did-you-mean', async () => {
    const eddy = new Eddy();
    try {
      const opts = `WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json')`;
      const bad = await eddy.execute(`CREATE TABLE t1 (id INT, o BIGINT METADATA FROM 'ofset') ${opts}`).then(() => undefined, (e: unknown) => e);
      expect(bad).toBeInstanceOf(EddyError);
      expect((bad as EddyError).code).toBe('EDDY-C006');
      expect((bad as EddyError).message).toContain("has no metadata key 'ofset'");
      expect((bad as EddyError).message).toContain('topic, partition, headers, leader-epoch, offset, timestamp, timestamp-type');
      expect((bad as EddyError).diagnostics[0]!.hint).toBe('did you mean `offset`?');

      const cast = await eddy.execute(`CREATE TABLE t2 (id INT, h INT METADATA FROM 'headers') ${opts}`).then(() => undefined, (e: unknown) => e);
      expect((cast as EddyError).message).toContain("METADATA column 'h' is INT, but metadata 'headers' is MAP<STRING, BYTES> NOT NULL, which does not cast to it");
      expect((cast as EddyError).diagnostics[0]!.hint).toBe('declare it MAP<STRING, BYTES>');

      // A persisted `offset` may be declared (and read), but not written.
      await eddy.execute(`CREATE TABLE t3 (id INT, \`offset\` BIGINT METADATA) ${opts}`);
      const write = await eddy.execute('INSERT INTO t3 VALUES (1, 2)').then(() => undefined, (e: unknown) => e);
      expect(write).toBeInstanceOf(EddyError);
      expect((write as EddyError).message).toContain("its METADATA column 'offset' (key 'offset') is read-only for connector 'kafka'");
      expect((write as EddyError).diagnostics[0]!.hint).toContain('VIRTUAL');
      expect((write as EddyError).diagnostics[0]!.span).toBeDefined();
    } finally {
      await eddy.close();
    }
  });
});
