// Operating the `kafka` source against the real broker: offsets committed to the consumer group after each
// checkpoint (for monitoring), `topic-pattern` with partition discovery (a topic created and a partition added
// while the job runs), and a missing topic as a clear failure in SHOW JOBS. Expected values come from what the
// test produced (per-partition counts, ids), never from Eddy's output.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord, KafkaProducer } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { Eddy } from '../../src/engine/eddy.js';
import { SqliteStateStore } from '../../src/runtime/state/sqlite-state-store.js';
import { executeAll, runEddy, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';

let client: KafkaClient;
let admin: KafkaAdmin;
let producer: KafkaProducer;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-ops-test' });
  admin = await client.admin();
  producer = await client.producer({ idempotent: true });
});

afterAll(async () => {
  await producer?.close();
  await admin?.close();
});

/** Produces ids `from..from+count-1`, id i to partition i % partitions; returns how many went to each partition. */
async function produce(topic: string, from: number, count: number, partitions: number): Promise<number[]> {
  const perPartition = Array.from({ length: partitions }, () => 0);
  const records: KafkaOutgoingRecord[] = [];
  for (let id = from; id < from + count; id++) {
    records.push({ topic, partition: id % partitions, key: null, value: JSON.stringify({ id }) });
    perPartition[id % partitions]!++;
  }
  await producer.send(records);
  return perPartition;
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return condition();
}

/** The group's committed offsets of `topic`, as `partition:offset` texts. */
async function committed(group: string, topic: string): Promise<string[]> {
  return (await admin.committedOffsets(group, topic)).map((p) => `${p.partition}:${p.offset}`);
}

/** The positions the newest checkpoint of the (single) job state in `stateDir` holds for its kafka source. */
function checkpointPositions(stateDir: string): string[] {
  const files = readdirSync(stateDir).filter((f) => f.endsWith('.db') && !f.startsWith('views') && !f.startsWith('catalog'));
  const found: string[] = [];
  for (const file of files) {
    const store = new SqliteStateStore(join(stateDir, file));
    try {
      const cp = store.latestCheckpoint();
      for (const position of Object.values(cp?.sources ?? {})) {
        if (!Array.isArray(position)) continue;
        for (const p of position as { partition: number; offset: string }[]) found.push(`${p.partition}:${p.offset}`);
      }
    } finally {
      void store.close();
    }
  }
  return found.sort();
}

describe('offsets committed to the consumer group after each checkpoint', () => {
  function script(dir: string, topic: string, group: string, extra = ''): string {
    const path = join(dir, 'job.sql');
    writeFileSync(
      path,
      `SET 'execution.checkpointing.interval' = '200 ms';
       CREATE TABLE t (id INT) WITH (
         'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
         'properties.group.id' = '${group}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset',
         'scan.bounded.mode' = 'latest-offset'${extra});
       CREATE TABLE o (id INT) WITH ('connector' = 'blackhole');
       INSERT INTO o SELECT id FROM t;`,
    );
    return path;
  }

  it("a finished job's group offsets equal its last checkpoint's positions: the end of each partition", async () => {
    const topic = uniqueTopic('ops-commit');
    const group = uniqueTopic('ops-group');
    await admin.createTopic({ topic, partitions: 3 });
    const counts = await produce(topic, 0, 1000, 3);
    const dir = tempDir('eddy-kafka-commit-');
    const state = join(dir, 'state');
    const r = await runEddy(['run', '--state-dir', state, script(dir, topic, group)]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const expected = counts.map((n, p) => `${p}:${n}`);
    expect(checkpointPositions(state)).toEqual(expected);
    expect(await committed(group, topic)).toEqual(expected);
  }, 90_000);

  it("'properties.commit.offsets.on.checkpoint' = 'false' commits nothing", async () => {
    const topic = uniqueTopic('ops-nocommit');
    const group = uniqueTopic('ops-group');
    await admin.createTopic({ topic, partitions: 2 });
    await produce(topic, 0, 100, 2);
    const dir = tempDir('eddy-kafka-nocommit-');
    const r = await runEddy(['run', '--state-dir', join(dir, 'state'), script(dir, topic, group, ", 'properties.commit.offsets.on.checkpoint' = 'false'")]);
    expect(r.status).toBe(0);
    expect(await committed(group, topic)).toEqual([]);
  }, 90_000);

  it('a running job commits what each checkpoint read, and more as it reads more', async () => {
    const topic = uniqueTopic('ops-running');
    const group = uniqueTopic('ops-group');
    await admin.createTopic({ topic, partitions: 2 });
    const first = await produce(topic, 0, 300, 2);
    const dir = tempDir('eddy-kafka-running-');
    const eddy = new Eddy({ stateDir: join(dir, 'state') });
    try {
      await executeAll(
        eddy,
        `SET 'execution.checkpointing.interval' = '200 ms';
         CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
           'properties.group.id' = '${group}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
         CREATE TABLE o (id INT) WITH ('connector' = 'blackhole');`,
      );
      const result = await eddy.execute('INSERT INTO o SELECT id FROM t');
      if (result.kind !== 'job') throw new Error(`expected a job, got ${result.kind}`);
      const afterFirst = first.map((n, p) => `${p}:${n}`);
      expect(await waitFor(async () => JSON.stringify(await committed(group, topic)) === JSON.stringify(afterFirst), 30_000), `committed: ${await committed(group, topic)}`).toBe(true);
      expect(result.job.status).toBe('running');
      const second = await produce(topic, 300, 101, 2);
      const afterSecond = first.map((n, p) => `${p}:${n + second[p]!}`);
      expect(await waitFor(async () => JSON.stringify(await committed(group, topic)) === JSON.stringify(afterSecond), 30_000), `committed: ${await committed(group, topic)}`).toBe(true);
      const described = await eddy.execute(`DESCRIBE JOB '${result.job.id}'`);
      if (described.kind !== 'table') throw new Error(`expected a table, got ${described.kind}`);
      expect(described.table.rows.find((r) => r[0] === 'health')?.[1]).toBe('ok');
      await result.job.cancel();
    } finally {
      await eddy.close();
    }
  }, 90_000);
});

describe('topic-pattern and partition discovery', () => {
  it('reads the matching topics, then a matching topic created later and a partition added, from their start', async () => {
    const prefix = uniqueTopic('ops-pattern');
    const a = `${prefix}-a`;
    await admin.createTopic({ topic: a, partitions: 2 });
    await admin.createTopic({ topic: `other-${prefix}-x`, partitions: 1 });
    await produce(a, 0, 10, 2);
    await produce(`other-${prefix}-x`, 900, 5, 1); // does not match: never read
    const eddy = new Eddy();
    try {
      await executeAll(
        eddy,
        `CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic-pattern' = '${prefix.replace(/[-]/g, '\\-')}-[a-z]',
           'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json', 'scan.startup.mode' = 'latest-offset',
           'scan.topic-partition-discovery.interval' = '1 s');`,
      );
      const result = await eddy.execute('SELECT id FROM t');
      if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
      const ids: number[] = [];
      result.query.onChanges((batch) => {
        for (const row of batch.rows) ids.push(row[0] as number);
      });
      // latest-offset: what `a` held at the start is not read, what comes after is.
      await new Promise((r) => setTimeout(r, 1500));
      await produce(a, 10, 6, 2);
      expect(await waitFor(() => ids.length >= 6, 30_000)).toBe(true);
      // A new matching topic (written before discovery finds it: read from its earliest offset) ...
      await admin.createTopic({ topic: `${prefix}-b`, partitions: 2 });
      await produce(`${prefix}-b`, 100, 8, 2);
      // ... and a third partition of `a`, with records in it before discovery finds it.
      await admin.addPartitions(a, 3);
      // (A new producer: one created before knows only two partitions of `a`.)
      const late = await client.producer({ idempotent: true });
      await late.send([200, 201, 202].map((id) => ({ topic: a, partition: 2, key: null, value: JSON.stringify({ id }) })));
      await late.close();
      const fresh = await client.admin(); // (the suite's admin may know only two partitions of `a`, too)
      expect((await fresh.listOffsets(a, 'latest')).map((p) => Number(p.offset))).toEqual([8, 8, 3]);
      await fresh.close();
      const expected = [10, 11, 12, 13, 14, 15, 100, 101, 102, 103, 104, 105, 106, 107, 200, 201, 202];
      expect(await waitFor(() => ids.length >= expected.length, 30_000), `ids: ${ids}`).toBe(true);
      await new Promise((r) => setTimeout(r, 1500)); // nothing more (no duplicates, nothing of other-...) arrives
      expect([...ids].sort((x, y) => x - y)).toEqual(expected);
      await result.query.cancel();
    } finally {
      await eddy.close();
    }
  }, 90_000);

  it('a pattern that matches nothing yet waits, saying so in SHOW JOBS', async () => {
    const prefix = uniqueTopic('ops-none');
    const eddy = new Eddy();
    try {
      await executeAll(
        eddy,
        `CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic-pattern' = '${prefix}-.*', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
           'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.topic-partition-discovery.interval' = '1 s');
         CREATE TABLE o (id INT) WITH ('connector' = 'blackhole');`,
      );
      const result = await eddy.execute('INSERT INTO o SELECT id FROM t');
      if (result.kind !== 'job') throw new Error(`expected a job, got ${result.kind}`);
      const health = async () => {
        const shown = await eddy.execute('SHOW JOBS');
        if (shown.kind !== 'table') throw new Error('expected a table');
        const column = shown.table.columns.indexOf('health');
        return shown.table.rows.find((r) => r[0] === result.job.id)?.[column];
      };
      expect(await waitFor(async () => (await health()) === `waiting: no Kafka topic matches '${prefix}-.*'`, 20_000), `health: ${await health()}`).toBe(true);
      await admin.createTopic({ topic: `${prefix}-1`, partitions: 1 });
      await produce(`${prefix}-1`, 0, 5, 1);
      expect(await waitFor(() => result.job.summary().rowsIn === 5, 30_000)).toBe(true);
      expect(await health()).toBe('');
      await result.job.cancel();
    } finally {
      await eddy.close();
    }
  }, 90_000);
});

describe('broker trouble', () => {
  it('a missing topic fails the job at once with a clear error in SHOW JOBS', async () => {
    const topic = uniqueTopic('ops-missing');
    const eddy = new Eddy();
    try {
      await executeAll(
        eddy,
        `CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
           'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
         CREATE TABLE o (id INT) WITH ('connector' = 'blackhole');`,
      );
      const result = await eddy.execute('INSERT INTO o SELECT id FROM t');
      if (result.kind !== 'job') throw new Error(`expected a job, got ${result.kind}`);
      await result.job.done.catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
      const shown = await eddy.execute('SHOW JOBS');
      if (shown.kind !== 'table') throw new Error('expected a table');
      const row = shown.table.rows.find((r) => r[0] === result.job.id)!;
      expect(row[shown.table.columns.indexOf('status')]).toBe('FAILED');
      expect(row[shown.table.columns.indexOf('error')]).toBe(`EDDY-R004: Table \`t\`: Kafka at '${kafkaBootstrap()}': Kafka topic '${topic}' does not exist`);
    } finally {
      await eddy.close();
    }
  }, 60_000);
});
