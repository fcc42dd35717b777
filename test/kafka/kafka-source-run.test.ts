// The `kafka` source through real `eddy run` processes against the real broker: a bounded read into a file, and
// bad JSON messages under each error policy, named by topic, partition and offset.

import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient, KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { readJsonLinesFile, runEddy, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-run-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

async function produce(records: KafkaOutgoingRecord[]): Promise<void> {
  const producer = await client.producer({ idempotent: true });
  try {
    await producer.send(records);
  } finally {
    await producer.close();
  }
}

function job(topic: string, policy: string): { script: string; out: string; state: string } {
  const dir = tempDir('eddy-kafka-run-');
  const out = join(dir, 'out.json');
  const script = join(dir, 'job.sql');
  writeFileSync(
    script,
    `CREATE TABLE t (id INT, name STRING) WITH (
       'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
       'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'errors.policy' = '${policy}');
     CREATE TABLE o (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
     INSERT INTO o SELECT id, UPPER(name) FROM t;`,
  );
  return { script, out, state: join(dir, 'state') };
}

const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => (a['id'] as number) - (b['id'] as number));

describe('kafka source in eddy run', () => {
  it('reads a 3-partition topic to its end into a file: the rows produced, as a multiset', async () => {
    const topic = uniqueTopic('run-bounded');
    await admin.createTopic({ topic, partitions: 3 });
    const ids = Array.from({ length: 900 }, (_, i) => i);
    // Every id twice (a multiset, not a set), on different partitions.
    await produce([...ids, ...ids].map((id, j) => ({ topic, partition: j % 3, key: null, value: JSON.stringify({ id, name: `n${id}` }) })));
    const { script, out } = job(topic, 'fail');
    const r = await runEddy(['run', script]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(byId(readJsonLinesFile(out))).toEqual(ids.flatMap((id) => [{ id, name: `N${id}` }, { id, name: `N${id}` }]));
  }, 90_000);

  describe('bad JSON messages', () => {
    // Partition 0: good, bad, good; partition 1: good, a JSON array, good.
    const topic = uniqueTopic('run-bad');
    beforeAll(async () => {
      await admin.createTopic({ topic, partitions: 2 });
      await produce([
        { topic, partition: 0, key: null, value: '{"id":1,"name":"a"}' },
        { topic, partition: 0, key: null, value: '{"id":2,"name":' },
        { topic, partition: 0, key: null, value: '{"id":3,"name":"c"}' },
        { topic, partition: 1, key: null, value: '{"id":4,"name":"d"}' },
        { topic, partition: 1, key: null, value: '[4,"d"]' },
        { topic, partition: 1, key: null, value: '{"id":6,"name":"f"}' },
      ]);
    });
    const good = [{ id: 1, name: 'A' }, { id: 3, name: 'C' }, { id: 4, name: 'D' }, { id: 6, name: 'F' }];

    it("'fail' stops the job with the topic, partition and offset of the first bad message", async () => {
      const { script } = job(topic, 'fail');
      const r = await runEddy(['run', script]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`error\\[EDDY-R001\\]: Bad record in \`t\` at ${topic}/(0@1 \\(invalid-json\\): invalid JSON|1@1 \\(invalid-json\\): expected a JSON object)`));
    }, 90_000);

    it("'skip' finishes with the good rows and counts the two bad ones", async () => {
      const { script, out } = job(topic, 'skip');
      const r = await runEddy(['run', script]);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('2 bad rows skipped (2 invalid-json)');
      expect(byId(readJsonLinesFile(out))).toEqual(good);
    }, 90_000);

    it("'dead-letter' stores each bad message with its topic/partition@offset and text", async () => {
      const { script, out, state } = job(topic, 'dead-letter');
      const r = await runEddy(['run', script, '--state-dir', state]);
      expect(r.status).toBe(0);
      expect(byId(readJsonLinesFile(out))).toEqual(good);
      const db = new Database(join(state, 'dead-letters.db'), { readonly: true });
      try {
        const letters = db.prepare('SELECT location, kind, raw FROM dead_letters ORDER BY location').all();
        expect(letters).toEqual([
          { location: `${topic}/0@1`, kind: 'invalid-json', raw: '{"id":2,"name":' },
          { location: `${topic}/1@1`, kind: 'invalid-json', raw: '[4,"d"]' },
        ]);
      } finally {
        db.close();
      }
    }, 90_000);
  });
});
