// The `kafka` source's checkpoint positions through real `eddy run` processes: an unbounded job (a running
// aggregate into the exactly-once sqlite sink, checkpointing every 100 ms) is SIGKILLed while it reads new
// messages, and restarted on its state; once it has caught up, its totals equal a computation over exactly the
// messages produced: no duplicates, no gaps.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { prng, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { killRuns, sleep, startRun, waitUntil, type BackgroundRun } from './run-helpers.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-restart-test' });
  admin = await client.admin();
});

afterEach(killRuns);

afterAll(async () => {
  await admin?.close();
});

describe('kafka source restored from checkpoints in eddy run', () => {
  it('SIGKILLed while reading and restarted, its totals equal the messages produced', async () => {
    const topic = uniqueTopic('run-restart');
    await admin.createTopic({ topic, partitions: 3 });
    const dir = tempDir('eddy-kafka-restart-');
    const state = join(dir, 'state');
    const db = join(dir, 'totals.db');
    const script = join(dir, 'job.sql');
    writeFileSync(
      script,
      `SET 'execution.checkpointing.interval' = '100 ms';
       CREATE TABLE t (k INT, v BIGINT) WITH (
         'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}',
         'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
       CREATE TABLE totals (k INT, c BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED)
         WITH ('connector' = 'sqlite', 'path' = '${db}', 'table-name' = 'totals');
       INSERT INTO totals SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k;`,
    );
    const rand = prng(17);
    const expected = new Map<number, { c: number; s: number }>();
    let produced = 0;
    const producer = await client.producer({ idempotent: true });
    /** Produces `n` random messages in batches of 2000, calling `afterBatch` with each batch's number. */
    async function produce(n: number, afterBatch?: (batch: number) => Promise<void>): Promise<void> {
      const records = [];
      for (let i = 0; i < n; i++) {
        const k = Math.floor(rand() * 50);
        const v = Math.floor(rand() * 1000);
        const e = expected.get(k) ?? { c: 0, s: 0 };
        expected.set(k, { c: e.c + 1, s: e.s + v });
        records.push({ topic, key: null, partition: (produced + i) % 3, value: JSON.stringify({ k, v }) });
      }
      produced += n;
      for (let i = 0; i < records.length; i += 2000) {
        await producer.send(records.slice(i, i + 2000));
        await afterBatch?.(i / 2000);
      }
    }
    const totals = (): { k: number; c: number; s: number }[] => {
      if (!existsSync(db)) return [];
      const d = new Database(db, { readonly: true });
      try {
        return d.prepare("SELECT name FROM sqlite_master WHERE name = 'totals'").get()
          ? (d.prepare('SELECT k, c, s FROM totals ORDER BY k').all() as { k: number; c: number; s: number }[])
          : [];
      } finally {
        d.close();
      }
    };
    const counted = () => totals().reduce((n, r) => n + r.c, 0);
    const start = () => startRun(['run', script, '--state-dir', state]);
    const waitFor = (count: number, run: BackgroundRun) => waitUntil(() => `${count} messages counted (${counted()} so far)`, () => counted() >= count, run);

    try {
      await produce(3000);
      let run = start();
      await waitFor(3000, run);
      // Five times: more messages arrive, and the job is killed at a random moment while it reads them.
      let midway = 0;
      for (let round = 0; round < 5; round++) {
        await waitFor(produced, run);
        const before = produced;
        const exited = run.exited;
        const killAfter = 2 + Math.floor(rand() * 4);
        const killed = run.child;
        // The job is killed while the messages arrive: after batch 2 to 5 of 10, and a moment.
        await produce(20_000, async (batch) => {
          if (batch !== killAfter) return;
          await sleep(Math.floor(rand() * 200));
          killed.kill('SIGKILL');
        });
        await exited;
        const at = counted(); // committed by the killed run
        if (at > before && at < produced) midway++;
        run = start();
      }
      // Most kills landed after some of the new messages were committed and before all were.
      expect(midway).toBeGreaterThanOrEqual(2);
      await waitFor(produced, run);
      await sleep(1500); // anything read twice would show up by now
      const want = [...expected].sort(([a], [b]) => a - b).map(([k, { c, s }]) => ({ k, c, s }));
      expect(counted()).toBe(produced);
      expect(totals()).toEqual(want);
      run.child.kill('SIGKILL');
    } finally {
      await producer.close();
    }
  }, 180_000);
});
