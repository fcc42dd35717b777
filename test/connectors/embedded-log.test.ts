// The embedded log's KafkaClient: what the Kafka source, sink, PRINT and SHOW TOPICS rely on — offsets, partitions,
// timestamps, read_committed, fencing, prepared commits, group offsets, prompt wake-ups of waiting fetches, and one
// file shared by several clients, threads and processes.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaFencedError, KafkaUnknownTopicError, type KafkaClient, type KafkaRecord } from '../../src/connectors/kafka/client.js';
import { createEmbeddedLogClient, keyPartition, murmur2 } from '../../src/connectors/kafka/embedded-log.js';
import { tempDir } from '../e2e/helpers.js';

const require = createRequire(import.meta.url);
/** kafkajs's own murmur2 (a port of the Java client's), to check ours against. */
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
const DIST = join(import.meta.dirname, '../../dist/src/connectors/kafka/embedded-log.js');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function logPath(): string {
  return join(tempDir('eddy-elog-'), 'topics.db');
}

async function admin(client: KafkaClient) {
  const a = await client.admin();
  closers.push(() => a.close());
  return a;
}

/** Everything in `topic` (each partition from 0 to its end) as a consumer of `client` sees it. */
async function readAll(client: KafkaClient, topic: string): Promise<KafkaRecord[]> {
  const a = await client.admin();
  const ends = await a.listOffsets(topic, 'latest').finally(() => a.close());
  const consumer = await client.consumer({ isolationLevel: 'read_committed' });
  try {
    await consumer.assign(ends.map((e) => ({ topic, partition: e.partition, offset: 0n })));
    const out: KafkaRecord[] = [];
    const done = new Set<number>(ends.filter((e) => e.offset === 0n).map((e) => e.partition));
    while (done.size < ends.length) {
      for (const b of await consumer.fetch({ maxWaitMs: 0 })) {
        out.push(...b.records);
        if (b.nextOffset >= b.endOffset) done.add(b.partition);
      }
    }
    return out;
  } finally {
    await consumer.close();
  }
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
const view = (records: readonly KafkaRecord[]) => records.map((r) => `${r.partition}@${r.offset}:${text(r.key)}=${text(r.value)}`);

describe('the embedded log as a KafkaClient', () => {
  it("partitions keyed records with Kafka's murmur2 (the Java client's test vectors, and kafkajs's port)", () => {
    // From Kafka's UtilsTest.testMurmur2.
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of vectors) expect(murmur2(Buffer.from(s)), s).toBe(h);
    for (let i = 0; i < 200; i++) {
      const key = Buffer.from(`key-${i}-${'x'.repeat(i % 7)}`);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key) | 0);
    }
  });

  it('creates, lists, describes, grows and deletes topics; unknown topics fail with KafkaUnknownTopicError', async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 'orders', partitions: 3 });
    await a.createTopic({ topic: 'audit', partitions: 1, configs: { 'cleanup.policy': 'compact' } });
    await expect(a.createTopic({ topic: 'orders', partitions: 1 })).rejects.toThrow(/exists already/);
    await expect(a.createTopic({ topic: 'bad name', partitions: 1 })).rejects.toThrow(/not a legal Kafka topic name/);
    await expect(a.createTopic({ topic: 'none', partitions: 0 })).rejects.toThrow(/at least one partition/);
    await expect(a.createTopic({ topic: 'copies', partitions: 1, replicationFactor: 3 })).rejects.toThrow(/one copy/);
    expect(await a.listTopics()).toEqual(['audit', 'orders']);
    expect(await a.listAllTopics!()).toEqual(['audit', 'orders']);
    const [meta] = await a.describeTopics(['orders']);
    expect(meta!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    await a.addPartitions('orders', 5);
    expect((await a.describeTopics(['orders']))[0]!.partitions).toHaveLength(5);
    await expect(a.addPartitions('orders', 2)).rejects.toThrow(/can only grow/);
    await a.deleteTopics(['audit']);
    expect(await a.listTopics()).toEqual(['orders']);
    await expect(a.describeTopics(['audit'])).rejects.toBeInstanceOf(KafkaUnknownTopicError);
    await expect(a.listOffsets('audit', 'latest')).rejects.toBeInstanceOf(KafkaUnknownTopicError);
    await expect(a.deleteTopics(['audit'])).rejects.toBeInstanceOf(KafkaUnknownTopicError);
    const producer = await client.producer();
    closers.push(() => producer.close());
    await expect(producer.send([{ topic: 'audit', key: null, value: 'x' }])).rejects.toBeInstanceOf(KafkaUnknownTopicError);
    await expect(producer.send([{ topic: 'orders', partition: 7, key: null, value: 'x' }])).rejects.toThrow(/no partition 7/);
    const consumer = await client.consumer({ isolationLevel: 'read_committed' });
    closers.push(() => consumer.close());
    await consumer.assign([{ topic: 'audit', partition: 0, offset: 0n }]);
    await expect(consumer.fetch({ maxWaitMs: 0 })).rejects.toBeInstanceOf(KafkaUnknownTopicError);
  });

  it('gives each partition consecutive offsets from 0 and keeps timestamps, keys, values and headers', async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 3 });
    const producer = await client.producer({ idempotent: true });
    closers.push(() => producer.close());
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    await producer.send(keys.map((k, i) => ({ topic: 't', key: k, value: `v${i}`, timestamp: 1000 + i })));
    await producer.send([
      { topic: 't', partition: 1, key: null, value: null, timestamp: 2000, headers: [{ key: 'h', value: Buffer.from([0, 255]) }, { key: 'h', value: null }] },
      { topic: 't', partition: 1, key: Buffer.from([1, 2, 3]), value: 'bytes-key', timestamp: 3000 },
    ]);
    const records = await readAll(client, 't');
    // Keyed records went where Kafka's partitioner puts them, offsets counting from 0 in each partition in send order.
    const expected = new Map<number, string[]>();
    keys.forEach((k, i) => {
      const p = keyPartition(Buffer.from(k), 3);
      expected.set(p, [...(expected.get(p) ?? []), `${k}=v${i}@${1000 + i}`]);
    });
    expected.set(1, [...(expected.get(1) ?? []), 'null=null@2000', `${Buffer.from([1, 2, 3]).toString()}=bytes-key@3000`]);
    for (let p = 0; p < 3; p++) {
      const mine = records.filter((r) => r.partition === p);
      expect(mine.map((r) => r.offset)).toEqual(mine.map((_, i) => BigInt(i)));
      expect(mine.map((r) => `${text(r.key)}=${text(r.value)}@${r.timestamp}`)).toEqual(expected.get(p) ?? []);
    }
    const withHeaders = records.find((r) => r.timestamp === 2000)!;
    expect(withHeaders.headers).toEqual([{ key: 'h', value: Buffer.from([0, 255]) }, { key: 'h', value: null }]);
    expect(withHeaders.timestampType).toBe('CreateTime');
    // Keyless records without a partition are spread over the partitions.
    await producer.send(Array.from({ length: 6 }, (_, i) => ({ topic: 't', key: null, value: `n${i}` })));
    const spread = (await readAll(client, 't')).filter((r) => text(r.value)?.startsWith('n'));
    expect(new Set(spread.map((r) => r.partition)).size).toBe(3);
    // A record without a timestamp gets the producer's clock.
    expect(spread.every((r) => Math.abs(r.timestamp - Date.now()) < 60_000)).toBe(true);
  });

  it('lists earliest, latest and by-timestamp offsets', async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 2 });
    const producer = await client.producer();
    closers.push(() => producer.close());
    await producer.send([10, 20, 30, 25].map((ts, i) => ({ topic: 't', partition: 0, key: null, value: `${i}`, timestamp: ts })));
    expect((await a.listOffsets('t', 'earliest')).map((o) => o.offset)).toEqual([0n, 0n]);
    expect((await a.listOffsets('t', 'latest')).map((o) => o.offset)).toEqual([4n, 0n]);
    // The first offset whose timestamp is at or after the one asked for; the end when there is none.
    expect((await a.listOffsets('t', { timestamp: 20 })).map((o) => o.offset)).toEqual([1n, 0n]);
    expect((await a.listOffsets('t', { timestamp: 21 })).map((o) => o.offset)).toEqual([2n, 0n]);
    expect((await a.listOffsets('t', { timestamp: 31 })).map((o) => o.offset)).toEqual([4n, 0n]);
  });

  it('fetches from the assigned positions in batches limited by bytes, and seeks', async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 1 });
    const producer = await client.producer();
    closers.push(() => producer.close());
    await producer.send(Array.from({ length: 100 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: 'x'.repeat(1000) + i })));
    const consumer = await client.consumer({ isolationLevel: 'read_uncommitted', maxBytesPerPartition: 10_000 });
    closers.push(() => consumer.close());
    await consumer.assign([{ topic: 't', partition: 0, offset: 5n }]);
    const [first] = await consumer.fetch({ maxWaitMs: 0 });
    expect(first!.records.length).toBeGreaterThan(0);
    expect(first!.records.length).toBeLessThan(11);
    expect(first!.records[0]!.offset).toBe(5n);
    expect(first!.nextOffset).toBe(5n + BigInt(first!.records.length));
    expect(first!.endOffset).toBe(100n);
    expect(consumer.positions()).toEqual([{ topic: 't', partition: 0, offset: first!.nextOffset }]);
    consumer.seek({ topic: 't', partition: 0, offset: 99n });
    const [last] = await consumer.fetch({ maxWaitMs: 0 });
    expect(last!.records.map((r) => r.offset)).toEqual([99n]);
    expect(() => consumer.seek({ topic: 'other', partition: 0, offset: 0n })).toThrow(/not assigned/);
  });

  it('read_committed: records of a transaction get their offsets when it commits; aborted ones never appear', async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 1 });
    const tx = await client.producer({ transactionalId: 'tx-a' });
    const plain = await client.producer({ idempotent: true });
    closers.push(() => tx.close(), () => plain.close());
    await expect(tx.send([{ topic: 't', key: null, value: 'outside' }])).rejects.toThrow(/inside a transaction/);
    await tx.beginTransaction();
    expect(tx.inTransaction()).toBe(true);
    await tx.send([{ topic: 't', partition: 0, key: 'k', value: 'tx-1' }]);
    await plain.send([{ topic: 't', partition: 0, key: 'k', value: 'plain-1' }]);
    await tx.send([{ topic: 't', partition: 0, key: 'k', value: 'tx-2' }]);
    // Neither reader sees the open transaction, and it holds nobody back.
    expect(view(await readAll(client, 't'))).toEqual(['0@0:k=plain-1']);
    expect((await a.listOffsets('t', 'latest'))[0]!.offset).toBe(1n);
    await tx.commitTransaction();
    expect(tx.inTransaction()).toBe(false);
    expect(view(await readAll(client, 't'))).toEqual(['0@0:k=plain-1', '0@1:k=tx-1', '0@2:k=tx-2']);
    await tx.beginTransaction();
    await tx.send([{ topic: 't', partition: 0, key: 'k', value: 'aborted' }]);
    await tx.abortTransaction();
    await plain.send([{ topic: 't', partition: 0, key: 'k', value: 'plain-2' }]);
    expect(view(await readAll(client, 't'))).toEqual(['0@0:k=plain-1', '0@1:k=tx-1', '0@2:k=tx-2', '0@3:k=plain-2']);
    await expect(tx.commitTransaction()).rejects.toThrow(/no Kafka transaction is open/);
    await tx.beginTransaction();
    await expect(tx.beginTransaction()).rejects.toThrow(/open already/);
  });

  it('a new producer with the same transactional id fences the old one and aborts its open transaction', async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 2 });
    const old = await client.producer({ transactionalId: 'sink-0' });
    closers.push(() => old.close());
    await old.beginTransaction();
    await old.send([{ topic: 't', partition: 0, key: null, value: 'from-old' }]);
    const newer = await client.producer({ transactionalId: 'sink-0' });
    closers.push(() => newer.close());
    expect(newer.identity()).toEqual({ transactionalId: 'sink-0', producerId: old.identity()!.producerId, producerEpoch: old.identity()!.producerEpoch + 1 });
    await expect(old.send([{ topic: 't', partition: 0, key: null, value: 'again' }])).rejects.toBeInstanceOf(KafkaFencedError);
    await expect(old.commitTransaction()).rejects.toBeInstanceOf(KafkaFencedError);
    await newer.beginTransaction();
    await newer.send([{ topic: 't', partition: 1, key: null, value: 'from-newer' }]);
    await newer.commitTransaction();
    expect(view(await readAll(client, 't'))).toEqual(['1@0:null=from-newer']);
    // Another id is another producer.
    const other = await client.producer({ transactionalId: 'sink-1' });
    closers.push(() => other.close());
    expect(other.identity()!.producerId).not.toBe(newer.identity()!.producerId);
    expect(other.identity()!.producerEpoch).toBe(0);
  });

  it("commits a dead producer's prepared transaction by its id and epoch (once), and refuses an aborted one", async () => {
    const path = logPath();
    const first = createEmbeddedLogClient(path);
    const a = await admin(first);
    await a.createTopic({ topic: 't', partitions: 1 });
    const producer = await first.producer({ transactionalId: 'job-0' });
    await producer.beginTransaction();
    await producer.send([{ topic: 't', key: 'a', value: '1' }, { topic: 't', key: 'b', value: '2' }]);
    const identity = producer.identity()!;
    await producer.close(); // the process died: its transaction stays open, invisible
    expect(await readAll(first, 't')).toEqual([]);

    const restarted = createEmbeddedLogClient(path);
    await restarted.commitPreparedTransaction(identity);
    expect(view(await readAll(restarted, 't'))).toEqual(['0@0:a=1', '0@1:b=2']);
    // Committing again (a restart after the commit but before the next checkpoint) changes nothing.
    await restarted.commitPreparedTransaction(identity);
    // Nor after a newer producer took the id (the epoch moved on).
    const next = await restarted.producer({ transactionalId: 'job-0' });
    await next.beginTransaction();
    await next.send([{ topic: 't', key: 'c', value: '3' }]);
    await restarted.commitPreparedTransaction(identity);
    expect(view(await readAll(restarted, 't'))).toEqual(['0@0:a=1', '0@1:b=2']);
    await next.abortTransaction();
    // The aborted transaction cannot be committed by its identity.
    await expect(restarted.commitPreparedTransaction(next.identity()!)).rejects.toThrow(/cannot be committed: it was aborted before it could be committed/);
    await next.close();
    await expect(restarted.commitPreparedTransaction({ transactionalId: 'unknown', producerId: '99', producerEpoch: 0 })).rejects.toThrow(/does not know transactional id 'unknown'/);
    expect(view(await readAll(restarted, 't'))).toEqual(['0@0:a=1', '0@1:b=2']);
  });

  it("commits consumer groups' offsets and lists the groups", async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 3 });
    await a.createTopic({ topic: 'u', partitions: 1 });
    const consumer = await client.consumer({ isolationLevel: 'read_committed', groupId: 'g1' });
    closers.push(() => consumer.close());
    await consumer.commit([{ topic: 't', partition: 0, offset: 5n }, { topic: 't', partition: 2, offset: 7n }]);
    await consumer.commit([{ topic: 't', partition: 0, offset: 6n }]);
    const other = await client.consumer({ isolationLevel: 'read_committed', groupId: 'g2' });
    closers.push(() => other.close());
    await other.commit([{ topic: 'u', partition: 0, offset: 1n }]);
    expect(await a.committedOffsets('g1', 't')).toEqual([{ topic: 't', partition: 0, offset: 6n }, { topic: 't', partition: 2, offset: 7n }]);
    expect(await a.committedOffsets('g1', 'u')).toEqual([]);
    expect(await a.consumerGroups!()).toEqual([{ groupId: 'g1', topics: { t: 0 } }, { groupId: 'g2', topics: { u: 0 } }]);
    const groupless = await client.consumer({ isolationLevel: 'read_committed' });
    closers.push(() => groupless.close());
    await expect(groupless.commit([{ topic: 't', partition: 0, offset: 1n }])).rejects.toThrow(/no group id/);
  });

  it('a waiting fetch wakes up as soon as records arrive, and returns empty batches when none do', async () => {
    const client = createEmbeddedLogClient(logPath());
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 2 });
    const consumer = await client.consumer({ isolationLevel: 'read_committed' });
    closers.push(() => consumer.close());
    await consumer.assign([0, 1].map((partition) => ({ topic: 't', partition, offset: 0n })));
    let t0 = Date.now();
    const empty = await consumer.fetch({ maxWaitMs: 300 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(empty.map((b) => [b.partition, b.records.length, b.nextOffset, b.endOffset])).toEqual([
      [0, 0, 0n, 0n],
      [1, 0, 0n, 0n],
    ]);
    const writer = await client.producer();
    closers.push(() => writer.close());
    t0 = Date.now();
    setTimeout(() => void writer.send([{ topic: 't', partition: 1, key: null, value: 'hello' }]), 200);
    const batches = await consumer.fetch({ maxWaitMs: 20_000 });
    const waited = Date.now() - t0;
    expect(batches.find((b) => b.partition === 1)!.records.map((r) => text(r.value))).toEqual(['hello']);
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(5000);
  });

  it('keeps what was written when every handle is closed and the file is opened again', async () => {
    const path = logPath();
    const client = createEmbeddedLogClient(path);
    const a = await client.admin();
    await a.createTopic({ topic: 't', partitions: 1 });
    await a.close();
    const producer = await client.producer();
    await producer.send([{ topic: 't', key: 'k', value: 'v', timestamp: 42 }]);
    await producer.close();
    const again = createEmbeddedLogClient(path);
    const records = await readAll(again, 't');
    expect(records.map((r) => [text(r.key), text(r.value), r.timestamp, r.offset])).toEqual([['k', 'v', 42, 0n]]);
  });
});

/** Code that writes to the log from another thread or process, through the built client (dist/). */
function writerScript(path: string, body: string): string {
  return `
    const { createEmbeddedLogClient } = await import(${JSON.stringify(pathToFileURL(DIST).href)});
    const client = createEmbeddedLogClient(${JSON.stringify(path)});
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    ${body}
  `;
}

describe.skipIf(!existsSync(DIST))('one embedded log file shared by threads and processes (the built client: npm run build)', () => {
  it('writers in two threads append to one partition without losing or repeating an offset', async () => {
    const path = logPath();
    const client = createEmbeddedLogClient(path);
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 1 });
    const worker = new Worker(
      writerScript(path, `
        const producer = await client.producer({ idempotent: true });
        for (let b = 0; b < 20; b++) {
          await producer.send(Array.from({ length: 50 }, (_, i) => ({ topic: 't', partition: 0, key: 'worker', value: String(b * 50 + i) })));
          await sleep(1);
        }
        await producer.close();
      `),
      { eval: true },
    );
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', resolve);
    });
    const producer = await client.producer({ idempotent: true });
    closers.push(() => producer.close());
    for (let b = 0; b < 20; b++) {
      await producer.send(Array.from({ length: 50 }, (_, i) => ({ topic: 't', partition: 0, key: 'main', value: String(b * 50 + i) })));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await exited).toBe(0);
    const records = await readAll(client, 't');
    expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => BigInt(i)));
    for (const who of ['main', 'worker']) {
      const values = records.filter((r) => text(r.key) === who).map((r) => Number(text(r.value)));
      expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }
  });

  it('a fetch waiting in one thread wakes up when another thread or another process writes', async () => {
    const path = logPath();
    const client = createEmbeddedLogClient(path);
    const a = await admin(client);
    await a.createTopic({ topic: 't', partitions: 1 });
    const consumer = await client.consumer({ isolationLevel: 'read_committed' });
    closers.push(() => consumer.close());
    await consumer.assign([{ topic: 't', partition: 0, offset: 0n }]);
    const send = (value: string) => `
      await sleep(300);
      const producer = await client.producer();
      await producer.send([{ topic: 't', partition: 0, key: null, value: ${JSON.stringify(value)} }]);
      await producer.close();
    `;

    const worker = new Worker(writerScript(path, send('from a thread')), { eval: true });
    closers.push(async () => void (await worker.terminate()));
    let t0 = Date.now();
    let [batch] = await consumer.fetch({ maxWaitMs: 30_000 });
    expect(batch!.records.map((r) => text(r.value))).toEqual(['from a thread']);
    expect(Date.now() - t0).toBeLessThan(10_000);

    const child = spawn(process.execPath, ['--input-type=module', '-e', writerScript(path, send('from a process'))], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    t0 = Date.now();
    [batch] = await consumer.fetch({ maxWaitMs: 30_000 });
    expect(batch!.records.map((r) => text(r.value)), stderr).toEqual(['from a process']);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await exited, stderr).toBe(0);
  });
});
