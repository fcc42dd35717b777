// The `kafka` connector's source against the real broker: bounded reads, startup and bounded modes, checkpoint
// positions and bad records. Expected rows are computed from what the test itself produced.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { kafkaConnector, type KafkaSourcePosition } from '../../src/connectors/kafka/kafka.js';
import type { SourceChunk, SourceReader } from '../../src/runtime/connector.js';
import { EddyError } from '../../src/common/errors.js';
import { T, type Schema } from '../../src/common/types.js';
import { testContext, type TestContext } from '../connectors/context.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-source-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
];

const BASE = Date.UTC(2024, 0, 1);

async function produce(records: KafkaOutgoingRecord[]): Promise<void> {
  const producer = await client.producer({ idempotent: true });
  try {
    await producer.send(records);
  } finally {
    await producer.close();
  }
}

/** `count` rows {id, name} spread over `partitions` partitions (id % partitions), timestamps BASE + id. */
function rowsFor(topic: string, from: number, count: number, partitions: number): KafkaOutgoingRecord[] {
  return Array.from({ length: count }, (_, j) => {
    const id = from + j;
    return { topic, partition: id % partitions, key: null, value: JSON.stringify({ id, name: `n${id}` }), timestamp: BASE + id };
  });
}

function context(topic: string, options: Record<string, string> = {}, fail = false, restored?: unknown): TestContext {
  const ctx = testContext(
    schema,
    { connector: 'kafka', topic, 'properties.bootstrap.servers': kafkaBootstrap(), format: 'json', 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset', ...options },
    'events',
    fail,
  );
  return restored === undefined ? ctx : { ...ctx, restored, badRecord: ctx.badRecord };
}

/** Reads a bounded source to its end. */
async function readAll(ctx: TestContext): Promise<{ chunks: SourceChunk[]; rows: unknown[][]; position: KafkaSourcePosition[] }> {
  const reader = kafkaConnector.createSource!(ctx);
  expect(reader.bounded).toBe(true);
  await reader.open();
  const chunks: SourceChunk[] = [];
  try {
    for (let c = await reader.next(); c !== null; c = await reader.next()) chunks.push(c);
  } finally {
    await reader.close();
  }
  return { chunks, rows: chunks.flatMap((c) => c.rows), position: reader.position!() as KafkaSourcePosition[] };
}

/** Reads an unbounded source until it has returned `count` rows. */
async function readRows(reader: SourceReader, count: number, timeoutMs = 30_000): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  const deadline = Date.now() + timeoutMs;
  while (rows.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${count} rows after ${timeoutMs} ms`);
    const chunk = await reader.next();
    if (chunk === null) throw new Error('an unbounded source ended');
    rows.push(...chunk.rows);
  }
  return rows;
}

const sortRows = (rows: unknown[][]) => [...rows].sort((a, b) => (a[0] as number) - (b[0] as number));
const expectedRows = (ids: number[]) => ids.map((id) => [id, `n${id}`]);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('kafka source, bounded by latest-offset', () => {
  it('reads a 3-partition topic to its end: exactly the rows produced', async () => {
    const topic = uniqueTopic('src-bounded');
    await admin.createTopic({ topic, partitions: 3 });
    await produce(rowsFor(topic, 0, 600, 3));
    const { chunks, rows, position } = await readAll(context(topic));
    expect(sortRows(rows)).toEqual(expectedRows(range(0, 600)));
    // Each partition's rows come in its own split, in offset order, and each split ends once.
    for (let p = 0; p < 3; p++) {
      const ids = chunks.filter((c) => c.split === `${topic}/${p}`).flatMap((c) => c.rows.map((r) => r[0] as number));
      expect(ids).toEqual(range(0, 600).filter((id) => id % 3 === p));
      expect(chunks.filter((c) => c.split === `${topic}/${p}` && c.splitEnded)).toHaveLength(1);
    }
    expect(position).toEqual([0, 1, 2].map((partition) => ({ topic, partition, offset: '200' })));
  });

  it('reads several topics, and an empty partition ends at once', async () => {
    const a = uniqueTopic('src-a');
    const b = uniqueTopic('src-b');
    await admin.createTopic({ topic: a, partitions: 2 });
    await admin.createTopic({ topic: b, partitions: 1 });
    await produce([...rowsFor(a, 0, 1, 1), ...rowsFor(b, 100, 5, 1)]); // a's partition 1 stays empty
    const { chunks, rows } = await readAll(context(`${a};${b}`));
    expect(sortRows(rows)).toEqual(expectedRows([0, 100, 101, 102, 103, 104]));
    expect(chunks.filter((c) => c.splitEnded).map((c) => c.split).sort()).toEqual([`${a}/0`, `${a}/1`, `${b}/0`].sort());
  });

  it('does not read records produced after it opened', async () => {
    const topic = uniqueTopic('src-fixed-end');
    await admin.createTopic({ topic, partitions: 1 });
    await produce(rowsFor(topic, 0, 10, 1));
    const reader = kafkaConnector.createSource!(context(topic));
    await reader.open();
    await produce(rowsFor(topic, 10, 10, 1));
    const rows: unknown[][] = [];
    for (let c = await reader.next(); c !== null; c = await reader.next()) rows.push(...c.rows);
    await reader.close();
    expect(rows).toEqual(expectedRows(range(0, 10)));
  });
});

describe('kafka source startup modes', () => {
  // Two partitions of ten records each: ids 0..19, partition id % 2, timestamp BASE + id. Partition p holds the
  // ids p, p+2, ..., p+18 at offsets 0..9.
  const topic = uniqueTopic('src-startup');
  const idsFrom = (offsets: readonly [number, number]) => range(0, 20).filter((id) => Math.floor(id / 2) >= offsets[id % 2]!);

  beforeAll(async () => {
    await admin.createTopic({ topic, partitions: 2 });
    await produce(rowsFor(topic, 0, 20, 2));
  });

  it('earliest-offset reads everything', async () => {
    const { rows } = await readAll(context(topic));
    expect(sortRows(rows)).toEqual(expectedRows(range(0, 20)));
  });

  it('latest-offset reads only what arrives after the source opened', async () => {
    const reader = kafkaConnector.createSource!(context(topic, { 'scan.startup.mode': 'latest-offset', 'scan.bounded.mode': 'unbounded' }));
    expect(reader.bounded).toBe(false);
    await reader.open();
    try {
      await produce(rowsFor(topic, 1000, 4, 2));
      expect(sortRows(await readRows(reader, 4))).toEqual(expectedRows([1000, 1001, 1002, 1003]));
      expect(reader.position!()).toEqual([
        { topic, partition: 0, offset: '12' },
        { topic, partition: 1, offset: '12' },
      ]);
    } finally {
      await reader.close();
    }
  });

  it('timestamp starts each partition at its first record at or after the time', async () => {
    const { rows } = await readAll(context(topic, { 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': String(BASE + 7) }));
    // Records with timestamp >= BASE + 7 are ids 7..19 (and the ids 1000.. of the test before, if it ran).
    expect(sortRows(rows).filter((r) => (r[0] as number) < 1000)).toEqual(expectedRows(range(7, 20)));
  });

  it('specific-offsets starts the partitions given there, and the others at their earliest offset', async () => {
    const { rows } = await readAll(context(topic, { 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:7' }));
    expect(sortRows(rows).filter((r) => (r[0] as number) < 1000)).toEqual(expectedRows(idsFrom([7, 0])));
  });

  it("group-offsets starts at the group's committed offsets, with auto.offset.reset for partitions without one", async () => {
    const group = uniqueTopic('group');
    const committer = await client.consumer({ isolationLevel: 'read_uncommitted', groupId: group });
    try {
      await committer.assign([{ topic, partition: 1, offset: 0n }]);
      await committer.commit([{ topic, partition: 1, offset: 4n }]);
    } finally {
      await committer.close();
    }
    const options = { 'scan.startup.mode': 'group-offsets', 'properties.group.id': group };
    // Partition 0 has no committed offset: by default ('none') that is an error naming it.
    await expect(readAll(context(topic, options))).rejects.toThrow(`consumer group '${group}' has no committed offset for topic '${topic}' partition 0`);
    const { rows } = await readAll(context(topic, { ...options, 'properties.auto.offset.reset': 'earliest' }));
    expect(sortRows(rows).filter((r) => (r[0] as number) < 1000)).toEqual(expectedRows(idsFrom([0, 4])));
    const latest = await readAll(context(topic, { ...options, 'properties.auto.offset.reset': 'latest' }));
    expect(sortRows(latest.rows).filter((r) => (r[0] as number) < 1000)).toEqual(expectedRows(idsFrom([10, 4])));
  });
});

describe('kafka source bounded modes', () => {
  const topic = uniqueTopic('src-bounds');

  beforeAll(async () => {
    await admin.createTopic({ topic, partitions: 2 });
    await produce(rowsFor(topic, 0, 20, 2));
  });

  it('timestamp ends each partition before its first record at or after the time', async () => {
    const { rows, position } = await readAll(context(topic, { 'scan.bounded.mode': 'timestamp', 'scan.bounded.timestamp-millis': String(BASE + 7) }));
    expect(sortRows(rows)).toEqual(expectedRows(range(0, 7)));
    // Partition 0 ends before id 8 (offset 4), partition 1 before id 7 (offset 3).
    expect(position).toEqual([
      { topic, partition: 0, offset: '4' },
      { topic, partition: 1, offset: '3' },
    ]);
  });

  it('specific-offsets ends the partitions given there, the others at their end', async () => {
    const { rows } = await readAll(context(topic, { 'scan.bounded.mode': 'specific-offsets', 'scan.bounded.specific-offsets': 'partition:1,offset:2' }));
    expect(sortRows(rows)).toEqual(expectedRows([0, 1, 2, 3, 4, 6, 8, 10, 12, 14, 16, 18]));
  });
});

describe('kafka source watermarks at the start', () => {
  it('announces every partition before any records, so a partition read later holds the watermark back', async () => {
    const topic = uniqueTopic('announce');
    await admin.createTopic({ topic, partitions: 3 });
    // Records only in partition 0: partitions 1 and 2 must still be known to the job before the first row arrives.
    await produce(rowsFor(topic, 0, 5, 1));
    const reader = kafkaConnector.createSource!(context(topic, { 'scan.bounded.mode': 'unbounded' }));
    await reader.open();
    try {
      const before: string[] = [];
      for (let c = await reader.next(); c !== null; c = await reader.next()) {
        if (c.rows.length > 0) break;
        expect(c.splitEnded ?? false).toBe(false);
        before.push(c.split);
      }
      expect(before.sort()).toEqual([`${topic}/0`, `${topic}/1`, `${topic}/2`]);
    } finally {
      await reader.close();
    }
  });
});

describe('kafka source checkpoint positions', () => {
  it('a restored source resumes at the saved offsets: no duplicates, no gaps', async () => {
    const topic = uniqueTopic('src-restore');
    await admin.createTopic({ topic, partitions: 3 });
    await produce(rowsFor(topic, 0, 300, 3));
    // The first run reads everything there is, then one more chunk of what follows, and stops there.
    const first = kafkaConnector.createSource!(context(topic, { 'scan.bounded.mode': 'unbounded' }));
    await first.open();
    let saved: KafkaSourcePosition[];
    const firstRows: unknown[][] = [];
    try {
      firstRows.push(...(await readRows(first, 300)));
      expect(first.position!()).toEqual([0, 1, 2].map((partition) => ({ topic, partition, offset: '100' })));
      await produce(rowsFor(topic, 300, 300, 3));
      const chunk = await first.next();
      expect(chunk!.rows.length).toBeGreaterThan(0);
      firstRows.push(...chunk!.rows);
      saved = JSON.parse(JSON.stringify(first.position!())) as KafkaSourcePosition[]; // as a checkpoint stores it
    } finally {
      await first.close();
    }
    // The saved position is right after the rows handed out: per partition, 100 + that partition's new rows.
    for (const p of saved) {
      const handed = firstRows.filter((r) => (r[0] as number) % 3 === p.partition).length;
      expect(p.offset).toBe(String(handed));
    }
    expect(saved.some((p) => p.offset !== '100')).toBe(true);
    await produce(rowsFor(topic, 600, 30, 3));
    // The restored run starts there (its startup mode does not apply) and reads to the end.
    const second = await readAll(context(topic, { 'scan.startup.mode': 'latest-offset' }, false, saved));
    const all = [...firstRows, ...second.rows];
    expect(all).toHaveLength(630);
    expect(sortRows(all)).toEqual(expectedRows(range(0, 630)));
    expect(second.position).toEqual([0, 1, 2].map((partition) => ({ topic, partition, offset: '210' })));
  });

  it('a bad record skipped before the checkpoint is not read again', async () => {
    const topic = uniqueTopic('src-restore-bad');
    await admin.createTopic({ topic, partitions: 1 });
    await produce([{ topic, partition: 0, key: null, value: '{"id":1,"name":"a"}' }, { topic, partition: 0, key: null, value: 'oops' }]);
    const ctx = context(topic, { 'errors.policy': 'skip' });
    const first = await readAll(ctx);
    expect(first.rows).toEqual([[1, 'a']]);
    expect(first.position).toEqual([{ topic, partition: 0, offset: '2' }]);
    expect(ctx.badRecords).toHaveLength(1);
    await produce([{ topic, partition: 0, key: null, value: '{"id":2,"name":"b"}' }]);
    const again = context(topic, { 'errors.policy': 'skip' }, false, first.position);
    expect((await readAll(again)).rows).toEqual([[2, 'b']]);
    expect(again.badRecords).toEqual([]);
  });

  it('an unreadable checkpointed position is a clear error', () => {
    expect(() => kafkaConnector.createSource!(context('t', {}, false, [{ topic: 't', partition: 0, offset: 12 }]))).toThrow(
      /the checkpointed position of the kafka source is not readable/,
    );
  });
});

describe('kafka source bad records', () => {
  it('names topic/partition@offset; too-large and invalid-utf8 values; a tombstone is no record; fail stops', async () => {
    const topic = uniqueTopic('src-bad');
    await admin.createTopic({ topic, partitions: 2 });
    await produce([
      { topic, partition: 1, key: null, value: '{"id":1,"name":"a"}' },
      { topic, partition: 1, key: null, value: `{"id":2,"name":"${'x'.repeat(100)}"}` },
      { topic, partition: 1, key: null, value: Buffer.from([0x7b, 0xff, 0x7d]) },
      { topic, partition: 1, key: 'k', value: null },
      { topic, partition: 1, key: null, value: '{"id":"three"}' },
      { topic, partition: 1, key: null, value: '{"id":4,"name":"d"}' },
    ]);
    const ctx = context(topic, { 'errors.policy': 'skip', 'errors.max-record-bytes': '50' });
    const { chunks, rows, position } = await readAll(ctx);
    expect(rows).toEqual([[1, 'a'], [4, 'd']]);
    expect(ctx.badRecords.map((b) => [b.kind, b.position])).toEqual([
      ['too-large', `${topic}/1@1`],
      ['invalid-utf8', `${topic}/1@2`],
      ['wrong-type', `${topic}/1@4`],
    ]);
    expect(ctx.badRecords[2]!.raw).toBe('{"id":"three"}');
    expect(ctx.badRecords[1]!.raw).toEqual(Buffer.from([0x7b, 0xff, 0x7d]));
    const withRows = chunks.find((c) => c.rows.length > 0)!;
    expect(withRows.describe!(1)).toEqual({ position: `${topic}/1@5`, raw: '{"id":4,"name":"d"}' });
    expect(position).toEqual([
      { topic, partition: 0, offset: '0' },
      { topic, partition: 1, offset: '6' },
    ]);
    const failing = context(topic, { 'errors.max-record-bytes': '50' }, true);
    await expect(readAll(failing)).rejects.toThrow(`Bad record in \`events\` at ${topic}/1@1 (too-large)`);
    await expect(readAll(context(topic, {}, true))).rejects.toThrow(EddyError);
  });
});

describe('kafka source trouble', () => {
  it('a topic that does not exist is a clear error naming the table and topic', async () => {
    const missing = uniqueTopic('src-missing');
    const reader = kafkaConnector.createSource!(context(missing));
    const failure = reader.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    const e = await failure;
    await reader.close();
    expect(e).toBeInstanceOf(EddyError);
    expect((e as EddyError).message).toBe(`Table \`events\`: Kafka at '${kafkaBootstrap()}': Kafka topic '${missing}' does not exist`);
  });
});
