// Malformed Kafka messages of every kind a JSON value can be bad in, at known offsets of a 3-partition topic, through
// real `eddy run` processes under each error policy (kafka-source-run.test.ts covers invalid JSON on two partitions;
// this adds the other kinds, their exact counts, and dead letters that hold exactly the bad messages):
// - fail: the job stops, naming the first bad message of a partition by `<topic>/<partition>@<offset>`, its kind and
//   text;
// - skip: the output is exactly the good rows, and the job summary counts each kind exactly;
// - dead-letter: the dead letters are exactly the bad messages, each with its position, kind and raw value.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { readJsonLinesFile, runEddy, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { produceAll } from './run-helpers.js';

let client: KafkaClient;
let admin: KafkaAdmin;

const MAX_BYTES = 200;
const topic = uniqueTopic('e2e-bad');
const PER_PARTITION = 40;

/** The bad messages, by partition and offset: the value sent, its kind, and its raw text as a dead letter keeps it. */
const BAD: { partition: number; offset: number; value: Buffer; kind: string }[] = [
  { partition: 0, offset: 3, kind: 'invalid-json', value: Buffer.from('{"id": 3, "name": ') },
  { partition: 0, offset: 17, kind: 'wrong-type', value: Buffer.from('{"id": 17, "name": "q", "amount": "lots"}') },
  { partition: 0, offset: 30, kind: 'invalid-json', value: Buffer.from('not json at all') },
  { partition: 1, offset: 0, kind: 'missing-not-null', value: Buffer.from('{"name": "no id", "amount": 5}') },
  { partition: 1, offset: 21, kind: 'invalid-utf8', value: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { partition: 1, offset: 22, kind: 'wrong-type', value: Buffer.from('{"id": "twenty-two", "name": "r", "amount": 1}') },
  { partition: 2, offset: 9, kind: 'too-large', value: Buffer.from(JSON.stringify({ id: 9, name: 'x'.repeat(MAX_BYTES), amount: 1 })) },
  { partition: 2, offset: 10, kind: 'missing-not-null', value: Buffer.from('{"id": null, "name": "s", "amount": 2}') },
  { partition: 2, offset: 39, kind: 'invalid-json', value: Buffer.from('[1, "a", 2]') },
];
const badAt = (partition: number, offset: number) => BAD.find((b) => b.partition === partition && b.offset === offset);

/** The good rows: every other offset holds `{"id": <p*100+offset>, "name": "n<id>", "amount": <id % 7>}`. */
const good: { id: number; name: string; amount: number }[] = [];
const records: KafkaOutgoingRecord[] = [];
for (let offset = 0; offset < PER_PARTITION; offset++) {
  for (let partition = 0; partition < 3; partition++) {
    const bad = badAt(partition, offset);
    const id = partition * 100 + offset;
    const row = { id, name: `n${id}`, amount: id % 7 };
    if (!bad) good.push(row);
    records.push({ topic, partition, key: null, value: bad ? bad.value : JSON.stringify(row) });
  }
}

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-e2e-bad' });
  admin = await client.admin();
  await admin.createTopic({ topic, partitions: 3 });
  await produceAll(client, records);
});

afterAll(async () => {
  await admin?.close();
});

function job(policy: string): { script: string; out: string; state: string } {
  const dir = tempDir('eddy-kafka-e2e-bad-');
  const out = join(dir, 'out.json');
  const script = join(dir, 'job.sql');
  writeFileSync(
    script,
    `CREATE TABLE payments (id INT NOT NULL, name STRING, amount INT) WITH (
       'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json',
       'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
       'errors.policy' = '${policy}', 'errors.max-record-bytes' = '${MAX_BYTES}');
     CREATE TABLE o (id INT, name STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
     INSERT INTO o SELECT id, name, amount FROM payments;`,
  );
  return { script, out, state: join(dir, 'state') };
}

const byId = (rows: readonly Record<string, unknown>[]) => [...rows].sort((a, b) => (a['id'] as number) - (b['id'] as number));

/** The count of each kind among the bad messages, as the job summary lists them: `2 invalid-json, 1 too-large, ...`. */
function countsByKind(): string {
  const counts = new Map<string, number>();
  for (const b of BAD) counts.set(b.kind, (counts.get(b.kind) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => `${n} ${kind}`).join(', ');
}

describe('malformed kafka messages under each error policy, through eddy run', () => {
  it("'fail' stops the job at the first bad message of a partition, named by topic/partition@offset, kind and text", async () => {
    const { script } = job('fail');
    const r = await runEddy(['run', script]);
    expect(r.status).toBe(1);
    const m = /error\[EDDY-R001\]: Bad record in `payments` at (\S+)\/(\d+)@(\d+) \(([a-z-]+)\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const [, t, partition, offset, kind] = m!;
    expect(t).toBe(topic);
    // A partition is read in offset order, so the job stops at some partition's first bad message.
    const first = [0, 1, 2].map((p) => BAD.filter((b) => b.partition === p)[0]!);
    const named = first.find((b) => b.partition === Number(partition) && b.offset === Number(offset));
    expect(named, `${partition}@${offset} is not a partition's first bad message`).toBeDefined();
    expect(kind).toBe(named!.kind);
    expect(r.stderr).toContain(`; record: ${named!.value.toString('utf8').slice(0, 100)}`);
    // The job failed: no summary of a finished job.
    expect(r.stderr).not.toContain('Job finished');
  }, 90_000);

  it("'skip' writes exactly the good rows and counts each kind of bad message exactly", async () => {
    const { script, out } = job('skip');
    const r = await runEddy(['run', script]);
    expect(r.status, r.stderr).toBe(0);
    expect(byId(readJsonLinesFile(out))).toEqual(byId(good));
    expect(r.stderr).toContain(
      `${good.length} rows in, ${good.length} rows out, 0 late rows dropped, ${BAD.length} bad rows skipped (${countsByKind()}).`,
    );
  }, 90_000);

  it("'dead-letter' keeps exactly the bad messages, each with its topic/partition@offset, kind and raw value", async () => {
    const { script, out, state } = job('dead-letter');
    const r = await runEddy(['run', script, '--state-dir', state]);
    expect(r.status, r.stderr).toBe(0);
    expect(byId(readJsonLinesFile(out))).toEqual(byId(good));
    expect(r.stderr).toContain(`${BAD.length} bad rows skipped (${countsByKind()}), ${BAD.length} of them to the dead-letter table`);
    const db = new Database(join(state, 'dead-letters.db'), { readonly: true });
    try {
      const got = db.prepare('SELECT source, location, kind, raw FROM dead_letters').all();
      // The raw value as text; bytes that are not UTF-8 as \\xNN escapes (docs/connectors.md, "Bad records").
      const raw = (b: (typeof BAD)[number]) =>
        b.kind === 'invalid-utf8' ? [...b.value].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : `\\x${x.toString(16)}`)).join('') : b.value.toString('utf8');
      const want = BAD.map((b) => ({ source: 'payments', location: `${topic}/${b.partition}@${b.offset}`, kind: b.kind, raw: raw(b) }));
      const order = (list: unknown[]) => [...(list as { location: string }[])].sort((a, b) => (a.location < b.location ? -1 : 1));
      expect(order(got)).toEqual(order(want));
    } finally {
      db.close();
    }
  }, 90_000);
});
