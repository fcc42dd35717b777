// Exactly-once end to end through real `eddy run` processes and the real broker, SIGKILLed at random moments (seeded
// delays; the seed is logged, and EDDY_KILL_SEED=<seed> replays it) at least ten times each and restarted on their
// state directory until they finish:
// - a windowed job from a 3-partition topic into an exactly-once kafka sink: a read_committed consumer of its output
//   sees exactly what an uninterrupted run of the same job wrote (as a multiset, and each key's windows in the same
//   order), which equals the batch computation;
// - a materialized view fed from Kafka while it is killed: its final content (views.db) equals the batch computation
//   over exactly the messages produced, and no snapshot read between kills ever counted a message twice.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { prng, runEddy, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, uniqueTopic } from './broker.js';
import { batchPerKey, batchWindows, createEventTopic, eventRecords, generateEvents, windowedJobScript } from './events.js';
import { jsonValues, killRepeatedly, lastCheckpoint, multiset, perKeyOrder, produceAll, readCommitted, readCommittedOnce, killRuns, sleep, waitUntil } from './run-helpers.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-e2e-exactly-once' });
  admin = await client.admin();
});

afterEach(killRuns);

afterAll(async () => {
  await admin?.close();
});

/** The seed of the kill delays: EDDY_KILL_SEED reproduces a run; otherwise a new one each time, logged. */
const SEED = Number(process.env['EDDY_KILL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = 12;

describe(`exactly-once through SIGKILLs (seed ${SEED})`, () => {
  beforeAll(() => {
    process.stderr.write(`e2e-exactly-once: kill delays seeded with ${SEED} (EDDY_KILL_SEED=${SEED} reproduces them)\n`);
  });

  it('a windowed job into an exactly-once kafka sink, killed and restarted, writes what an uninterrupted run writes', async () => {
    const input = uniqueTopic('eos-in');
    await createEventTopic(admin, input, 3);
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const events = generateEvents(17, 150_000, keys, 80);
    // Records of about 500 bytes, so each fetch (1 MiB per partition) brings a few thousand and checkpoints come often.
    await produceAll(client, eventRecords(input, events, 3, { padding: 400 }));
    const dir = tempDir('eddy-kafka-eos-');

    /** The job's script, writing to `output` with its own transactional ids. */
    const script = (name: string, output: string) => {
      const path = join(dir, `${name}.sql`);
      const connection = `'properties.bootstrap.servers' = '${kafkaBootstrap()}'`;
      writeFileSync(path, windowedJobScript({ connection, input, output, txPrefix: uniqueTopic(`eos-${name}`), checkpointInterval: '300 ms' }));
      return path;
    };
    const expected = batchWindows(events, 60_000, 60_000);

    // The uninterrupted run.
    const straightTopic = uniqueTopic('eos-straight');
    await admin.createTopic({ topic: straightTopic, partitions: 3 });
    const t0 = Date.now();
    const straight = await runEddy(['run', script('straight', straightTopic), '--state-dir', join(dir, 'straight-state')], {}, 180_000);
    process.stderr.write(`e2e-exactly-once: the uninterrupted run took ${Date.now() - t0} ms\n`);
    expect(straight.stderr).not.toMatch(/error/i);
    expect(straight.status).toBe(0);
    const straightRecords = await readCommitted(client, admin, straightTopic, expected.length);

    // The same job, killed at random moments and restarted on its state directory until it finishes.
    const killedTopic = uniqueTopic('eos-killed');
    await admin.createTopic({ topic: killedTopic, partitions: 3 });
    const state = join(dir, 'killed-state');
    const args = ['run', script('killed', killedTopic), '--state-dir', state];
    const committed: number[] = [];
    const want = new Set(multiset(expected));
    const last = await killRepeatedly(args, join(state, 'insert-1-per_minute.db'), prng(SEED), KILLS, async () => {
      // What a read_committed consumer sees between runs: never a duplicate, always a part of the final result.
      const seen = multiset(jsonValues(await readCommittedOnce(client, admin, killedTopic)));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((v) => !want.has(v))).toEqual([]);
      committed.push(seen.length);
    });
    expect(await last.exited, last.stderr()).toBe(0);
    process.stderr.write(`e2e-exactly-once: rows committed after each kill: ${committed.join(', ')} of ${expected.length}\n`);
    // The kills landed while the job was writing its output.
    expect(committed.filter((n) => n > 0 && n < expected.length).length).toBeGreaterThanOrEqual(KILLS / 4);

    const killedRecords = await readCommitted(client, admin, killedTopic, expected.length);
    // Exactly the uninterrupted run's output: no duplicates, no gaps; each key's windows in the same order.
    expect(multiset(jsonValues(killedRecords))).toEqual(multiset(jsonValues(straightRecords)));
    expect(perKeyOrder(killedRecords)).toEqual(perKeyOrder(straightRecords));
    // And that is the batch computation, each key's windows in time order.
    expect(multiset(jsonValues(straightRecords))).toEqual(multiset(expected));
    for (const [k, list] of perKeyOrder(straightRecords)) {
      const starts = list.map((v) => (JSON.parse(v) as { window_start: string }).window_start);
      expect(starts, k).toEqual([...starts].sort());
    }
  }, 300_000);

  it('a materialized view fed from Kafka while it is killed and restarted counts every message exactly once', async () => {
    const input = uniqueTopic('eos-mv-in');
    await createEventTopic(admin, input, 3);
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const events = generateEvents(23, 300_000, keys);
    const records = eventRecords(input, events, 3);
    const dir = tempDir('eddy-kafka-eos-mv-');
    const state = join(dir, 'state');
    const script = join(dir, 'view.sql');
    writeFileSync(
      script,
      `SET 'execution.checkpointing.interval' = '200 ms';
       CREATE TABLE events (k STRING, v INT) WITH (
         'connector' = 'kafka', 'topic' = '${input}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json',
         'scan.startup.mode' = 'earliest-offset');
       CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM events GROUP BY k;`,
    );

    // The feeder: 500 messages every 250 ms until the kills are done.
    let produced = 0;
    let feeding = true;
    const producer = await client.producer({ idempotent: true });
    const feeder = (async () => {
      while (feeding && produced < records.length) {
        await producer.send(records.slice(produced, produced + 500));
        produced += 500;
        await sleep(250);
      }
    })();

    /** The view's rows and the checkpoint they reflect, read from views.db as another process would. */
    const view = (): { checkpoint: number; rows: Map<string, [number, number]> } => {
      const db = new Database(join(state, 'views.db'), { readonly: true, fileMustExist: true });
      try {
        const commit = db.prepare("SELECT checkpoint FROM _eddy_sink_commits WHERE sink LIKE 'mv-per_key/%'").get() as { checkpoint: number } | undefined;
        const rows = db.prepare('SELECT k, c, s FROM per_key').all() as { k: string; c: number; s: number }[];
        return { checkpoint: commit?.checkpoint ?? 0, rows: new Map(rows.map((r) => [r.k, [r.c, r.s]])) };
      } finally {
        db.close();
      }
    };
    /** The events of the first `offsets[p]` messages of each partition p. */
    const prefix = (offsets: Map<number, number>) => {
      const seen = new Map<number, number>();
      return events.slice(0, produced).filter((_, i) => {
        const p = records[i]!.partition!;
        const n = seen.get(p) ?? 0;
        seen.set(p, n + 1);
        return n < (offsets.get(p) ?? 0);
      });
    };

    let exact = 0;
    let whileFeeding = 0;
    const totals: number[] = [];
    try {
      const last = await killRepeatedly(['run', script, '--state-dir', state], join(state, 'mv-per_key.db'), prng(SEED + 1), KILLS, async () => {
        if (feeding && produced < records.length) whileFeeding++;
        if (!existsSync(join(state, 'views.db'))) return;
        const snapshot = view();
        const total = [...snapshot.rows.values()].reduce((n, [c]) => n + c, 0);
        // Never more than was produced, never less than an earlier snapshot showed.
        expect(total).toBeLessThanOrEqual(produced);
        expect(total).toBeGreaterThanOrEqual(totals.at(-1) ?? 0);
        totals.push(total);
        // When the view holds the job's last checkpoint, it is exactly the batch computation over the messages that
        // checkpoint says were read: each partition up to its offset, nothing counted twice, nothing missing.
        const checkpoint = lastCheckpoint(join(state, 'mv-per_key.db'));
        if (checkpoint && checkpoint.id === snapshot.checkpoint) {
          const offsets = new Map(Object.values(checkpoint.sources).flat().map((p) => [p.partition, Number(p.offset)]));
          expect(snapshot.rows).toEqual(batchPerKey(prefix(offsets)));
          exact++;
        }
      });
      feeding = false;
      await feeder;
      process.stderr.write(`e2e-exactly-once: view totals after each kill: ${totals.join(', ')}; ${produced} messages produced\n`);
      // The kills came while messages were still being produced, and the view's job was making progress.
      expect(whileFeeding).toBeGreaterThanOrEqual(10);
      expect(new Set(totals).size).toBeGreaterThanOrEqual(5);
      expect(exact).toBeGreaterThanOrEqual(KILLS / 2);
      // The last run catches up: the view equals the batch computation over every message produced.
      const want = batchPerKey(events.slice(0, produced));
      await waitUntil(() => `the view counted ${produced} messages`, () => existsSync(join(state, 'views.db')) && [...view().rows.values()].reduce((n, [c]) => n + c, 0) >= produced, last, 120_000);
      await sleep(1000); // anything read twice would show up by now
      expect(view().rows).toEqual(want);
    } finally {
      feeding = false;
      await feeder;
      await producer.close();
    }
  }, 300_000);
});
