// The `kafka` sink against a real broker: rows written are read back by a read_committed consumer and compared with
// the input (as a multiset); the options are checked; exactly-once transactions commit with the checkpoint, and a
// sink that stops before a checkpoint commits leaves nothing visible; after a restart there are no duplicates or gaps.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { KafkaAdmin, KafkaClient, KafkaRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { kafkaConnector } from '../../src/connectors/kafka/kafka.js';
import { insertBatch, type Row } from '../../src/runtime/changelog.js';
import type { ConnectorContext, SinkWriter } from '../../src/runtime/connector.js';
import { T, type Schema } from '../../src/common/types.js';
import { testContext } from '../connectors/context.js';
import { summarize } from '../../src/engine/job-summary.js';
import type { JobHandle } from '../../src/engine/job-handle.js';
import { tempDir } from '../e2e/helpers.js';
import { javaDefaultPartition, kafkaBootstrap, uniqueTopic } from './broker.js';
import { jsonValues, multiset } from './run-helpers.js';
import { readTopic } from './topic-io.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-sink-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

/** Every record of `topic` a read_committed consumer sees, waiting until there are at least `atLeast` (see topic-io.ts). */
const readCommitted = (topic: string, atLeast = 0): Promise<KafkaRecord[]> => readTopic(client, topic, atLeast);

const values = jsonValues;

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
];

function sinkContext(topic: string, options: Record<string, string>, extra: Partial<ConnectorContext> = {}): ConnectorContext {
  return {
    ...testContext(schema, { connector: 'kafka', topic, 'properties.bootstrap.servers': kafkaBootstrap(), format: 'json', ...options }, 'out'),
    ...extra,
  };
}

const rowsOf = (from: number, to: number): Row[] => Array.from({ length: to - from }, (_, k) => [from + k, `n${from + k}`]);
const asObjects = (rows: readonly Row[]) => rows.map(([id, name]) => ({ id, name }));

describe('a bounded job into a kafka sink', () => {
  for (const guarantee of ['none', 'at-least-once']) {
    it(`writes every row once (${guarantee}), read back equal to the input`, async () => {
      const topic = uniqueTopic(`sink-${guarantee}`);
      await admin.createTopic({ topic, partitions: 3 });
      const dir = tempDir();
      const input = join(dir, 'in.json');
      // 500 rows, some names repeated, so the multiset comparison counts duplicates.
      const expected = Array.from({ length: 500 }, (_, i) => ({ id: i % 450, name: `n${i % 7}`, amount: i * 0.5 }));
      writeFileSync(input, expected.map((r) => JSON.stringify(r) + '\n').join(''));
      const eddy = new Eddy();
      try {
        await eddy.execute("SET 'table.dml-sync' = 'true'");
        await eddy.execute(`CREATE TABLE src (id INT, name STRING, amount DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
        await eddy.execute(
          `CREATE TABLE out (id INT, name STRING, amount DOUBLE) WITH ('connector' = 'kafka', 'topic' = '${topic}', ` +
            `'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json', 'sink.delivery-guarantee' = '${guarantee}')`,
        );
        await eddy.execute('INSERT INTO out SELECT * FROM src');
      } finally {
        await eddy.close();
      }
      const records = await readCommitted(topic, expected.length);
      expect(multiset(values(records))).toEqual(multiset(expected));
      expect(records.every((r) => r.key === null)).toBe(true);
      // Keyless records are spread by the client's default partitioner, not all on one partition.
      expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
    });
  }
});

describe('options', () => {
  async function createError(withOptions: string, columns = 'id INT'): Promise<EddyError> {
    const eddy = new Eddy();
    try {
      const e = await eddy
        .execute(`CREATE TABLE out (${columns}) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json'${withOptions})`)
        .then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(EddyError);
      return e as EddyError;
    } finally {
      await eddy.close();
    }
  }

  it('exactly-once needs a transactional id prefix, as in Flink', async () => {
    const e = await createError(", 'sink.delivery-guarantee' = 'exactly-once'");
    expect(e.message).toContain("'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'");
    expect(e.diagnostics[0]!.span).toBeDefined();
  });

  it('refuses client properties it does not pass on, bad enumerations, key.fields without key.format', async () => {
    expect((await createError(", 'properties.compression.type' = 'gzip'")).message).toContain("Kafka client property 'properties.compression.type' is not supported");
    // SASL without a SASL security protocol is refused (it would be ignored otherwise).
    expect((await createError(", 'properties.sasl.mechanism' = 'PLAIN'")).message).toContain("'properties.sasl.mechanism' needs a SASL 'properties.security.protocol'");
    expect((await createError(", 'sink.partitioner' = 'sticky'")).message).toContain("Invalid value 'sticky' for option 'sink.partitioner'");
    expect((await createError(", 'key.fields' = 'id'")).message).toContain("'key.fields' needs 'key.format'");
    expect((await createError(", 'sink.delivery-guarantee' = 'twice'")).message).toContain("expected one of: none, at-least-once, exactly-once");
  });

  it('refuses an updating query with a positioned error', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.json');
    writeFileSync(input, '{"id": 1}\n');
    const eddy = new Eddy();
    try {
      await eddy.execute(`CREATE TABLE src (id INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`);
      await eddy.execute(`CREATE TABLE out (id INT, c BIGINT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json')`);
      const e = await eddy.execute('INSERT INTO out SELECT id, COUNT(*) FROM src GROUP BY id').then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(EddyError);
      expect((e as EddyError).code).toBe('EDDY-L001');
      expect((e as EddyError).message).toContain("connector 'kafka') only accepts inserts");
      expect((e as EddyError).diagnostics[0]!.span).toBeDefined();
    } finally {
      await eddy.close();
    }
  });

  it('the writer itself refuses a change other than an insert, naming upsert-kafka', async () => {
    const writer = kafkaConnector.createSink!(sinkContext('t', {}));
    let error: unknown;
    try {
      writer.write({ rows: [[1, 'a']], kinds: [3] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EddyError);
    expect((error as EddyError).message).toMatch(/only accepts inserts, got a -D change/);
    expect((error as EddyError).diagnostics[0]!.hint).toContain('upsert-kafka');
  });
});

describe('exactly-once', () => {
  const exactlyOnce = (topic: string, prefix: string, extra: Partial<ConnectorContext> = {}): SinkWriter =>
    kafkaConnector.createSink!(
      sinkContext(topic, { 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': prefix }, { checkpointing: true, ...extra }),
    );

  it('commits with the checkpoint; a sink stopped before it leaves nothing; a restart has no duplicates or gaps', async () => {
    const topic = uniqueTopic('sink-eos');
    const prefix = uniqueTopic('eos-tx');
    await admin.createTopic({ topic, partitions: 3 });

    const first = exactlyOnce(topic, prefix);
    await first.open();
    first.write(insertBatch(rowsOf(0, 100)));
    await first.flush();
    const info1 = await first.preCommit!(1);
    // Sent and acknowledged, but the checkpoint has not committed: nothing is visible to read_committed.
    expect(await readCommitted(topic)).toEqual([]);
    await first.commit!(info1);
    expect(multiset(values(await readCommitted(topic, 100)))).toEqual(multiset(asObjects(rowsOf(0, 100))));

    // Rows of checkpoint 2 are sent, and more after its preCommit; then the job dies before checkpoint 2 commits.
    first.write(insertBatch(rowsOf(100, 200)));
    await first.flush();
    const info2 = await first.preCommit!(2);
    first.write(insertBatch(rowsOf(200, 250)));
    await first.flush();
    expect(multiset(values(await readCommitted(topic, 100)))).toEqual(multiset(asObjects(rowsOf(0, 100))));

    // The restarted sink (restored from checkpoint 1) fences the dead one: its open transaction is aborted.
    const second = exactlyOnce(topic, prefix, { restored: JSON.parse(JSON.stringify(info1)) });
    await second.open();
    expect(multiset(values(await readCommitted(topic, 100)))).toEqual(multiset(asObjects(rowsOf(0, 100))));
    // The dead sink's producer can no longer commit anything.
    await expect(first.commit!(info2)).rejects.toThrow(/fenced/);

    // The restored job replays from checkpoint 1 and goes on: every row exactly once.
    second.write(insertBatch(rowsOf(100, 300)));
    await second.flush();
    const again2 = await second.preCommit!(2);
    await second.commit!(again2);
    second.write(insertBatch(rowsOf(300, 320)));
    const info3 = await second.preCommit!(3);
    await second.commit!(info3);
    await second.close();
    await first.close().catch(() => {});
    expect(multiset(values(await readCommitted(topic, 320)))).toEqual(multiset(asObjects(rowsOf(0, 320))));
  });

  it('rows written between a preCommit and its commit go to the next transaction', async () => {
    const topic = uniqueTopic('sink-eos-hold');
    await admin.createTopic({ topic, partitions: 1 });
    const sink = exactlyOnce(topic, uniqueTopic('eos-hold'));
    await sink.open();
    sink.write(insertBatch(rowsOf(0, 10)));
    const info1 = await sink.preCommit!(1);
    sink.write(insertBatch(rowsOf(10, 20)));
    await sink.flush();
    await sink.commit!(info1);
    // Checkpoint 1 is committed: its rows only, the later ones wait for checkpoint 2.
    expect(values(await readCommitted(topic, 10))).toEqual(asObjects(rowsOf(0, 10)));
    const info2 = await sink.preCommit!(2);
    await sink.commit!(info2);
    await sink.close();
    expect(values(await readCommitted(topic, 20))).toEqual(asObjects(rowsOf(0, 20)));
  });

  it('a sink closed before its checkpoint commits leaves its rows invisible; a fresh start aborts them', async () => {
    const topic = uniqueTopic('sink-eos-close');
    const prefix = uniqueTopic('eos-close');
    await admin.createTopic({ topic, partitions: 2 });
    const sink = exactlyOnce(topic, prefix);
    await sink.open();
    sink.write(insertBatch(rowsOf(0, 50)));
    await sink.preCommit!(1);
    sink.write(insertBatch(rowsOf(50, 60)));
    await sink.close();
    expect(await readCommitted(topic)).toEqual([]);
    // A fresh start (no checkpoint to restore) with the same prefix aborts both left-over transactions.
    const fresh = exactlyOnce(topic, prefix);
    await fresh.open();
    fresh.write(insertBatch(rowsOf(100, 110)));
    await fresh.commit!(await fresh.preCommit!(1));
    await fresh.close();
    expect(multiset(values(await readCommitted(topic, 10)))).toEqual(multiset(asObjects(rowsOf(100, 110))));
  });

  it("a crash after Eddy's checkpoint committed but before Kafka's did: the restored sink commits it", async () => {
    const topic = uniqueTopic('sink-eos-recommit');
    const prefix = uniqueTopic('eos-recommit');
    await admin.createTopic({ topic, partitions: 3 });
    const first = exactlyOnce(topic, prefix);
    await first.open();
    first.write(insertBatch(rowsOf(0, 100)));
    const info1 = await first.preCommit!(1);
    // Rows after checkpoint 1 go to the next transaction; then the process dies, commit(info1) never runs.
    first.write(insertBatch(rowsOf(100, 150)));
    await first.flush();
    expect(await readCommitted(topic)).toEqual([]);

    const second = exactlyOnce(topic, prefix, { restored: JSON.parse(JSON.stringify(info1)) });
    await second.open();
    // Checkpoint 1's rows are committed, the rows after it aborted.
    expect(multiset(values(await readCommitted(topic, 100)))).toEqual(multiset(asObjects(rowsOf(0, 100))));
    second.write(insertBatch(rowsOf(100, 200)));
    const info2 = await second.preCommit!(2);
    await second.commit!(info2);
    await second.close();
    await first.close().catch(() => {});

    // Restored once more from checkpoint 1 (say checkpoint 2's state never became durable): committing
    // checkpoint 1's transaction again changes nothing, and checkpoint 2's committed rows stay.
    const third = exactlyOnce(topic, prefix, { restored: JSON.parse(JSON.stringify(info1)) });
    await third.open();
    await third.close();
    expect(multiset(values(await readCommitted(topic, 200)))).toEqual(multiset(asObjects(rowsOf(0, 200))));
  });

  it('refuses to run without checkpoints', async () => {
    const topic = uniqueTopic('sink-eos-nocp');
    await admin.createTopic({ topic, partitions: 1 });
    const sink = exactlyOnce(topic, uniqueTopic('eos-nocp'), { checkpointing: false });
    await expect(sink.open()).rejects.toThrow(/commits at checkpoints, but this job takes none/);
  });
});

describe('keys and partitioners', () => {
  async function writeAll(topic: string, options: Record<string, string>, rows: readonly Row[]): Promise<KafkaRecord[]> {
    const sink = kafkaConnector.createSink!(sinkContext(topic, options));
    await sink.open();
    sink.write(insertBatch([...rows]));
    await sink.close();
    return readCommitted(topic, rows.length);
  }
  const rows = rowsOf(0, 60).map(([id]) => [id, `user-${(id as number) % 7}`] as Row);

  it("'key.fields' makes the key; 'default' partitions by the key's murmur2 hash as Kafka's Java client", async () => {
    const topic = uniqueTopic('sink-key');
    await admin.createTopic({ topic, partitions: 3 });
    const records = await writeAll(topic, { 'key.format': 'json', 'key.fields': 'name;id' }, rows);
    expect(multiset(values(records))).toEqual(multiset(asObjects(rows)));
    for (const r of records) {
      const value = JSON.parse(r.value!.toString('utf8')) as { id: number; name: string };
      // The key holds the key fields in the order 'key.fields' names them.
      expect(r.key!.toString('utf8')).toBe(`{"name":"${value.name}","id":${value.id}}`);
      expect(r.partition).toBe(javaDefaultPartition(r.key!, 3));
    }
    expect(new Set(records.map((r) => r.partition)).size).toBe(3);
  });

  it("'fixed' writes every record to partition 0", async () => {
    const topic = uniqueTopic('sink-fixed');
    await admin.createTopic({ topic, partitions: 3 });
    const records = await writeAll(topic, { 'sink.partitioner': 'fixed', 'key.format': 'csv', 'key.fields': 'id' }, rows);
    expect(multiset(values(records))).toEqual(multiset(asObjects(rows)));
    expect(records.every((r) => r.partition === 0)).toBe(true);
    expect(records.map((r) => r.key!.toString('utf8'))).toEqual(rows.map(([id]) => String(id)));
  });

  it("'round-robin' writes the partitions in turn", async () => {
    const topic = uniqueTopic('sink-rr');
    await admin.createTopic({ topic, partitions: 3 });
    const records = await writeAll(topic, { 'sink.partitioner': 'round-robin' }, rows);
    for (let p = 0; p < 3; p++) {
      const ids = records.filter((r) => r.partition === p).map((r) => (JSON.parse(r.value!.toString('utf8')) as { id: number }).id);
      expect(ids).toEqual(rows.map(([id]) => id as number).filter((id) => id % 3 === p));
    }
  });

  it("refuses 'key.fields' naming a column the table does not have", () => {
    expect(() => kafkaConnector.createSink!(sinkContext('t', { 'key.format': 'json', 'key.fields': 'id;nope' }))).toThrow(
      "'key.fields' names column 'nope', which the table does not have",
    );
  });
});

describe('exactly-once through the engine', () => {
  const rowsIn = (handle: JobHandle) => summarize(handle.jobs.map((j) => j.metrics)).rowsIn;
  async function until(what: string, predicate: () => boolean, ms = 60_000): Promise<void> {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > ms) throw new Error(`not reached in time: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('a job cancelled part-way and resumed from its state directory writes every row exactly once', async () => {
    const topic = uniqueTopic('sink-eos-job');
    await admin.createTopic({ topic, partitions: 3 });
    const dir = tempDir();
    const input = join(dir, 'in.json');
    writeFileSync(input, '');
    const events = Array.from({ length: 900 }, (_, i) => ({ id: i, name: `n${i % 13}` }));
    const add = (from: number, to: number) => appendFileSync(input, events.slice(from, to).map((e) => JSON.stringify(e) + '\n').join(''));
    const ddl = [
      "SET 'execution.checkpointing.interval' = '500 ms'",
      `CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.monitor-interval' = '50 ms')`,
      `CREATE TABLE out (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', ` +
        `'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = '${uniqueTopic('eos-job')}')`,
    ];
    const start = async (eddy: Eddy): Promise<JobHandle> => {
      for (const sql of ddl) await eddy.execute(sql);
      const r = await eddy.execute('INSERT INTO out SELECT id, name FROM src');
      if (r.kind !== 'job') throw new Error(`expected a job, got ${r.kind}`);
      return r.job;
    };
    const stateDir = join(dir, 'state');

    const first = new Eddy({ stateDir });
    const handle = await start(first);
    for (let i = 0; i < 300; i += 100) {
      add(i, i + 100);
      await new Promise((r) => setTimeout(r, 120));
    }
    // A job that failed (say the sink could not open) is named in the timeout's message.
    const ended = handle.done.then(() => 'ended', (e: unknown) => String(e));
    await until('the first part read', () => rowsIn(handle) === 300).catch(async (e: unknown) => {
      throw new Error(`${String(e)}; rows read: ${rowsIn(handle)}; job: ${await Promise.race([ended, Promise.resolve('running')])}`);
    });
    await until('a checkpoint after it', () => handle.progress().checkpoints >= 2);
    // Rows read after the last checkpoint, so the cancelled job leaves an open transaction behind: add a chunk and
    // wait until it is read; when a checkpoint came meanwhile, add another one.
    let read = 300;
    for (;;) {
      const checkpoints = handle.progress().checkpoints;
      add(read, read + 20);
      read += 20;
      await until('the chunk read', () => rowsIn(handle) === read);
      if (handle.progress().checkpoints === checkpoints) break;
    }
    await handle.cancel();
    await handle.done.catch(() => {});
    await first.close();
    const between = values(await readCommitted(topic));
    expect(between.length).toBeLessThan(read);

    add(read, 600);
    const second = new Eddy({ stateDir });
    try {
      const resumed = await start(second);
      expect(resumed.jobs.map((j) => j.restoredFrom !== undefined)).toEqual([true]);
      add(600, 900);
      const atCheckpoint = (resumed.jobs[0]!.restoredFrom!.sources as Record<string, { line: number }[]>);
      const linesAtCheckpoint = Object.values(atCheckpoint).flat().reduce((n, p) => n + p.line, 0);
      // The checkpoint restored from had not seen the last rows read before the cancel.
      expect(linesAtCheckpoint).toBeLessThan(read);
      const resumedEnded = resumed.done.then(() => 'ended', (e: unknown) => String(e));
      await until('the rest read', () => rowsIn(resumed) + linesAtCheckpoint === 900).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; rows read: ${rowsIn(resumed)} + ${linesAtCheckpoint}; job: ${await Promise.race([resumedEnded, Promise.resolve('running')])}`);
      });
      await resumed.stop();
      await resumed.done;
    } finally {
      await second.close();
    }
    // Every row exactly once: no duplicates of the rows after the last checkpoint, no gaps.
    expect(multiset(values(await readCommitted(topic, events.length)))).toEqual(multiset(events));
  }, 120_000);
});
